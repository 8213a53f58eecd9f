package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.format.Extent;
import io.github.famfs.format.FileEntry;
import io.github.famfs.format.InterleavedMap;
import io.github.famfs.format.Layout;
import io.github.famfs.format.OtherEntry;
import io.github.famfs.format.SimpleMap;
import io.github.famfs.format.Superblock;
import io.github.famfs.testing.LibraryWarnings;
import io.github.famfs.testing.ReferenceImages;
import io.github.famfs.testing.TestImage;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile log entries and damaged images made on purpose: each gives a clear problem or IOException, never a
 * crash, a hang or a write, and what is sound still reads right.
 */
class HostileImageTest {
    private static final long MIB = 1 << 20;
    @TempDir
    Path tmp;

    private static FileEntry file(long seq, String path, long size, io.github.famfs.format.FileMap map) {
        return new FileEntry(seq, size, 2, 0, 0, 0644, path.getBytes(StandardCharsets.UTF_8), map);
    }

    private static SimpleMap extent(long offset, long len) {
        return new SimpleMap(List.of(new Extent(offset, len)));
    }

    /** Opens the image, checks the image is unchanged after, returns the problems. */
    @SuppressWarnings("unchecked")
    private static List<String> problems(Path img, ThrowingCheck check) throws Exception {
        String before = ReferenceImages.sha256(img);
        List<String> problems;
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of())) {
            problems = (List<String>) Files.getFileStore(fs.getPath("/")).getAttribute("famfs:problems");
            LibraryWarnings.assertReplayProblemsWarned(img, problems);
            check.check(fs);
        }
        assertEquals(before, ReferenceImages.sha256(img), "image bytes unchanged");
        return problems;
    }

    interface ThrowingCheck {
        void check(FileSystem fs) throws Exception;
    }

    private static void assertProblem(List<String> problems, String... parts) {
        assertTrue(problems.stream().anyMatch(p -> List.of(parts).stream().allMatch(p::contains)),
                "expected a problem with " + List.of(parts) + " in " + problems);
    }

    @Test
    void hostilePathsAreSkippedAndReported() throws Exception {
        Path img = tmp.resolve("paths.img");
        try (TestImage t = TestImage.create(img, 64 * MIB)) {
            t.mkdir("d").file("d/good", 5000);
            long off = t.nextDataOffset();
            t.entry(file(t.nextIndex(), "d/../escape", 10, extent(off, 2 * MIB)));
            t.entry(file(t.nextIndex(), "/etc/passwd", 10, extent(off, 2 * MIB)));
            t.entry(file(t.nextIndex(), "d//x", 10, extent(off, 2 * MIB)));
            t.entry(file(t.nextIndex(), "d/./x", 10, extent(off, 2 * MIB)));
            t.entry(file(t.nextIndex(), "d/", 10, extent(off, 2 * MIB)));
            ByteBuffer bad = file(t.nextIndex(), "d/utf", 10, extent(off, 2 * MIB)).encode();
            bad.put(44, (byte) 0xff);
            restamp(bad);
            t.raw(bad);
            ByteBuffer unterminated = file(t.nextIndex(), "d/u", 10, extent(off, 2 * MIB)).encode();
            for (int i = 40; i < 120; i++) {
                unterminated.put(i, (byte) 'a');
            }
            restamp(unterminated);
            t.raw(unterminated);
            t.file("d/good", 7); // duplicate: first entry wins
            t.file("d/good/under-a-file", 7);
            t.file("missing/child", 7);
            t.entry(new OtherEntry(t.nextIndex(), 2));
            t.entry(new OtherEntry(t.nextIndex(), 77));
            t.file("d/last", 3);
        }
        List<String> problems = problems(img, fs -> {
            assertEquals(List.of("good", "last"), names(fs, "/d"));
            assertEquals(List.of("d"), names(fs, "/"));
            assertEquals(5000, Files.size(fs.getPath("/d/good")));
            assertArrayEquals(TestImage.patternBytes("d/good".hashCode(), 5000), Files.readAllBytes(fs.getPath("/d/good")));
        });
        assertProblem(problems, "d/../escape", "'..' component");
        assertProblem(problems, "/etc/passwd", "is absolute");
        assertProblem(problems, "d//x", "empty component");
        assertProblem(problems, "d/./x", "'.' component");
        assertProblem(problems, "d/", "ends with '/'");
        assertProblem(problems, "not valid UTF-8");
        assertProblem(problems, "not NUL-terminated");
        assertProblem(problems, "(d/good)", "already made by log entry 1");
        assertProblem(problems, "parent directory d/good is a file");
        assertProblem(problems, "parent directory missing does not exist");
        assertProblem(problems, "DELETE", "skipped");
        assertProblem(problems, "unknown type 77", "skipped");
    }

    private static List<String> names(FileSystem fs, String dir) throws IOException {
        try (var s = Files.list(fs.getPath(dir))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static void restamp(ByteBuffer entry) {
        ByteBuffer b = entry.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(536, io.github.famfs.format.Crc.of(b, 0, 536));
    }

    @Test
    void invalidMapsAreListedButNeverServed() throws Exception {
        Path img = tmp.resolve("maps.img");
        long dev = 64 * MIB;
        String[][] cases;
        try (TestImage t = TestImage.create(img, dev)) {
            long d = t.dataStart();
            t.mkdir("m");
            t.entry(file(t.nextIndex(), "m/past-end", 10, extent(dev, 2 * MIB)));
            t.entry(file(t.nextIndex(), "m/overflow", 10, extent(Long.MAX_VALUE & -(2 * MIB), 4 * MIB)));
            t.entry(file(t.nextIndex(), "m/in-log", 10, extent(Layout.LOG_OFFSET, 2 * MIB)));
            t.entry(file(t.nextIndex(), "m/misaligned", 10, extent(d + 4096, 2 * MIB)));
            t.entry(file(t.nextIndex(), "m/too-big", 5 * MIB, extent(d, 4 * MIB)));
            t.entry(file(t.nextIndex(), "m/devindex", 10,
                    new SimpleMap(List.of(new Extent(1, d, 2 * MIB)))));
            t.entry(file(t.nextIndex(), "m/short-strip", 9 * MIB, new InterleavedMap(2 * MIB,
                    List.of(new Extent(d, 4 * MIB), new Extent(d + 4 * MIB, 2 * MIB)))));
            t.entry(file(t.nextIndex(), "m/odd-chunk", 10, new InterleavedMap(3 * MIB,
                    List.of(new Extent(d, 6 * MIB)))));
            ByteBuffer huge = file(t.nextIndex(), "m/huge-count", 10, extent(d, 2 * MIB)).encode();
            huge.order(ByteOrder.LITTLE_ENDIAN).putInt(128, Integer.MAX_VALUE);
            restamp(huge);
            t.raw(huge);
            ByteBuffer strips = file(t.nextIndex(), "m/zero-strips", 10, new InterleavedMap(2 * MIB,
                    List.of(new Extent(d, 2 * MIB)))).encode();
            strips.order(ByteOrder.LITTLE_ENDIAN).putLong(136, 0);
            restamp(strips);
            t.raw(strips);
            // the invalid maps above still claim their units inside the device (as the reference's bitmap does):
            // the sound file lies past them
            t.skipData(8 * MIB).file("m/sound", 3 * MIB);
            cases = new String[][] {{"past-end", "past the end of the device"}, {"overflow", "past the end"},
                {"in-log", "overlaps the superblock or log"}, {"misaligned", "not aligned"},
                {"too-big", "less than the file size"}, {"devindex", "device index 1"},
                {"short-strip", "strip 0 holds 4194304 bytes but the file needs 5242880"}, {"odd-chunk", "chunk size 3145728"},
                {"huge-count", "2147483647 extents"}, {"zero-strips", "0 strips"}};
        }
        List<String> problems = problems(img, fs -> {
            for (String[] c : cases) {
                Path p = fs.getPath("/m/" + c[0]);
                assertTrue(Files.exists(p), p + " is listed");
                IOException e = assertThrows(IOException.class, () -> FileChannel.open(p).close(), c[0]);
                assertTrue(e.getMessage().contains("/m/" + c[0]) && e.getMessage().contains(c[1]), e.getMessage());
                assertTrue(((String) Files.getAttribute(p, "famfs:mapProblem")).contains(c[1]));
            }
            assertEquals(3 * MIB, Files.readAllBytes(fs.getPath("/m/sound")).length);
        });
        for (String[] c : cases) {
            assertProblem(problems, "(m/" + c[0] + ")", c[1]);
        }
    }

    @Test
    void crossLinkedFilesNameEachOther() throws Exception {
        Path img = tmp.resolve("xlink.img");
        try (TestImage t = TestImage.create(img, 64 * MIB)) {
            long first = t.nextDataOffset();
            t.file("first", 100);
            t.entry(file(t.nextIndex(), "second", 100, extent(first, 2 * MIB)));
        }
        List<String> problems = problems(img, fs -> {
            assertArrayEquals(TestImage.patternBytes("first".hashCode(), 100), Files.readAllBytes(fs.getPath("first")));
            IOException e = assertThrows(IOException.class, () -> Files.readAllBytes(fs.getPath("second")));
            assertTrue(e.getMessage().contains("cross-linked") && e.getMessage().contains("\"first\" (log entry 0)"),
                    e.getMessage());
        });
        assertProblem(problems, "(second)", "cross-linked");
    }

    @Test
    void aLyingLogHeaderIsClamped() throws Exception {
        Path img = tmp.resolve("counters.img");
        try (TestImage t = TestImage.create(img, 64 * MIB)) {
            t.file("a", 10).counters(1L << 40);
        }
        List<String> problems = problems(img, fs -> assertTrue(Files.exists(fs.getPath("a"))));
        assertProblem(problems, "next index 1099511627776 is past the last slot 15419");
        assertProblem(problems, "log entry 1 has seqnum 0 (expected 1)", "replay stops here");
    }

    @Test
    void aTruncatedImageServesWhatItHolds() throws Exception {
        Path img = tmp.resolve("truncated.img");
        try (TestImage t = TestImage.create(img, 64 * MIB)) {
            t.file("early", 1000).skipData(30 * MIB).file("late", 1000);
        }
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
            ch.truncate(32 * MIB);
        }
        List<String> problems = problems(img, fs -> {
            assertEquals(1000, Files.readAllBytes(fs.getPath("early")).length);
            IOException e = assertThrows(IOException.class, () -> Files.readAllBytes(fs.getPath("late")));
            assertTrue(e.getMessage().contains("past the end of the device (33554432 bytes)"), e.getMessage());
        });
        assertProblem(problems, "the device holds 33554432 bytes but the superblock says 67108864");
    }

    @Test
    void imagesTooShortForTheirLogOrSuperblockAreRefused() throws Exception {
        Path img = tmp.resolve("short.img");
        try (TestImage t = TestImage.create(img, 64 * MIB)) {
            t.file("a", 1);
        }
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
            ch.truncate(5 * MIB);
        }
        IOException e = assertThrows(IOException.class,
                () -> FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of()));
        assertTrue(e.getMessage().contains("truncated: it holds 5242880 bytes but its superblock and log take"
                + " 10485760"), e.getMessage());
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
            ch.truncate(100);
        }
        e = assertThrows(IOException.class, () -> FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of()));
        assertTrue(e.getMessage().contains("holds 100 bytes, too few for a famfs superblock"), e.getMessage());
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
            ch.truncate(0);
        }
        e = assertThrows(IOException.class, () -> FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of()));
        assertTrue(e.getMessage().contains("holds 0 bytes"), e.getMessage());
    }

    @Test
    void superblockFieldsTheReferenceDoesNotCheckAreChecked() throws Exception {
        for (long logLen : new long[] {12 * MIB, 4 * MIB, 1L << 40}) {
            Path img = tmp.resolve("sb-" + logLen + ".img");
            try (TestImage t = TestImage.create(img, 64 * MIB)) {
                t.file("a", 1);
            }
            try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
                ByteBuffer b = ByteBuffer.allocate(200);
                ch.read(b, 0);
                Superblock sb = Superblock.decode(b.flip());
                new Superblock(sb.magic(), sb.version(), sb.logOffset(), logLen, sb.allocUnit(), sb.omfMajor(),
                        sb.omfMinor(), sb.uuid(), sb.devUuid(), sb.systemUuid(), 0, 0, sb.deviceSize(),
                        new UUID(0, 0), sb.daxdevName()).encode(b.clear());
                ch.write(b, 0);
            }
            IOException e = assertThrows(IOException.class,
                    () -> FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of()));
            assertTrue(e.getMessage().contains("log length " + logLen)
                    || e.getMessage().contains("smaller than the superblock and log"),
                    e.getMessage());
        }
    }

    @Test
    void directoriesAndFifosAreNotDevices() throws Exception {
        IOException e = assertThrows(IOException.class,
                () -> FileSystems.newFileSystem(URI.create("famfs:" + tmp), Map.of()));
        assertTrue(e.getMessage().contains("is a directory"), e.getMessage());
        // an exception callers can name: the library's own is of a package the module does not export
        assertEquals(java.nio.file.FileSystemException.class, e.getClass());
        assertEquals(tmp.toString(), ((java.nio.file.FileSystemException) e).getFile());
        Path fifo = tmp.resolve("fifo");
        Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
        assertEquals(0, p.waitFor());
        e = assertThrows(IOException.class, () -> FileSystems.newFileSystem(URI.create("famfs:" + fifo), Map.of()));
        assertTrue(e.getMessage().contains("not a DAX character device or a regular image file"), e.getMessage());
        e = assertThrows(IOException.class,
                () -> FileSystems.newFileSystem(URI.create("famfs:/dev/null"), Map.of()));
        assertTrue(e.getMessage().contains("not a DAX device"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("nothing")));
        e = assertThrows(IOException.class,
                () -> FileSystems.newFileSystem(URI.create("famfs:" + tmp.resolve("nothing")), Map.of()));
        assertTrue(e.getMessage().contains("no such famfs device or image file"), e.getMessage());
    }
}
