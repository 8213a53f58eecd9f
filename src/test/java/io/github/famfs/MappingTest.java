package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.kenai.jffi.MemoryIO;
import io.github.famfs.memory.FileMapping;
import io.github.famfs.nio.FamfsRuleException;
import io.github.famfs.testing.ReferenceImages;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** FileChannel.map over famfs files: the device extents themselves, stitched into one range. */
class MappingTest {
    private static final long ALIGN = 2L << 20;
    @TempDir
    Path tmp;

    static Stream<String> images() {
        return ReferenceImages.IMAGES.stream().filter(n -> !n.equals("empty"));
    }

    @ParameterizedTest
    @MethodSource("images")
    void everyFileMapsWholeAndInSubRangesOverItsDeviceRanges(String name) throws Exception {
        JsonObject m = ReferenceImages.manifest(name);
        Path img = ReferenceImages.image(name);
        Random rnd = new Random(name.hashCode() * 31L);
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of());
                FileChannel raw = FileChannel.open(img)) {
            for (JsonElement f : ReferenceImages.array(m, "files")) {
                JsonObject file = f.getAsJsonObject();
                Path path = fs.getPath(file.get("path").getAsString());
                int size = file.get("size").getAsInt();
                try (FileChannel ch = FileChannel.open(path)) {
                    MappedByteBuffer whole = ch.map(MapMode.READ_ONLY, 0, size);
                    assertTrue(whole.isReadOnly() && whole.isDirect());
                    assertEquals(size, whole.capacity(), "nothing past the file size is visible");
                    if (size >= ALIGN) {
                        // the JDK maps image files (memory/ImageMapping); the kernel aligns ranges of 2 MiB and more
                        assertEquals(0, MemoryIO.getInstance().getDirectBufferAddress(whole) % ALIGN,
                                path + " is mapped at the device alignment");
                    }
                    var md = ReferenceImages.sha();
                    md.update(whole.duplicate());
                    assertEquals(file.getAsJsonObject("content").get("sha256").getAsString(),
                            java.util.HexFormat.of().formatHex(md.digest()), path.toString());
                    for (JsonElement r : file.getAsJsonArray("device_ranges")) {
                        JsonObject range = r.getAsJsonObject();
                        int fo = range.get("file_offset").getAsInt();
                        int len = (int) Math.min(64, range.get("len").getAsLong());
                        byte[] mine = new byte[len];
                        whole.get(fo, mine);
                        ByteBuffer theirs = ByteBuffer.allocate(len);
                        raw.read(theirs, range.get("device_offset").getAsLong());
                        assertArrayEquals(theirs.array(), mine, path + " at file offset " + fo);
                    }
                    for (int i = 0; i < 4; i++) {
                        int pos = rnd.nextInt(size);
                        int len = 1 + rnd.nextInt(size - pos);
                        MappedByteBuffer sub = ch.map(MapMode.READ_ONLY, pos, len);
                        assertEquals(len, sub.capacity());
                        byte[] a = new byte[len];
                        byte[] b = new byte[len];
                        sub.get(0, a);
                        whole.get(pos, b);
                        assertArrayEquals(b, a, path + " sub-range " + pos + "+" + len);
                        if (pos % ALIGN == 0 && len >= ALIGN) {
                            assertEquals(0, MemoryIO.getInstance().getDirectBufferAddress(sub) % ALIGN);
                        }
                    }
                }
            }
        }
    }

    @Test
    void modesAndArgumentsFollowTheFileChannelContract() throws Exception {
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + ReferenceImages.image("tree")), Map.of());
                FileChannel ch = FileChannel.open(fs.getPath("/x/y/4MiB"))) {
            assertThrows(UnsupportedOperationException.class, () -> ch.map(MapMode.PRIVATE, 0, 10));
            assertThrows(NonWritableChannelException.class, () -> ch.map(MapMode.READ_WRITE, 0, 10));
            assertThrows(IllegalArgumentException.class, () -> ch.map(MapMode.READ_ONLY, -1, 10));
            assertThrows(IllegalArgumentException.class, () -> ch.map(MapMode.READ_ONLY, 0, -1));
            assertThrows(IllegalArgumentException.class, () -> ch.map(MapMode.READ_ONLY, 0, 1L << 31));
            FamfsRuleException e = assertThrows(FamfsRuleException.class,
                    () -> ch.map(MapMode.READ_ONLY, (4 << 20) - 10, 11));
            assertTrue(e.getMessage().contains("never truncated or grown"), e.getMessage());
            assertEquals(0, ch.map(MapMode.READ_ONLY, 4 << 20, 0).capacity());
        }
    }

    @Test
    void aReadWriteMapWritesTheDeviceForEveryOtherView() throws Exception {
        JsonObject m = ReferenceImages.manifest("tree");
        Path img = tmp.resolve("tree-copy.img");
        ReferenceImages.writableCopy("tree", img);
        String master = m.getAsJsonObject("superblock").get("system_uuid").getAsString();
        byte[] message = "written through a famfs READ_WRITE map\n".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        long devOffset;
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("systemUuid", master));
                FileChannel ch = FileChannel.open(fs.getPath("/a/b/f-2MiB-plus-1"), StandardOpenOption.READ,
                        StandardOpenOption.WRITE)) {
            MappedByteBuffer rw = ch.map(MapMode.READ_WRITE, 0, ch.size());
            rw.put(2097152 - 20, message, 0, 20).put(2097152, message[20]);
            rw.put(0, message);
            MappedByteBuffer ro = ch.map(MapMode.READ_ONLY, 0, ch.size());
            byte[] seen = new byte[message.length];
            ro.get(0, seen);
            assertArrayEquals(message, seen, "a second mapping sees the write");
            ByteBuffer viaChannel = ByteBuffer.allocate(21);
            ch.read(viaChannel, 2097152 - 20);
            assertArrayEquals(java.util.Arrays.copyOf(message, 21), viaChannel.array(), "across the extent end");
            ch.write(ByteBuffer.wrap(message), 100);
            ro.get(100, seen);
            assertArrayEquals(message, seen, "a channel write is seen by the mapping");
            FamfsRuleException e = assertThrows(FamfsRuleException.class,
                    () -> ch.write(ByteBuffer.wrap(message), ch.size() - 5));
            assertTrue(e.getMessage().contains("never truncated or grown"), e.getMessage());
            ch.force(true);
            devOffset = (Long) ((java.util.List<?>) Files.getAttribute(fs.getPath("/a/b/f-2MiB-plus-1"),
                    "famfs:extents")).stream().map(x -> ((io.github.famfs.format.Extent) x).offset()).findFirst()
                    .orElseThrow();
        }
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of())) {
            byte[] all = Files.readAllBytes(fs.getPath("/a/b/f-2MiB-plus-1"));
            assertArrayEquals(message, java.util.Arrays.copyOf(all, message.length), "a second instance reads it");
        }
        try (FileChannel raw = FileChannel.open(img)) {
            ByteBuffer b = ByteBuffer.allocate(message.length);
            raw.read(b, devOffset);
            assertArrayEquals(message, b.array(), "the bytes are in the device, at the extent's offset");
        }
    }

    @Test
    void buffersOutliveTheFileSystemAndUnmapWhenUnreachable() throws Exception {
        Path img = ReferenceImages.image("striped");
        MappedByteBuffer kept;
        byte[] expected;
        long before = FileMapping.currentMapCount();
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of())) {
            Path p = fs.getPath("/s/n4-c2M-13M+7");
            expected = Files.readAllBytes(p);
            try (FileChannel ch = FileChannel.open(p)) {
                kept = ch.map(MapMode.READ_ONLY, 0, ch.size());
                for (int i = 0; i < 3000; i++) {
                    ch.map(MapMode.READ_ONLY, 0, ch.size()).get(i);
                }
            }
        }
        byte[] after = new byte[expected.length];
        kept.get(0, after);
        assertArrayEquals(expected, after, "a buffer stays valid after its file system closes");
        kept = null;
        long count = Long.MAX_VALUE;
        for (int i = 0; i < 100 && count > before + 32; i++) {
            System.gc();
            Thread.sleep(50);
            count = FileMapping.currentMapCount();
        }
        assertTrue(count <= before + 32, "3000 maps were released: " + before + " mappings before, " + count
                + " after");
    }

    @Test
    void hugePagesBackMappingsOnAHugeTmpfs() throws Exception {
        Path mnt = Path.of(System.getProperty("java.io.tmpdir"), "famfs-huge-" + ProcessHandle.current().pid());
        Files.createDirectories(mnt);
        Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", "size=600m,huge=always", "famfs-huge-test",
                mnt.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        org.junit.jupiter.api.Assumptions.assumeTrue(p.waitFor() == 0,
                "cannot mount a huge-page tmpfs here (" + out.trim() + "); skipping the smaps check");
        try {
            Path img = mnt.resolve("striped.img");
            ReferenceImages.writableCopy("striped", img);
            try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of());
                    FileChannel ch = FileChannel.open(fs.getPath("/s/n8-c2M-17M+1"))) {
                MappedByteBuffer b = ch.map(MapMode.READ_ONLY, 0, ch.size());
                long sum = 0;
                for (int i = 0; i < b.capacity(); i += 4096) {
                    sum += b.get(i);
                }
                long addr = MemoryIO.getInstance().getDirectBufferAddress(b);
                long pmd = smapsField(addr, "FilePmdMapped") + smapsField(addr, "ShmemPmdMapped");
                org.junit.jupiter.api.Assumptions.assumeTrue(Files.readString(
                        Path.of("/sys/kernel/mm/transparent_hugepage/shmem_enabled")).contains("[")
                        , "no shmem THP knob");
                assertTrue(pmd > 0, "the first 2 MiB chunk is mapped by a PMD (huge page); sum " + sum);
            }
        } finally {
            // lazily: the buffer made above is unmapped only when the GC finds it unreachable
            new ProcessBuilder("umount", "-l", mnt.toString()).start().waitFor();
            Files.deleteIfExists(mnt);
        }
    }

    /** The kB value of {@code field} in the /proc/self/smaps entry that contains {@code addr}. */
    private static long smapsField(long addr, String field) throws IOException {
        boolean in = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                String[] r = line.substring(0, line.indexOf(' ')).split("-");
                in = Long.parseUnsignedLong(r[0], 16) <= addr && addr < Long.parseUnsignedLong(r[1], 16);
            } else if (in && line.startsWith(field + ":")) {
                return Long.parseLong(line.replaceAll("[^0-9]", ""));
            }
        }
        return 0;
    }
}
