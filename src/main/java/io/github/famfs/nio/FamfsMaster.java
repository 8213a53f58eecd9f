package io.github.famfs.nio;

import io.github.famfs.alloc.Allocator;
import io.github.famfs.format.FormatException;
import io.github.famfs.format.Layout;
import io.github.famfs.format.LogHeader;
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
    /** The process's umask when the file system opened: applied to the modes of what it creates. */
    private final int umask;
    private final java.util.List<java.nio.file.Path> mountLogs;
    private final java.util.List<io.github.famfs.memory.KernelMounts.FileLock> mountLocks = new java.util.ArrayList<>();
    private int leases;
    private boolean flocked;
    /** The superblock as it was when this file system opened: a change means another process reformatted. */
    private final io.github.famfs.format.Superblock superblock;
    private final java.nio.ByteBuffer superblockBytes = java.nio.ByteBuffer.allocate(Layout.SUPERBLOCK_SIZE);
    private final java.nio.ByteBuffer scratch = java.nio.ByteBuffer.allocate(Layout.SUPERBLOCK_SIZE);
    /** The log header counters last seen: they only ever grow, unless the log was rewritten under us. */
    private long seenNextIndex;
    private long seenNextSeqnum;
    /** Set once the device was found reformatted (or its log rewound): every later operation fails with it. */
    private volatile IOException reformatted;
    /** Names of files being made (not yet published), so that no second create of one succeeds meanwhile. */
    private final java.util.concurrent.ConcurrentHashMap<String, Reservation> reserved =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** A name held by a file being made; {@link #release} is idempotent and frees only this reservation. */
    final class Reservation {
        private final String relpath;

        private Reservation(String relpath) {
            this.relpath = relpath;
        }

        void release() {
            reserved.remove(relpath, this);
        }
    }

    FamfsMaster(Device device, LogReplay replayer, LogWriter writer, Allocator allocator) throws IOException {
        this.device = device;
        this.replayer = replayer;
        this.writer = writer;
        this.allocator = allocator;
        this.free = allocator.freeBytes();
        this.ids = Device.effectiveIds();
        this.umask = Device.umask();
        this.mountLogs = io.github.famfs.memory.KernelMounts.logFilesOf(device.info().realPath());
        device.acquire();
        try {
            device.invalidateCaches(0, Layout.SUPERBLOCK_SIZE);
            device.copyTo(0, superblockBytes, Layout.SUPERBLOCK_SIZE);
            superblockBytes.flip();
            this.superblock = io.github.famfs.format.Superblock.decode(superblockBytes);
            LogHeader h = readHeader();
            this.seenNextIndex = h.nextIndex();
            this.seenNextSeqnum = h.nextSeqnum();
        } finally {
            device.release();
        }
    }

    /** The superblock's bytes now, in {@link #scratch}. */
    private java.nio.ByteBuffer readSuperblockBytes() {
        scratch.clear();
        device.invalidateCaches(0, Layout.SUPERBLOCK_SIZE);
        device.copyTo(0, scratch, Layout.SUPERBLOCK_SIZE);
        return scratch.flip();
    }

    private LogHeader readHeader() {
        scratch.clear();
        device.invalidateCaches(Layout.LOG_OFFSET, Layout.LOG_HEADER_SIZE);
        device.copyTo(Layout.LOG_OFFSET, scratch, Layout.LOG_HEADER_SIZE);
        return LogHeader.decode(scratch.flip());
    }

    /**
     * Reserves {@code relpath} for a file being made. Call inside {@link #withLog}, after checking the namespace,
     * so that the check and the reservation are one step for every thread of this file system.
     */
    Reservation reserve(String relpath, FamfsPath path) throws java.nio.file.FileAlreadyExistsException {
        Reservation r = new Reservation(relpath);
        if (reserved.putIfAbsent(relpath, r) != null) {
            throw beingMade(path);
        }
        return r;
    }

    /**
     * {@link #reserve}s {@code relpath} and takes a lease (see the class comment) in the same step: call inside
     * {@link #withLog}, after checking the namespace, so that the flock taken for the check is kept until the file
     * is published or given up. No other process can then check or make the same name in between (CREATE_NEW is
     * atomic between processes as between threads). Pair with {@link #unlease()} and {@link Reservation#release()}.
     */
    Reservation reserveAndLease(String relpath, FamfsPath path) throws java.nio.file.FileAlreadyExistsException {
        Reservation r = reserve(relpath, path);
        leases++;
        return r;
    }

    /** Refuses a name that a file being made holds. Call inside {@link #withLog}. */
    void checkNotReserved(String relpath, FamfsPath path) throws java.nio.file.FileAlreadyExistsException {
        if (reserved.containsKey(relpath)) {
            throw beingMade(path);
        }
    }

    private static java.nio.file.FileAlreadyExistsException beingMade(FamfsPath path) {
        return new java.nio.file.FileAlreadyExistsException(path.toString(), null, "a file of that name is being"
                + " made by another channel or stream and is published when it closes (famfs cannot share an"
                + " unpublished file)");
    }

    /** flock(2) on the device and on the .meta/.log of every kernel famfs mount of it (found at open). */
    private void lockFiles() throws IOException {
        device.flock(true);
        try {
            for (java.nio.file.Path log : mountLogs) {
                mountLocks.add(io.github.famfs.memory.KernelMounts.FileLock.exclusive(log,
                        device.lifecycle()::isClosing));
            }
        } catch (IOException | RuntimeException e) {
            // an interrupt, or the file system closing (ClosedFileSystemException): give back what was taken
            try {
                unlockFiles();
            } catch (IOException | RuntimeException u) {
                e.addSuppressed(u);
            }
            throw e;
        }
    }

    /**
     * The last step of the file system's close (nothing runs inside {@link #withLog} any more): releases and
     * closes every mount lock still held, which a lease of a file left unpublished would otherwise keep for the
     * life of the process (each has a descriptor of its own; the device's flock goes with the device's
     * descriptor).
     */
    void closeLocks() {
        lock.lock();
        try {
            RuntimeException failure = null;
            for (io.github.famfs.memory.KernelMounts.FileLock l : mountLocks) {
                try {
                    l.close();
                } catch (IOException | RuntimeException e) {
                    RuntimeException r = new IllegalStateException("cannot release " + l + ": " + e.getMessage(), e);
                    if (failure == null) {
                        failure = r;
                    } else {
                        failure.addSuppressed(r);
                    }
                }
            }
            mountLocks.clear();
            flocked = false;
            leases = 0;
            if (failure != null) {
                throw failure;
            }
        } finally {
            lock.unlock();
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

    /** Unused space an unpublished file holds and can give back: its allocation beyond what it needs. */
    interface Slack {
        /** Under the log lock: gives back the unneeded tail of the allocation; returns the bytes given back. */
        long trim(Allocator allocator);
    }

    /** Unpublished files of this file system that grow as data arrives (their allocations may hold slack). */
    private final java.util.Set<Slack> growing = java.util.concurrent.ConcurrentHashMap.newKeySet();

    void growing(Slack s) {
        growing.add(s);
    }

    void notGrowing(Slack s) {
        growing.remove(s);
    }

    /**
     * Inside {@link #withLog}: gives back the slack of every growing unpublished file (a growing file doubles its
     * allocation, and the rest is held until it is published), so that an allocation that failed can be tried
     * again. Returns the bytes given back.
     */
    long trimSlack() {
        long freed = 0;
        for (Slack s : growing) {
            freed += s.trim(allocator);
        }
        return freed;
    }

    /** An allocation (inside {@link #withLog}). */
    @FunctionalInterface
    interface AllocOp<T> {
        T run() throws io.github.famfs.format.OutOfSpaceException;
    }

    /**
     * Inside {@link #withLog}: runs {@code op}; when it finds no space, gives back the slack of growing files
     * ({@link #trimSlack}) and, if that freed anything, runs it once more.
     */
    <T> T allocate(AllocOp<T> op) throws io.github.famfs.format.OutOfSpaceException {
        try {
            return op.run();
        } catch (io.github.famfs.format.OutOfSpaceException full) {
            if (trimSlack() == 0) {
                throw full;
            }
            return op.run();
        }
    }

    /** Free bytes as the allocator saw them at the end of the last log operation or discard. */
    private volatile long free;

    /**
     * The bytes the allocator can hand out now: read under the lock when no operation runs, else as the last one
     * left them (never waiting for another process's flock).
     */
    long freeBytes() {
        if (lock.tryLock()) {
            try {
                free = allocator.freeBytes();
            } finally {
                lock.unlock();
            }
        }
        return free;
    }

    int defaultUid() {
        return ids[0];
    }

    int umask() {
        return umask;
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
            checkNotReformatted();
            boolean took = !flocked;
            if (took) {
                lockFiles();
                flocked = true;
            }
            try {
                catchUp();
                return op.run();
            } finally {
                free = allocator.freeBytes();
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

    void unlease() {
        lock.lock();
        try {
            free = allocator.freeBytes();
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

    private void checkNotReformatted() throws IOException {
        IOException r = reformatted;
        if (r != null) {
            throw new IOException(r.getMessage(), r);
        }
    }

    /**
     * Under the flock: fails (now and for every later call) when the device no longer holds the famfs this file
     * system opened: a changed superblock, or log counters that went backwards. Appending then would write
     * against a namespace that no longer exists.
     */
    private void checkSameFamfs() throws IOException {
        checkNotReformatted();
        String what = null;
        if (!readSuperblockBytes().equals(superblockBytes.rewind())) {
            io.github.famfs.format.Superblock now = io.github.famfs.format.Superblock.decode(scratch);
            what = "its superblock changed (file system uuid " + superblock.uuid() + " is now " + now.uuid()
                    + ", log " + superblock.logLen() + " bytes at " + superblock.logOffset() + " is now "
                    + now.logLen() + " at " + now.logOffset() + ", device size " + superblock.deviceSize()
                    + " is now " + now.deviceSize() + ")";
        }
        LogHeader h = readHeader();
        if (what == null && (Long.compareUnsigned(h.nextIndex(), seenNextIndex) < 0
                || Long.compareUnsigned(h.nextSeqnum(), seenNextSeqnum) < 0
                || Long.compareUnsigned(h.nextIndex(), replayer.replayed()) < 0)) {
            what = "its log went backwards (next index " + Long.toUnsignedString(seenNextIndex) + " is now "
                    + Long.toUnsignedString(h.nextIndex()) + ", next seqnum " + Long.toUnsignedString(seenNextSeqnum)
                    + " is now " + Long.toUnsignedString(h.nextSeqnum()) + ")";
        }
        if (what != null) {
            IOException e = new IOException(device.info().path() + " was reformatted by another process since this"
                    + " file system opened: " + what + "; nothing more is written through it: reopen it");
            reformatted = e;
            throw e;
        }
        seenNextIndex = h.nextIndex();
        seenNextSeqnum = h.nextSeqnum();
    }

    /** Inside {@link #withLog} (which holds the entry). */
    private void catchUp() throws IOException {
        try {
            checkSameFamfs();
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
