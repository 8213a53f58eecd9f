package io.github.famfs.nio;

import io.github.famfs.meta.DirNode;
import io.github.famfs.meta.Node;
import java.io.IOException;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.NotDirectoryException;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingDeque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A watch service of a famfs file system, driven by its log: no operating-system notification crosses hosts, so a
 * poller thread (a daemon named {@code famfs-watch <device>}) catches up with the log every {@code refreshInterval}
 * (at least every {@value #MIN_POLL_MILLIS} ms; none with {@code off}: then each {@link FamfsFileSystem#refresh()}
 * delivers), and each file or directory that replay adds to a registered directory is one {@code ENTRY_CREATE}
 * event of that directory's key, whoever published it (another process or host, or this file system's own
 * writes, as soon as they are published). The log only grows and the first entry for a path wins, so each child is
 * reported once per key; {@code ENTRY_DELETE} and {@code ENTRY_MODIFY} may be registered (as with the JDK's watch
 * services) but never occur: famfs never deletes, and writes in place are not logged.
 *
 * <p>As the JDK's: a key holds at most {@value #OVERFLOW_BOUND} pending events; past that one {@code OVERFLOW}
 * event (context null) counts the events lost until {@link WatchKey#pollEvents()} drains the key. Registering a
 * directory again returns its key with the new kinds. {@link #close()} invalidates every key, and threads waiting
 * in {@code take} or {@code poll} throw {@link ClosedWatchServiceException}; closing the file system closes its
 * watch services and waits for their pollers. When any catch-up (a poll, a lookup,
 * {@link FamfsFileSystem#refresh()}, a write's check) finds the device reformatted or truncated, every key is
 * cancelled and queued (its {@code reset} returns false) and the file system's calls throw
 * {@link FamfsStaleException}; a poller that fails (any error) cancels and queues every key too.
 */
public final class FamfsWatchService implements WatchService {
    /** Pending events per key before they collapse into one OVERFLOW event (the JDK's bound). */
    public static final int OVERFLOW_BOUND = 512;
    static final long MIN_POLL_MILLIS = 1;
    static final long MIN_POLL_NANOS = MIN_POLL_MILLIS * 1_000_000;
    private static final System.Logger LOG = System.getLogger("io.github.famfs");

    private final FamfsFileSystem fs;
    private final Refresher refresher;
    private final long periodNanos;
    private final Thread poller;
    private final LinkedBlockingDeque<FamfsWatchKey> ready = new LinkedBlockingDeque<>();
    private final Map<DirNode, FamfsWatchKey> keys = new ConcurrentHashMap<>();
    /** Queued once at close, and again by each taker that meets it, so every waiting thread wakes. */
    private final FamfsWatchKey closeMarker;
    private volatile boolean closed;
    private volatile Throwable failure;

    FamfsWatchService(FamfsFileSystem fs, Refresher refresher, long periodNanos) {
        this.fs = fs;
        this.refresher = refresher;
        this.periodNanos = periodNanos;
        this.closeMarker = new FamfsWatchKey(this, null, null, Set.of());
        if (periodNanos > 0) {
            poller = new Thread(this::pollLoop, "famfs-watch " + fs.deviceInfo().path());
            poller.setDaemon(true);
        } else {
            poller = null;
        }
    }

    void start() {
        if (poller != null) {
            poller.start();
        }
    }

    FamfsFileSystem fileSystem() {
        return fs;
    }

    boolean isClosed() {
        return closed;
    }

    /** As {@code Path.register}: checks as the JDK's Linux watch service does, in its order. */
    WatchKey register(FamfsPath dir, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers)
            throws IOException {
        Set<WatchEvent.Kind<?>> kinds = new HashSet<>();
        for (WatchEvent.Kind<?> k : events) {
            if (k == StandardWatchEventKinds.ENTRY_CREATE || k == StandardWatchEventKinds.ENTRY_DELETE
                    || k == StandardWatchEventKinds.ENTRY_MODIFY) {
                kinds.add(k);
            } else if (k == null) {
                throw new NullPointerException("An element in event set is 'null'");
            } else if (k != StandardWatchEventKinds.OVERFLOW) {
                throw new UnsupportedOperationException(k.name());
            }
        }
        if (kinds.isEmpty()) {
            throw new IllegalArgumentException("No events to register");
        }
        for (WatchEvent.Modifier m : modifiers) {
            if (m == null) {
                throw new NullPointerException();
            }
            if (!isSensitivity(m)) {
                throw new UnsupportedOperationException("Modifier not supported");
            }
        }
        if (closed) {
            throw new ClosedWatchServiceException();
        }
        Throwable f = failure;
        if (f != null) {
            throw new IOException(this + ": its poller failed (" + f + "); open a new watch service", f);
        }
        Set<WatchEvent.Kind<?>> fixed = Set.copyOf(kinds);
        // caught up first, and the key made before any other replay: what the log held before register is no
        // event, and nothing published after it is missed
        FamfsWatchKey key = refresher.underCaughtUp(() -> {
            Node n = fs.stat(dir);
            if (!(n instanceof DirNode d)) {
                throw new NotDirectoryException(dir.toString());
            }
            FamfsWatchKey made = keys.compute(d, (node, old) -> {
                if (old != null && old.isValid()) {
                    old.kinds(fixed);
                    return old;
                }
                return new FamfsWatchKey(this, dir, d, fixed);
            });
            if (refresher.isStale()) { // found stale (by a write's check) after the catch-up, perhaps before the key
                made.cancelAndSignal();
                refresher.checkNotStale();
            }
            return made;
        });
        if (closed) { // closed meanwhile: the key may have missed the invalidation
            key.invalidate();
            throw new ClosedWatchServiceException();
        }
        return key;
    }

    /**
     * Whether {@code m} is one of {@code com.sun.nio.file.SensitivityWatchEventModifier}'s constants, which the
     * JDK's watch services accept and ignore (they only tune a polling implementation's period): famfs accepts and
     * ignores them too (its period is {@code refreshInterval}). Matched by class and module name, so that
     * famfs-nio needs no {@code jdk.unsupported}; any other modifier is refused as the JDK refuses it.
     */
    static boolean isSensitivity(WatchEvent.Modifier m) {
        Class<?> c = m.getClass();
        return c.getName().equals("com.sun.nio.file.SensitivityWatchEventModifier")
                && "jdk.unsupported".equals(c.getModule().getName());
    }

    /** From replay (under the follower's lock): {@code node} was added to {@code parent}. */
    void added(DirNode parent, Node node) {
        FamfsWatchKey key = keys.get(parent);
        if (key != null) {
            key.created(FamfsPath.of(fs, false, List.of(node.name())));
        }
    }

    /**
     * The file system was found stale (told by the follower), or the poller failed: every key is
     * cancelled and queued, so that a thread waiting in {@code take} learns of it.
     */
    void cancelAndQueueAll() {
        for (FamfsWatchKey k : keys.values()) {
            k.cancelAndSignal();
        }
    }

    void enqueue(FamfsWatchKey key) {
        ready.offer(key);
    }

    void cancelled(FamfsWatchKey key) {
        keys.remove(key.node(), key);
    }

    private void checkOpen() {
        if (closed) {
            throw new ClosedWatchServiceException();
        }
    }

    private WatchKey delivered(FamfsWatchKey k) {
        if (k == closeMarker) {
            ready.offer(closeMarker);
            throw new ClosedWatchServiceException();
        }
        return k;
    }

    @Override
    public WatchKey poll() {
        checkOpen();
        FamfsWatchKey k = ready.poll();
        return k == null ? null : delivered(k);
    }

    @Override
    public WatchKey poll(long timeout, TimeUnit unit) throws InterruptedException {
        checkOpen();
        FamfsWatchKey k = ready.poll(timeout, unit);
        return k == null ? null : delivered(k);
    }

    @Override
    public WatchKey take() throws InterruptedException {
        checkOpen();
        return delivered(ready.take());
    }

    /**
     * Closes: every key becomes invalid, threads waiting in {@code take} or {@code poll} throw
     * {@link ClosedWatchServiceException}, and the poller stops (this waits for it). Idempotent.
     */
    @Override
    public void close() {
        if (shut()) {
            refresher.closed(this);
        }
        awaitPoller();
    }

    /** Closes this service because its file system closed (after the drain; nothing polls any more). */
    void closeWithFileSystem() {
        shut();
        awaitPoller();
    }

    private boolean shut() {
        synchronized (keys) {
            if (closed) {
                return false;
            }
            closed = true;
        }
        for (FamfsWatchKey k : keys.values()) {
            k.invalidate();
        }
        keys.clear();
        ready.offer(closeMarker);
        if (poller != null) {
            LockSupport.unpark(poller);
        }
        return true;
    }

    private void awaitPoller() {
        if (poller == null || Thread.currentThread() == poller || !poller.isAlive() && poller.getState()
                != Thread.State.NEW) {
            return;
        }
        boolean interrupted = false;
        while (poller.isAlive()) {
            try {
                poller.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The poller: catches up every period until the service or its file system closes. It never ends silently:
     * when the file system is found stale the follower has had the keys cancelled and queued (done again here),
     * and any other Error or Throwable ends it the same way, after it is logged and kept ({@link #failure()}), so
     * that a thread in {@code take} always wakes. IOExceptions and RuntimeExceptions are retried each period
     * (logged once).
     */
    private void pollLoop() {
        boolean warned = false;
        try {
            while (!closed) {
                LockSupport.parkNanos(this, periodNanos);
                if (closed) {
                    break;
                }
                try {
                    refresher.poll();
                } catch (ClosedFileSystemException e) {
                    break;
                } catch (FamfsStaleException e) {
                    cancelAndQueueAll();
                    break;
                } catch (IOException | RuntimeException e) {
                    if (!warned) {
                        warned = true;
                        LOG.log(System.Logger.Level.WARNING, "famfs " + fs.deviceInfo().path() + ": watch poll"
                                + " failed (retried every interval; reported once)", e);
                    }
                }
            }
        } catch (Throwable t) {
            failure = t;
            try {
                LOG.log(System.Logger.Level.ERROR, "famfs " + fs.deviceInfo().path() + ": the watch poller stopped;"
                        + " every key of " + this + " is cancelled and queued", t);
            } finally {
                cancelAndQueueAll();
            }
        }
    }

    /** What stopped the poller other than a close or a stale file system (logged when it happened), or null. */
    Throwable failure() {
        return failure;
    }

    @Override
    public String toString() {
        return "FamfsWatchService[" + fs.deviceInfo().path() + (closed ? ", closed]" : failure != null
                ? ", poller failed]" : ", " + keys.size() + " keys]");
    }
}
