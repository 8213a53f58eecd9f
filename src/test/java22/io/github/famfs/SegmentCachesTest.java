package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.famfs.memory.CacheLines;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FamfsSegmentCaches (Java 22+): cache-line maintenance over a segment that maps a famfs file. */
class SegmentCachesTest {
    @TempDir
    Path tmp;

    /** The Java 22 layer's class is not on the test compiler's class path (a directory, not a jar): by name. */
    private static final class FamfsSegmentCaches {
        static void flush(MemorySegment s, long offset, long length) throws Throwable {
            call("flush", s, offset, length);
        }

        static void invalidate(MemorySegment s, long offset, long length) throws Throwable {
            call("invalidate", s, offset, length);
        }

        private static void call(String name, MemorySegment s, long offset, long length) throws Throwable {
            MethodHandle h = MethodHandles.publicLookup().findStatic(Class.forName(
                    "io.github.famfs.nio.FamfsSegmentCaches"), name, MethodType.methodType(void.class,
                    MemorySegment.class, long.class, long.class));
            h.invokeExact(s, offset, length);
        }
    }

    @Test
    void flushAndInvalidateASegmentOfAFamfsFile() throws Throwable {
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + tmp.resolve("s.img")), Map.of("create",
                "true", "deviceSize", "64M", "systemUuid", "00112233-4455-6677-8899-aabbccddeeff"))) {
            Path f = fs.getPath("/f");
            Files.write(f, new byte[1 << 20]);
            MemorySegment kept;
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE);
                    Arena arena = Arena.ofConfined()) {
                MemorySegment s = ch.map(FileChannel.MapMode.READ_WRITE, 0, 1 << 20, arena);
                s.set(ValueLayout.JAVA_LONG, 4096, 42L);
                long lines = CacheLines.linesDone();
                FamfsSegmentCaches.flush(s, 4096, 8);
                FamfsSegmentCaches.invalidate(s, 0, 1 << 20);
                assertEquals(1 + (1 << 14), CacheLines.linesDone() - lines);
                assertEquals(42L, s.get(ValueLayout.JAVA_LONG, 4096));
                assertThrows(IndexOutOfBoundsException.class, () -> FamfsSegmentCaches.flush(s, (1 << 20) - 4, 8));
                // a heap segment has no lines to maintain
                FamfsSegmentCaches.flush(MemorySegment.ofArray(new byte[64]), 0, 64);
                assertEquals(1 + (1 << 14), CacheLines.linesDone() - lines);
                kept = s;
            }
            // its arena closed: the memory may be unmapped, so nothing touches it
            assertThrows(IllegalStateException.class, () -> FamfsSegmentCaches.flush(kept, 0, 8));
        }
    }
}
