package io.github.famfs.nio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Open channels as the file system's lifecycle keeps them: each channel a distinct key (a hash drawn at creation,
 * identity equality), forgotten at its close, closed with the file system; and a channel's locks released at its
 * close, and no other channel's, whether or not any lock was held before (a close looks through the lock table only
 * when it holds a lock).
 */
class ChannelRegistryTest {
    private static final String MASTER = "5ca1e000-0000-4000-8000-00000000c4a1";
    private static final String CLIENT = "c11e0000-0000-4000-8000-00000000c4a1";
    private static final int FILES = 32;

    @TempDir
    Path dir;

    private Path image() throws Exception {
        Path img = dir.resolve("r.img");
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("create", "true",
                "deviceSize", "128M", "systemUuid", MASTER))) {
            for (int i = 0; i < FILES; i++) {
                byte[] b = new byte[4096];
                new java.util.Random(i).nextBytes(b);
                Files.write(fs.getPath("/f" + i), b);
            }
        }
        return img;
    }

    @Test
    void channelsAreDistinctKeysForgottenAtCloseAndClosedWithTheFileSystem() throws Exception {
        Path img = image();
        FamfsFileSystem fs = (FamfsFileSystem) FileSystems.newFileSystem(URI.create("famfs:" + img),
                Map.of("systemUuid", CLIENT));
        try {
            // many opens of the same files: every channel its own key, its hash stable, equal only to itself
            List<FileChannel> open = new ArrayList<>();
            Set<FileChannel> set = new HashSet<>();
            for (int round = 0; round < 20; round++) {
                for (int i = 0; i < FILES; i++) {
                    FileChannel ch = FileChannel.open(fs.getPath("/f" + i));
                    open.add(ch);
                    assertTrue(set.add(ch), "a new channel equals one already open");
                }
            }
            assertEquals(20 * FILES, set.size());
            assertEquals(20 * FILES, fs.lifecycle().registered());
            FileChannel a = open.get(0);
            FileChannel b = open.get(FILES); // the same file, another channel
            assertNotEquals(a, b);
            assertEquals(a.hashCode(), a.hashCode());
            // a map decoded by the first open serves the later ones: the same bytes through every channel
            for (int i = 0; i < FILES; i++) {
                byte[] want = new byte[4096];
                new java.util.Random(i).nextBytes(want);
                for (int round = 0; round < 20; round += 7) {
                    ByteBuffer buf = ByteBuffer.allocate(4096);
                    open.get(round * FILES + i).read(buf, 0);
                    assertArrayEquals(want, buf.array(), "/f" + i + " through channel " + round);
                }
            }
            // half closed by their users, forgotten by the lifecycle
            for (int k = 0; k < open.size(); k += 2) {
                open.get(k).close();
            }
            assertEquals(10 * FILES, fs.lifecycle().registered());
            FileChannel survivor = open.get(1);
            fs.close();
            for (FileChannel ch : open) {
                assertFalse(ch.isOpen(), "a channel stayed open after its file system closed");
            }
            assertThrows(ClosedChannelException.class, () -> survivor.read(ByteBuffer.allocate(1), 0));
            assertEquals(0, fs.lifecycle().registered());
            assertThrows(ClosedFileSystemException.class, () -> FileChannel.open(fs.getPath("/f0")));
        } finally {
            fs.close();
        }
    }

    @Test
    void aChannelsCloseReleasesItsLocksAndNoOthers() throws Exception {
        Path img = image();
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("systemUuid", MASTER))) {
            Path f = fs.getPath("/f0");
            FileChannel a = FileChannel.open(f, StandardOpenOption.READ);
            FileChannel b = FileChannel.open(f, StandardOpenOption.READ);
            FileChannel c = FileChannel.open(f, StandardOpenOption.READ);
            // a lock taken and released: the table is empty again, and closing a channel that never locked
            FileLock first = a.lock(0, 10, true);
            first.release();
            c.close();
            FileLock held = b.lock(100, 10, true);
            FileLock other = a.lock(200, 10, true);
            FileChannel.open(f).close(); // a channel with no lock closes: b's and a's locks stand
            assertTrue(held.isValid());
            assertTrue(other.isValid());
            b.close();
            assertFalse(held.isValid(), "b's lock outlived b");
            assertTrue(other.isValid(), "closing b released a's lock");
            a.close();
            assertFalse(other.isValid());
            // the table is empty: a new channel can lock the whole file
            try (FileChannel d = FileChannel.open(f)) {
                assertTrue(d.tryLock(0, Long.MAX_VALUE, true).isValid());
            }
        }
    }

    /**
     * Channels lock and close on several threads while others close with no lock: every lock whose channel closed
     * is invalid at the end, whichever way the race went (a lock that lost it fails with
     * AsynchronousCloseException or ClosedChannelException), and the table can be locked whole again.
     */
    @Test
    void locksRacingTheirChannelsCloseNeverOutliveIt() throws Exception {
        Path img = image();
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("systemUuid", MASTER))) {
            Path f = fs.getPath("/f1");
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<List<FileLock>>> results = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int thread = t;
                    results.add(pool.submit(() -> {
                        List<FileLock> taken = new ArrayList<>();
                        for (int i = 0; i < 300; i++) {
                            FileChannel ch = FileChannel.open(f);
                            if ((i & 1) == 0) {
                                ch.close(); // a close with no lock, while other threads' channels hold theirs
                                continue;
                            }
                            CountDownLatch go = new CountDownLatch(1);
                            Thread closer = new Thread(() -> {
                                try {
                                    go.await();
                                    ch.close();
                                } catch (Exception e) {
                                    throw new IllegalStateException(e);
                                }
                            });
                            closer.start();
                            go.countDown();
                            try {
                                taken.add(ch.lock(thread * 1000L + i, 1, true));
                            } catch (ClosedChannelException lost) { // AsynchronousCloseException too
                                // the close won
                            }
                            closer.join();
                        }
                        return taken;
                    }));
                }
                for (Future<List<FileLock>> r : results) {
                    for (FileLock l : r.get(2, TimeUnit.MINUTES)) {
                        assertFalse(l.channel().isOpen());
                        assertFalse(l.isValid(), "a lock outlived its channel's close");
                    }
                }
                try (FileChannel whole = FileChannel.open(f)) {
                    // any lock of this JVM left in the table overlaps this one (OverlappingFileLockException)
                    FileLock all = whole.tryLock(0, Long.MAX_VALUE, true);
                    assertTrue(all != null && all.isValid(), "a lock of a closed channel was left in the table");
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }
}
