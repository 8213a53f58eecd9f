package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.format.Extent;
import io.github.famfs.format.FileEntry;
import io.github.famfs.format.InterleavedMap;
import io.github.famfs.testing.TestImage;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** MemorySegment force/load on famfs segments (Java 22+), and FamfsSegments on mapped and native segments. */
class SegmentForceTest {
    private static final long MIB = 1 << 20;
    private static final long CHUNK = 2 * MIB;
    private static final long STRIP = 4 * MIB;
    private static final long SIZE = 2 * STRIP;

    @TempDir
    Path tmp;

    /**
     * io.github.famfs.nio.FamfsSegments, called reflectively: it lives in the Java 22 layer of target/classes,
     * which the test compiler does not see (surefire puts it on the class path at run time).
     */
    static final class FamfsSegments {
        static void force(MemorySegment s) throws Throwable {
            call("force", s);
        }

        static void load(MemorySegment s) throws Throwable {
            call("load", s);
        }

        private static void call(String name, MemorySegment s) throws Throwable {
            try {
                Class.forName("io.github.famfs.nio.FamfsSegments").getMethod(name, MemorySegment.class).invoke(null, s);
            } catch (java.lang.reflect.InvocationTargetException e) {
                throw e.getCause();
            }
        }
    }

    @Test
    void famfsSegmentsOfAnImageAreMappedSegmentsWhoseForceMsyncsEveryPiece() throws Throwable {
        Path img = tmp.resolve("seg.img");
        long base;
        try (TestImage t = TestImage.create(img, 64 * MIB)) {
            base = t.nextDataOffset();
            t.entry(new FileEntry(t.nextIndex(), SIZE, 2, 1000, 1000, 0644, "s".getBytes(StandardCharsets.UTF_8),
                    new InterleavedMap(CHUNK, List.of(new Extent(base, STRIP), new Extent(base + STRIP, STRIP)))));
        }
        byte[] mark = "forced segment".getBytes(StandardCharsets.UTF_8);
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img),
                Map.of("systemUuid", TestImage.MASTER.toString()));
                FileChannel ch = FileChannel.open(fs.getPath("/s"), StandardOpenOption.READ, StandardOpenOption.WRITE);
                Arena arena = Arena.ofConfined()) {
            MemorySegment seg = ch.map(MapMode.READ_WRITE, 0, SIZE, arena);
            assertTrue(seg.isMapped(), "the JDK mapped it");
            for (long o = 0; o < SIZE; o += CHUNK) {
                MemorySegment.copy(mark, 0, seg, ValueLayout.JAVA_BYTE, o + 10, mark.length);
            }
            assertTrue(MappedForceTest.Smaps.dirtyKb(seg.address(), SIZE) > 0);
            seg.force();
            assertEquals(0, MappedForceTest.Smaps.dirtyKb(seg.address(), SIZE), "MemorySegment.force msyncs");
            seg.set(ValueLayout.JAVA_BYTE, 3, (byte) 1);
            FamfsSegments.force(seg);
            assertEquals(0, MappedForceTest.Smaps.dirtyKb(seg.address(), SIZE), "FamfsSegments.force too");
            MemorySegment plain = MemorySegment.ofAddress(seg.address()).reinterpret(SIZE);
            assertFalse(plain.isMapped());
            assertThrows(UnsupportedOperationException.class, plain::force, "a native segment is not mapped");
            plain.set(ValueLayout.JAVA_BYTE, CHUNK + 3, (byte) 2);
            assertTrue(MappedForceTest.Smaps.dirtyKb(seg.address(), SIZE) > 0);
            FamfsSegments.force(plain);
            assertEquals(0, MappedForceTest.Smaps.dirtyKb(seg.address(), SIZE),
                    "FamfsSegments.force msyncs a native segment over file pages");
            FamfsSegments.load(plain);
            seg.load();
            assertTrue(seg.isLoaded());
            FamfsSegments.force(MemorySegment.ofArray(new byte[4]));
            FamfsSegments.load(MemorySegment.ofArray(new byte[4]));
            MemorySegment ro = ch.map(MapMode.READ_ONLY, 0, SIZE, arena);
            assertTrue(ro.isReadOnly() && ro.isMapped());
            FamfsSegments.force(ro);
        }
        try (FileChannel raw = FileChannel.open(img)) {
            for (long o = 0; o < SIZE; o += CHUNK) {
                long chunk = o / CHUNK;
                ByteBuffer b = ByteBuffer.allocate(mark.length);
                raw.read(b, base + (chunk % 2) * STRIP + (chunk / 2) * CHUNK + 10);
                assertArrayEquals(mark, b.array(), "the image holds file offset " + (o + 10));
            }
        }
    }
}
