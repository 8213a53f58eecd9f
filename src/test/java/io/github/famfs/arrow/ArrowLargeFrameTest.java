package io.github.famfs.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.nio.Famfs;
import io.github.famfs.nio.FamfsOption;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A frame larger than a MappedByteBuffer can hold (2.25 GiB, striped over 4 strips) and 36 times the reader's
 * 64 MiB heap: one reader process reads every value on Java 17 as on 22+ (the mapping is the library's own, of
 * any size), every buffer, including those past 2 GiB, inside its mapping, with flat anonymous memory.
 */
class ArrowLargeFrameTest {
    private static final int ROWS = 4 << 20;
    private static final int BATCHES = 36;
    @TempDir
    Path tmp;

    @Test
    void aFrameBeyondTwoGibReadsInPlaceWithASmallHeap() throws Exception {
        Path image = tmp.resolve("famfs.img");
        long frame = (long) ROWS * BATCHES * 16;
        try (FileSystem fs = Famfs.open(image, Map.of("create", "true", "deviceSize", "12G", "systemUuid",
                Frames.MASTER))) {
            ArrowOneCopyTest.writeFrame(fs, "/big.arrow", BATCHES, ROWS, FamfsOption.interleave(4, 2 * Frames.MIB, 8));
            assertTrue(Files.size(fs.getPath("/big.arrow")) > Integer.MAX_VALUE);
        }
        Map<String, String> r = ArrowOneCopyTest.scan(image, "/big.arrow", "famfs");
        System.out.println("[ArrowLargeFrameTest] " + (frame >> 20) + " MiB frame, 64 MiB heap: " + r);
        long n = (long) ROWS * BATCHES;
        assertEquals(Long.toString(n), r.get("rows"));
        assertEquals(Long.toString(n * (n - 1) / 2), r.get("idSum"));
        assertEquals("0", r.get("outsideMapping"));
        assertTrue(Long.parseLong(r.get("anonGrowth")) < frame / 32, r.toString());
    }
}
