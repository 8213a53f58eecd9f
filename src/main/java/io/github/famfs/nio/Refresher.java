package io.github.famfs.nio;

import io.github.famfs.memory.Device;
import io.github.famfs.memory.LibraryLog;
import io.github.famfs.meta.DirNode;
import io.github.famfs.meta.Node;
import java.io.IOException;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Keeps one file system's namespace up with the log: {@link FamfsFileSystem#refresh()}, the automatic refresh of
 * a lookup that misses ({@link #onMiss}, at most once per {@code refreshInterval}), and the polls of watch
 * services. Every node that replay adds (a refresh's, or a master's own append) is passed to the open watch
 * services. Catch-ups take turns on the {@link LogFollower}'s lock; each holds an entry of the device's lifecycle.
 */
final class Refresher {

    private final FamfsFileSystem fs;
    private final Device device;
    private final LogFollower follower;
    private final LiveOptions live;
    private final boolean master;
    /** When the namespace last caught up by itself (or was opened): {@link #onMiss} waits an interval after it. */
    private final AtomicLong lastRefresh = new AtomicLong(System.nanoTime());
    private final Set<FamfsWatchService> watchers = new CopyOnWriteArraySet<>();
    /** The paths added by the refresh running now, or null (under the follower's lock). */
    private List<Path> collecting;

    Refresher(FamfsFileSystem fs, Device device, LogFollower follower, LiveOptions live) {
        this.fs = fs;
        this.device = device;
        this.follower = follower;
        this.live = live;
        this.master = fs.isMaster();
        follower.replayer().listen(this::added);
        follower.onStale(this::staleFound);
    }

    /**
     * Told by the follower when it finds the device stale, whoever was catching up (a refresh, a
     * lookup, a poll, a master's write): every watch service's keys are cancelled and queued. Never throws.
     */
    private void staleFound() {
        for (FamfsWatchService w : watchers) {
            try {
                w.cancelAndQueueAll();
            } catch (RuntimeException e) {
                LibraryLog.get().log(System.Logger.Level.WARNING,
                        "famfs " + device.info().path() + ": cannot cancel watch keys",
                        e);
            }
        }
    }

    /** Told by replay, under the follower's lock; never throws (an exception would stop replay midway). */
    private void added(String relpath, DirNode parent, Node node) {
        try {
            List<Path> c = collecting;
            if (c != null) {
                c.add(FamfsPath.parse(fs, "/" + relpath));
            }
            for (FamfsWatchService w : watchers) {
                w.added(parent, node);
            }
        } catch (RuntimeException e) {
            LibraryLog.get().log(System.Logger.Level.WARNING,
                    "famfs " + device.info().path() + ": cannot report " + relpath, e);
        }
    }

    /** Lets the replayed namespace go once the file system's close is complete (see {@link LogFollower#release}). */
    void release() {
        follower.release();
    }

    void checkNotStale() throws FamfsStaleException {
        follower.checkNotStale();
    }

    /** See {@link FamfsFileSystem#refresh()}. */
    FamfsRefresh refresh() throws IOException {
        return locked(() -> {
            follower.checkNotStale();
            long before = follower.replayer().replayed();
            long decodedBefore = follower.replayer().entriesDecoded();
            List<Path> added = new ArrayList<>();
            collecting = added;
            long after;
            try {
                after = follower.catchUp();
            } finally {
                collecting = null;
            }
            lastRefresh.set(System.nanoTime());
            return new FamfsRefresh(before, after, follower.replayer().entriesDecoded() - decodedBefore, added);
        });
    }

    /**
     * A lookup found nothing (or a directory is listed): catches up with the log unless refresh is off, the last
     * catch-up was less than an interval ago, or this thread is inside a log operation of its own (a master's,
     * caught up already). On a master it does not wait for a log operation of another thread (that one catches
     * up).
     *
     * @return whether entries were replayed (the lookup should look again)
     */
    boolean onMiss() throws IOException {
        if (live.refreshOff()) {
            return false;
        }
        ReentrantLock lock = follower.lock();
        if (lock.isHeldByCurrentThread()) {
            return false;
        }
        long now = System.nanoTime();
        long interval = live.refreshNanos();
        if (interval > 0) {
            long last = lastRefresh.get();
            if (now - last < interval || !lastRefresh.compareAndSet(last, now)) {
                return false;
            }
        }
        return catchUpNow(lock);
    }

    /** A watch service's poll: catches up (on a master, unless a log operation runs: that one catches up). */
    void poll() throws IOException {
        catchUpNow(follower.lock());
        lastRefresh.set(System.nanoTime());
    }

    private boolean catchUpNow(ReentrantLock lock) throws IOException {
        device.acquire();
        try {
            if (master) {
                if (!lock.tryLock()) {
                    return false;
                }
            } else {
                lock.lock();
            }
            try {
                long before = follower.replayer().replayed();
                return follower.catchUp() != before;
            } finally {
                lock.unlock();
            }
        } finally {
            device.release();
        }
    }

    /** What runs under the follower's lock. */
    interface Locked<T> {
        T run() throws IOException;
    }

    /** Runs {@code op} holding an entry of the device's lifecycle and the follower's lock (waiting for it). */
    private <T> T locked(Locked<T> op) throws IOException {
        device.acquire();
        try {
            ReentrantLock lock = follower.lock();
            lock.lock();
            try {
                return op.run();
            } finally {
                lock.unlock();
            }
        } finally {
            device.release();
        }
    }

    /**
     * Catches up with the log (whatever {@code refreshInterval} says: even {@code off}) and runs {@code op} under
     * the same hold of the follower's lock, so that no replay runs between the two: a watch registration then
     * sees every entry published before it as already there, and every later one as an event.
     */
    <T> T underCaughtUp(Locked<T> op) throws IOException {
        return locked(() -> {
            follower.catchUp();
            lastRefresh.set(System.nanoTime());
            return op.run();
        });
    }

    /**
     * Checks that the device still holds the famfs opened (superblock, image size, log header, last replayed
     * entry), without replaying: before writes in place hand out a writable channel or map.
     */
    void checkSameFamfs() throws IOException {
        device.acquire();
        try {
            follower.checkSame();
        } finally {
            device.release();
        }
    }

    boolean isStale() {
        return follower.isStale();
    }

    /** A new watch service of this file system, registered with its lifecycle (its poller stops at close). */
    FamfsWatchService newWatchService() {
        long period = live.refreshOff() ? -1 : Math.max(live.refreshNanos(), FamfsWatchService.MIN_POLL_NANOS);
        FamfsWatchService ws = new FamfsWatchService(fs, this, period);
        watchers.add(ws);
        try {
            fs.lifecycle().register(ws, ws::closeWithFileSystem);
        } catch (ClosedFileSystemException e) {
            watchers.remove(ws);
            throw e;
        }
        ws.start();
        return ws;
    }

    void closed(FamfsWatchService ws) {
        watchers.remove(ws);
        fs.lifecycle().unregister(ws);
    }
}
