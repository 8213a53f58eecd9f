package io.github.famfs.pcq;

import static io.github.famfs.pcq.PcqLayout.C_CONSUMER_INDEX;
import static io.github.famfs.pcq.PcqLayout.C_NEXT_SEQ;
import static io.github.famfs.pcq.PcqLayout.P_NEXT_SEQ;
import static io.github.famfs.pcq.PcqLayout.P_PRODUCER_INDEX;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.nio.FamfsFsck;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Puts, gets, drains and status calls raced with {@code FileSystem.close()}, and a put waiting on a full queue and a
 * take waiting on an empty one: each is an entry of the file system's lifecycle, so close waits for the ones in
 * progress and ends the waiting ones, every call after it fails with a PcqException caused by
 * ClosedFileSystemException, and no put or get changes the queue after close returned (read through a mapping
 * made before the close, which stays valid, and again from the image reopened).
 */
@Timeout(600) // a close that waits for ever on a waiting put or take fails here rather than hanging the build
class PcqCloseRaceTest {
    private static final int ROUNDS = 30;
    @TempDir
    Path tmp;

    /** A loop of {@code op} until it throws; counts the calls that returned normally. */
    private static Thread loop(String name, Callable<Long> op, AtomicLong done, AtomicReference<Throwable> end,
            CountDownLatch started) {
        Thread t = new Thread(() -> {
            started.countDown();
            try {
                while (true) {
                    if (op.call() >= 0) {
                        done.incrementAndGet();
                    }
                }
            } catch (Throwable e) {
                end.set(e);
            }
        }, name);
        t.start();
        return t;
    }

    private static MappedByteBuffer observe(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
            m.order(ByteOrder.LITTLE_ENDIAN);
            return m;
        }
    }

    /**
     * Puts and takes of 4 MiB messages (each fills, CRCs and copies 4 MiB: milliseconds) racing close, so that
     * close nearly always begins in the middle of one: close must wait for it, so nothing in either header moves
     * once close returned (a put that only checked for a closed file system first wrote its bucket and
     * producer_index after close had returned).
     */
    @Test
    void aPutOrTakeInProgressEndsBeforeCloseReturns() throws Exception {
        Random random = new Random(7);
        // on tmpfs where there is one: the close's msync of the image is then quick, shorter than a put
        Path shm = Path.of("/dev/shm");
        Path dir = java.nio.file.Files.isDirectory(shm) && java.nio.file.Files.isWritable(shm)
                ? java.nio.file.Files.createTempDirectory(shm, "pcq-close-") : tmp;
        try {
            for (int round = 0; round < 6; round++) {
                bigRound(dir.resolve("big" + round + ".img"), random, round);
            }
        } finally {
            if (!dir.equals(tmp)) {
                try (var files = java.nio.file.Files.list(dir)) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        java.nio.file.Files.delete(f);
                    }
                }
                java.nio.file.Files.delete(dir);
            }
        }
    }

    private static void bigRound(Path img, Random random, int round) throws Exception {
        FileSystem fs = PcqTest.fresh(img, "hardware");
        Path q = fs.getPath("/q");
        PcqQueue.create(q, 4, 4 << 20);
        MappedByteBuffer producerFile = observe(q);
        MappedByteBuffer consumerFile = observe(PcqQueue.consumerPath(q));
        PcqQueue prod = PcqQueue.open(q, PcqQueue.Role.PRODUCER);
        PcqQueue cons = PcqQueue.open(q, PcqQueue.Role.CONSUMER);
        ByteBuffer payload = ByteBuffer.allocate(prod.payloadSize());
        ByteBuffer dst = ByteBuffer.allocate(prod.payloadSize());
        AtomicLong puts = new AtomicLong();
        AtomicLong takes = new AtomicLong();
        AtomicReference<Throwable> putEnd = new AtomicReference<>();
        AtomicReference<Throwable> takeEnd = new AtomicReference<>();
        CountDownLatch started = new CountDownLatch(2);
        Thread p = loop("big-put", () -> prod.put(payload.clear()), puts, putEnd, started);
        Thread c = loop("big-take", () -> cons.take(dst.clear()), takes, takeEnd, started);
        while (puts.get() < 2) {
            Thread.onSpinWait();
        }
        Thread.sleep(random.nextInt(5));
        fs.close();
        long[] atClose = {producerFile.getLong(P_NEXT_SEQ), producerFile.getLong(P_PRODUCER_INDEX),
            consumerFile.getLong(C_NEXT_SEQ), consumerFile.getLong(C_CONSUMER_INDEX)};
        p.join(60_000);
        c.join(60_000);
        assertTrue(!p.isAlive() && !c.isAlive(), "a put or take did not end after close");
        long[] after = {producerFile.getLong(P_NEXT_SEQ), producerFile.getLong(P_PRODUCER_INDEX),
            consumerFile.getLong(C_NEXT_SEQ), consumerFile.getLong(C_CONSUMER_INDEX)};
        assertEquals(java.util.Arrays.toString(atClose), java.util.Arrays.toString(after),
                "next_seq, producer_index, consumer next_seq, consumer_index when close returned, and later");
        assertEquals(puts.get(), atClose[0], "puts that returned, and next_seq on the media");
        assertEquals(takes.get(), atClose[2], "takes that returned, and the consumer's next_seq");
        for (Throwable e : List.of(putEnd.get(), takeEnd.get())) {
            assertTrue(e instanceof PcqException && e.getCause() instanceof ClosedFileSystemException,
                    "round " + round + ": " + e);
        }
        prod.close();
        cons.close();
    }

    @Test
    void putsAndGetsRaceTheFileSystemsClose() throws Exception {
        Random random = new Random(42);
        for (int round = 0; round < ROUNDS; round++) {
            Path img = tmp.resolve("race" + round + ".img");
            FileSystem fs = PcqTest.fresh(img, round % 2 == 0 ? "hardware" : "software");
            Path q = fs.getPath("/q");
            Path full = fs.getPath("/full");
            Path empty = fs.getPath("/empty");
            PcqQueue.create(q, 4, 64);
            PcqQueue.create(full, 2, 64);
            PcqQueue.create(empty, 2, 64);
            MappedByteBuffer producerFile = observe(q);
            MappedByteBuffer consumerFile = observe(PcqQueue.consumerPath(q));
            PcqQueue prod = PcqQueue.open(q, PcqQueue.Role.PRODUCER);
            PcqQueue cons = PcqQueue.open(q, PcqQueue.Role.CONSUMER);
            PcqQueue reader = PcqQueue.open(q, PcqQueue.Role.READER);
            PcqQueue fullProd = PcqQueue.open(full, PcqQueue.Role.PRODUCER);
            PcqQueue emptyCons = PcqQueue.open(empty, PcqQueue.Role.CONSUMER);
            fullProd.put(ByteBuffer.wrap(new byte[] {1})); // a 2-bucket queue holds one message: now full

            String[] names = {"put", "take", "status", "blocked-put", "blocked-take"};
            AtomicLong[] done = new AtomicLong[names.length];
            List<AtomicReference<Throwable>> ends = new ArrayList<>();
            List<Thread> threads = new ArrayList<>();
            CountDownLatch started = new CountDownLatch(names.length);
            ByteBuffer payload = ByteBuffer.allocate(48);
            ByteBuffer dst = ByteBuffer.allocate(48);
            ByteBuffer dst2 = ByteBuffer.allocate(48);
            List<Callable<Long>> ops = List.of(
                    () -> prod.put(payload.clear()),
                    // takes and drains in turns (drain counts as done too)
                    () -> random.nextBoolean() ? cons.take(dst.clear()) : cons.drain(),
                    () -> reader.status().producerIndex(),
                    () -> fullProd.put(ByteBuffer.allocate(3)),
                    () -> emptyCons.take(dst2.clear()));
            for (int i = 0; i < names.length; i++) {
                done[i] = new AtomicLong();
                AtomicReference<Throwable> end = new AtomicReference<>();
                ends.add(end);
                threads.add(loop(names[i] + "-" + round, ops.get(i), done[i], end, started));
            }
            started.await();
            // let them run a little (some rounds close at once), and make sure the two waits are waiting
            while (fullProd.fullCount() < 1 || emptyCons.emptyCount() < 1) {
                Thread.onSpinWait();
            }
            Thread.sleep(random.nextInt(3));
            fs.close();
            long seqAtClose = producerFile.getLong(P_NEXT_SEQ);
            long consumedAtClose = consumerFile.getLong(C_NEXT_SEQ);
            for (Thread t : threads) {
                t.join(60_000);
                assertTrue(!t.isAlive(), t.getName() + " did not end after the file system closed");
            }
            for (int i = 0; i < names.length; i++) {
                Throwable e = ends.get(i).get();
                String what = names[i] + " in round " + round + " ended with " + e;
                assertTrue(e instanceof PcqException && e.getCause() instanceof ClosedFileSystemException, what);
            }
            // nothing moved after close returned, and every put and take that returned is on the media
            assertEquals(seqAtClose, producerFile.getLong(P_NEXT_SEQ), "a put completed after close() returned");
            assertEquals(consumedAtClose, consumerFile.getLong(C_NEXT_SEQ), "a get completed after close returned");
            assertEquals(done[0].get(), seqAtClose, "puts that returned, and next_seq on the media");
            assertEquals(0, done[3].get(), "the put on a full queue never completed");
            assertEquals(0, done[4].get(), "the take on an empty queue never completed");
            for (PcqQueue h : List.of(prod, cons, reader, fullProd, emptyCons)) {
                h.close();
            }
            try (FileSystem again = PcqTest.fresh(img, "hardware");
                    PcqQueue r = PcqQueue.open(again.getPath("/q"), PcqQueue.Role.READER)) {
                PcqStatus s = r.status();
                assertEquals(seqAtClose, s.producerNextSeq(), "the image after close");
                assertEquals(consumedAtClose, s.consumerNextSeq(), "the image after close");
                assertTrue(FamfsFsck.check(again).isClean());
            }
        }
    }
}
