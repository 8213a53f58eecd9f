package io.github.famfs.live;

import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_DELETE;
import static java.nio.file.StandardWatchEventKinds.ENTRY_MODIFY;
import static java.nio.file.StandardWatchEventKinds.OVERFLOW;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.nio.FamfsFileSystem;
import io.github.famfs.nio.FamfsWatchService;
import io.github.famfs.testing.TestImage;
import java.net.URI;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10 item 2: {@code FileSystem.newWatchService()} and {@code Path.register} on famfs directories, driven by
 * the log; the JDK's semantics where they apply (checked side by side with the default file system's watch
 * service); close races.
 */
class WatchServiceTest {
    private static final long MIB = 1 << 20;
    private static final String MASTER = "00112233-4455-6677-8899-aabbccddeeff";
    @TempDir
    Path tmp;

    private static List<String> names(List<WatchEvent<?>> events) {
        List<String> out = new ArrayList<>();
        for (WatchEvent<?> e : events) {
            assertEquals(ENTRY_CREATE, e.kind());
            assertEquals(1, e.count());
            out.add(e.context().toString());
        }
        return out;
    }

    @Test
    void everyChildPublishedByAnotherProcessIsOneEventPerKey() throws Exception {
        try (TestImage other = TestImage.create(tmp.resolve("a.img"), 64 * MIB)) {
            other.mkdir("d").file("d/old", 10);
            try (FamfsFileSystem fs = RefreshTest.client(other.path(), "1ms");
                    WatchService ws1 = fs.newWatchService(); WatchService ws2 = fs.newWatchService()) {
                WatchKey root1 = fs.getPath("/").register(ws1, ENTRY_CREATE);
                WatchKey d1 = fs.getPath("/d").register(ws1, ENTRY_CREATE, ENTRY_DELETE, ENTRY_MODIFY);
                WatchKey d2 = fs.getPath("/d").register(ws2, ENTRY_CREATE);
                assertSame(d1, fs.getPath("/d/.").register(ws1, ENTRY_CREATE), "one key per directory");
                assertEquals(fs.getPath("/d"), d1.watchable());
                assertNull(ws1.poll(), "nothing published yet");
                List<String> expected = new ArrayList<>();
                for (int i = 0; i < 30; i++) {
                    other.file("d/f" + i, 100 + i);
                    expected.add("f" + i);
                    if (i % 10 == 0) {
                        other.mkdir("d/sub" + i);
                        expected.add("sub" + i);
                    }
                }
                other.mkdir("top");
                for (Map.Entry<WatchService, WatchKey> w : Map.of(ws1, d1, ws2, d2).entrySet()) {
                    List<String> seen = new ArrayList<>();
                    while (seen.size() < expected.size()) {
                        WatchKey k = w.getKey().poll(60, TimeUnit.SECONDS);
                        if (k == root1) {
                            continue; // /top, checked below
                        }
                        assertSame(w.getValue(), k);
                        seen.addAll(names(k.pollEvents()));
                        assertTrue(k.reset());
                    }
                    assertEquals(expected, seen, "each child once, in log order");
                }
                fs.refresh();
                assertNull(ws2.poll(200, TimeUnit.MILLISECONDS), "no event twice");
                WatchKey r = root1.pollEvents().isEmpty() ? ws1.poll(60, TimeUnit.SECONDS) : root1;
                assertSame(root1, r);
            }
        }
    }

    @Test
    void aMastersOwnWritesAreEventsToo() throws Exception {
        Path img = tmp.resolve("m.img");
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("create", "true",
                "deviceSize", "64M", "systemUuid", MASTER, "refreshInterval", "off"));
                WatchService ws = fs.newWatchService()) {
            WatchKey k = fs.getPath("/").register(ws, ENTRY_CREATE);
            Files.createDirectory(fs.getPath("/dir"));
            Files.write(fs.getPath("/file"), new byte[] {1});
            assertSame(k, ws.poll());
            assertEquals(List.of("dir", "file"), names(k.pollEvents()));
        }
    }

    @Test
    void aKeyThatFallsBehindOverflows() throws Exception {
        try (TestImage other = TestImage.create(tmp.resolve("o.img"), 64 * MIB)) {
            try (FamfsFileSystem fs = RefreshTest.client(other.path(), "off"); WatchService ws = fs.newWatchService()) {
                WatchKey k = fs.getPath("/").register(ws, ENTRY_CREATE);
                int n = FamfsWatchService.OVERFLOW_BOUND + 88;
                for (int i = 0; i < n; i++) {
                    other.mkdir("d" + i);
                }
                fs.refresh();
                assertSame(k, ws.poll());
                List<WatchEvent<?>> events = k.pollEvents();
                assertEquals(FamfsWatchService.OVERFLOW_BOUND + 1, events.size());
                assertEquals("d0", events.get(0).context().toString());
                WatchEvent<?> last = events.get(events.size() - 1);
                assertEquals(OVERFLOW, last.kind());
                assertNull(last.context());
                assertEquals(88, last.count(), "the overflow counts the events lost");
                assertTrue(k.reset());
                other.mkdir("after");
                fs.refresh();
                assertSame(k, ws.poll());
                assertEquals(List.of("after"), names(k.pollEvents()), "drained, the key reports again");
            }
        }
    }

    @Test
    void cancelStopsAKeyAndResetReportsIt() throws Exception {
        try (TestImage other = TestImage.create(tmp.resolve("c.img"), 64 * MIB)) {
            try (FamfsFileSystem fs = RefreshTest.client(other.path(), "off"); WatchService ws = fs.newWatchService()) {
                WatchKey k = fs.getPath("/").register(ws, ENTRY_CREATE);
                other.mkdir("a");
                fs.refresh();
                k.cancel();
                assertFalse(k.isValid());
                assertSame(k, ws.poll(), "a cancelled key stays queued until taken");
                assertEquals(List.of("a"), names(k.pollEvents()));
                assertFalse(k.reset());
                other.mkdir("b");
                fs.refresh();
                assertNull(ws.poll(), "a cancelled key gets nothing");
                WatchKey again = fs.getPath("/").register(ws, ENTRY_CREATE);
                assertTrue(again.isValid());
                assertFalse(again == k, "registering after cancel makes a new key");
                k.cancel(); // idempotent
            }
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES) // a hang fails
    void closeWakesAThreadBlockedInTake() throws Exception {
        try (TestImage other = TestImage.create(tmp.resolve("t.img"), 64 * MIB)) {
            try (FamfsFileSystem fs = RefreshTest.client(other.path(), "5ms")) {
                for (boolean closeTheFileSystem : new boolean[] {false, true}) {
                    WatchService ws = fs.newWatchService();
                    WatchKey k = fs.getPath("/").register(ws, ENTRY_CREATE);
                    AtomicReference<Throwable> got = new AtomicReference<>();
                    Thread taker = new Thread(() -> {
                        try {
                            ws.take();
                            got.set(new AssertionError("take returned"));
                        } catch (Throwable t) {
                            got.set(t);
                        }
                    });
                    taker.start();
                    while (taker.getState() != Thread.State.WAITING && taker.isAlive()) {
                        Thread.sleep(1);
                    }
                    if (closeTheFileSystem) {
                        fs.close();
                    } else {
                        ws.close();
                    }
                    taker.join(60_000);
                    assertTrue(got.get() instanceof ClosedWatchServiceException, String.valueOf(got.get()));
                    assertFalse(k.isValid());
                    assertFalse(k.reset());
                    assertThrows(ClosedWatchServiceException.class, ws::poll);
                    assertThrows(ClosedWatchServiceException.class, () -> ws.poll(1, TimeUnit.SECONDS));
                    assertThrows(ClosedWatchServiceException.class, ws::take);
                    ws.close(); // idempotent
                }
                assertThrows(ClosedFileSystemException.class, fs::newWatchService);
                assertTrue(pollers().isEmpty(), "closing the file system stopped its pollers: " + pollers());
            }
        }
    }

    private static List<Thread> pollers() {
        List<Thread> out = new ArrayList<>();
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("famfs-watch ") && t.isAlive()) {
                assertTrue(t.isDaemon());
                out.add(t);
            }
        }
        return out;
    }

    // ---- the JDK's semantics, side by side with the default file system's watch service

    private static final WatchEvent.Kind<Path> CUSTOM = new WatchEvent.Kind<>() {
        @Override
        public String name() {
            return "CUSTOM";
        }

        @Override
        public Class<Path> type() {
            return Path.class;
        }
    };

    private static final WatchEvent.Modifier MODIFIER = () -> "FAST";

    /** Runs {@code check} on the default file system (a temporary directory) and on famfs. */
    private void sideBySide(WatchCheck check) throws Exception {
        Path local = Files.createDirectory(tmp.resolve("local"));
        Files.write(local.resolve("file"), new byte[1]);
        try (WatchService ws = local.getFileSystem().newWatchService()) {
            check.run(local, ws, "default");
        }
        try (TestImage other = TestImage.create(tmp.resolve("jdk.img"), 64 * MIB)) {
            other.file("file", 1);
            try (FamfsFileSystem fs = RefreshTest.client(other.path(), "off"); WatchService ws = fs.newWatchService()) {
                check.run(fs.getPath("/"), ws, "famfs");
            }
        }
    }

    private interface WatchCheck {
        void run(Path dir, WatchService ws, String which) throws Exception;
    }

    @Test
    void registerRefusesWhatTheJdkRefuses() throws Exception {
        sideBySide((dir, ws, which) -> {
            assertThrows(NotDirectoryException.class, () -> dir.resolve("file").register(ws, ENTRY_CREATE), which);
            assertThrows(NoSuchFileException.class, () -> dir.resolve("none").register(ws, ENTRY_CREATE), which);
            assertThrows(UnsupportedOperationException.class, () -> dir.register(ws, CUSTOM), which);
            assertThrows(UnsupportedOperationException.class, () -> dir.register(ws, ENTRY_CREATE, CUSTOM), which);
            assertThrows(IllegalArgumentException.class, () -> dir.register(ws), which);
            assertThrows(IllegalArgumentException.class, () -> dir.register(ws, OVERFLOW), which);
            assertThrows(NullPointerException.class, () -> dir.register(ws, ENTRY_CREATE, null), which);
            assertThrows(UnsupportedOperationException.class, () -> dir.register(ws,
                    new WatchEvent.Kind<?>[] {ENTRY_CREATE}, MODIFIER), which);
            WatchKey k = dir.register(ws, ENTRY_CREATE, OVERFLOW);
            assertTrue(k.isValid(), which);
            assertTrue(k.reset(), which + ": a ready key resets to ready");
            assertNull(ws.poll(), which);
            assertEquals(List.of(), k.pollEvents(), which);
            ws.close();
            assertFalse(k.isValid(), which);
            assertThrows(ClosedWatchServiceException.class, () -> dir.register(ws, ENTRY_CREATE), which);
            assertThrows(ClosedWatchServiceException.class, ws::poll, which);
        });
    }

    @Test
    void aWatchServiceOfAnotherFileSystemIsRefused() throws Exception {
        try (TestImage other = TestImage.create(tmp.resolve("x.img"), 64 * MIB)) {
            try (FamfsFileSystem fs = RefreshTest.client(other.path(), "off");
                    WatchService local = FileSystems.getDefault().newWatchService()) {
                assertThrows(ProviderMismatchException.class, () -> fs.getPath("/").register(local, ENTRY_CREATE));
                assertThrows(ProviderMismatchException.class, () -> tmp.register(fs.newWatchService(), ENTRY_CREATE));
                assertThrows(NullPointerException.class, () -> fs.getPath("/").register(null, ENTRY_CREATE));
            }
        }
    }

    // ---- close races

    @Test
    @org.junit.jupiter.api.Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES) // a hang fails
    void pollersRacingClose() throws Exception {
        try (TestImage other = TestImage.create(tmp.resolve("race.img"), 64 * MIB)) {
            for (int round = 0; round < Integer.getInteger("famfs.liveRaces.rounds", 30); round++) {
                FamfsFileSystem fs = RefreshTest.client(other.path(), round % 2 == 0 ? "0" : "1ms");
                List<WatchService> services = new ArrayList<>();
                List<Thread> takers = new ArrayList<>();
                AtomicReference<Throwable> failure = new AtomicReference<>();
                for (int i = 0; i < 3; i++) {
                    WatchService ws = fs.newWatchService();
                    services.add(ws);
                    fs.getPath("/").register(ws, ENTRY_CREATE);
                    Thread t = new Thread(() -> {
                        try {
                            while (true) {
                                WatchKey k = ws.take();
                                k.pollEvents();
                                k.reset();
                            }
                        } catch (ClosedWatchServiceException expected) {
                            // the way out
                        } catch (Throwable e) {
                            failure.compareAndSet(null, e);
                        }
                    });
                    t.start();
                    takers.add(t);
                }
                for (int i = 0; i < 5; i++) {
                    other.mkdir("r" + round + "-" + i);
                }
                Thread.sleep(round % 4);
                if (round % 3 == 0) {
                    services.get(0).close(); // a service closed while the file system closes
                }
                fs.close();
                for (Thread t : takers) {
                    t.join(60_000);
                    assertFalse(t.isAlive());
                }
                if (failure.get() != null) {
                    throw new AssertionError("round " + round, failure.get());
                }
                assertTrue(pollers().isEmpty(), "round " + round + ": " + pollers());
            }
        }
    }

    @Test
    void aReformatCancelsEveryKey() throws Exception {
        try (TestImage other = TestImage.create(tmp.resolve("ref.img"), 64 * MIB)) {
            other.mkdir("d");
            try (FamfsFileSystem fs = RefreshTest.client(other.path(), "2ms"); WatchService ws = fs.newWatchService()) {
                WatchKey k = fs.getPath("/d").register(ws, ENTRY_CREATE);
                other.counters(0);
                assertSame(k, ws.poll(60, TimeUnit.SECONDS));
                assertFalse(k.isValid());
                assertFalse(k.reset());
                assertThrows(io.github.famfs.nio.FamfsStaleException.class, fs::refresh);
            }
        }
    }

    /**
     * A key's monitor is the user's: a thread synchronized on a key stalls neither a replay that reports to it
     * (another thread's refresh) nor the file system's close (which waits for that replay). The keys guard their
     * events with a private lock; with their own monitor, the refresh below never ended.
     */
    @Test
    @org.junit.jupiter.api.Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES) // a hang fails
    void aUserSynchronizedOnAKeyStallsNeitherReplayNorClose() throws Exception {
        try (TestImage other = TestImage.create(tmp.resolve("mon.img"), 64 * MIB)) {
            other.mkdir("d");
            FamfsFileSystem fs = RefreshTest.client(other.path(), "off");
            WatchService ws = fs.newWatchService();
            WatchKey k = fs.getPath("/d").register(ws, ENTRY_CREATE);
            AtomicReference<Throwable> failed = new AtomicReference<>();
            synchronized (k) {
                other.mkdir("d/x");
                Thread t = new Thread(() -> {
                    try {
                        fs.refresh();
                    } catch (Throwable e) {
                        failed.set(e);
                    }
                });
                t.start();
                t.join();
                fs.close();
            }
            assertNull(failed.get());
            assertFalse(k.isValid());
        }
    }
}
