package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.format.Layout;
import io.github.famfs.format.Superblock;
import io.github.famfs.memory.CacheLines;
import io.github.famfs.meta.CacheMaintenance;
import io.github.famfs.meta.LogReplay;
import io.github.famfs.meta.LogWriter;
import io.github.famfs.format.MkdirEntry;
import io.github.famfs.nio.FamfsCaches;
import io.github.famfs.testing.TestImage;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cache coherence (famfs-format.md §8.3): the native helper's instructions run on this CPU over real mappings,
 * the metadata maintenance happens where the reference does it (including the retry of an entry whose bytes
 * arrive after the header), and the public API and env key behave.
 */
class CoherenceTest {
    private static final String MASTER = "00112233-4455-6677-8899-aabbccddeeff";
    @TempDir
    Path tmp;

    /** The CPU's flags, as /proc/cpuinfo lists them. */
    private static Set<String> cpuFlags() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
            if (line.startsWith("flags")) {
                return Set.of(line.substring(line.indexOf(':') + 1).trim().split("\\s+"));
            }
        }
        return Set.of();
    }

    @Test
    void helperChoosesWhatCpuidOffersAndRunsItOverARealMapping() throws Exception {
        assertTrue(CacheLines.isAvailable(), () -> "helper did not load: " + CacheLines.failure());
        assertNull(CacheLines.failure());
        Set<String> flags = cpuFlags();
        String flush = flags.contains("clwb") ? "clwb" : flags.contains("clflushopt") ? "clflushopt" : "clflush";
        String inval = flags.contains("clflushopt") ? "clflushopt" : "clflush";
        assertEquals("flush=" + flush + " invalidate=" + inval + " fence=sfence", CacheLines.instructions());
        assertEquals(CacheLines.instructions(), FamfsCaches.instructions());

        // a famfs map (FamfsCaches maintains famfs mappings only), page-aligned as the file's extent is
        try (FileSystem fs = CachesOfMappingsTest.famfs(tmp.resolve("lines.img").toString(), "hardware", 1 << 20);
                FileChannel ch = FileChannel.open(fs.getPath("/f"), StandardOpenOption.READ,
                        StandardOpenOption.WRITE)) {
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, 1 << 20);
            byte[] data = new byte[1000];
            new Random(5).nextBytes(data);
            m.put(4000, data);
            long lines = CacheLines.linesDone();
            long calls = CacheLines.callsDone();
            // bytes [4000, 5000) touch lines 62..78 of the page-aligned mapping: 17 lines, one call
            FamfsCaches.flush(m, 4000, 1000);
            assertEquals(17, CacheLines.linesDone() - lines);
            assertEquals(1, CacheLines.callsDone() - calls);
            FamfsCaches.invalidate(m, 4000, 1000);
            assertEquals(34, CacheLines.linesDone() - lines);
            assertEquals(2, CacheLines.callsDone() - calls);
            // one line: a range inside a line, and a range that starts on a line boundary
            FamfsCaches.flush(m, 4096 + 3, 5);
            FamfsCaches.invalidate(m, 4096, 64);
            assertEquals(36, CacheLines.linesDone() - lines);
            // the whole mapping in one call
            FamfsCaches.invalidate(m, 0, 1 << 20);
            assertEquals(36 + (1 << 14), CacheLines.linesDone() - lines);
            assertEquals(5, CacheLines.callsDone() - calls);
            byte[] back = new byte[1000];
            m.get(4000, back);
            assertArrayEquals(data, back, "the bytes survive write-back and invalidation");
            // what went to the file is what was written: read through the channel, not the mapping
            ByteBuffer viaFile = ByteBuffer.allocate(1000);
            ch.read(viaFile, 4000);
            assertArrayEquals(data, viaFile.array());
        }
    }

    @Test
    void badRangesAreRefusedBeforeAnyInstruction() {
        ByteBuffer direct = ByteBuffer.allocateDirect(256);
        long lines = CacheLines.linesDone();
        assertThrows(IndexOutOfBoundsException.class, () -> FamfsCaches.flush(direct, 200, 57));
        assertThrows(IndexOutOfBoundsException.class, () -> FamfsCaches.invalidate(direct, -1, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> FamfsCaches.flush(direct, 0, -1));
        assertEquals(lines, CacheLines.linesDone());
        // a heap buffer has no cache lines to maintain: a fence, no native call
        FamfsCaches.flush(ByteBuffer.allocate(64), 0, 64);
        assertEquals(lines, CacheLines.linesDone());
        // a direct buffer that is not famfs memory: refused, nothing touched
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FamfsCaches.invalidate(direct, 0, 256));
        assertTrue(e.getMessage().contains("are not inside a live famfs mapping"), e::getMessage);
        assertEquals(lines, CacheLines.linesDone());
        assertThrows(ProviderMismatchException.class, () -> FamfsCaches.flush(tmp, 0, 1));
    }

    /** Records the maintenance the metadata code asks for, and does it. */
    private static final class Recording implements CacheMaintenance {
        final List<String> calls = new ArrayList<>();
        Runnable onInvalidateEntry1;

        @Override
        public void flush(ByteBuffer memory, int index, int length) {
            calls.add("flush " + index + "+" + length);
            CacheLines.flush(memory, index, length);
        }

        @Override
        public void invalidate(ByteBuffer memory, int index, int length) {
            calls.add("invalidate " + index + "+" + length);
            CacheLines.invalidate(memory, index, length);
            if (index == entryAt(1) && length == Layout.ENTRY_SIZE && onInvalidateEntry1 != null) {
                onInvalidateEntry1.run();
            }
        }
    }

    private static int entryAt(int i) {
        return Layout.LOG_HEADER_SIZE + Layout.ENTRY_SIZE * i;
    }

    /** A 64 MiB image with three directories, mapped as a second host would: the log as a real mapping. */
    private record Mapped(FileChannel ch, Superblock sb, MappedByteBuffer log, long size) {}

    private Mapped image(String name) throws IOException {
        Path img = tmp.resolve(name);
        try (TestImage t = TestImage.create(img, 64L << 20)) {
            t.mkdir("a").mkdir("b").mkdir("c");
        }
        FileChannel ch = FileChannel.open(img, StandardOpenOption.READ, StandardOpenOption.WRITE);
        ByteBuffer raw = ByteBuffer.allocate(Layout.SUPERBLOCK_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        ch.read(raw, 0);
        Superblock sb = Superblock.decode(raw.flip());
        MappedByteBuffer log = ch.map(FileChannel.MapMode.READ_WRITE, Layout.LOG_OFFSET, sb.logLen());
        log.order(ByteOrder.LITTLE_ENDIAN);
        return new Mapped(ch, sb, log, ch.size());
    }

    @Test
    void anEntryWhoseBytesArriveAfterTheHeaderIsInvalidatedAndReadAgain() throws Exception {
        Mapped m = image("late.img");
        try (FileChannel ch = m.ch()) {
            byte[] entry1 = new byte[Layout.ENTRY_SIZE];
            m.log().get(entryAt(1), entry1);
            m.log().put(entryAt(1), new byte[Layout.ENTRY_SIZE]); // the header counts it; its bytes are not here yet
            Recording caches = new Recording();
            caches.onInvalidateEntry1 = () -> m.log().put(entryAt(1), entry1); // ...and arrive with the invalidate
            LogReplay.Result r = LogReplay.replay(m.sb(), m.log(), m.size(), caches);
            assertEquals(3, r.replayer().replayed());
            assertEquals(-1, r.replayer().badEntry());
            assertEquals(1, r.replayer().retried());
            assertNotNull(r.namespace().lookup(List.of("b")));
            assertEquals(List.of("invalidate 0+48", "invalidate 48+" + 3 * Layout.ENTRY_SIZE,
                    "invalidate " + entryAt(1) + "+" + Layout.ENTRY_SIZE), caches.calls);
        }
    }

    @Test
    void anEntryStillBadAfterTheRetryEndsTheLog() throws Exception {
        Mapped m = image("bad.img");
        try (FileChannel ch = m.ch()) {
            m.log().put(entryAt(1) + 20, (byte) 0x5a); // a CRC that no invalidate can fix
            Recording caches = new Recording();
            LogReplay.Result r = LogReplay.replay(m.sb(), m.log(), m.size(), caches);
            assertEquals(1, r.replayer().replayed());
            assertEquals(1, r.replayer().badEntry());
            assertEquals(1, r.replayer().retried(), "one retry, then the end of the log");
            assertEquals(3, caches.calls.size());
            assertTrue(r.namespace().problems().get(0).toString().contains("replay stops here"));
        }
    }

    @Test
    void anAppendFlushesTheEntryThenTheHeader() throws Exception {
        Mapped m = image("append.img");
        try (FileChannel ch = m.ch()) {
            Recording caches = new Recording();
            long i = new LogWriter(m.log(), caches).append(new MkdirEntry(0, 0, 0, 0755, "d".getBytes()));
            assertEquals(3, i);
            assertEquals(List.of("flush " + entryAt(3) + "+" + Layout.ENTRY_SIZE, "flush 0+48"), caches.calls);
            Recording again = new Recording();
            assertEquals(4, LogReplay.replay(m.sb(), m.log(), m.size(), again).replayer().replayed());
        }
    }

    @Test
    void mkfsFlushesTheLogThenTheSuperblock() throws Exception {
        Path img = tmp.resolve("mkfs.img");
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                StandardOpenOption.WRITE)) {
            ch.truncate(64L << 20);
            MappedByteBuffer sb = ch.map(FileChannel.MapMode.READ_WRITE, 0, 4096);
            MappedByteBuffer log = ch.map(FileChannel.MapMode.READ_WRITE, Layout.LOG_OFFSET, Layout.DEFAULT_LOG_LEN);
            Recording caches = new Recording();
            io.github.famfs.meta.Formatter.format(sb, log, 64L << 20, Layout.DEFAULT_LOG_LEN,
                    java.util.UUID.fromString(MASTER), "x.img", caches);
            assertEquals(List.of("flush 0+8", "flush 0+" + Layout.DEFAULT_LOG_LEN, "flush 0+4096"), caches.calls);
        }
    }

    private FileSystem open(Path img, String coherence) throws IOException {
        return FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("create", "true", "deviceSize", "64M",
                "systemUuid", MASTER, "coherence", coherence));
    }

    @Test
    void softwareCoherenceWritesBackFileDataAndSaysSo() throws Exception {
        Path img = tmp.resolve("soft.img");
        byte[] data = new byte[300_000];
        new Random(9).nextBytes(data);
        try (FileSystem fs = open(img, "software")) {
            String how = (String) Files.getFileStore(fs.getPath("/")).getAttribute("famfs:coherence");
            assertEquals("software: metadata and file data; " + CacheLines.instructions(), how);
            long lines = CacheLines.linesDone();
            Files.write(fs.getPath("/f"), data);
            // the data (300,000 bytes: at least 4688 lines), the entry and the header were written back
            assertTrue(CacheLines.linesDone() - lines >= 4688 + 9 + 1, "lines " + (CacheLines.linesDone() - lines));
            lines = CacheLines.linesDone();
            assertArrayEquals(data, Files.readAllBytes(fs.getPath("/f")));
            assertTrue(CacheLines.linesDone() - lines >= 4688, "a read invalidates first");
            lines = CacheLines.linesDone();
            FamfsCaches.flush(fs.getPath("/f"), 100, 200);
            FamfsCaches.invalidate(fs.getPath("/f"), 0, data.length);
            assertEquals(4 + 4688, CacheLines.linesDone() - lines);
            assertThrows(IndexOutOfBoundsException.class, () -> FamfsCaches.flush(fs.getPath("/f"), 1, data.length));
            Files.createDirectory(fs.getPath("/d"));
            assertThrows(FileSystemException.class, () -> FamfsCaches.flush(fs.getPath("/d"), 0, 0));
            assertThrows(java.nio.file.NoSuchFileException.class, () -> FamfsCaches.flush(fs.getPath("/none"), 0, 0));
        }
        try (FileSystem fs = open(img, "hardware")) {
            long lines = CacheLines.linesDone();
            assertArrayEquals(data, Files.readAllBytes(fs.getPath("/f")));
            assertEquals(lines, CacheLines.linesDone(), "hardware coherence leaves file data to the memory system");
            // an image file is memory of this host: hardware coherence leaves even its metadata to fences
            assertEquals("hardware: an image file, memory of this host and coherent: fences only; "
                    + CacheLines.instructions(), Files.getFileStore(fs.getPath("/")).getAttribute("famfs:coherence"));
        }
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("systemUuid", MASTER))) {
            assertTrue(((String) Files.getFileStore(fs.getPath("/")).getAttribute("famfs:coherence"))
                    .startsWith("hardware:"), "hardware is the default");
        }
    }

    /** In a child JVM whose temporary directory does not exist, so that the helper cannot be unpacked. */
    public static final class WithoutHelper {
        public static void main(String[] args) throws Exception {
            System.setProperty("java.io.tmpdir", "/nonexistent-famfs-tmp");
            Path img = Path.of(args[0]);
            try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("systemUuid", MASTER,
                    "coherence", "software"))) {
                System.out.println("software opened");
            } catch (IOException e) {
                System.out.println("software refused: " + e.getMessage());
            }
            try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("systemUuid", MASTER))) {
                System.out.println("hardware: " + Files.getFileStore(fs.getPath("/")).getAttribute("famfs:coherence"));
                System.out.println("api: " + FamfsCaches.instructions() + " native " + FamfsCaches.isNative());
                FamfsCaches.flush(fs.getPath("/f"), 0, 10); // a fence only, no crash
                System.out.println("listed: " + Files.readAllBytes(fs.getPath("/f")).length);
            }
        }
    }

    @Test
    void withoutTheHelperSoftwareRefusesAndHardwareSaysWhatItUses() throws Exception {
        Path img = tmp.resolve("nohelper.img");
        try (FileSystem fs = open(img, "hardware")) {
            Files.write(fs.getPath("/f"), new byte[100]);
        }
        io.github.famfs.testing.ChildJvm.Result r = io.github.famfs.testing.ChildJvm.run(WithoutHelper.class, 120,
                img.toString());
        assertEquals(0, r.exitCode(), r::describe);
        String why = "no cache-line helper: cannot unpack the cache-line helper into java.io.tmpdir"
                + " /nonexistent-famfs-tmp: java.nio.file.NoSuchFileException: /nonexistent-famfs-tmp/libfamfscache-";
        assertTrue(r.output().contains("software refused: " + img + ": coherence=software needs famfs-nio's native"
                + " cache-line helper, which did not load (cannot unpack the cache-line helper into java.io.tmpdir"
                + " /nonexistent-famfs-tmp: "), r::describe);
        assertTrue(r.output().contains("hardware: hardware: an image file, memory of this host and coherent: fences"
                + " only; fences only (" + why), r::describe);
        assertTrue(r.output().contains("native false"), r::describe);
        assertTrue(r.output().contains("listed: 100"), r::describe);
    }

    @Test
    void flushesRacingCloseEitherRunOrSayClosed() throws Exception {
        for (int round = 0; round < 20; round++) {
            Path img = tmp.resolve("race" + round + ".img");
            FileSystem fs = open(img, "software");
            Path f = fs.getPath("/f");
            Files.write(f, new byte[4 << 20]);
            java.util.concurrent.atomic.AtomicInteger ran = new java.util.concurrent.atomic.AtomicInteger();
            java.util.concurrent.atomic.AtomicReference<Throwable> wrong = new java.util.concurrent.atomic.AtomicReference<>();
            Thread[] threads = new Thread[3];
            for (int t = 0; t < threads.length; t++) {
                threads[t] = new Thread(() -> {
                    for (int i = 0; i < 200; i++) {
                        try {
                            FamfsCaches.flush(f, 0, 4 << 20);
                            FamfsCaches.invalidate(f, 1 << 20, 1 << 20);
                            ran.incrementAndGet();
                        } catch (java.nio.file.ClosedFileSystemException e) {
                            return;
                        } catch (Throwable e) {
                            wrong.compareAndSet(null, e);
                            return;
                        }
                    }
                });
                threads[t].start();
            }
            Thread.sleep(round % 5);
            fs.close();
            for (Thread t : threads) {
                t.join(60_000);
            }
            if (wrong.get() != null) {
                throw new AssertionError("a flush racing close failed otherwise than 'closed'", wrong.get());
            }
            assertThrows(java.nio.file.ClosedFileSystemException.class, () -> FamfsCaches.flush(f, 0, 1));
        }
    }

    @Test
    void aBadCoherenceValueIsNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> open(tmp.resolve("x.img"), "sometimes"));
        assertEquals("famfs env key 'coherence' has value 'sometimes' (expected hardware or software)",
                e.getMessage());
    }
}
