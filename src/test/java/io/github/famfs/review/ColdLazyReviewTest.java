package io.github.famfs.review;

import static io.github.famfs.testing.LiveClients.client;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.nio.FamfsDevices;
import io.github.famfs.nio.FamfsFileSystem;
import io.github.famfs.testing.ChildJvm;
import io.github.famfs.testing.TestImage;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reviewer r-cold (session 4): the lazy read-only mount of an image file (f-cold: on Java 22+ the image is opened
 * and read through the JDK, {@code memory/Device} with {@code JdkMaps}, libc bound on first use) and the open
 * devices compared by file key. Each test asserts the correct behaviour and fails on main at 3d9d130; the first two
 * only on Java 22+ (on Java 17-21 devices were then mapped through libc at open, where they pass). Since Java 17-21
 * read a read-only image through JDK maps too ({@code UnsafeJdkMaps}), all of them run that path on every Java.
 */
class ColdLazyReviewTest {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;
    private static final String CLIENT = "c01d0000-0000-4000-8000-00000000c01d";

    @TempDir
    Path tmp;

    /** A 2 GiB sparse image: "early" in the first GiB, "late" past 1 GiB (the JDK's second window). */
    static TestImage twoWindows(Path img) throws IOException {
        TestImage t = TestImage.create(img, 2 * GIB);
        t.file("early", 1000);
        t.skipData(GIB + 100 * MIB - t.nextDataOffset()).file("late", 1000);
        return t;
    }

    /**
     * Device reads a read-only image through one JDK FileChannel ({@code image}) shared by every thread of the file
     * system: its size() (Device.backedBytes, which every catch-up with the log calls first) and its map() (each
     * JDK window, made on first use) are interruptible operations, so the JDK closes that channel when the calling
     * thread has its interrupt status set. One interrupted thread's Files.exists of a missing path (a lookup miss
     * catches up) closes it for good: from then on every refresh of the file system throws
     * ClosedChannelException (it never sees a new entry again) and every read of a file in a window not mapped yet
     * throws UncheckedIOException(ClosedChannelException), for every thread. On Java 17 (libc: fstat of
     * /proc/self/fd, mmap) the same sequence leaves the file system working. Fails 100% on JDK 25.
     */
    @Test
    void anInterruptedLookupMissBreaksTheFileSystemForEveryThread() throws Exception {
        Path img = tmp.resolve("interrupt.img");
        long nextIndex;
        long nextData;
        try (TestImage t = twoWindows(img)) {
            nextIndex = t.nextIndex();
            nextData = t.nextDataOffset();
        }
        try (FamfsFileSystem fs = client(img, "0")) {
            Thread.currentThread().interrupt();
            try {
                assertTrue(!Files.exists(fs.getPath("/missing")));
            } finally {
                assertTrue(Thread.interrupted(), "the caller's interrupt status is kept");
            }
            // another process publishes a file; this (no longer interrupted) thread must still see it and read
            try (TestImage other = TestImage.appendTo(img, nextIndex, nextData)) {
                other.file("new", 3000);
            }
            fs.refresh();
            assertArrayEquals(TestImage.patternBytes("new".hashCode(), 3000), Files.readAllBytes(fs.getPath("new")));
            assertArrayEquals(TestImage.patternBytes("late".hashCode(), 1000), Files.readAllBytes(fs.getPath("late")));
        }
    }

    /**
     * The same through a read: the first read of a file in the second GiB, on a thread whose interrupt status is
     * set, makes the JDK window with the shared channel's map(), which closes the channel; the other threads'
     * reads of that window fail from then on (UncheckedIOException, a RuntimeException out of
     * FileChannel.read / Files.readAllBytes), as do refreshes. Fails 100% on JDK 25.
     */
    @Test
    void anInterruptedReadBreaksLaterReadsOfOtherThreads() throws Exception {
        Path img = tmp.resolve("interrupt-read.img");
        twoWindows(img).close();
        try (FamfsFileSystem fs = client(img, "off")) {
            Thread t = new Thread(() -> {
                Thread.currentThread().interrupt();
                try (FileChannel ch = FileChannel.open(fs.getPath("late"), StandardOpenOption.READ)) {
                    ch.read(java.nio.ByteBuffer.allocate(10), 0);
                } catch (Throwable e) {
                    // the interrupted thread's own read may fail (an interruptible channel): its business
                }
            });
            t.start();
            t.join();
            assertArrayEquals(TestImage.patternBytes("late".hashCode(), 1000), Files.readAllBytes(fs.getPath("late")),
                    "a read on a thread that was never interrupted");
            fs.refresh();
        }
    }

    /**
     * Child JVM: a client mounts {@code args[0]} (a 2 GiB image, "late" in the second GiB, whose JDK window is
     * not made yet), another process truncates the image to 32 MiB, then the client reads "late". Prints the
     * outcome; exit 0 when it is an IOException or the InternalError the README documents for file data of a
     * truncated image, 3 for anything else (a crash is a signal).
     */
    public static final class TruncatedReadMain {
        public static void main(String[] args) throws Exception {
            Path img = Path.of(args[0]);
            twoWindows(img).close();
            try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("systemUuid", CLIENT))) {
                Files.readAllBytes(fs.getPath("early"));
                try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
                    ch.truncate(32 * MIB);
                }
                try {
                    Files.readAllBytes(fs.getPath("late"));
                    System.out.println("read a truncated file: no exception");
                    System.exit(3);
                } catch (IOException | InternalError e) {
                    System.out.println("clear: " + e);
                    System.exit(0);
                } catch (Throwable e) {
                    System.out.println("neither an IOException nor the documented InternalError:");
                    e.printStackTrace(System.out);
                    System.out.flush();
                    System.exit(3);
                }
            }
        }
    }

    /**
     * README (live sharing): "File data read through channels or maps of a truncated image still gets that
     * InternalError". On Java 22+ a read-only image's windows past the first are mapped by the JDK on first use;
     * once the image was truncated by another process, that map fails and the read throws
     * UncheckedIOException("cannot map bytes [1073741824, +1073741824)", cause "Channel not open for writing -
     * cannot extend file to required size"): a RuntimeException out of FileChannel.read, neither an IOException nor
     * the documented InternalError, and naming no truncation. Fails 100% on JDK 25 (JDK 17: InternalError).
     */
    @Test
    void aReadOfATruncatedImageInAWindowNotMappedYetIsAnUncheckedIOException() throws Exception {
        ChildJvm.Result r = ChildJvm.run(TruncatedReadMain.class, 120, tmp.resolve("truncated.img").toString());
        assertEquals(0, r.exitCode(), r.describe());
    }

    /** Mounts a new 64 MiB image {@code img} read-only (a client), then renames the image to {@code moved}. */
    private static FileSystem mountThenRename(Path img, Path moved) throws IOException {
        try (TestImage t = TestImage.create(img, 64 * MIB)) {
            t.file("f", 1000);
        }
        FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("systemUuid", CLIENT));
        try {
            Files.move(img, moved);
        } catch (IOException | RuntimeException e) {
            fs.close();
            throw e;
        }
        return fs;
    }

    /**
     * FamfsDevices.kill's javadoc: it refuses a device on which "a famfs (by any name: a link, another path to the
     * same file) is open in this JVM". The provider's openOn compares the key of the file at each open file
     * system's device path, read now, not the key of the file it opened: once the mounted image was renamed, kill
     * by its new name finds no open file system and zeroes the superblock magic of the image that is mounted
     * (its next refresh: FamfsStaleException "was reformatted"). Any JDK; fails 100%.
     */
    @Test
    void killZeroesAnImageMountedInThisJvmOnceItWasRenamed() throws Exception {
        Path moved = tmp.resolve("moved.img");
        try (FileSystem fs = mountThenRename(tmp.resolve("mounted.img"), moved)) {
            FileSystemException e = assertThrows(FileSystemException.class, () -> FamfsDevices.kill(moved),
                    "kill of the image mounted in this JVM, by its new name");
            assertTrue(e.getMessage().contains("is open in this JVM"), e::toString);
            ((FamfsFileSystem) fs).refresh();
        }
    }

    /**
     * The same comparison lets a second file system open on the very file that is mounted (newFileSystem's
     * FileSystemAlreadyExistsException is meant for "a second open through a link"): two read-write masters
     * in one JVM on one image each keep an allocator of their own. Any JDK; fails 100%.
     */
    @Test
    void aSecondMountOfTheSameImageOpensOnceItWasRenamed() throws Exception {
        Path moved = tmp.resolve("renamed.img");
        try (FileSystem fs = mountThenRename(tmp.resolve("first.img"), moved)) {
            assertThrows(FileSystemAlreadyExistsException.class, () -> FileSystems.newFileSystem(
                    URI.create("famfs:" + moved), Map.of("systemUuid", CLIENT)).close());
        }
    }
}
