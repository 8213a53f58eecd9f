package io.github.famfs.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Calls over a mapping racing its unmap, round after round: each thread repeats its call until, after the
 * unmap returned, the call is refused (IllegalArgumentException or IllegalStateException); its first call
 * precedes the unmap and must run. Counts the calls that ran after the unmap returned (there must be none).
 * Run it in a child JVM ({@link ChildJvm}): a call that touches unmapped memory crashes the JVM.
 */
public final class UnmapRace {
    private UnmapRace() {}

    /** One round: a call per thread, and the unmap. */
    public interface Round {
        List<Runnable> calls();

        void unmap() throws Exception;
    }

    /** A source of rounds. */
    @FunctionalInterface
    public interface Rounds {
        Round next() throws Exception;
    }

    /**
     * Runs {@code rounds} rounds; returns {@code "rounds N, refused after close R, ran after close A"}, or exits the
     * JVM with status 3 after printing the first unexpected failure.
     */
    public static String run(int rounds, Rounds source) throws Exception {
        AtomicLong refusedAfter = new AtomicLong();
        AtomicLong ranAfter = new AtomicLong();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int round = 0; round < rounds; round++) {
            Round r = source.next();
            List<Runnable> calls = r.calls();
            CountDownLatch started = new CountDownLatch(calls.size());
            CountDownLatch unmapped = new CountDownLatch(1);
            List<Thread> ts = new ArrayList<>();
            for (Runnable call : calls) {
                Thread th = new Thread(() -> {
                    boolean first = true;
                    try {
                        while (true) {
                            boolean after = unmapped.getCount() == 0;
                            try {
                                call.run();
                                if (after) {
                                    ranAfter.incrementAndGet();
                                }
                            } catch (IllegalArgumentException | IllegalStateException e) {
                                if (first) {
                                    throw e;
                                }
                                if (after) {
                                    refusedAfter.incrementAndGet();
                                    return;
                                }
                            }
                            if (first) {
                                first = false;
                                started.countDown();
                            }
                        }
                    } catch (Throwable e) {
                        failure.compareAndSet(null, e);
                        started.countDown();
                    }
                });
                th.start();
                ts.add(th);
            }
            started.await();
            r.unmap();
            unmapped.countDown();
            for (Thread th : ts) {
                th.join();
            }
        }
        if (failure.get() != null) {
            failure.get().printStackTrace();
            System.exit(3);
        }
        return "rounds " + rounds + ", refused after close " + refusedAfter + ", ran after close " + ranAfter;
    }
}
