package io.github.famfs.review;

import static io.github.famfs.testing.LiveClients.CLIENT;
import static io.github.famfs.testing.LiveClients.client;
import static java.nio.file.StandardWatchEventKinds.ENTRY_CREATE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.format.Layout;
import io.github.famfs.meta.Formatter;
import io.github.famfs.nio.FamfsFileSystem;
import io.github.famfs.nio.FamfsStaleException;
import io.github.famfs.testing.ChildJvm;
import io.github.famfs.testing.TestImage;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Adversarial review of issue 10 items 1, 2, 4 (branch h-live): refresh, auto-refresh, FamfsWatchService,
 * FamfsStaleException, clientWrites. Each test fails on r-live because of the defect it is named for.
 */
class LiveReviewTest {
    private static final long MIB = 1 << 20;
    @TempDir
    Path tmp;

    /**
     * LiveOptions.interval: a Long number of milliseconds is multiplied by 1,000,000 without an overflow check on
     * the negative side; Long.MIN_VALUE * 1e6 wraps to 0, so a negative interval is silently accepted as "refresh
     * on every miss" (a positive overflow is clamped, a negative one is not). The README says at most 24h and the
     * javadoc "a negative interval" is refused (-5 is).
     */
    @Test
    void negativeRefreshIntervalLongMinValueIsAcceptedAsZero() throws Exception {
        try (TestImage other = TestImage.create(tmp.resolve("neg.img"), 64 * MIB)) {
            for (Object bad : new Object[] {Long.MIN_VALUE, -9_223_372_036_854L * 1000 /* -9.2e15 ms */}) {
                assertThrows(IllegalArgumentException.class, () -> client(other.path(), bad).close(),
                        "refreshInterval " + bad + " (negative) must be refused");
            }
        }
    }

    /**
     * Child JVM: a client opens an image, another process truncates the image file (the classic "mapped file
     * shrunk underneath"), then the client calls {@code args[1]}: "refresh" (FamfsFileSystem.refresh()),
     * "exists" (Files.exists of a missing path: a lookup miss, which now reads the device), or "watch" (a
     * registered watch key, its poller polling the truncated device). Exit 0 when the outcome is a clear
     * IOException (or the key cancelled and queued); 3 with the throwable otherwise; a crash is a signal.
     */
    public static final class TruncatedMain {
        public static void main(String[] args) throws Exception {
            Path img = Path.of(args[0]);
            String what = args[1];
            try (TestImage other = TestImage.create(img, 64 * MIB)) {
                other.mkdir("d").file("d/f", 5000);
            }
            try (FamfsFileSystem fs = client(img, what.equals("watch") ? "2ms" : what.equals("refresh") ? "off" : "0")) {
                WatchService ws = what.equals("watch") ? fs.newWatchService() : null;
                WatchKey k = ws == null ? null : fs.getPath("/d").register(ws, ENTRY_CREATE);
                try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
                    ch.truncate(0);
                }
                try {
                    switch (what) {
                        case "refresh" -> fs.refresh();
                        case "exists" -> {
                            // Files.exists returns false for any IOException (the JDK's contract, and the README's),
                            // so the clear outcome is false, and the file system stale from then on: a later
                            // lookup of a path that exists throws FamfsStaleException (else: "no exception", 3)
                            boolean e = Files.exists(fs.getPath("/missing"));
                            System.out.println("exists: " + e);
                            if (e) {
                                System.exit(3);
                            }
                            Files.readAttributes(fs.getPath("/d/f"),
                                    java.nio.file.attribute.BasicFileAttributes.class);
                        }
                        default -> {
                            WatchKey got = ws.poll(20, TimeUnit.SECONDS);
                            System.out.println("poll gave " + got + ", key valid " + k.isValid());
                            if (got != k || k.isValid()) {
                                System.out.println("the key was neither cancelled nor queued: a taker waits forever;"
                                        + " poller threads alive: " + Thread.getAllStackTraces().keySet().stream()
                                        .filter(t -> t.getName().startsWith("famfs-watch")).count());
                                System.exit(3);
                            }
                        }
                    }
                    System.out.println("no exception");
                    System.exit(what.equals("watch") ? 0 : 3);
                } catch (IOException e) {
                    System.out.println("clear: " + e);
                    System.exit(0);
                } catch (Throwable t) {
                    System.out.println("not an IOException: ");
                    t.printStackTrace(System.out);
                    System.out.flush();
                    System.exit(3);
                }
            }
        }
    }

    private void truncated(String what) throws Exception {
        ChildJvm.Result r = ChildJvm.run(TruncatedMain.class, 120, tmp.resolve(what + ".img").toString(), what);
        assertEquals(0, r.exitCode(), r.describe());
    }

    /**
     * The image file shrunk by another process: FamfsFileSystem.refresh() reads the superblock through the mapping
     * (LogFollower.checkSameFamfs -> Device.copyTo), which faults (SIGBUS) on pages past the file's end: the
     * caller gets java.lang.InternalError (or the JVM dies) instead of an IOException naming the problem.
     */
    @Test
    void refreshOfATruncatedImageIsNotAnIOException() throws Exception {
        truncated("refresh");
    }

    /**
     * Same, through a plain Files.exists of a missing path: before this change a lookup never touched the device;
     * now every miss (refreshInterval 0, or once per interval by default) reads the superblock and log header
     * from the mapping, so a truncated image turns Files.exists into an InternalError (Files.exists only swallows
     * IOException).
     */
    @Test
    void lookupMissOnATruncatedImageThrowsAnErrorFromFilesExists() throws Exception {
        truncated("exists");
    }

    /**
     * The watch poller (FamfsWatchService.pollLoop) catches IOException and RuntimeException only: the
     * InternalError of a faulting device read kills the poller thread silently, its keys are neither cancelled
     * nor queued, and a thread in take() waits forever (the README: on a rewritten device "a watch service's keys
     * are cancelled and queued").
     */
    @Test
    void watchPollerDiesOnATruncatedImageAndTakeWaitsForever() throws Exception {
        truncated("watch");
    }

    /**
     * With refreshInterval=off a watch service has no poller and "events come from refresh() calls" (README), but
     * when that refresh finds the device rewritten (FamfsStaleException) the keys are left valid and unqueued:
     * only FamfsWatchService.pollLoop cancels keys on staleness (Refresher.refresh never tells the watch
     * services), so a thread in take() waits forever, against the README's "A watch service's keys are cancelled
     * and queued".
     */
    @Test
    void staleFoundByRefreshWithIntervalOffLeavesWatchKeysValid() throws Exception {
        try (TestImage other = TestImage.create(tmp.resolve("off.img"), 64 * MIB)) {
            other.mkdir("d").mkdir("e");
            try (FamfsFileSystem fs = client(other.path(), "off"); WatchService ws = fs.newWatchService()) {
                WatchKey k = fs.getPath("/d").register(ws, ENTRY_CREATE);
                other.counters(1); // the log went backwards
                assertThrows(FamfsStaleException.class, fs::refresh);
                assertSame(k, ws.poll(), "the key of a stale file system is queued");
                assertFalse(k.isValid(), "and cancelled");
            }
        }
    }

    /**
     * JDK semantics (and FamfsPath.register's own javadoc: "each file or directory published into it
     * afterwards"): a child that already existed when the directory was registered is no event. Here the child
     * was published in the log before register(); register only looks the directory up (a hit: no catch-up), so
     * the next catch-up replays the old child and reports it as ENTRY_CREATE. register should catch up first.
     */
    @Test
    void childPublishedBeforeRegisterIsReportedAsCreated() throws Exception {
        try (TestImage other = TestImage.create(tmp.resolve("before.img"), 64 * MIB)) {
            other.mkdir("d");
            try (FamfsFileSystem fs = client(other.path(), "off"); WatchService ws = fs.newWatchService()) {
                other.file("d/old", 10); // published (next_index advanced) before the register below
                WatchKey k = fs.getPath("/d").register(ws, ENTRY_CREATE);
                fs.refresh();
                WatchKey got = ws.poll();
                assertNull(got, "an event for a child that existed before register: "
                        + (got == null ? "" : got.pollEvents()));
                assertEquals(true, k.isValid());
            }
        }
    }

    /**
     * clientWrites=true with accessMode=readOnly is refused on a client ("contradicting accessMode=readOnly is
     * refused"), but on the master the same contradiction is silently accepted and clientWrites ignored
     * (FamfsFileSystem.open checks it only when !master).
     */
    @Test
    void clientWritesWithAccessModeReadOnlyIsAcceptedOnTheMaster() throws Exception {
        try (TestImage other = TestImage.create(tmp.resolve("m.img"), 64 * MIB)) {
            other.mkdir("d");
            Map<String, Object> env = Map.of("systemUuid", TestImage.MASTER.toString(), "accessMode", "readOnly",
                    "clientWrites", "true");
            assertThrows(IllegalArgumentException.class, () -> FileSystems.newFileSystem(URI.create("famfs:"
                    + other.path()), env).close(), "the contradiction the client refuses");
        }
    }

    /**
     * A torn (not yet visible, or half-written) entry seen by one catch-up blinds the file system for good:
     * LogReplay.badEntry is sticky (catchUp loops only "while badEntry < 0"), so when the entry becomes whole a
     * later refresh() replays nothing, returns normally (no exception) and every entry after it is never served
     * while the file system stays open. Before live sharing a replay happened once per open; now a client follows
     * a log that another host is writing, where a transiently torn read (non-coherent CXL caches, a writer caught
     * between the entry and the header on another host) is expected, and the reference re-plays the whole log
     * each time.
     */
    @Test
    void aTornEntrySeenOnceStopsRefreshForever() throws Exception {
        try (TestImage other = TestImage.create(tmp.resolve("torn.img"), 64 * MIB)) {
            other.mkdir("d");
            try (FamfsFileSystem fs = client(other.path(), "off")) {
                other.counters(2); // next_index visible before entry 1's bytes: the slot still reads as zeros
                fs.refresh();
                other.mkdir("late"); // entry 1 now whole (next_index 2, as before)
                other.mkdir("later"); // and one more after it
                fs.refresh();
                assertTrue(Files.isDirectory(fs.getPath("/late")), "the entry, whole now, is never replayed");
                assertTrue(Files.isDirectory(fs.getPath("/later")), "nor anything after it");
            }
        }
    }

    /**
     * clientWrites: opening an existing file for WRITE looks it up in the namespace (a hit: no catch-up, so no
     * staleness check) and FamfsFileSystem.fileMap only checks a staleness already recorded; nothing reads the
     * superblock, and a file read once has its map cached (Namespace.fileMap: file.cachedMap()), so the log entry
     * is not re-read either. A client (default refreshInterval) whose device was reformatted and refilled by another host
     * writes its old file's extent, which is now another famfs's file: that file's data is silently destroyed.
     * Writes in place are exactly where a stale namespace must be detected before touching the device.
     */
    @Test
    void clientWritesIntoAReformattedDeviceDestroyAnotherFamfsData() throws Exception {
        try (TestImage other = TestImage.create(tmp.resolve("cw.img"), 64 * MIB)) {
            other.mkdir("d").file("d/f", 100);
            Map<String, Object> env = Map.of("systemUuid", CLIENT, "clientWrites", "true");
            try (FamfsFileSystem fs = (FamfsFileSystem) FileSystems.newFileSystem(URI.create("famfs:"
                    + other.path()), env)) {
                assertEquals(100, Files.readAllBytes(fs.getPath("/d/f")).length); // read once: its map is cached
                try (FileChannel ch = FileChannel.open(other.path(), StandardOpenOption.READ,
                        StandardOpenOption.WRITE)) { // another host reformats
                    MappedByteBuffer head = ch.map(FileChannel.MapMode.READ_WRITE, 0, Layout.LOG_OFFSET + 8 * MIB);
                    Formatter.format(head.slice(0, 4096), head.slice((int) Layout.LOG_OFFSET, (int) (8 * MIB)),
                            ch.size(), 8 * MIB, UUID.fromString(CLIENT), other.path().toString());
                    head.force();
                }
                try (TestImage again = TestImage.appendTo(other.path(), 0, other.dataStart())) {
                    again.file("g", 100); // the new famfs's file, in the unit /d/f had
                }
                Thread.sleep(250); // longer than the default refreshInterval
                try (SeekableByteChannel w = Files.newByteChannel(fs.getPath("/d/f"), StandardOpenOption.WRITE)) {
                    w.write(ByteBuffer.wrap(new byte[100]));
                } catch (IOException refused) {
                    // the expected outcome: FamfsStaleException
                }
            }
            byte[] g = new byte[100];
            try (FileChannel ch = FileChannel.open(other.path(), StandardOpenOption.READ)) {
                ch.read(ByteBuffer.wrap(g), other.dataStart());
            }
            assertArrayEquals(TestImage.patternBytes("g".hashCode(), 100), g,
                    "the new famfs's /g was overwritten through a stale client's namespace");
        }
    }

    /**
     * "a clear exception naming the problem": a hugely negative Duration overflows Duration.toNanos, which
     * LiveOptions.interval maps to Long.MAX_VALUE, so the refusal says "longer than a day" for a negative interval.
     */
    @Test
    void hugeNegativeDurationIsRefusedAsLongerThanADay() throws Exception {
        try (TestImage other = TestImage.create(tmp.resolve("dur.img"), 64 * MIB)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> client(other.path(), java.time.Duration.ofDays(-365L * 1000)).close());
            assertTrue(e.getMessage().contains("negative"), e.getMessage());
        }
    }

    /**
     * Default-provider parity: the JDK's Linux watch service accepts (and ignores) the sensitivity modifiers of
     * com.sun.nio.file.SensitivityWatchEventModifier (a common idiom in portable code); FamfsWatchService.register
     * throws UnsupportedOperationException for every modifier, so that code works on the default file system and
     * fails on famfs (the README claims register "refuses what the JDK's refuses"). Side by side: the same outcome.
     */
    @Test
    void sensitivityModifierAcceptedByTheJdkIsRefusedByFamfs() throws Exception {
        @SuppressWarnings({"unchecked", "rawtypes"})
        java.nio.file.WatchEvent.Modifier high = (java.nio.file.WatchEvent.Modifier) Enum.valueOf(
                (Class) Class.forName("com.sun.nio.file.SensitivityWatchEventModifier"), "HIGH");
        Path local = Files.createDirectory(tmp.resolve("local"));
        String jdk;
        try (WatchService ws = local.getFileSystem().newWatchService()) {
            jdk = outcome(() -> local.register(ws, new java.nio.file.WatchEvent.Kind<?>[] {ENTRY_CREATE}, high));
        }
        try (TestImage other = TestImage.create(tmp.resolve("mod.img"), 64 * MIB)) {
            other.mkdir("d");
            try (FamfsFileSystem fs = client(other.path(), "off"); WatchService ws = fs.newWatchService()) {
                String famfs = outcome(() -> fs.getPath("/d").register(ws,
                        new java.nio.file.WatchEvent.Kind<?>[] {ENTRY_CREATE}, high));
                assertEquals(jdk, famfs, "register with SensitivityWatchEventModifier.HIGH");
            }
        }
    }

    private interface Call {
        Object run() throws Exception;
    }

    private static String outcome(Call c) {
        try {
            c.run();
            return "registered";
        } catch (Exception e) {
            return e.getClass().getName();
        }
    }
}
