package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.famfs.format.Extent;
import io.github.famfs.format.FileEntry;
import io.github.famfs.format.InterleavedMap;
import io.github.famfs.format.SimpleMap;
import io.github.famfs.memory.FileMapping;
import io.github.famfs.testing.ReferenceImages;
import io.github.famfs.testing.TestImage;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.channels.NonWritableChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** FileChannel.map(mode, position, size, arena) on Java 22+: MemorySegments over the device extents. */
class SegmentMappingTest {
    private static final long MIB = 1 << 20;
    @TempDir
    Path tmp;

    static Stream<String> images() {
        return ReferenceImages.IMAGES.stream().filter(n -> !n.equals("empty"));
    }

    @ParameterizedTest
    @MethodSource("images")
    void everyFileMapsAsASegmentWholeAndInSubRanges(String name) throws Exception {
        JsonObject m = ReferenceImages.manifest(name);
        Random rnd = new Random(name.hashCode());
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + ReferenceImages.image(name)), Map.of());
                Arena arena = Arena.ofConfined()) {
            for (JsonElement f : ReferenceImages.array(m, "files")) {
                JsonObject file = f.getAsJsonObject();
                Path path = fs.getPath(file.get("path").getAsString());
                long size = file.get("size").getAsLong();
                try (FileChannel ch = FileChannel.open(path)) {
                    MemorySegment whole = ch.map(MapMode.READ_ONLY, 0, size, arena);
                    assertEquals(size, whole.byteSize());
                    assertTrue(whole.isReadOnly() && whole.isNative());
                    assertTrue(whole.isMapped(), "the JDK maps image files (memory/ImageMapping)");
                    if (size >= 2 * MIB) {
                        // the kernel aligns JDK maps of 2 MiB and more
                        assertEquals(0, whole.address() % (2 * MIB), "mapped at the device alignment");
                    }
                    var md = ReferenceImages.sha();
                    md.update(whole.asByteBuffer());
                    assertEquals(file.getAsJsonObject("content").get("sha256").getAsString(),
                            HexFormat.of().formatHex(md.digest()), path.toString());
                    for (int i = 0; i < 4; i++) {
                        long pos = (long) (rnd.nextDouble() * size);
                        long len = 1 + (long) (rnd.nextDouble() * (size - pos));
                        MemorySegment sub = ch.map(MapMode.READ_ONLY, pos, len, arena);
                        assertEquals(-1, sub.mismatch(whole.asSlice(pos, len)), path + " sub-range " + pos);
                    }
                }
            }
        }
    }

    @Test
    void theJdkContractHolds() throws Exception {
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + ReferenceImages.image("tree")), Map.of());
                FileChannel ch = FileChannel.open(fs.getPath("/x/y/4MiB"))) {
            Arena closed = Arena.ofConfined();
            closed.close();
            assertThrows(IllegalStateException.class, () -> ch.map(MapMode.READ_ONLY, 0, 10, closed));
            assertThrows(NullPointerException.class, () -> ch.map(MapMode.READ_ONLY, 0, 10, null));
            assertThrows(IllegalArgumentException.class, () -> ch.map(MapMode.READ_ONLY, -1, 10, Arena.ofAuto()));
            assertThrows(UnsupportedOperationException.class, () -> ch.map(MapMode.PRIVATE, 0, 10, Arena.ofAuto()));
            assertThrows(NonWritableChannelException.class, () -> ch.map(MapMode.READ_WRITE, 0, 10, Arena.ofAuto()));
            MemorySegment seg;
            try (Arena arena = Arena.ofConfined()) {
                seg = ch.map(MapMode.READ_ONLY, 0, ch.size(), arena);
                assertEquals('0', (char) seg.get(ValueLayout.JAVA_BYTE, 0));
                assertThrows(IllegalArgumentException.class, () -> seg.set(ValueLayout.JAVA_BYTE, 0, (byte) 1));
            }
            assertThrows(IllegalStateException.class, () -> seg.get(ValueLayout.JAVA_BYTE, 0),
                    "a closed arena's segment refuses access, never touches unmapped memory");
        }
    }

    @Test
    void mapUnmapCyclesLeaveNoMappingBehind() throws Exception {
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + ReferenceImages.image("striped")),
                Map.of()); FileChannel ch = FileChannel.open(fs.getPath("/s/n16-c2M-33M-1"))) {
            long before = FileMapping.currentMapCount();
            for (int i = 0; i < 3000; i++) {
                try (Arena arena = Arena.ofConfined()) {
                    ch.map(MapMode.READ_ONLY, 0, ch.size(), arena).get(ValueLayout.JAVA_BYTE, i);
                }
            }
            long after = FileMapping.currentMapCount();
            // a leak would be 17 mappings a cycle (51,000); the JVM maps a few regions of its own meanwhile
            assertTrue(after <= before + 8, "17 mappings per cycle, all released: " + before + " before, " + after
                    + " after");
        }
    }

    @Test
    void segmentsLargerThanTwoGigabytes() throws Exception {
        Path img = tmp.resolve("big.img");
        long size = 5L << 30;
        long start;
        try (TestImage t = TestImage.create(img, 6L << 30)) {
            start = t.nextDataOffset();
            t.entry(new FileEntry(0, size, 2, 0, 0, 0644, "big".getBytes(StandardCharsets.UTF_8),
                    new InterleavedMap(4 * MIB, List.of(new Extent(start, size / 2), new Extent(start + size / 2,
                            size / 2)))));
            t.fill(start + size / 2, 100, 7); // chunk 1 of the file: file offset 4 MiB
            t.fill(start + size / 2 - 4 * MIB, 100, 8); // the last chunk of strip 0
        }
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of());
                FileChannel ch = FileChannel.open(fs.getPath("/big")); Arena arena = Arena.ofConfined()) {
            MemorySegment seg = ch.map(MapMode.READ_ONLY, 0, size, arena);
            assertEquals(size, seg.byteSize());
            assertArrayEquals(TestImage.patternBytes(7, 100), seg.asSlice(4 * MIB, 100).toArray(ValueLayout.JAVA_BYTE));
            long lastChunkOfStrip0 = size - 8 * MIB;
            assertArrayEquals(TestImage.patternBytes(8, 100),
                    seg.asSlice(lastChunkOfStrip0, 100).toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void tooManyMappingsIsAClearIOException() throws Exception {
        Path img = tmp.resolve("chunky.img");
        long size = 150L << 30;
        try (TestImage t = TestImage.create(img, size + (64 * MIB))) {
            t.entry(new FileEntry(0, size, 2, 0, 0, 0644, "chunky".getBytes(StandardCharsets.UTF_8),
                    new InterleavedMap(2 * MIB, List.of(new Extent(t.nextDataOffset(), size)))));
        }
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of());
                FileChannel ch = FileChannel.open(fs.getPath("/chunky")); Arena arena = Arena.ofConfined()) {
            IOException e = assertThrows(IOException.class, () -> ch.map(MapMode.READ_ONLY, 0, size, arena));
            assertTrue(e.getMessage().contains("76800 mappings") && e.getMessage().contains("vm.max_map_count"),
                    e.getMessage());
            assertEquals(1, ch.map(MapMode.READ_ONLY, 0, 1L << 30, arena).get(ValueLayout.JAVA_BYTE, 0) + 1);
        }
    }

    @Test
    void simpleExtentsInDescendingOrderReadInListOrder() throws Exception {
        Path img = tmp.resolve("desc.img");
        long a;
        try (TestImage t = TestImage.create(img, 64 * MIB)) {
            a = t.nextDataOffset();
            t.fill(a + 4 * MIB, 2 * MIB, 1).fill(a + 2 * MIB, 2 * MIB, 2).fill(a, MIB, 3);
            t.entry(new FileEntry(0, 5 * MIB, 2, 0, 0, 0644, "desc".getBytes(StandardCharsets.UTF_8),
                    new SimpleMap(List.of(new Extent(a + 4 * MIB, 2 * MIB), new Extent(a + 2 * MIB, 2 * MIB),
                            new Extent(a, 2 * MIB)))));
        }
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of());
                FileChannel ch = FileChannel.open(fs.getPath("/desc")); Arena arena = Arena.ofConfined()) {
            MemorySegment seg = ch.map(MapMode.READ_ONLY, 0, ch.size(), arena);
            assertArrayEquals(TestImage.patternBytes(1, 1000), seg.asSlice(0, 1000).toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(TestImage.patternBytes(2, 1000), seg.asSlice(2 * MIB, 1000).toArray(ValueLayout.JAVA_BYTE));
            assertArrayEquals(TestImage.patternBytes(3, 1000), seg.asSlice(4 * MIB, 1000).toArray(ValueLayout.JAVA_BYTE));
        }
    }
}
