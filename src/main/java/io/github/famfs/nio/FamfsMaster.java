package io.github.famfs.nio;

import io.github.famfs.alloc.Allocator;
import io.github.famfs.format.FormatException;
import io.github.famfs.format.LogEntry;
import io.github.famfs.memory.Device;
import io.github.famfs.meta.LogReplay;
import io.github.famfs.meta.LogWriter;
import java.io.IOException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The master's side of a read-write famfs: appends to the log and allocations, serialised between threads by a
 * lock and between processes of this host by flock(2) on the device, and on the {@code .meta/.log} of any kernel
 * famfs mount of the device (as the reference CLI locks it; mounts are looked up when the file system opens). Before every operation the entries other
 * processes appended are replayed (the same replay as at open), so the namespace and the allocation bitmap are
 * current.
 *
 * <p>A file being written holds a lease: the process keeps the flock from the first unpublished allocation to
 * the last publish, so that no other process can allocate the same units meanwhile (famfs records allocations
 * only in the log). Other processes wait for it; threads of this process do not.
 */
final class FamfsMaster {
    @FunctionalInterface
    interface LogOperation<T> {
        T run() throws IOException;
    }

    private final Device device;
    private final LogReplay replayer;
    private final LogWriter writer;
    private final Allocator allocator;
    private final ReentrantLock lock = new ReentrantLock();
    private final int[] ids;
    private final java.util.List<java.nio.file.Path> mountLogs;
    private final java.util.List<io.github.famfs.memory.KernelMounts.FileLock> mountLocks = new java.util.ArrayList<>();
    private int leases;
    private boolean flocked;

    FamfsMaster(Device device, LogReplay replayer, LogWriter writer, Allocator allocator) throws IOException {
        this.device = device;
        this.replayer = replayer;
        this.writer = writer;
        this.allocator = allocator;
        this.ids = Device.effectiveIds();
        this.mountLogs = io.github.famfs.memory.KernelMounts.logFilesOf(device.info().realPath());
    }

    /** flock(2) on the device and on the .meta/.log of every kernel famfs mount of it (found at open). */
    private void lockFiles() throws IOException {
        device.flock(true);
        try {
            for (java.nio.file.Path log : mountLogs) {
                mountLocks.add(io.github.famfs.memory.KernelMounts.FileLock.exclusive(log,
                        device.lifecycle()::isClosing));
            }
        } catch (IOException e) {
            unlockFiles();
            throw e;
        }
    }

    private void unlockFiles() throws IOException {
        for (io.github.famfs.memory.KernelMounts.FileLock l : mountLocks) {
            l.close();
        }
        mountLocks.clear();
        device.flock(false);
    }

    Allocator allocator() {
        return allocator;
    }

    int defaultUid() {
        return ids[0];
    }

    int defaultGid() {
        return ids[1];
    }

    /**
     * Runs {@code op} holding the log: an entry of the device's lifecycle (so the log stays mapped while it is
     * written), locked, flocked, caught up with other processes' appends. Once the file system is closing it
     * throws {@link java.nio.file.ClosedFileSystemException}.
     */
    <T> T withLog(LogOperation<T> op) throws IOException {
        device.acquire();
        try {
            return withLogLocked(op);
        } finally {
            device.release();
        }
    }

    private <T> T withLogLocked(LogOperation<T> op) throws IOException {
        lock.lock();
        try {
            boolean took = !flocked;
            if (took) {
                lockFiles();
                flocked = true;
            }
            try {
                catchUp();
                return op.run();
            } finally {
                if (took && leases == 0) {
                    flocked = false;
                    unlockFiles();
                }
            }
        } finally {
            lock.unlock();
        }
    }

    /** Appends an entry and replays it; returns its index. Call inside {@link #withLog}. */
    long append(LogEntry entry) throws IOException {
        long index = writer.append(entry);
        catchUp();
        return index;
    }

    /** Takes a lease (see the class comment); pair with {@link #unlease()}. */
    void lease() throws IOException {
        withLog(() -> {
            leases++;
            return null;
        });
    }

    void unlease() {
        lock.lock();
        try {
            if (--leases == 0 && flocked) {
                flocked = false;
                unlockFiles();
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } finally {
            lock.unlock();
        }
    }

    /** Inside {@link #withLog} (which holds the entry). */
    private void catchUp() throws IOException {
        try {
            replayer.catchUp();
        } catch (FormatException e) {
            throw new IOException(device.info().path() + ": the log header became invalid: " + e.getMessage(), e);
        }
        if (replayer.badEntry() >= 0) {
            throw new IOException(device.info().path() + ": log entry " + replayer.badEntry() + " is invalid, so"
                    + " readers stop there; an entry appended after it would never be seen. Refusing to write"
                    + " (see the file store's famfs:problems)");
        }
    }
}
