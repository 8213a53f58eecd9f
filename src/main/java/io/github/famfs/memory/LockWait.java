package io.github.famfs.memory;

import java.nio.channels.FileLockInterruptionException;
import java.util.concurrent.locks.LockSupport;

/**
 * The wait between two attempts to take a lock that another process holds (flock on the device or a mount's log,
 * fcntl range locks): famfs-nio never blocks in the kernel for a lock, so that a close can end the wait, and this
 * is the one place where such a wait backs off and answers an interrupt, as {@code FileChannel.lock} does.
 */
public final class LockWait {
    private long pause;
    private final long maxPause;

    /** A wait whose pauses start at {@code firstNanos} and double up to {@code maxNanos}. */
    public LockWait(long firstNanos, long maxNanos) {
        this.pause = firstNanos;
        this.maxPause = maxNanos;
    }

    /**
     * Pauses before the next attempt.
     *
     * @throws FileLockInterruptionException when the thread is interrupted (its interrupt status set again, as
     *                                       that exception documents)
     */
    public void pause() throws FileLockInterruptionException {
        if (Thread.interrupted()) {
            Thread.currentThread().interrupt();
            throw new FileLockInterruptionException();
        }
        LockSupport.parkNanos(pause);
        pause = Math.min(pause * 2, maxPause);
    }
}
