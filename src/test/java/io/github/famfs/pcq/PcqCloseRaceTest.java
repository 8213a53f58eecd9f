package io.github.famfs.pcq;

import static io.github.famfs.pcq.PcqLayout.C_NEXT_SEQ;
import static io.github.famfs.pcq.PcqLayout.P_NEXT_SEQ;
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
import org.junit.jupiter.api.io.TempDir;

/**
 * Puts, gets, drains and status calls raced with {@code FileSystem.close()}, and a put waiting on a full queue and a
 * take waiting on an empty one: each is an entry of the file system's lifecycle, so close waits for the ones in
 * progress and ends the waiting ones, every call after it fails with a PcqException caused by
 * ClosedFileSystemException, and no put or get changes the queue after close returned (read through a mapping
 * made before the close, which stays valid, and again from the image reopened).
 */
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
