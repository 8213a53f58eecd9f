package io.github.famfs.review;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.memory.Device;
import io.github.famfs.memory.DeviceInfo;
import io.github.famfs.memory.Lifecycle;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review of l-trunc (a close that stops waiting for entries once the image shrank): what a thread still inside an
 * entry can do after that close, and a memoryGone test that throws.
 */
class AbandonReviewTest {

    /**
     * A predicate that throws ended the wait by that exception: the release then ran as after a full drain (told
     * nothing: abandoned() -1), so the device's release unmapped under the entry still in flight. A test that
     * throws cannot tell: the close goes on waiting, and releases once the entry ended.
     */
    @Test
    @Timeout(60)
    void aThrowingMemoryGoneTestNeverLetsTheReleaseUnmapUnderALiveEntry() throws Exception {
        AtomicLong entries = new AtomicLong();
        AtomicLong entriesAtRelease = new AtomicLong(Long.MIN_VALUE);
        AtomicLong abandonedAtRelease = new AtomicLong(Long.MIN_VALUE);
        java.util.concurrent.CountDownLatch askedTwice = new java.util.concurrent.CountDownLatch(2);
        Lifecycle[] l = new Lifecycle[1];
        l[0] = new Lifecycle("test", () -> {
            entriesAtRelease.set(entries.get());
            abandonedAtRelease.set(l[0].abandoned());
        }, () -> {
            askedTwice.countDown();
            throw new IllegalStateException("cannot tell");
        });
        l[0].enter(); // a live entry: a thread still reading the mapping
        entries.incrementAndGet();
        Thread closer = new Thread(() -> {
            try {
                l[0].close(null);
            } catch (RuntimeException ignored) {
                // the point is the release below
            }
        });
        closer.start();
        assertTrue(askedTwice.await(30, java.util.concurrent.TimeUnit.SECONDS), "close stopped asking");
        entries.decrementAndGet();
        l[0].exit();
        closer.join();
        assertEquals(0, entriesAtRelease.get(), "the release ran with an entry in flight (abandoned() = "
                + abandonedAtRelease.get() + ")");
        assertEquals(-1, abandonedAtRelease.get());
    }

    /**
     * An abandoned close gives libc's descriptor back to the kernel while a thread may still be inside an entry
     * (one that would have ended: the close counts every entry, not only the cut-short ones). The next open of
     * any file in the process takes that number, and the live entry's next pwrite lands in that other file.
     */
    @Test
    @Timeout(60)
    void aLiveEntryAfterAnAbandonedCloseNeverWritesIntoAnotherFile(@TempDir Path dir) throws Exception {
        Path img = dir.resolve("img");
        long size = 8L << 20;
        try (FileChannel c = FileChannel.open(img, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            c.write(ByteBuffer.wrap(new byte[] {1}), size - 1);
        }
        Path victim = dir.resolve("victim");
        byte[] original = new byte[4096];
        Arrays.fill(original, (byte) 'v');
        Files.write(victim, original);

        Device d = Device.open(DeviceInfo.probe(img), true); // read-write image: libc's descriptor and mapping
        d.acquire(); // this thread is inside an entry (a writer of a large file, say)
        try (FileChannel t = FileChannel.open(img, StandardOpenOption.WRITE)) {
            t.truncate(size / 2); // another process truncates the image
        }
        Thread closer = new Thread(d::close);
        closer.start();
        closer.join(); // stops waiting a second in: the image shrank
        assertTrue(d.lifecycle().abandoned() >= 0, d.lifecycle().toString());
        try (FileChannel other = FileChannel.open(victim, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            try {
                d.writeThroughFile(ByteBuffer.wrap(new byte[] {'X', 'X', 'X', 'X'}), 0); // still in its entry
            } catch (IOException | RuntimeException fine) {
                // failing is fine; writing elsewhere is not
            }
        } finally {
            d.release();
        }
        assertArrayEquals(original, Files.readAllBytes(victim), "the live entry's write went into another file");
        assertEquals(size / 2, Files.size(img));
        io.github.famfs.testing.LibraryWarnings.expect("did not end after the image file was truncated");
    }
}
