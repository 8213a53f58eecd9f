package io.github.famfs.review;

import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.nio.FamfsFileSystemProvider;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reviewer r4 (issue 9, second round): the fixes of f1/f2/f3 and the lead's additions (locks, async channels,
 * umask, CLI). Each test asserts the correct behaviour and fails on the code it was written against.
 */
class R4ReviewTest {
    private static final String MASTER = "d1ff0000-0000-4000-8000-0000000000a4";

    @TempDir
    Path tmp;

    private static FileSystem create(Path img) throws Exception {
        return FileSystems.newFileSystem(FamfsFileSystemProvider.uri(img),
                Map.of("create", "true", "deviceSize", "64M", "systemUuid", MASTER));
    }

    /**
     * FamfsFileLocks.lock puts the lock in the table, then takes its device pieces (fcntl OFD locks). A close of
     * the channel in between (channelClosed) invalidates the lock and unlocks the pieces taken so far; the
     * locking thread goes on, takes the next piece, adds it to the now invalid lock and returns it. That piece
     * is never unlocked (invalidate runs once): the device bytes stay locked on the device descriptor until the
     * file system closes, so every other process's lock of that file waits (or tryLock fails) for as long as
     * this JVM keeps the file system open, although no valid lock exists. The JDK releases every lock of a
     * channel on close. Checked with a POSIX lock (the JDK's FileChannel.tryLock) on the image, which
     * conflicts with an OFD lock of this process's device descriptor.
     */
    @Test
    void closingAChannelDuringLockLeavesNoDeviceLock() throws Exception {
        Path img = tmp.resolve("l.img");
        try (FileSystem fs = create(img)) {
            Path f = Files.write(fs.getPath("/f"), new byte[1 << 20]);
            try (FileChannel raw = FileChannel.open(img, READ, WRITE)) {
                for (int round = 0; round < 3000; round++) {
                    FileChannel ch = FileChannel.open(f, READ, WRITE);
                    java.util.concurrent.atomic.AtomicBoolean go = new java.util.concurrent.atomic.AtomicBoolean();
                    Thread locker = new Thread(() -> {
                        try {
                            while (!go.get()) {
                                Thread.onSpinWait();
                            }
                            ch.lock(0, Long.MAX_VALUE, false);
                        } catch (Exception expected) {
                            // closed meanwhile
                        }
                    });
                    locker.start();
                    Thread.sleep(1);
                    go.set(true);
                    long until = System.nanoTime() + (round * 37L) % 60_000;
                    while (System.nanoTime() < until) {
                        Thread.onSpinWait();
                    }
                    ch.close();
                    locker.join();
                    FileLock probe = raw.tryLock(0, Long.MAX_VALUE, false);
                    assertNotNull(probe, "round " + round + ": the image's bytes stay locked by this JVM's device"
                            + " descriptor after the channel that locked them closed");
                    probe.release();
                }
            }
        }
    }

    /**
     * Device.writeThroughFile (pwrite(2) through jnr for image writes): every kind of source buffer must write
     * exactly its remaining bytes: heap with an array offset and a position, read-only heap, direct slice with a
     * position, read-only direct. Checked by reading the published file back.
     */
    @Test
    void imageWritesFromEveryKindOfBuffer() throws Exception {
        Path img = tmp.resolve("w.img");
        byte[] all = new byte[3 << 20];
        new java.util.Random(4).nextBytes(all);
        try (FileSystem fs = create(img)) {
            Path f = fs.getPath("/f");
            try (FileChannel ch = FileChannel.open(f, WRITE, java.nio.file.StandardOpenOption.CREATE_NEW)) {
                int chunk = all.length / 4;
                // heap slice: arrayOffset 7, position 3
                byte[] big = new byte[chunk + 10];
                System.arraycopy(all, 0, big, 10, chunk);
                ByteBuffer heap = ByteBuffer.wrap(big).position(7).slice().position(3);
                ch.write(heap);
                ByteBuffer ro = ByteBuffer.wrap(all, chunk, chunk).asReadOnlyBuffer();
                ch.write(ro);
                ByteBuffer d = ByteBuffer.allocateDirect(chunk + 20);
                d.position(5);
                d.put(all, 2 * chunk, chunk);
                ch.write(d.flip().position(5).slice());
                ByteBuffer d2 = ByteBuffer.allocateDirect(chunk + 20);
                d2.position(11).put(all, 3 * chunk, chunk).flip().position(11);
                ch.write(d2.asReadOnlyBuffer());
            }
            assertArrayEquals(all, Files.readAllBytes(f));
        }
    }

    /**
     * NewFileChannel.transferFrom (and transferTo) hold the channel's monitor ({@code lock}) while the foreign
     * channel reads (writes) through the bounce buffer, and implCloseChannel takes the same monitor: a close of
     * the channel from another thread waits for the source, for ever when it never delivers (a pipe whose writer
     * waits for the close, a stalled socket). The JDK's FileChannel.close returns at once and the transfer fails
     * with AsynchronousCloseException; the README promises that a blocking peer cannot hold up a close. Compared
     * side by side with a local file.
     */
    @Test
    void closeOfANewFileIsNotHeldUpByABlockedTransferSource() throws Exception {
        Path img = tmp.resolve("t.img");
        try (FileSystem fs = create(img)) {
            assertEquals("closed", closeDuringBlockedTransferFrom(tmp.resolve("local.bin")), "default provider");
            assertEquals("closed", closeDuringBlockedTransferFrom(fs.getPath("/new")), "famfs");
        }
    }

    private static String closeDuringBlockedTransferFrom(Path p) throws Exception {
        java.nio.channels.Pipe pipe = java.nio.channels.Pipe.open();
        FileChannel ch = FileChannel.open(p, WRITE, java.nio.file.StandardOpenOption.CREATE_NEW);
        Thread t = new Thread(() -> {
            try {
                ch.transferFrom(pipe.source(), 0, 100);
            } catch (Exception expected) {
                // closed meanwhile
            }
        });
        t.setDaemon(true);
        t.start();
        Thread.sleep(300); // the transfer blocks in pipe.source().read
        Thread closer = new Thread(() -> {
            try {
                ch.close();
            } catch (Exception expected) {
                // not published
            }
        });
        closer.setDaemon(true);
        closer.start();
        closer.join(5000);
        String r = closer.isAlive() ? "close still blocked after 5 s" : "closed";
        pipe.sink().write(ByteBuffer.wrap(new byte[1])); // lets the transfer go on (and the close end)
        closer.join(5000);
        t.join(5000);
        pipe.sink().close();
        pipe.source().close();
        return r;
    }
}
