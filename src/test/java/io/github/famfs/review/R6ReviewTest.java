package io.github.famfs.review;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.famfs.memory.Device;
import io.github.famfs.memory.DeviceInfo;
import io.github.famfs.nio.FamfsFileSystem;
import io.github.famfs.nio.FamfsFileSystemProvider;
import io.github.famfs.nio.FamfsStaleException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reviewer r6 (branch r-hot): 4fa20ab (a channel's hash drawn at creation, the lock table's count and its fast
 * close, a cached read map returned without a device entry) and 516f2c7 (Device.open undoing a failed read-only
 * image open in one place). Tests named for a defect fail on 516f2c7; the others add coverage of what held.
 */
class R6ReviewTest {
    private static final String MASTER = "5ca1e000-0000-4000-8000-0000000000a6";
    private static final String CLIENT = "c11e0000-0000-4000-8000-0000000000a6";
    private static final long MIB = 1 << 20;

    @TempDir
    Path tmp;

    private Path image(String name, int files) throws Exception {
        Path img = tmp.resolve(name);
        try (FileSystem fs = FileSystems.newFileSystem(FamfsFileSystemProvider.uri(img),
                Map.of("create", "true", "deviceSize", "64M", "systemUuid", MASTER))) {
            for (int i = 0; i < files; i++) {
                Files.write(fs.getPath("/f" + i), content(i));
            }
        }
        return img;
    }

    private static byte[] content(int i) {
        byte[] b = new byte[8192];
        new java.util.Random(i).nextBytes(b);
        return b;
    }

    /** Descriptors of this process open on {@code file} (its /proc/self/fd links, deleted or not). */
    private static long descriptorsOn(Path file) throws IOException {
        String name = file.toAbsolutePath().normalize().toString();
        long n = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : (Iterable<Path>) fds::iterator) {
                try {
                    String to = Files.readSymbolicLink(fd).toString();
                    if (to.equals(name) || to.equals(name + " (deleted)")) {
                        n++;
                    }
                } catch (IOException gone) {
                    // the listing's own descriptor, or closed meanwhile
                }
            }
        }
        return n;
    }

    /** Mappings of {@code file} in this process (lines of /proc/self/maps naming it). */
    private static long mappingsOf(Path file) throws IOException {
        String name = file.toAbsolutePath().normalize().toString();
        try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
            return maps.filter(l -> l.endsWith(" " + name) || l.endsWith(" " + name + " (deleted)")).count();
        }
    }

    private static void withJdkMaps(boolean jdkMaps, IoRunnable r) throws Exception {
        String key = "famfs.testOnly.noJdkMaps";
        String old = System.getProperty(key);
        System.setProperty(key, Boolean.toString(!jdkMaps));
        try {
            r.run();
        } finally {
            if (old == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, old);
            }
        }
    }

    private interface IoRunnable {
        void run() throws Exception;
    }

    // ---- 516f2c7: Device.open's failures, through the JDK's maps and through libc's

    /**
     * The image is measured (DeviceInfo.probe), then changes before Device.open: removed, truncated, replaced by a
     * directory. Each open fails with an IOException naming the image and saying why, and leaves no descriptor of
     * the file and no mapping of it, with the JDK's maps and without (libc's mapping, as on a JDK 17 without
     * jdk.unsupported).
     */
    @Test
    void aReadOnlyOpenThatFailsAtEachStepLeavesNothingOpen() throws Exception {
        for (boolean jdk : new boolean[] {true, false}) {
            withJdkMaps(jdk, () -> {
                Path img = image("gone-" + jdk + ".img", 1);
                DeviceInfo info = DeviceInfo.probe(img);
                Files.delete(img);
                IOException e = assertThrows(IOException.class, () -> Device.open(info, false).close());
                assertTrue(e.getMessage().contains(img.toString()) && e.getMessage().contains("No such file"),
                        "jdkMaps " + jdk + ": " + e);
                assertEquals(0, descriptorsOn(img));
                assertEquals(0, mappingsOf(img));

                Path dir = image("dir-" + jdk + ".img", 1);
                DeviceInfo dinfo = DeviceInfo.probe(dir);
                Files.delete(dir);
                Files.createDirectory(dir);
                IOException de = assertThrows(IOException.class, () -> Device.open(dinfo, false).close(),
                        "jdkMaps " + jdk + ": a directory opened as the image");
                assertTrue(de.getMessage().contains(dir.toString()), "jdkMaps " + jdk + ": " + de);
                assertEquals(0, descriptorsOn(dir), "jdkMaps " + jdk + ": " + de);
                assertEquals(0, mappingsOf(dir));
            });
        }
        // truncated under the open: the JDK's maps refuse the window (libc maps past the end; a read would fault,
        // which the file system's own checks cover after the open)
        withJdkMaps(true, () -> {
            Path img = image("short.img", 1);
            DeviceInfo info = DeviceInfo.probe(img);
            try (FileChannel raw = FileChannel.open(img, WRITE)) {
                raw.truncate(MIB);
            }
            IOException e = assertThrows(IOException.class, () -> Device.open(info, false).close());
            assertTrue(e.getMessage().contains(img.toString()) && e.getMessage().contains("truncated"), e.toString());
            assertEquals(0, e.getSuppressed().length, "a close failure kept with the open's: " + e);
            assertEquals(0, descriptorsOn(img));
            assertEquals(0, mappingsOf(img));
        });
    }

    /**
     * Many read-only file systems opened and closed while another thread keeps replacing the image (rename of
     * one copy or the other over its name, or removing it for a moment): every open either works (and reads a
     * file right) or fails with an IOException; at the end no descriptor of either copy and no mapping is left.
     */
    @Test
    void opensRacingTheImagesReplacementLeaveNothingOpen() throws Exception {
        Path a = image("a.img", 2);
        Path b = tmp.resolve("b.img");
        Files.copy(a, b);
        Path name = tmp.resolve("live.img");
        Files.copy(a, name);
        for (boolean jdk : new boolean[] {true, false}) {
            withJdkMaps(jdk, () -> {
                java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
                AtomicReference<Throwable> swapFailure = new AtomicReference<>();
                Thread swapper = new Thread(() -> {
                    try {
                        for (int i = 0; !stop.get(); i++) {
                            Path from = (i & 1) == 0 ? a : b;
                            Path t = tmp.resolve("t.img");
                            Files.copy(from, t, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                            if (i % 3 == 0) {
                                Files.deleteIfExists(name);
                            }
                            Files.move(t, name, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        }
                    } catch (Throwable t) {
                        swapFailure.set(t);
                    }
                });
                swapper.start();
                int opened = 0;
                int failed = 0;
                try {
                    for (int i = 0; i < 150; i++) {
                        try (FileSystem fs = FileSystems.newFileSystem(FamfsFileSystemProvider.uri(name),
                                Map.of("systemUuid", CLIENT))) {
                            assertArrayEquals(content(1), Files.readAllBytes(fs.getPath("/f1")));
                            opened++;
                        } catch (IOException expected) {
                            failed++;
                            assertNotNull(expected.getMessage());
                        }
                    }
                } finally {
                    stop.set(true);
                    swapper.join();
                }
                assertEquals(null, swapFailure.get());
                assertTrue(opened + failed == 150);
                assertEquals(0, descriptorsOn(name) + descriptorsOn(a) + descriptorsOn(b)
                        + descriptorsOn(tmp.resolve("t.img")), "jdkMaps " + jdk + ": descriptors left");
                try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
                    assertEquals(0, maps.filter(l -> l.contains(tmp.toString())).count(),
                            "jdkMaps " + jdk + ": mappings left");
                }
            });
        }
    }

    /**
     * DeviceInfo.probe refuses a FIFO because opening one for reading blocks until a writer comes. Device.open opens
     * the path again (FileChannel.open, READ) without looking at what it now is: an image replaced by a FIFO
     * between the probe and the open (or between the open of the image channel and the keeper's) blocks the
     * mount forever, inside FileChannel.open, where no close or interrupt reaches it. The open should refuse
     * what is not a regular file (the attributes it reads for the file key say so) before opening it.
     */
    @Test
    void anImageReplacedByAFifoBeforeTheOpenDoesNotHangIt() throws Exception {
        withJdkMaps(true, () -> fifoInsteadOfTheImage("fifo.img"));
    }

    /** The same through libc's open and mapping (Java 17-21 without jdk.unsupported): O_NONBLOCK, then refused. */
    @Test
    void anImageReplacedByAFifoDoesNotHangLibcsOpen() throws Exception {
        withJdkMaps(false, () -> fifoInsteadOfTheImage("fifo-libc.img"));
    }

    private void fifoInsteadOfTheImage(String name) throws Exception {
        Path img = image(name, 1);
        DeviceInfo info = DeviceInfo.probe(img);
        Files.delete(img);
        Process p = new ProcessBuilder("mkfifo", img.toString()).start();
        assertEquals(0, p.waitFor());
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread opener = new Thread(() -> {
            try {
                Device.open(info, false).close();
                outcome.set(new AssertionError("opened a FIFO as the image"));
            } catch (Throwable t) {
                outcome.set(t);
            } finally {
                done.countDown();
            }
        });
        opener.setDaemon(true);
        opener.start();
        boolean ended = done.await(15, java.util.concurrent.TimeUnit.SECONDS);
        if (!ended) {
            // let the stuck open go: a writer holds the FIFO open until the open ended (the keeper's open, the
            // second of the path, would block again after a writer that left at once)
            try (FileChannel w = FileChannel.open(img, WRITE)) {
                done.await(15, java.util.concurrent.TimeUnit.SECONDS);
            }
            fail("Device.open of an image replaced by a FIFO blocked in FileChannel.open (15 s, until a writer came;"
                    + " then: " + outcome.get() + ")");
        }
        assertTrue(outcome.get() instanceof IOException && outcome.get().getMessage().contains(img.toString()),
                String.valueOf(outcome.get()));
    }

    /**
     * An image replaced by a directory between the probe and the open: the JDK opens a directory for reading, so
     * the read-only open goes on to map it and reports "the image file was truncated by another process since the
     * famfs opened: it holds 4096 bytes", which sends the user after a truncation that never happened (libc's
     * mmap says "No such device"). The open should say that the path is no longer a regular file (a directory),
     * as DeviceInfo.probe does: the attributes the open reads for the file key tell it.
     */
    @Test
    void anImageReplacedByADirectoryIsReportedAsADirectoryNotATruncation() throws Exception {
        withJdkMaps(true, () -> {
            Path dir = image("dir.img", 1);
            DeviceInfo info = DeviceInfo.probe(dir);
            Files.delete(dir);
            Files.createDirectory(dir);
            IOException e = assertThrows(IOException.class, () -> Device.open(info, false).close());
            assertFalse(e.getMessage().contains("truncated"), "a directory reported as a truncated image: " + e);
            assertTrue(e.getMessage().contains("directory"), e.toString());
        });
    }

    // ---- 4fa20ab: the lock table's count

    /**
     * Every way a lock leaves the table (release, release twice, close of the lock, close of its channel, a
     * release refused on a closed channel, an overlap refused, a lock of a file still being written published by
     * its close) keeps the count right: afterwards a lock is released with its channel's close (a count that
     * drifted to 0 would skip it, leaving it valid and in the table), and the whole file can be locked again.
     */
    @Test
    void theLockCountStaysRightThroughEveryWayOut() throws Exception {
        Path img = image("locks.img", 2);
        try (FileSystem fs = FileSystems.newFileSystem(FamfsFileSystemProvider.uri(img),
                Map.of("systemUuid", MASTER))) {
            Path f = fs.getPath("/f0");
            for (int round = 0; round < 3; round++) {
                FileChannel a = FileChannel.open(f, READ, WRITE);
                FileChannel b = FileChannel.open(f, READ);
                FileLock l1 = a.lock(0, 10, false);
                l1.release();
                l1.release();
                l1.close();
                FileLock l2 = a.lock(0, 10, true);
                assertThrows(OverlappingFileLockException.class, () -> b.lock(5, 10, true));
                assertThrows(OverlappingFileLockException.class, () -> b.tryLock(0, 1, true));
                FileLock l3 = b.tryLock(100, 10, true);
                assertNotNull(l3);
                a.close();
                assertFalse(l2.isValid());
                assertThrows(ClosedChannelException.class, l2::release);
                // a pending file's lock, then its publication
                FileChannel n = FileChannel.open(fs.getPath("/new" + round), READ, WRITE,
                        StandardOpenOption.CREATE_NEW);
                n.write(ByteBuffer.wrap(new byte[100]));
                FileLock pl = n.lock(0, 50, false);
                assertThrows(OverlappingFileLockException.class, () -> n.lock(0, 1, true));
                n.close();
                assertFalse(pl.isValid());
                // an interrupted blocking lock gives nothing, and is not counted
                Thread.currentThread().interrupt();
                try {
                    FileChannel c = FileChannel.open(f, READ);
                    try {
                        c.lock(200, 1, true);
                    } catch (IOException interruptedOrClosed) {
                        // as the JDK: FileLockInterruptionException, or the channel closed by the interrupt
                    } finally {
                        Thread.interrupted();
                        c.close();
                    }
                } finally {
                    Thread.interrupted();
                }
                // b's lock is the one left: b's close must release it
                b.close();
                assertFalse(l3.isValid(), "round " + round + ": b's lock outlived b's close (count drifted)");
                try (FileChannel whole = FileChannel.open(f, READ)) {
                    FileLock all = whole.tryLock(0, Long.MAX_VALUE, true);
                    assertTrue(all != null && all.isValid(), "round " + round + ": a stale lock in the table");
                }
            }
        }
    }

    /**
     * A file system closing while its channels hold locks: every channel is closed and every lock invalid when the
     * close returns, as after the channels' own closes (the JDK's default provider releases a channel's locks at
     * its close).
     */
    @Test
    void aFileSystemsCloseReleasesEveryLock() throws Exception {
        Path img = image("fsclose.img", 4);
        FileSystem fs = FileSystems.newFileSystem(FamfsFileSystemProvider.uri(img), Map.of("systemUuid", MASTER));
        List<FileLock> locks = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            FileChannel ch = FileChannel.open(fs.getPath("/f" + i), READ, WRITE);
            locks.add(ch.lock(0, 10, i % 2 == 0));
            locks.add(ch.lock(20, 10, true));
        }
        FileChannel pending = FileChannel.open(fs.getPath("/pending"), READ, WRITE, StandardOpenOption.CREATE_NEW);
        pending.write(ByteBuffer.wrap(new byte[10]));
        FileLock pendingLock = pending.lock(0, 5, false);
        fs.close();
        for (FileLock l : locks) {
            assertFalse(l.channel().isOpen());
            assertFalse(l.isValid(), "a lock outlived its file system's close");
        }
        if (pending.isOpen()) {
            // the pending file was discarded with the file system: its channel's close says so
            assertThrows(IOException.class, pending::close);
        }
        assertFalse(pendingLock.isValid(), "a pending file's lock outlived its channel and its file system");
    }

    // ---- 4fa20ab: a cached read map returned without a device entry

    /**
     * Opens of files whose maps are cached, racing the file system's close on other threads: each open gives a
     * channel that reads the file right, or fails with ClosedFileSystemException (or, once the channel is made,
     * ClosedChannelException/AsynchronousCloseException on its read); once close returned every channel made is
     * closed.
     */
    @Test
    void cachedMapOpensRacingCloseGiveAClosedExceptionAndNoOpenChannel() throws Exception {
        Path img = image("race.img", 8);
        for (int round = 0; round < 20; round++) {
            FileSystem fs = FileSystems.newFileSystem(FamfsFileSystemProvider.uri(img), Map.of("systemUuid", CLIENT));
            for (int i = 0; i < 8; i++) {
                assertArrayEquals(content(i), Files.readAllBytes(fs.getPath("/f" + i))); // maps cached
            }
            List<FileChannel> made = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicReference<Throwable> bad = new AtomicReference<>();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> openers = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                int seed = t;
                Thread th = new Thread(() -> {
                    try {
                        go.await();
                        for (int k = 0; ; k++) {
                            int i = (k + seed) % 8;
                            FileChannel ch;
                            try {
                                ch = FileChannel.open(fs.getPath("/f" + i));
                            } catch (ClosedFileSystemException closed) {
                                return;
                            }
                            made.add(ch);
                            ByteBuffer buf = ByteBuffer.allocate(8192);
                            try {
                                ch.read(buf, 0);
                                assertArrayEquals(content(i), buf.array());
                            } catch (ClosedChannelException closed) {
                                return;
                            }
                        }
                    } catch (Throwable e) {
                        bad.compareAndSet(null, e);
                    }
                });
                th.start();
                openers.add(th);
            }
            go.countDown();
            Thread.sleep(round % 4);
            fs.close();
            List<FileChannel> snapshot;
            synchronized (made) {
                snapshot = new ArrayList<>(made);
            }
            for (FileChannel ch : snapshot) {
                assertFalse(ch.isOpen(), "round " + round + ": a channel made before close returned is open");
            }
            for (Thread th : openers) {
                th.join();
            }
            if (bad.get() != null) {
                throw new AssertionError("round " + round, bad.get());
            }
            for (FileChannel ch : made) {
                assertFalse(ch.isOpen(), "round " + round + ": a channel opened after close");
            }
        }
    }

    /**
     * A client whose image was reformatted by another famfs (stale, once a refresh saw it): an open of a file whose
     * map was cached before fails with FamfsStaleException, as every call does, and so does a write open with
     * clientWrites; an open after a write open still re-reads the entry.
     */
    @Test
    void aStaleFileSystemRefusesOpensOfCachedMaps() throws Exception {
        Path img = image("stale.img", 2);
        Path other = tmp.resolve("other.img");
        try (FileSystem fs = FileSystems.newFileSystem(FamfsFileSystemProvider.uri(other),
                Map.of("create", "true", "deviceSize", "64M", "systemUuid",
                        "0f0f0000-0000-4000-8000-0000000000a6"))) {
            Files.write(fs.getPath("/g"), new byte[4096]);
        }
        FamfsFileSystem fs = (FamfsFileSystem) FileSystems.newFileSystem(FamfsFileSystemProvider.uri(img),
                Map.of("systemUuid", CLIENT, "clientWrites", "true"));
        try {
            Path f = fs.getPath("/f0");
            assertArrayEquals(content(0), Files.readAllBytes(f));
            try (FileChannel w = FileChannel.open(f, READ, WRITE)) {
                w.write(ByteBuffer.wrap(content(0)), 0); // the same bytes, written in place
            }
            byte[] fresh = Files.readAllBytes(other);
            try (FileChannel raw = FileChannel.open(img, WRITE)) {
                raw.write(ByteBuffer.wrap(fresh), 0);
            }
            assertThrows(IOException.class, fs::refresh);
            assertThrows(FamfsStaleException.class, () -> FileChannel.open(f).close());
            assertThrows(FamfsStaleException.class, () -> Files.readAllBytes(f));
            assertThrows(FamfsStaleException.class, () -> FileChannel.open(f, READ, WRITE).close());
        } finally {
            fs.close();
        }
    }
}
