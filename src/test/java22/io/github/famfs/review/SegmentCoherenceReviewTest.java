package io.github.famfs.review;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.famfs.testing.ChildJvm;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review of issue 10 item 3 on Java 22+ (FamfsSegmentCaches): fails on the code at a828dd6.
 */
class SegmentCoherenceReviewTest {
    @TempDir
    Path tmp;

    /**
     * FamfsSegmentCaches checks {@code segment.scope().isAlive()} and then hands the raw address to the native
     * helper through jnr-ffi, holding nothing: a shared arena closed by another thread between the check and the
     * end of the loop unmaps the memory under CLWB, and the JVM dies (SIGSEGV). The JDK's own accesses to a shared
     * segment are safe against a concurrent close (it fails them with IllegalStateException); the race-with-close
     * rule asks the same of this call.
     */
    @Test
    void segmentFlushRacingItsArenasCloseNeverCrashes() throws Exception {
        ChildJvm.Result r = ChildJvm.run(RaceMain.class, 300, tmp.resolve("seg.img").toString());
        assertEquals(0, r.exitCode(), r::describe);
    }

    /** Child of {@link #segmentFlushRacingItsArenasCloseNeverCrashes}. */
    public static final class RaceMain {
        public static void main(String[] args) throws Throwable {
            MethodHandle flush = MethodHandles.publicLookup().findStatic(Class.forName(
                    "io.github.famfs.nio.FamfsSegmentCaches"), "flush", MethodType.methodType(void.class,
                    MemorySegment.class, long.class, long.class));
            long size = 64 << 20;
            try (FileSystem fs = CoherenceReviewTest.withSharedFile(args[0], size)) {
                Path f = fs.getPath("/shared");
                long t0 = System.nanoTime();
                int rounds = 0;
                int refused = 0;
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                    while (System.nanoTime() - t0 < 60_000_000_000L) {
                        Arena arena = Arena.ofShared();
                        MemorySegment s = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
                        long delay = ThreadLocalRandom.current().nextLong(2_000_000);
                        Thread closer = new Thread(() -> {
                            LockSupport.parkNanos(delay);
                            arena.close();
                        });
                        closer.start();
                        try {
                            flush.invokeExact(s, 0L, size);
                        } catch (IllegalStateException closed) {
                            refused++;
                        }
                        closer.join();
                        rounds++;
                    }
                }
                System.out.println(rounds + " rounds, " + refused + " refused, no crash");
            }
        }
    }

    /**
     * A ByteBuffer view of a segment whose arena was closed: every JDK access to it fails with
     * IllegalStateException ("Already closed"), but FamfsCaches.flush(ByteBuffer, ...) flushes its raw address,
     * now unmapped, and the JVM dies (SIGSEGV). Same root as CoherenceReviewTest's unmapped-buffer case, reached
     * through the supported Java 22 map(mode, position, size, arena).
     */
    @Test
    void flushOfTheBufferOfAClosedArenasSegmentThrowsInsteadOfCrashing() throws Exception {
        ChildJvm.Result r = ChildJvm.run(ClosedViewMain.class, 120, tmp.resolve("view.img").toString());
        assertEquals(0, r.exitCode(), r::describe);
    }

    /** Child of {@link #flushOfTheBufferOfAClosedArenasSegmentThrowsInsteadOfCrashing}. */
    public static final class ClosedViewMain {
        public static void main(String[] args) throws Exception {
            int size = 4 << 20;
            try (FileSystem fs = CoherenceReviewTest.withSharedFile(args[0], size);
                    FileChannel ch = FileChannel.open(fs.getPath("/shared"), StandardOpenOption.READ)) {
                Arena arena = Arena.ofShared();
                java.nio.ByteBuffer view = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena).asByteBuffer();
                arena.close();
                try {
                    view.get(0);
                    System.out.println("the JDK read a closed segment's buffer");
                } catch (IllegalStateException e) {
                    System.out.println("JDK: " + e.getMessage());
                }
                try {
                    io.github.famfs.nio.FamfsCaches.flush(view, 0, size);
                    System.out.println("flushed");
                } catch (RuntimeException e) {
                    System.out.println("refused: " + e);
                }
            }
        }
    }
}
