package io.github.famfs.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.pcq.PcqQueue;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review r-pcqns of 447c437/87d840d (pcq operations as lifecycle entries) and a881c44 (ChildTable.get): each test
 * asserts what PcqQueue's javadoc promises and fails on main at 424b538 (5 of 5, every run: each is deterministic).
 *
 * <p>The queue's non-waiting calls and interrupts share one flaw: a waiting {@code take} (or {@code put}) spins
 * while holding the queue's get (put) monitor, so every other get (put) of the handle blocks on
 * {@code synchronized} behind it for as long as the other host sends nothing, and a thread blocked entering a
 * monitor cannot be interrupted. "Hangs" below means: still not returned after 30 seconds while the queue is idle
 * (the call needs microseconds); each test then closes the handle so nothing is left running.
 */
@Timeout(300)
class PcqNsReviewTest {
    private static final long HANG_SECONDS = 30;
    @TempDir
    Path tmp;

    /** A new 64 MiB image opened as its master (PcqReviewTest's). */
    static FileSystem fresh(Path img) throws IOException {
        return PcqReviewTest.fresh(img);
    }

    private static Thread background(String name, Callable<?> call, AtomicReference<Object> got) {
        Thread t = new Thread(() -> {
            try {
                got.set(call.call());
            } catch (Throwable e) {
                got.set(e);
            }
        }, name);
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void await(java.util.function.LongSupplier count, long n) {
        while (count.getAsLong() < n) {
            Thread.onSpinWait();
        }
    }

    /** What {@code call} returns, run in another thread, or a description of the hang after HANG_SECONDS. */
    private static Object within(Callable<?> call) throws Exception {
        CompletableFuture<Object> f = new CompletableFuture<>();
        background("call", () -> f.complete(call.call()), new AtomicReference<>());
        try {
            return f.get(HANG_SECONDS, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            return "still waiting after " + HANG_SECONDS + " s";
        }
    }

    /**
     * What {@code call} on a handle of {@code role} returns while {@code waiter} of the same handle waits in another
     * thread (a take on the empty queue, or a put on the full one), or a description of the hang; then closes the
     * handle, which ends both.
     */
    private Object whileAnotherWaits(String name, PcqQueue.Role role, Function<PcqQueue, Callable<?>> waiter,
            Function<PcqQueue, Callable<?>> call) throws Exception {
        try (FileSystem fs = fresh(tmp.resolve(name + ".img"))) {
            Path q = fs.getPath("/q");
            PcqQueue.create(q, 3, 64);
            try (PcqQueue h = PcqQueue.open(q, role)) {
                boolean producer = role == PcqQueue.Role.PRODUCER;
                if (producer) {
                    h.put(ByteBuffer.allocate(1));
                    h.put(ByteBuffer.allocate(1)); // 3 buckets hold 2: full
                }
                Thread w = background("waiter", waiter.apply(h), new AtomicReference<>());
                await(producer ? h::fullCount : h::emptyCount, 1);
                Object got = within(call.apply(h));
                h.close(); // ends the waiter (and then the blocked call)
                w.join(HANG_SECONDS * 1000);
                return got;
            }
        }
    }

    /**
     * Defect: {@code poll} ("Gets the next message unless the queue is empty: its seq, or -1 when empty") waits
     * for ever on an empty queue when the same handle's {@code take} is waiting in another thread: the take holds
     * {@code getLock} while it spins, and poll blocks entering it. A poll from a second thread of a consumer
     * (or of a {@code BOTH} handle) hangs until the other host puts something.
     */
    @Test
    void aPollOnAnEmptyQueueReturnsMinusOneWhileATakeWaits() throws Exception {
        assertEquals(-1L, whileAnotherWaits("poll", PcqQueue.Role.CONSUMER, h -> () -> h.take(ByteBuffer.allocate(48)),
                h -> () -> h.poll(ByteBuffer.allocate(48))), "poll of an empty queue while a take waits");
    }

    /**
     * Defect: {@code drain} ("Gets every message queued now, without waiting") waits for ever while a take of the
     * same handle waits on the empty queue (the reference's {@code pcq --drain} does not wait), and meanwhile
     * holds an entry of the file system's lifecycle.
     */
    @Test
    void aDrainOfAnEmptyQueueReturnsZeroWhileATakeWaits() throws Exception {
        assertEquals(0L, whileAnotherWaits("drain", PcqQueue.Role.CONSUMER,
                h -> () -> h.take(ByteBuffer.allocate(48)), h -> h::drain), "drain of an empty queue while a take waits");
    }

    /**
     * Defect: {@code offer} ("Puts a message unless the queue is full; returns its seq, or -1 when full") waits for
     * ever on a full queue while a put of the same handle waits in another thread (it holds {@code putLock}).
     */
    @Test
    void anOfferOnAFullQueueReturnsMinusOneWhileAPutWaits() throws Exception {
        assertEquals(-1L, whileAnotherWaits("offer", PcqQueue.Role.PRODUCER, h -> () -> h.put(ByteBuffer.allocate(1)),
                h -> () -> h.offer(ByteBuffer.allocate(1))), "offer on a full queue while a put waits");
    }

    /**
     * Defect: the class javadoc says waiting calls "end with InterruptedException when their thread is
     * interrupted". A second put waiting on a full queue behind a first one is blocked entering {@code putLock}'s
     * monitor, which no interrupt ends: it stays there as long as the first put waits (here until the handle is
     * closed, 30 s later), and then fails with ClosedChannelException rather than InterruptedException.
     */
    @Test
    void anInterruptEndsAPutWaitingBehindAnotherPut() throws Exception {
        try (FileSystem fs = fresh(tmp.resolve("interrupt.img"))) {
            Path q = fs.getPath("/q");
            PcqQueue.create(q, 3, 64);
            try (PcqQueue prod = PcqQueue.open(q, PcqQueue.Role.PRODUCER)) {
                prod.put(ByteBuffer.allocate(1));
                prod.put(ByteBuffer.allocate(1));
                AtomicReference<Object> first = new AtomicReference<>();
                Thread a = background("put 1", () -> prod.put(ByteBuffer.allocate(1)), first);
                await(prod::fullCount, 1);
                AtomicReference<Object> second = new AtomicReference<>();
                Thread b = background("put 2", () -> prod.put(ByteBuffer.allocate(1)), second);
                // waiting: blocked entering the monitor (the defect), or counted as a wait on the full queue
                while (b.getState() != Thread.State.BLOCKED && prod.fullCount() < 2 && b.isAlive()) {
                    Thread.onSpinWait();
                }
                b.interrupt();
                b.join(HANG_SECONDS * 1000);
                boolean endedByInterrupt = !b.isAlive();
                prod.close();
                a.join(HANG_SECONDS * 1000);
                b.join(HANG_SECONDS * 1000);
                assertTrue(endedByInterrupt, "the interrupted put still waits after " + HANG_SECONDS + " s");
                assertTrue(second.get() instanceof InterruptedException, String.valueOf(second.get()));
            }
        }
    }

    /**
     * Defect (small): 447c437 made the constructor refuse a path of another provider with
     * ProviderMismatchException "not a famfs path" (as every provider does for a foreign path), but open never
     * gets there: for a default-file-system path it first maps both files, then asks the file store for
     * {@code famfs:coherence} and fails with UnsupportedOperationException "'famfs:coherence' not recognized".
     */
    @Test
    void openRefusesAPathOfAnotherProviderAsAProviderMismatch() throws Exception {
        Path q = tmp.resolve("q");
        Files.write(q, new byte[4096]);
        Files.write(tmp.resolve("q.consumer"), new byte[4096]);
        assertThrows(ProviderMismatchException.class, () -> PcqQueue.open(q, PcqQueue.Role.READER));
    }
}
