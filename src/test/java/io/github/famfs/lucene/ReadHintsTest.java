package io.github.famfs.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.nio.FamfsMappings;
import io.github.famfs.nio.FamfsMappings.Advice;
import java.lang.reflect.Array;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.lucene.store.IOContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Lucene's read hints become madvise advice, on Lucene 9 (IOContext's fields) and on Lucene 10 (its hints), and
 * the advice reaches famfs's mapping (the kernel takes it).
 */
class ReadHintsTest {
    @TempDir
    Path tmp;

    @Test
    void lucenesContextsBecomeAdvice() throws Exception {
        assertEquals(Advice.NORMAL, ReadHints.of(null));
        assertEquals(Advice.NORMAL, ReadHints.of(IOContext.DEFAULT));
        assertEquals(Advice.SEQUENTIAL, ReadHints.of(IOContext.READONCE));
        Method withHints = null;
        for (Method m : IOContext.class.getMethods()) {
            if (m.getName().equals("withHints")) {
                withHints = m;
            }
        }
        if (withHints == null) { // Lucene 9: IOContext.LOAD and IOContext.RANDOM
            assertEquals(Advice.WILLNEED, ReadHints.of((IOContext) IOContext.class.getField("LOAD").get(null)));
            assertEquals(Advice.RANDOM, ReadHints.of((IOContext) IOContext.class.getField("RANDOM").get(null)));
        } else { // Lucene 10: DEFAULT.withHints(PreloadHint.INSTANCE), DEFAULT.withHints(DataAccessHint.RANDOM)
            assertEquals(Advice.WILLNEED, ReadHints.of(with(withHints, "PreloadHint", "INSTANCE")));
            assertEquals(Advice.RANDOM, ReadHints.of(with(withHints, "DataAccessHint", "RANDOM")));
            assertEquals(Advice.SEQUENTIAL, ReadHints.of(with(withHints, "DataAccessHint", "SEQUENTIAL")));
        }
    }

    private static IOContext with(Method withHints, String hintClass, String constant) throws Exception {
        Class<?> type = Class.forName("org.apache.lucene.store." + hintClass);
        Object hints = Array.newInstance(withHints.getParameterTypes()[0].getComponentType(), 1);
        Array.set(hints, 0, type.getField(constant).get(null));
        return (IOContext) withHints.invoke(IOContext.DEFAULT, hints);
    }

    @Test
    void theKernelTakesTheAdviceOnAFamfsMapping() throws Exception {
        try (FileSystem fs = LuceneFamfs.format(tmp.resolve("famfs.img"), "1g")) {
            Path f = fs.getPath("/f");
            Files.write(f, new byte[3 << 20]);
            ByteBuffer mapped = MappedFile.map(f).chunks().get(0);
            for (Advice a : Advice.values()) {
                assertTrue(FamfsMappings.advise(mapped, 4097, 1 << 20, a), a.toString());
            }
            assertThrows(IndexOutOfBoundsException.class, () -> FamfsMappings.advise(mapped, 0, (3 << 20) + 1,
                    Advice.WILLNEED), "past the buffer");
            assertThrows(IndexOutOfBoundsException.class, () -> FamfsMappings.advise(mapped, -1, 2,
                    Advice.WILLNEED), "before the buffer");
            assertFalse(FamfsMappings.advise(ByteBuffer.allocate(4096), 0, 10, Advice.WILLNEED),
                    "a heap buffer: not given");
        }
    }
}
