package io.github.famfs.memory;

import java.nio.channels.AsynchronousCloseException;
import java.nio.file.ClosedFileSystemException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The one lifecycle of an open famfs device and the file system on it: every operation that touches the device
 * mapping, its descriptor, the log or a transfer holds an <em>entry</em> ({@link #enter()} … {@link #exit()})
 * while it does, and every open channel and pending (unpublished) file is <em>registered</em>.
 *
 * <p>{@link #close} stops new entries (they fail: {@link ClosedFileSystemException} for file-system calls,
 * {@link AsynchronousCloseException} for channel operations), waits until the entries in flight end, holding no
 * lock or monitor that they could need, then tells every registered resource that the file system closed, runs
 * the caller's last step and releases the device (unmap, close the descriptor). An entry never spans code outside
 * this library (no foreign channel, no blocking wait on another process without checking for close), so the wait
 * is short. Close is idempotent and callable from any thread; concurrent calls all return once it is complete.
 * One exception to the wait: when the memory under the entries is gone (see {@link #abandoned()}), close stops
 * waiting rather than hang, and the mappings are left in place.
 */
public final class Lifecycle {
    private static final long CLOSING = 1L << 62;

    /** How long close waits for entries before it first asks whether they can still end, and then between asks. */
    private static final long STUCK_CHECK_NANOS = 1_000_000_000L;

    private final Object subject;
    private final Runnable release;
    private final BooleanSupplier memoryGone;
    /** Set when close stopped waiting for entries that cannot end ({@link #abandoned()}). */
    private volatile long abandoned = -1;
    /** Entries in flight, plus {@link #CLOSING} once close began. */
    private final AtomicLong state = new AtomicLong();
    private final Map<Object, Runnable> resources = new ConcurrentHashMap<>();
    private final ReentrantLock drainLock = new ReentrantLock();
    private final Condition drained = drainLock.newCondition();
    private final CountDownLatch closed = new CountDownLatch(1);

    /**
     * How {@link #of} finds the lifecycle of an object of a layer above this one (nio's file systems): set once,
     * by that layer, when its class is initialized (so before any of its objects exists).
     */
    private static volatile Function<Object, Lifecycle> lookup;

    /**
     * @param subject what is open (for messages)
     * @param release the last step of close, once nothing can touch the device: unmap and close the descriptor
     */
    public Lifecycle(Object subject, Runnable release) {
        this(subject, release, () -> false);
    }

    /**
     * @param subject what is open (for messages)
     * @param release the last step of close: unmap and close the descriptor, unless {@link #abandoned()}
     * @param memoryGone asked when entries are still in flight a second into a close, and each second after: true
     *     when the memory under them is gone (an image file truncated below what is mapped), so that they may never
     *     end. On Java 17 to 21 a read of such memory raises its InternalError asynchronously, at a later
     *     instruction, which may fall inside an entry's own bookkeeping ({@link #exit()} cut short): the count then
     *     never drains. Close then stops waiting, and the release must leave the mappings in place (a thread still
     *     inside may read them): see {@link #abandoned()}.
     */
    public Lifecycle(Object subject, Runnable release, BooleanSupplier memoryGone) {
        this.subject = subject;
        this.release = release;
        this.memoryGone = memoryGone;
    }

    /**
     * The entries still counted when close stopped waiting for them because the memory under them was gone (see
     * the constructor), or -1 when close waited for every entry (or has not run). When not -1 the release must not
     * unmap.
     */
    public long abandoned() {
        return abandoned;
    }

    /**
     * Internal, not API (this package is not exported): installs how {@link #of} finds the lifecycle of an object
     * of the layer above (nio's {@code FamfsFileSystem} does, in its static initializer).
     */
    public static synchronized void lookup(Function<Object, Lifecycle> find) {
        if (lookup != null) {
            throw new IllegalStateException("the lifecycle lookup is installed once, by the file system's class");
        }
        lookup = java.util.Objects.requireNonNull(find);
    }

    /**
     * Internal, not API: the lifecycle of {@code owner} (a famfs {@code FileSystem}), or null when it is not one.
     * For the library's own packages above nio (pcq), whose operations on memory of a file system must hold an
     * entry of its lifecycle as nio's own do, without nio exporting it.
     */
    public static Lifecycle of(Object owner) {
        Function<Object, Lifecycle> find = lookup;
        return owner == null || find == null ? null : find.apply(owner);
    }

    /** Begins an entry unless closing has begun; true when the caller must {@link #exit()}. */
    public boolean tryEnter() {
        long s = state.incrementAndGet();
        if ((s & CLOSING) != 0) {
            exit();
            return false;
        }
        return true;
    }

    /** Begins an entry of a file-system call; pair with {@link #exit()}. */
    public void enter() {
        if (!tryEnter()) {
            throw new ClosedFileSystemException();
        }
    }

    /** Begins an entry of a channel operation; pair with {@link #exit()}. */
    public void enterChannel() throws AsynchronousCloseException {
        if (!tryEnter()) {
            throw new AsynchronousCloseException();
        }
    }

    /** Ends an entry. */
    public void exit() {
        if (state.decrementAndGet() == CLOSING) {
            drainLock.lock();
            try {
                drained.signalAll();
            } finally {
                drainLock.unlock();
            }
        }
    }

    /** Whether close has begun (new entries fail). */
    public boolean isClosing() {
        return (state.get() & CLOSING) != 0;
    }

    /** Throws {@link ClosedFileSystemException} once close has begun. */
    public void checkOpen() {
        if (isClosing()) {
            throw new ClosedFileSystemException();
        }
    }

    /**
     * Registers an open channel or a pending file under {@code key}: {@code atClose} runs once, after every entry
     * ended and before the device is released (it must not touch the device).
     *
     * @throws ClosedFileSystemException when closing has begun (nothing is registered)
     */
    public void register(Object key, Runnable atClose) {
        enter();
        try {
            resources.put(key, atClose);
        } finally {
            exit();
        }
    }

    /** Forgets a registered resource (it closed, or its file was published). */
    public void unregister(Object key) {
        resources.remove(key);
    }

    /** Registered resources now (for tests and diagnostics). */
    public int registered() {
        return resources.size();
    }

    /**
     * Closes: new entries fail, the entries in flight end, every registered resource is told, then
     * {@code lastStep} runs (it may touch the device: nothing else can), then the device is released. Idempotent;
     * a call while another is closing returns once that close is complete. Interrupts do not stop it (they are
     * kept for the caller).
     *
     * @param lastStep run by the closing thread after the drain (null for none)
     */
    public void close(Runnable lastStep) {
        long s;
        do {
            s = state.get();
            if ((s & CLOSING) != 0) {
                awaitClosed();
                return;
            }
        } while (!state.compareAndSet(s, s | CLOSING));
        RuntimeException failure = null;
        try {
            try {
                awaitDrained();
            } catch (Throwable t) {
                long left = state.get() & ~CLOSING;
                if (left != 0 && abandoned < 0) {
                    abandoned = left; // the wait ended by an error: the release must not unmap under them
                }
                throw t;
            }
            for (Map.Entry<Object, Runnable> r : resources.entrySet()) {
                try {
                    r.getValue().run();
                } catch (RuntimeException e) {
                    failure = add(failure, e);
                }
            }
            resources.clear();
            if (lastStep != null) {
                try {
                    lastStep.run();
                } catch (RuntimeException e) {
                    failure = add(failure, e);
                }
            }
        } finally {
            try {
                release.run();
            } finally {
                closed.countDown();
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static RuntimeException add(RuntimeException first, RuntimeException next) {
        if (first == null) {
            return next;
        }
        first.addSuppressed(next);
        return first;
    }

    private void awaitDrained() {
        boolean interrupted = false;
        long nextCheck = System.nanoTime() + STUCK_CHECK_NANOS;
        drainLock.lock();
        try {
            while (state.get() != CLOSING) {
                try {
                    drained.await(10, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
                if (System.nanoTime() - nextCheck >= 0 && state.get() != CLOSING) {
                    nextCheck = System.nanoTime() + STUCK_CHECK_NANOS;
                    if (memoryGone()) {
                        abandoned = state.get() & ~CLOSING;
                        break;
                    }
                }
            }
        } finally {
            drainLock.unlock();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** The memoryGone test; one that throws cannot tell, so the wait goes on (never a release under an entry). */
    private boolean memoryGone() {
        try {
            return memoryGone.getAsBoolean();
        } catch (RuntimeException e) {
            return false;
        }
    }

    private void awaitClosed() {
        boolean interrupted = false;
        while (true) {
            try {
                closed.await();
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public String toString() {
        long s = state.get();
        return "Lifecycle[" + subject + ", " + (closed.getCount() == 0 ? "closed" : (s & CLOSING) != 0 ? "closing"
                : "open") + ", " + (s & ~CLOSING) + " entries" + (abandoned >= 0 ? " (abandoned: the memory under them"
                + " is gone)" : "") + ", " + resources.size() + " registered]";
    }
}
