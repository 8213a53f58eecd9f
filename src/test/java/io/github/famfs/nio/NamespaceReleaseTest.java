package io.github.famfs.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.meta.Namespace;
import java.io.IOException;
import java.lang.ref.WeakReference;
import java.net.URI;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A closed file system keeps none of its namespace reachable from the Paths still held (the namespace of a full
 * log is tens of MB), and those Paths behave as the JDK's closed-file-system paths do; closing while the master
 * appends and replays (catch-up) loses nothing that was reported made.
 */
class NamespaceReleaseTest {
    private static final String MASTER = "5ca1e000-0000-4000-8000-00000000013a";

    @TempDir
    Path dir;

    private FileSystem format(Path img) throws IOException {
        return FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("create", "true", "deviceSize", "256M",
                "systemUuid", MASTER));
    }

    private static FileSystem open(Path img) throws IOException {
        return FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("systemUuid", MASTER));
    }

    /** Collects until {@code ref} is cleared (bounded); whether it was. */
    static boolean collected(WeakReference<?> ref) throws InterruptedException {
        for (int i = 0; i < 50 && ref.get() != null; i++) {
            System.gc();
            Thread.sleep(10);
        }
        return ref.get() == null;
    }

    @Test
    void aClosedFileSystemsPathsKeepNoNamespaceReachable() throws Exception {
        Path img = dir.resolve("release.img");
        FileSystem fs = format(img);
        Files.createDirectory(fs.getPath("/d"));
        Files.write(fs.getPath("/d/f"), new byte[] {1, 2, 3});
        Path held = fs.getPath("/d/f");
        Path same = fs.getPath("/d", "f");
        Path relative = fs.getPath("d/f");
        WeakReference<Namespace> namespace = new WeakReference<>(((FamfsFileSystem) fs).namespace());
        assertTrue(Files.exists(held));
        fs.close();

        assertTrue(collected(namespace), "the namespace is still reachable after close");
        // the JDK's closed-file-system Path: pure path operations work, file-system operations throw
        assertEquals("/d/f", held.toString());
        assertEquals(same, held);
        assertEquals(same.hashCode(), held.hashCode());
        assertEquals("/d/f/g", held.resolve("g").toString());
        assertEquals(relative, held.getRoot().relativize(held));
        assertFalse(held.getFileSystem().isOpen());
        assertThrows(ClosedFileSystemException.class, () -> Files.readAttributes(held, BasicFileAttributes.class));
        assertThrows(ClosedFileSystemException.class, () -> Files.newByteChannel(held));
        assertThrows(ClosedFileSystemException.class, () -> Files.newDirectoryStream(held.getParent()));
        assertThrows(ClosedFileSystemException.class, () -> Files.createDirectory(held.resolveSibling("e")));
        assertThrows(ClosedFileSystemException.class, () -> held.toRealPath());
        assertThrows(ClosedFileSystemException.class, () -> ((FamfsFileSystem) fs).namespace());
        // the file store answers from what it kept, as before the namespace was released
        assertTrue(Files.getFileStore(dir).getTotalSpace() > 0);
        try (FileSystem again = open(img)) {
            assertEquals(3, Files.size(again.getPath("/d/f")));
        }
    }

    @Test
    void closingWhileTheMasterAppendsAndCatchesUpLosesNothingMade() throws Exception {
        Path img = dir.resolve("race.img");
        format(img).close();
        Random random = new Random(13);
        List<String> made = Collections.synchronizedList(new ArrayList<>());
        ConcurrentLinkedQueue<Throwable> wrong = new ConcurrentLinkedQueue<>();
        for (int round = 0; round < 30; round++) {
            FileSystem fs = open(img);
            String top = "/r" + round;
            Files.createDirectory(fs.getPath(top));
            made.add(top);
            Path held = fs.getPath(top);
            WeakReference<Namespace> namespace = new WeakReference<>(((FamfsFileSystem) fs).namespace());
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                String prefix = top + "/t" + t + "-";
                threads.add(new Thread(() -> {
                    for (int i = 0; i < 200; i++) { // 30 rounds of 2 x 200 fit the 15,420-entry log
                        String name = prefix + i;
                        try {
                            if (i != 1) { // one small file a thread and round: each takes an allocation unit
                                Files.createDirectory(fs.getPath(name));
                            } else {
                                Files.write(fs.getPath(name), new byte[] {(byte) i});
                            }
                            made.add(name);
                        } catch (ClosedFileSystemException | java.nio.channels.ClosedChannelException e) {
                            return; // the documented ways to be refused by a close (see CloseRaces)
                        } catch (Throwable e) {
                            if (!(e instanceof java.nio.file.FileSystemException f && f.getReason() != null
                                    && f.getReason().startsWith("not published: its file system was closed"))) {
                                wrong.add(e);
                            }
                            return;
                        }
                    }
                }));
            }
            threads.add(new Thread(() -> {
                try {
                    while (true) {
                        Files.exists(held.resolve("t0-0"));
                        try (var s = Files.newDirectoryStream(held)) {
                            s.forEach(p -> { });
                        }
                    }
                } catch (ClosedFileSystemException e) {
                    return;
                } catch (Throwable e) {
                    if (!(e instanceof java.nio.file.DirectoryIteratorException
                            && e.getCause() instanceof java.nio.file.ClosedDirectoryStreamException)) {
                        wrong.add(e);
                    }
                }
            }));
            threads.forEach(Thread::start);
            Thread.sleep(random.nextInt(20));
            fs.close();
            for (Thread t : threads) {
                t.join(30_000);
                assertFalse(t.isAlive(), "a thread hangs after close");
            }
            assertNull(wrong.peek(), () -> "unexpected: " + wrong);
            assertTrue(collected(namespace), "round " + round + ": the namespace is reachable after close");
        }
        try (FileSystem fs = open(img)) {
            for (String name : made) {
                assertTrue(Files.exists(fs.getPath(name)), name + " was reported made but is not in the log");
            }
            assertTrue(FamfsFsck.check(fs).isClean(), FamfsFsck.check(fs).format());
        }
    }
}
