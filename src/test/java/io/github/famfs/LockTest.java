package io.github.famfs;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.nio.FamfsFileSystemProvider;
import io.github.famfs.testing.ChildJvm;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.FileLockInterruptionException;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FileChannel.lock/tryLock on famfs: host-local advisory locks. Within the JVM they behave as the JDK's default
 * provider's (compared side by side); between processes a published file's range is locked on the device bytes
 * that hold it; a blocked lock ends on close (AsynchronousCloseException) or interrupt
 * (FileLockInterruptionException), as the JDK documents.
 */
class LockTest {
    static final String MASTER = "00112233-4455-6677-8899-aabbccddeeff";
    private static final int SIZE = 3 << 20;

    @TempDir
    Path tmp;

    private FileSystem master(Path img) throws Exception {
        return FileSystems.newFileSystem(FamfsFileSystemProvider.uri(img),
                Map.of("create", "true", "deviceSize", "64M", "systemUuid", MASTER));
    }

    /** The same sequence on a local file and a famfs file: the same outcomes, step by step. */
    @Test
    void withinTheJvmAsTheDefaultProvider() throws Exception {
        Path local = Files.write(tmp.resolve("local.bin"), new byte[SIZE]);
        try (FileSystem fs = master(tmp.resolve("l.img"))) {
            Path famfs = Files.write(fs.getPath("/f.bin"), new byte[SIZE]);
            assertEquals(steps(local), steps(famfs));
        }
    }

    private static List<String> steps(Path p) throws Exception {
        List<String> out = new ArrayList<>();
        try (FileChannel a = FileChannel.open(p, READ, WRITE); FileChannel b = FileChannel.open(p, READ, WRITE);
                FileChannel r = FileChannel.open(p, READ)) {
            FileLock l = a.lock(0, 100, false);
            out.add("lock " + l.position() + "+" + l.size() + " shared " + l.isShared() + " valid " + l.isValid()
                    + " same channel " + (l.channel() == a));
            out.add(outcome(() -> b.tryLock(50, 10, true)));
            out.add(outcome(() -> b.tryLock(100, 10, false)));
            out.add(outcome(() -> a.lock(99, 1, true)));
            l.release();
            out.add("released valid " + l.isValid());
            out.add(outcome(() -> b.tryLock(50, 10, true)));
            out.add(outcome(() -> r.lock(0, 10, false)));
            out.add(outcome(() -> r.lock(200, 10, true)));
            out.add(outcome(() -> a.lock(-1, 10, true)));
            out.add(outcome(() -> a.lock(10, -1, true)));
            out.add(outcome(() -> a.lock(Long.MAX_VALUE, 10, true)));
            // a size of 0: Java 20+ reads it as "to the end, whatever the size", so a lock past it overlaps
            FileLock zero = a.lock(1000, 0, true);
            out.add("size 0 -> " + zero.size());
            out.add(outcome(() -> a.lock(SIZE + 100, 5, false)));
            FileLock below = a.lock(500, 5, false);
            a.close();
            out.add("after close valid " + zero.isValid() + " " + below.isValid());
            out.add(outcome(() -> {
                zero.release();
                return "released";
            }));
            out.add(outcome(() -> a.lock()));
            out.add(outcome(() -> b.lock(0, Long.MAX_VALUE, false)));
        }
        return out;
    }

    @FunctionalInterface
    interface Step {
        Object run() throws Exception;
    }

    private static String outcome(Step s) {
        try {
            Object o = s.run();
            return o instanceof FileLock l ? "lock " + l.position() + "+" + l.size() : String.valueOf(o);
        } catch (Exception e) {
            return e.getClass().getSimpleName();
        }
    }

    /** A write-only channel cannot take a shared lock, a read-only one an exclusive lock (as the JDK). */
    @Test
    void modes() throws Exception {
        try (FileSystem fs = master(tmp.resolve("m.img"))) {
            Path f = Files.write(fs.getPath("/f.bin"), new byte[10]);
            try (FileChannel w = FileChannel.open(f, WRITE); FileChannel r = FileChannel.open(f, READ)) {
                assertThrows(NonReadableChannelException.class, () -> w.lock(0, 1, true));
                assertThrows(NonWritableChannelException.class, () -> r.lock(0, 1, false));
            }
            // a file still being written: locks within this JVM
            try (FileChannel n = FileChannel.open(fs.getPath("/new.bin"), WRITE, CREATE_NEW)) {
                n.write(ByteBuffer.wrap(new byte[10]));
                FileLock l = n.lock();
                assertThrows(OverlappingFileLockException.class, () -> n.tryLock(0, 1, false));
                l.release();
                assertNotNull(n.tryLock(0, 1, false));
            }
            assertEquals(10, Files.size(fs.getPath("/new.bin")));
        }
    }

    /** Another process (a client of the same image) sees the master's lock on the file's device bytes. */
    @Test
    void betweenProcesses() throws Exception {
        Path img = tmp.resolve("p.img");
        try (FileSystem fs = master(img)) {
            Path f = Files.write(fs.getPath("/shared.bin"), new byte[SIZE]);
            try (FileChannel ch = FileChannel.open(f, READ, WRITE)) {
                FileLock l = ch.lock(0, 100, false);
                ChildJvm.Result held = ChildJvm.run(LockProbe.class, 120, img.toString());
                assertEquals(0, held.exitCode(), held::describe);
                assertTrue(held.output().contains("[0,100) shared: busy"), held::describe);
                assertTrue(held.output().contains("[2097152,2097162) shared: taken"), held::describe);
                l.release();
                ChildJvm.Result free = ChildJvm.run(LockProbe.class, 120, img.toString());
                assertTrue(free.output().contains("[0,100) shared: taken"), free::describe);
                // and the other way round: a shared lock of the master lets a client share, not write
                FileLock s = ch.lock(0, 100, true);
                ChildJvm.Result shared = ChildJvm.run(LockProbe.class, 120, img.toString());
                assertTrue(shared.output().contains("[0,100) shared: taken"), shared::describe);
                s.release();
            }
        }
    }

    /** Run in a child JVM: a client of the image tries shared locks on two ranges of /shared.bin. */
    public static final class LockProbe {
        public static void main(String[] args) throws Exception {
            try (FileSystem fs = FileSystems.newFileSystem(FamfsFileSystemProvider.uri(Path.of(args[0])),
                    Map.of("systemUuid", "99999999-4455-6677-8899-aabbccddeeff"));
                    FileChannel ch = FileChannel.open(fs.getPath("/shared.bin"), READ)) {
                for (long[] r : new long[][] {{0, 100}, {2 << 20, 10}}) {
                    FileLock l = ch.tryLock(r[0], r[1], true);
                    System.out.println("[" + r[0] + "," + (r[0] + r[1]) + ") shared: " + (l == null ? "busy" : "taken"));
                    if (l != null) {
                        l.release();
                    }
                }
            }
        }
    }

    /** A lock waiting for another process ends when its channel closes, or when its thread is interrupted. */
    @Test
    void aWaitingLockEndsOnCloseAndInterrupt() throws Exception {
        Path img = tmp.resolve("w.img");
        try (FileSystem fs = master(img)) {
            Files.write(fs.getPath("/shared.bin"), new byte[SIZE]);
        }
        // the lock is held by another process: a child holding it for a while
        Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                Holder.class.getName(), img.toString()).redirectErrorStream(true).start();
        try {
            java.io.BufferedReader lines = new java.io.BufferedReader(new java.io.InputStreamReader(
                    holder.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
            StringBuilder said = new StringBuilder();
            for (String line = lines.readLine(); line != null && !line.equals("held"); line = lines.readLine()) {
                said.append(line).append('\n');
            }
            assertTrue(holder.isAlive(), "the holder died:\n" + said);
            try (FileSystem fs = FileSystems.newFileSystem(FamfsFileSystemProvider.uri(img),
                    Map.of("systemUuid", "99999999-4455-6677-8899-aabbccddeeff"))) {
                FileChannel ch = FileChannel.open(fs.getPath("/shared.bin"), READ);
                assertNull(ch.tryLock(0, 10, true));
                CompletableFuture<Object> waiting = CompletableFuture.supplyAsync(() -> {
                    try {
                        return ch.lock(0, 10, true);
                    } catch (Exception e) {
                        return e;
                    }
                });
                Thread.sleep(200);
                assertFalse(waiting.isDone(), "it waits for the other process");
                ch.close();
                assertInstanceOf(AsynchronousCloseException.class, waiting.get(30, TimeUnit.SECONDS));

                FileChannel ch2 = FileChannel.open(fs.getPath("/shared.bin"), READ);
                CompletableFuture<Thread> t = new CompletableFuture<>();
                CompletableFuture<Object> interrupted = CompletableFuture.supplyAsync(() -> {
                    t.complete(Thread.currentThread());
                    try {
                        return ch2.lock(0, 10, true);
                    } catch (Exception e) {
                        return e;
                    } finally {
                        Thread.interrupted();
                    }
                });
                Thread.sleep(200);
                t.get().interrupt();
                assertInstanceOf(FileLockInterruptionException.class, interrupted.get(30, TimeUnit.SECONDS));
                assertTrue(ch2.isOpen(), "an interrupted lock leaves the channel open (as FileChannel.lock)");
                assertThrows(ClosedChannelException.class, () -> {
                    ch2.close();
                    ch2.lock();
                });
            }
        } finally {
            holder.destroyForcibly();
            holder.waitFor(30, TimeUnit.SECONDS);
        }
    }

    /** Run in a child JVM: the master holds an exclusive lock on /shared.bin [0, 10) until killed. */
    public static final class Holder {
        public static void main(String[] args) throws Exception {
            try (FileSystem fs = FileSystems.newFileSystem(FamfsFileSystemProvider.uri(Path.of(args[0])),
                    Map.of("systemUuid", MASTER));
                    FileChannel ch = FileChannel.open(fs.getPath("/shared.bin"), READ, WRITE)) {
                ch.lock(0, 10, false);
                System.out.print("held\n");
                System.out.flush();
                Thread.sleep(120_000);
            }
        }
    }

}
