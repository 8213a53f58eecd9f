package io.github.famfs.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.ClosedFileSystemException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A close whose entries never end (on Java 17-21 a read of truncated image memory raises its InternalError late,
 * possibly inside an entry's own bookkeeping): it stops waiting only when the memory under them is gone, and then
 * tells the release not to unmap.
 */
class LifecycleAbandonTest {

    @Test
    @Timeout(60)
    void aCloseStopsWaitingForEntriesThatCannotEndOnceTheMemoryIsGone() throws Exception {
        AtomicInteger asked = new AtomicInteger();
        long[] abandonedAtRelease = {Long.MIN_VALUE};
        Lifecycle[] l = new Lifecycle[1];
        l[0] = new Lifecycle("test", () -> abandonedAtRelease[0] = l[0].abandoned(), () -> {
            asked.incrementAndGet();
            return true;
        });
        l[0].enter();
        l[0].enter(); // two entries whose exit was cut short: never ended
        l[0].close(null);
        assertTrue(asked.get() >= 1);
        assertEquals(2, l[0].abandoned());
        assertEquals(2, abandonedAtRelease[0], "the release is told, so that it leaves the mappings");
        assertTrue(l[0].toString().contains("abandoned"), l[0].toString());
        try {
            l[0].enter();
            throw new AssertionError("an entry after the close");
        } catch (ClosedFileSystemException expected) {
            // closed all the same
        }
    }

    @Test
    @Timeout(60)
    void whileTheMemoryIsThereTheCloseWaitsForTheEntryAndUnmaps() throws Exception {
        CountDownLatch askedTwice = new CountDownLatch(2);
        long[] abandonedAtRelease = {Long.MIN_VALUE};
        Lifecycle[] l = new Lifecycle[1];
        l[0] = new Lifecycle("test", () -> abandonedAtRelease[0] = l[0].abandoned(), () -> {
            askedTwice.countDown();
            return false;
        });
        l[0].enter();
        Thread closer = new Thread(() -> l[0].close(null));
        closer.start();
        assertTrue(askedTwice.await(30, TimeUnit.SECONDS), "close never asked whether the memory is gone");
        assertTrue(closer.isAlive(), "close returned with an entry in flight and the memory still there");
        l[0].exit();
        closer.join();
        assertEquals(-1, l[0].abandoned());
        assertEquals(-1, abandonedAtRelease[0]);
        assertFalse(l[0].toString().contains("abandoned"));
    }

    @Test
    @Timeout(60)
    void aCloseWithoutEntriesNeverAsks() {
        AtomicInteger asked = new AtomicInteger();
        Lifecycle l = new Lifecycle("test", () -> { }, () -> {
            asked.incrementAndGet();
            return true;
        });
        l.enter();
        l.exit();
        l.close(null);
        assertEquals(0, asked.get());
        assertEquals(-1, l.abandoned());
    }
}
