package io.github.famfs.live;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.format.Layout;
import io.github.famfs.meta.Formatter;
import io.github.famfs.nio.FamfsFileSystem;
import io.github.famfs.nio.FamfsRefresh;
import io.github.famfs.nio.FamfsStaleException;
import io.github.famfs.testing.LiveClients;
import io.github.famfs.testing.TestImage;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 1: {@link FamfsFileSystem#refresh()}, the automatic refresh of lookups that miss, the env key
 * {@code refreshInterval}, and a device rewritten underneath (reformat, log backwards, superblock or entry
 * changed). "Another process" is {@link TestImage}, which appends entries through its own descriptor (pwrite), as
 * a master process does through its mapping: the client sees them only through the log.
 */
class RefreshTest {
    static final String CLIENT = LiveClients.CLIENT;
    private static final long MIB = 1 << 20;
    @TempDir
    Path tmp;

    static FamfsFileSystem client(Path img, Object interval) throws IOException {
        return LiveClients.client(img, interval);
    }

    @Test
    void refreshReportsWhatOtherProcessesPublished() throws Exception {
        try (TestImage other = TestImage.create(tmp.resolve("a.img"), 64 * MIB)) {
            other.mkdir("d").file("d/f", 5000);
            try (FamfsFileSystem fs = client(other.path(), "off")) {
                assertTrue(Files.isRegularFile(fs.getPath("/d/f")));
                FamfsRefresh none = fs.refresh();
                assertEquals(List.of(), none.added());
                assertEquals(0, none.newEntries());
                assertEquals(0, none.entriesDecoded());
                other.mkdir("d/e").file("d/e/g", 3).file("top", 2 * MIB + 1).mkdir("d"); // the last one is a duplicate
                assertFalse(Files.exists(fs.getPath("/top")), "off: a miss does not refresh");
                FamfsRefresh r = fs.refresh();
                assertEquals(2, r.entriesBefore());
                assertEquals(6, r.entriesAfter());
                assertEquals(4, r.newEntries());
                assertEquals(List.of(fs.getPath("/d/e"), fs.getPath("/d/e/g"), fs.getPath("/top")), r.added());
                assertEquals(2 * MIB + 1, Files.size(fs.getPath("/top")));
                byte[] g = Files.readAllBytes(fs.getPath("/d/e/g"));
                assertArrayEquals(TestImage.patternBytes("d/e/g".hashCode(), 3), g);
                assertEquals(0, fs.refresh().newEntries());
            }
        }
    }

    @Test
    void aMasterRefreshesWhatAnotherProcessOfItsHostAppended() throws Exception {
        try (TestImage other = TestImage.create(tmp.resolve("m.img"), 64 * MIB)) {
            other.mkdir("a");
            try (FamfsFileSystem fs = (FamfsFileSystem) FileSystems.newFileSystem(URI.create("famfs:" + other.path()),
                    Map.of("systemUuid", TestImage.MASTER.toString(), "refreshInterval", "off"))) {
                assertFalse(fs.isReadOnly());
                other.mkdir("b"); // another master process of this host
                assertEquals(List.of(fs.getPath("/b")), fs.refresh().added());
                Files.createDirectory(fs.getPath("/c"));
                other.appendAfter(3).mkdir("d");
                Files.createDirectory(fs.getPath("/e")); // a log operation catches up first, as before
                assertTrue(Files.isDirectory(fs.getPath("/d")));
                FamfsRefresh r = fs.refresh();
                assertEquals(List.of(), r.added(), "the master's own appends were replayed as they were made");
                assertEquals(5, r.entriesAfter());
            }
        }
    }

    @Test
    void catchingUpTenEntriesOnAFifteenThousandEntryLogDecodesTen() throws Exception {
        try (TestImage other = TestImage.create(tmp.resolve("big.img"), 64 * MIB)) {
            for (int i = 0; i < 15_000; i++) {
                other.mkdir("d" + i);
            }
            try (FamfsFileSystem fs = client(other.path(), "off")) {
                for (int i = 0; i < 10; i++) {
                    other.mkdir("d" + (15_000 + i));
                }
                FamfsRefresh r = fs.refresh();
                assertEquals(15_000, r.entriesBefore());
                assertEquals(15_010, r.entriesAfter());
                assertEquals(10, r.entriesDecoded(), "a refresh decodes the new entries, never the log");
                assertEquals(10, r.added().size());
                assertEquals(fs.getPath("/d15009"), r.added().get(9));
            }
        }
    }

    @Test
    void aLookupThatMissesRefreshesFirst() throws Exception {
        try (TestImage other = TestImage.create(tmp.resolve("auto.img"), 64 * MIB)) {
            other.mkdir("d");
            try (FamfsFileSystem fs = client(other.path(), "0")) {
                // every kind of miss: exists, attributes, open, a directory listing
                List<Consumer<String>> misses = List.of(
                        n -> assertTrue(Files.exists(fs.getPath(n))),
                        n -> assertTrue(io(() -> Files.readAttributes(fs.getPath(n),
                                java.nio.file.attribute.BasicFileAttributes.class)).isRegularFile()),
                        n -> assertEquals(10, io(() -> Files.readAllBytes(fs.getPath(n))).length),
                        n -> assertTrue(io(() -> {
                            try (var s = Files.list(fs.getPath("/d"))) {
                                return s.anyMatch(p -> p.toString().equals(n));
                            }
                        })));
                int i = 0;
                for (Consumer<String> miss : misses) {
                    String name = "/d/f" + i++;
                    other.file(name.substring(1), 10);
                    miss.accept(name);
                }
            }
        }
    }

    @Test
    void aMissRefreshesAtMostOncePerInterval() throws Exception {
        try (TestImage other = TestImage.create(tmp.resolve("rate.img"), 64 * MIB)) {
            try (FamfsFileSystem fs = client(other.path(), "1h")) {
                other.mkdir("late");
                assertFalse(Files.exists(fs.getPath("/late")), "opened less than an hour ago: no refresh yet");
                assertEquals(1, fs.refresh().newEntries(), "an explicit refresh always catches up");
                assertTrue(Files.exists(fs.getPath("/late")));
            }
            try (FamfsFileSystem fs = client(other.path(), Duration.ofMillis(1))) {
                other.mkdir("later");
                long deadline = System.nanoTime() + 30_000_000_000L;
                while (!Files.exists(fs.getPath("/later")) && System.nanoTime() < deadline) {
                    Thread.sleep(1);
                }
                assertTrue(Files.exists(fs.getPath("/later")));
            }
        }
    }

    @Test
    void hostileRefreshIntervals() throws Exception {
        try (TestImage other = TestImage.create(tmp.resolve("env.img"), 64 * MIB)) {
            for (Object bad : new Object[] {"", "abc", "10", "-1s", "1.5s", "2 d", "1d", "25h", "99999999999999999999s",
                "9223372036854775807h", "ms", Duration.ofMillis(-1), Duration.ofDays(2), -5, "o f f"}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> client(other.path(),
                        bad), String.valueOf(bad));
                assertTrue(e.getMessage().contains("refreshInterval") && e.getMessage().contains("'" + bad + "'"),
                        e.getMessage());
            }
            for (Object good : new Object[] {"0", "off", "OFF", "100ms", "2s", "500us", "1m", "24h", 250,
                Duration.ofSeconds(3), " 5ms "}) {
                client(other.path(), good).close();
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> FileSystems.newFileSystem(
                    URI.create("famfs:" + other.path()), Map.of("systemUuid", CLIENT, "clientWrites", "yes")));
            assertTrue(e.getMessage().contains("clientWrites"), e.getMessage());
        }
    }

    // ---- a device rewritten underneath: an exception on every later call, the old namespace never served

    private static void everyLaterCallThrows(FamfsFileSystem fs, String why) {
        List<Executable> calls = List.of(fs::refresh,
                () -> Files.readAttributes(fs.getPath("/d"), "*"),
                () -> Files.newByteChannel(fs.getPath("/d/f")).close(),
                () -> Files.newDirectoryStream(fs.getPath("/")).close(),
                () -> Files.size(fs.getPath("/nothing")),
                () -> fs.getPath("/d").register(fs.newWatchService(),
                        java.nio.file.StandardWatchEventKinds.ENTRY_CREATE),
                fs::refresh);
        for (Executable c : calls) {
            FamfsStaleException e = assertThrows(FamfsStaleException.class, c::run);
            assertTrue(e.getMessage().contains(why) && e.getMessage().contains("reopen"), e.getMessage());
        }
        assertFalse(Files.exists(fs.getPath("/d")), "Files.exists swallows the exception, as it does every I/O error");
    }

    interface Executable {
        void run() throws Exception;
    }

    private static void rewrite(Path img, long offset, ByteBuffer bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
            ch.write(bytes, offset);
        }
    }

    @Test
    void aReformatIsReportedByEveryLaterCall() throws Exception {
        try (TestImage other = TestImage.create(tmp.resolve("reformat.img"), 64 * MIB)) {
            other.mkdir("d").file("d/f", 100);
            try (FamfsFileSystem fs = client(other.path(), "0")) {
                try (FileChannel ch = FileChannel.open(other.path(), StandardOpenOption.READ,
                        StandardOpenOption.WRITE)) {
                    MappedByteBuffer head = ch.map(FileChannel.MapMode.READ_WRITE, 0, Layout.LOG_OFFSET + 8 * MIB);
                    Formatter.format(head.slice(0, 4096), head.slice((int) Layout.LOG_OFFSET, (int) (8 * MIB)),
                            ch.size(), 8 * MIB, UUID.fromString(CLIENT), other.path().toString());
                    head.force();
                }
                // the new famfs gets entries of its own, more than the old one had
                try (TestImage again = TestImage.appendTo(other.path(), 0, other.dataStart())) {
                    for (int i = 0; i < 5; i++) {
                        again.mkdir("x" + i);
                    }
                }
                FamfsStaleException first = assertThrows(FamfsStaleException.class,
                        () -> Files.readAttributes(fs.getPath("/x0"), "*"), "a miss refreshes and finds the reformat");
                assertTrue(first.getMessage().contains("reformatted by another process")
                        && first.getMessage().contains("superblock changed"), first.getMessage());
                everyLaterCallThrows(fs, "superblock changed");
            }
        }
    }

    private interface Damage {
        void to(TestImage other) throws IOException;
    }

    /** Opens a client with refresh off, damages the image, and expects {@code why} from the refresh and after. */
    private void staleAfter(String name, Damage damage, String first, String why) throws Exception {
        try (TestImage other = TestImage.create(tmp.resolve(name), 64 * MIB)) {
            other.mkdir("d").file("d/f", 100).mkdir("e");
            try (FamfsFileSystem fs = client(other.path(), "off")) {
                damage.to(other);
                FamfsStaleException e = assertThrows(FamfsStaleException.class, fs::refresh);
                assertTrue(e.getMessage().contains(first), e.getMessage());
                everyLaterCallThrows(fs, why);
            }
        }
    }

    @Test
    void aLogThatWentBackwardsIsReportedByEveryLaterCall() throws Exception {
        staleAfter("back.img", other -> other.counters(1), "went backwards", "went backwards");
    }

    @Test
    void aChangedSuperblockIsReportedByEveryLaterCall() throws Exception {
        staleAfter("sb.img", other -> rewrite(other.path(), Layout.SUPERBLOCK_SIZE - 1,
                ByteBuffer.wrap(new byte[] {0x5a})), "superblock changed", "superblock changed");
    }

    @Test
    void aRewrittenEntryIsReportedByEveryLaterCall() throws Exception {
        staleAfter("entry.img", other -> {
            rewrite(other.path(), Layout.entryOffset(2) + 100, ByteBuffer.wrap(new byte[] {1, 2, 3}));
            other.mkdir("new");
        }, "entry 2, already replayed, changed", "rewritten");
    }

    @Test
    void aNextIndexPastTheLogIsAProblemNotACrash() throws Exception {
        try (TestImage other = TestImage.create(tmp.resolve("past.img"), 64 * MIB)) {
            other.mkdir("d");
            try (FamfsFileSystem fs = client(other.path(), "off")) {
                other.counters(Long.MAX_VALUE);
                fs.refresh(); // clamped to the log's slots, as at open; the bad slots stop replay
                assertTrue(Files.isDirectory(fs.getPath("/d")));
                assertThrows(NoSuchFileException.class, () -> Files.size(fs.getPath("/none")));
            }
        }
    }

    // ---- close races

    @Test
    @org.junit.jupiter.api.Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES) // a hang fails
    void refreshRacingClose() throws Exception {
        try (TestImage other = TestImage.create(tmp.resolve("race.img"), 64 * MIB)) {
            for (int round = 0; round < Integer.getInteger("famfs.liveRaces.rounds", 40); round++) {
                FamfsFileSystem fs = client(other.path(), "0");
                AtomicReference<Throwable> failure = new AtomicReference<>();
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    int kind = t;
                    Thread th = new Thread(() -> {
                        try {
                            while (true) {
                                if (kind == 0) {
                                    fs.refresh();
                                } else if (kind == 1) {
                                    Files.exists(fs.getPath("/missing" + System.nanoTime()));
                                } else {
                                    fs.newWatchService().close();
                                }
                            }
                        } catch (ClosedFileSystemException expected) {
                            // the only way out
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        }
                    });
                    th.start();
                    threads.add(th);
                }
                other.mkdir("r" + round);
                Thread.sleep(round % 5);
                fs.close();
                for (Thread th : threads) {
                    th.join(60_000);
                    assertFalse(th.isAlive(), "a refresh outlived close");
                }
                if (failure.get() != null) {
                    throw new AssertionError("round " + round, failure.get());
                }
                assertThrows(ClosedFileSystemException.class, fs::refresh);
            }
        }
    }

    private interface IoSupplier<T> {
        T get() throws IOException;
    }

    private static <T> T io(IoSupplier<T> s) {
        try {
            return s.get();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static ByteBuffer le(int n) {
        return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
    }
}
