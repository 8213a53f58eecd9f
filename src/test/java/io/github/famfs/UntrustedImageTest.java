package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.format.Extent;
import io.github.famfs.format.FileEntry;
import io.github.famfs.format.FileMap;
import io.github.famfs.format.InterleavedMap;
import io.github.famfs.format.Layout;
import io.github.famfs.format.SimpleMap;
import io.github.famfs.nio.FamfsFileSystemProvider;
import io.github.famfs.nio.FamfsFsck;
import io.github.famfs.nio.FsckReport;
import io.github.famfs.testing.LibraryWarnings;
import io.github.famfs.testing.TestImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Values read from an image that no CRC protects, or that a hostile writer chose: every FILE entry's units stay
 * allocated whether it is served or not, {@code dd_size} never sizes anything past the real device, u64 sizes
 * near 2^63 and a {@code next_index} with bit 63 set are clear problems, and free space is what can be handed
 * out.
 */
class UntrustedImageTest {
    private static final long MIB = 1 << 20;
    private static final String MASTER = TestImage.MASTER.toString();
    private static final String CLIENT = "c11e0000-0000-4000-8000-000000000001";

    @TempDir
    Path tmp;

    private static FileEntry file(long seq, String path, long size, FileMap map) {
        return new FileEntry(seq, size, 2, 0, 0, 0644, path.getBytes(StandardCharsets.UTF_8), map);
    }

    private static SimpleMap extent(long offset, long len) {
        return new SimpleMap(List.of(new Extent(offset, len)));
    }

    private static FileSystem open(Path img, String systemUuid) throws IOException {
        FileSystem fs = FileSystems.newFileSystem(FamfsFileSystemProvider.uri(img), Map.of("systemUuid", systemUuid));
        LibraryWarnings.assertReplayProblemsWarned(img, problems(fs));
        return fs;
    }

    @SuppressWarnings("unchecked")
    private static List<String> problems(FileSystem fs) throws IOException {
        return (List<String>) Files.getFileStore(fs.getPath("/")).getAttribute("famfs:problems");
    }

    private static void assertProblem(List<String> problems, String... parts) {
        assertTrue(problems.stream().anyMatch(p -> List.of(parts).stream().allMatch(p::contains)),
                "expected a problem with " + List.of(parts) + " in " + problems);
    }

    private static byte[] readImage(Path img, long at, int len) throws IOException {
        try (FileChannel ch = FileChannel.open(img)) {
            ByteBuffer b = ByteBuffer.allocate(len);
            while (b.hasRemaining() && ch.read(b, at + b.position()) > 0) {
                // read on
            }
            return b.array();
        }
    }

    private static void patch(Path img, long at, ByteBuffer bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
            ch.write(bytes, at);
        }
    }

    // ---- item 1: the units of every FILE entry, served or skipped

    @Test
    void unitsOfSkippedEntriesAreNeverHandedOutAgain() throws Exception {
        Path img = tmp.resolve("skipped.img");
        long dev = 64 * MIB;
        List<long[]> held = new ArrayList<>(); // {offset, length, seed}
        try (TestImage t = TestImage.create(img, dev)) {
            t.mkdir("d").file("d/ok", 3000);
            String[] skipped = {"d/./dot", "missing/child", "d/ok"};
            for (String p : skipped) {
                long at = t.nextDataOffset();
                t.skipData(2 * MIB);
                t.fill(at, 2 * MIB, p.hashCode());
                held.add(new long[] {at, 2 * MIB, p.hashCode()});
                t.entry(file(t.nextIndex(), p, 2 * MIB, extent(at, 2 * MIB)));
            }
            // an invalid map: misaligned (its units, rounded outward, are held)
            long at = t.nextDataOffset();
            t.skipData(4 * MIB);
            t.fill(at, 4 * MIB, 77);
            held.add(new long[] {at, 4 * MIB, 77});
            t.entry(file(t.nextIndex(), "d/misaligned", 100, extent(at + 4096, 2 * MIB)));
            // an invalid map that runs past the end of the device: what is inside is held
            long tail = dev - 2 * MIB;
            t.fill(tail, 2 * MIB, 78);
            held.add(new long[] {tail, 2 * MIB, 78});
            t.entry(file(t.nextIndex(), "d/past-end", 100, extent(tail, 64 * MIB)));
        }
        long free;
        try (FileSystem fs = open(img, MASTER)) {
            FileStore store = Files.getFileStore(fs.getPath("/"));
            free = store.getUnallocatedSpace();
            // 54 MiB of data area: d/ok 2 MiB, skipped 2+2+2, misaligned 4, past-end 2 -> 40 MiB free
            assertEquals(40 * MIB, free);
            int n = 0;
            while (true) {
                try {
                    Files.write(fs.getPath("/new-" + n), new byte[(int) (2 * MIB)]);
                    n++;
                } catch (IOException full) {
                    assertTrue(full.getMessage().contains("out of space"), full.getMessage());
                    break;
                }
            }
            assertEquals(20, n, "every free unit and only those were handed out");
            assertEquals(0, store.getUnallocatedSpace());
            assertEquals(0, FamfsFsck.check(fs).collisions(), FamfsFsck.check(fs).toString());
        }
        for (long[] h : held) {
            byte[] expected = TestImage.patternBytes((int) h[2], (int) h[1]);
            assertArrayEquals(expected, readImage(img, h[0], (int) h[1]), "units at " + h[0] + " kept their bytes");
        }
        try (FileSystem fs = open(img, CLIENT)) {
            assertEquals(3000, Files.size(fs.getPath("/d/ok")));
            assertEquals(0, FamfsFsck.check(fs).collisions());
        }
    }

    @Test
    void fsckNamesAFileThatCollidesWithASkippedEntry() throws Exception {
        Path img = tmp.resolve("collide.img");
        long at;
        try (TestImage t = TestImage.create(img, 64 * MIB)) {
            at = t.nextDataOffset();
            t.entry(file(t.nextIndex(), "a/./b", 10, extent(at, 2 * MIB)));
            t.entry(file(t.nextIndex(), "later", 10, extent(at, 2 * MIB)));
        }
        try (FileSystem fs = open(img, CLIENT)) {
            FsckReport r = FamfsFsck.check(fs);
            assertEquals(1, r.collisions(), r.toString());
            assertTrue(r.crossLinks().stream().anyMatch(p -> p.contains("later") && p.contains("\"a/./b\" (log entry 0)")),
                    r.toString());
            IOException e = assertThrows(IOException.class, () -> Files.readAllBytes(fs.getPath("/later")));
            assertTrue(e.getMessage().contains("cross-linked"), e.getMessage());
        }
    }

    // ---- item 14: dd_size outside every CRC

    private static void setDdSize(Path img, long ddSize) throws IOException {
        patch(img, 112, ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, ddSize));
    }

    @Test
    void ddSizeNeverSizesAnythingPastTheRealDevice() throws Exception {
        long dev = 64 * MIB;
        long[] lies = {dev ^ (1L << 40), dev ^ (1L << 62), dev ^ (1L << 63), Long.MAX_VALUE, -1L, -2 * MIB,
            dev ^ (1L << 25), dev + 1, dev - 1, 12 * MIB};
        for (long dd : lies) {
            Path img = tmp.resolve("dd-" + Long.toUnsignedString(dd) + ".img");
            try (TestImage t = TestImage.create(img, dev)) {
                t.file("a", 5000);
            }
            setDdSize(img, dd);
            long limit = Long.compareUnsigned(dd, dev) < 0 ? dd : dev;
            try (FileSystem fs = open(img, MASTER)) {
                FileStore store = Files.getFileStore(fs.getPath("/"));
                assertEquals(limit, store.getTotalSpace(), "dd_size " + Long.toUnsignedString(dd));
                long wholeData = limit / (2 * MIB) - 5 - 1; // superblock + log, and "a"
                assertEquals(wholeData * 2 * MIB, store.getUnallocatedSpace(), "dd_size " + Long.toUnsignedString(dd));
                assertProblem(problems(fs), "superblock says " + Long.toUnsignedString(dd));
                assertEquals(5000, Files.readAllBytes(fs.getPath("/a")).length);
                FsckReport r = FamfsFsck.check(fs);
                assertEquals(limit, r.deviceSize());
                if (wholeData > 0) {
                    Files.write(fs.getPath("/b"), new byte[100]);
                    assertEquals(100, Files.size(fs.getPath("/b")));
                }
            }
        }
    }

    @Test
    void ddSizeBelowTheLogIsAClearError() throws Exception {
        Path img = tmp.resolve("dd-small.img");
        try (TestImage t = TestImage.create(img, 64 * MIB)) {
            t.file("a", 10);
        }
        for (long dd : new long[] {0, 1, 10 * MIB - 1}) {
            setDdSize(img, dd);
            IOException e = assertThrows(IOException.class, () -> open(img, MASTER).close());
            assertTrue(e.getMessage().contains("smaller than the superblock and log"), e.getMessage());
        }
    }

    // ---- item 15: u64 sizes near 2^63

    @Test
    void hugeSizesAreInvalidMapsNotCrashes() throws Exception {
        Path img = tmp.resolve("huge.img");
        String[][] cases;
        try (TestImage t = TestImage.create(img, 64 * MIB)) {
            long d = t.dataStart();
            List<Extent> two = List.of(new Extent(d, 2 * MIB), new Extent(d + 2 * MIB, 2 * MIB));
            t.entry(file(t.nextIndex(), "il-max", Long.MAX_VALUE, new InterleavedMap(2 * MIB, two)));
            t.entry(file(t.nextIndex(), "il-near", Long.MAX_VALUE - 3 * MIB, new InterleavedMap(2 * MIB, two)));
            t.entry(file(t.nextIndex(), "il-chunk", 3 * MIB, new InterleavedMap(1L << 62, two)));
            t.entry(file(t.nextIndex(), "il-negative", -5, new InterleavedMap(2 * MIB, two)));
            t.entry(file(t.nextIndex(), "simple-max", Long.MAX_VALUE, extent(d, 2 * MIB)));
            t.entry(file(t.nextIndex(), "simple-neg-len", 10, extent(d, -2 * MIB)));
            ByteBuffer strips = file(t.nextIndex(), "il-nstrips", 10, new InterleavedMap(2 * MIB, two)).encode();
            strips.order(ByteOrder.LITTLE_ENDIAN).putLong(136, 0x8000000000000002L);
            strips.putLong(536, io.github.famfs.format.Crc.of(strips, 0, 536));
            t.raw(strips);
            cases = new String[][] {{"il-max", "strip 0 holds 2097152 bytes but the file needs 4611686018427387904"},
                {"il-near", "strip 0 holds 2097152 bytes but the file needs 4611686018426339327"},
                {"il-chunk", "strip 0 holds 2097152 bytes but the file needs 3145728"}, {"il-negative", "not a file size"}, {"simple-max", "less than the file size"},
                {"simple-neg-len", "has length"}, {"il-nstrips", "9223372036854775810 strips"}};
        }
        try (FileSystem fs = open(img, CLIENT)) {
            for (String[] c : cases) {
                Path p = fs.getPath("/" + c[0]);
                IOException e = assertThrows(IOException.class, () -> FileChannel.open(p).close(), c[0]);
                assertTrue(e.getMessage().contains(c[0]) && e.getMessage().contains(c[1]), e.getMessage());
                assertThrows(IOException.class, () -> Files.newInputStream(p).close(), c[0]);
                assertProblem(problems(fs), "(" + c[0] + ")", c[1]);
            }
        }
    }

    // ---- item 16: next_index with bit 63 set

    @Test
    void aNextIndexWithBit63SetHidesNothing() throws Exception {
        for (long next : new long[] {Long.MIN_VALUE, -1L, Long.MIN_VALUE + 2, 15421}) {
            Path img = tmp.resolve("next-" + Long.toUnsignedString(next) + ".img");
            try (TestImage t = TestImage.create(img, 64 * MIB)) {
                t.mkdir("d").file("d/a", 10).file("b", 20);
                t.counters(next);
            }
            try (FileSystem fs = open(img, MASTER)) {
                assertEquals(10, Files.size(fs.getPath("/d/a")));
                assertEquals(20, Files.readAllBytes(fs.getPath("/b")).length);
                List<String> problems = problems(fs);
                assertProblem(problems, "next index " + Long.toUnsignedString(next), "past the last slot 15419");
                assertProblem(problems, "log entry 3 has seqnum 0 (expected 3)", "replay stops here");
                IOException e = assertThrows(IOException.class, () -> Files.createDirectory(fs.getPath("/new")));
                assertTrue(e.getMessage().contains("log entry 3 is invalid") && e.getMessage().contains("Refusing to write"),
                        e.getMessage());
            }
            try (InputStream in = Files.newInputStream(img)) {
                assertEquals(Layout.SUPER_MAGIC & 0xff, in.read(), "image still a famfs");
            }
        }
    }

    // ---- item 18: free space is whole units

    @Test
    void freeSpaceCountsOnlyWholeUnits() throws Exception {
        Path img = tmp.resolve("partial.img");
        long dev = 64 * MIB + 4096; // a partial unit at the end
        try (TestImage t = TestImage.create(img, dev)) {
            t.file("a", 10);
        }
        try (FileSystem fs = open(img, MASTER)) {
            FileStore store = Files.getFileStore(fs.getPath("/"));
            long free = store.getUnallocatedSpace();
            assertEquals((32 - 5 - 1) * 2 * MIB, free);
            int n = 0;
            while (true) {
                try {
                    Files.write(fs.getPath("/f" + n), new byte[(int) (2 * MIB)]);
                    n++;
                } catch (IOException full) {
                    break;
                }
            }
            assertEquals(free, n * 2 * MIB, "free space is exactly what the allocator hands out");
            assertEquals(0, store.getUnallocatedSpace());
            assertEquals(0, store.getUsableSpace());
            assertEquals(dev, store.getTotalSpace());
        }
    }
}
