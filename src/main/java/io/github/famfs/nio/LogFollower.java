package io.github.famfs.nio;

import io.github.famfs.format.FormatException;
import io.github.famfs.format.Layout;
import io.github.famfs.format.LogHeader;
import io.github.famfs.format.Superblock;
import io.github.famfs.memory.Device;
import io.github.famfs.meta.LogReplay;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Follows the log of one open famfs: replays what was appended since the last catch-up (by this process or any
 * other), after checking that the device still holds the famfs that was opened. A changed superblock, log
 * counters that went backwards, or an already replayed entry that changed mean another process reformatted (or
 * rewrote) the device: that is recorded once and thrown by every later call ({@link FamfsStaleException}).
 *
 * <p>One lock serialises catch-ups (and, on a master, every log operation: {@link FamfsMaster} uses it as its
 * lock). The checks of the device take a small lock of their own ({@link #state}), so that the check before a
 * write in place ({@link #checkSame()}) never waits for a master's log operation, which may wait for another
 * process. Callers hold an entry of the device's lifecycle.
 */
final class LogFollower {
    private final Device device;
    /** Dropped by {@link #release} once the file system is closed (nothing enters its lifecycle then). */
    private volatile LogReplay replayer;
    private final ReentrantLock lock = new ReentrantLock();
    /** Guards the buffers, the counters and the last entry below, and the recording of {@link #stale}. */
    private final Object state = new Object();
    /** The superblock as it was when the file system opened: a change means another process reformatted. */
    private final Superblock superblock;
    private final ByteBuffer superblockBytes = ByteBuffer.allocate(Layout.SUPERBLOCK_SIZE);
    private final ByteBuffer scratch = ByteBuffer.allocate(Layout.SUPERBLOCK_SIZE);
    /** The last replayed entry as it was replayed: entries before next_index are never rewritten. */
    private final ByteBuffer lastEntry = ByteBuffer.allocate(Layout.ENTRY_SIZE);
    private final ByteBuffer entryNow = ByteBuffer.allocate(Layout.ENTRY_SIZE);
    private long lastEntryIndex = -1;
    /** The log header counters last seen: they only ever grow, unless the log was rewritten under us. */
    private long seenNextIndex;
    private long seenNextSeqnum;
    /** Set once the device was found reformatted (or its log rewound): every later call fails with it. */
    private volatile FamfsStaleException stale;
    /** Told once, under {@link #lock()}, when {@link #stale} is set (the watch services cancel their keys). */
    private Runnable onStale = () -> { };

    /** Call with an entry of the device's lifecycle held, right after the replay of the open. */
    LogFollower(Device device, LogReplay replayer) {
        this.device = device;
        this.replayer = replayer;
        device.invalidateCaches(0, Layout.SUPERBLOCK_SIZE);
        device.copyTo(0, superblockBytes, Layout.SUPERBLOCK_SIZE);
        superblockBytes.flip();
        this.superblock = Superblock.decode(superblockBytes);
        LogHeader h = readHeader();
        this.seenNextIndex = h.nextIndex();
        this.seenNextSeqnum = h.nextSeqnum();
        rememberLastEntry();
    }

    ReentrantLock lock() {
        return lock;
    }

    /** Sets what is told (once; it must not throw, nor take the follower's lock) when the device is found stale. */
    void onStale(Runnable r) {
        onStale = r;
    }

    LogReplay replayer() {
        return replayer;
    }

    /** Lets the replayer, and through it the namespace, go: called once the file system's close is complete. */
    void release() {
        replayer = null;
    }

    /** Throws the recorded {@link FamfsStaleException} (a new one, with this call's stack) once there is one. */
    void checkNotStale() throws FamfsStaleException {
        FamfsStaleException s = stale;
        if (s != null) {
            throw s.again();
        }
    }

    boolean isStale() {
        return stale != null;
    }

    /** The superblock's bytes now, in {@link #scratch}. */
    private ByteBuffer readSuperblockBytes() {
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

    private ByteBuffer readEntry(long index, ByteBuffer into) {
        into.clear();
        long at = Layout.LOG_OFFSET + Layout.LOG_HEADER_SIZE + Layout.ENTRY_SIZE * index;
        device.invalidateCaches(at, Layout.ENTRY_SIZE);
        device.copyTo(at, into, Layout.ENTRY_SIZE);
        return into.flip();
    }

    private void rememberLastEntry() {
        synchronized (state) {
            long n = replayer.replayed();
            lastEntryIndex = n - 1;
            if (n > 0) {
                readEntry(n - 1, lastEntry);
            }
        }
    }

    /**
     * Fails (now and for every later call) when the device no longer holds the famfs this file system opened: a
     * changed superblock, log counters that went backwards, or a replayed entry rewritten. Replaying then would
     * mix another famfs into the namespace served.
     */
    private void checkSameFamfs() throws IOException {
        synchronized (state) {
            checkSameFamfsLocked();
        }
    }

    private void checkSameFamfsLocked() throws IOException {
        checkNotStale();
        long backed = device.backedBytes();
        if (backed < device.size()) {
            throw stale("was truncated by another process since this file system opened: its image file holds "
                    + backed + " bytes, the famfs opened on it " + device.size(), null);
        }
        String what = null;
        if (!readSuperblockBytes().equals(superblockBytes.rewind())) {
            Superblock now = Superblock.decode(scratch);
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
        if (what == null && lastEntryIndex >= 0 && !readEntry(lastEntryIndex, entryNow).equals(lastEntry.rewind())) {
            what = "its log was rewritten (entry " + lastEntryIndex + ", already replayed, changed)";
        }
        if (what != null) {
            throw stale("was reformatted by another process since this file system opened: " + what, null);
        }
        seenNextIndex = h.nextIndex();
        seenNextSeqnum = h.nextSeqnum();
    }

    /**
     * Under {@link #lock()} and an entry: checks that the famfs is the one opened, then replays what was appended
     * since. After the replay the superblock is checked again, so that a reformat that raced the replay is
     * reported too (the namespace is then never served again).
     *
     * @return entries replayed in all
     */
    long catchUp() throws IOException {
        try {
            checkSameFamfs();
            long n;
            try {
                n = replayer.catchUp();
            } catch (FormatException e) {
                throw new IOException(device.info().path() + ": the log header became invalid: " + e.getMessage(), e);
            }
            checkSameFamfs();
            rememberLastEntry();
            return n;
        } catch (InternalError e) {
            throw faulted(e);
        }
    }

    /**
     * Under an entry (the follower's lock not needed): checks that the device still holds the famfs opened (as a
     * catch-up does first), without replaying; for writes in place, whose bytes must never go into another famfs.
     */
    void checkSame() throws IOException {
        try {
            checkSameFamfs();
        } catch (InternalError e) {
            throw faulted(e);
        }
    }

    /**
     * Records and returns the staleness {@code why} (the first one recorded wins), telling {@link #onStale}
     * (under {@link #state}, perhaps not under {@link #lock()}).
     */
    private FamfsStaleException stale(String why, Throwable cause) {
        synchronized (state) {
            if (stale != null) {
                return stale.again();
            }
            FamfsStaleException e = new FamfsStaleException(device.info().path().toString(), why
                    + "; nothing more is served from it or written through it: reopen it");
            if (cause != null) {
                e.initCause(cause);
            }
            stale = e;
            onStale.run();
            return e;
        }
    }

    /**
     * A read of the metadata through the mapping faulted: the JVM turns the SIGBUS of a mapped page that nothing
     * backs any more (an image file truncated between the size check and the read, a device memory error) into
     * an InternalError, from the copy itself or (JDK 17, compiled code) at a later safepoint of the same thread.
     * Only that error is caught, and only around these reads: the namespace may be half-replayed, so the file
     * system is stale from then on. Any other InternalError is a JVM bug and is rethrown.
     */
    private FamfsStaleException faulted(InternalError e) {
        String m = e.getMessage();
        if (m == null || !m.startsWith("a fault occurred in")) {
            throw e;
        }
        String size;
        try {
            size = "its image file holds " + device.backedBytes() + " bytes, the famfs opened on it "
                    + device.size();
        } catch (IOException | RuntimeException again) {
            size = "its size cannot be read: " + again;
        }
        return stale("faulted while its metadata was read (memory no longer backed: truncated by another"
                + " process, or a device error; " + size + ")", e);
    }

    /** Whether the log holds entries not replayed yet (one header read; no entry is decoded). */
    boolean behind() {
        synchronized (state) {
            return Long.compareUnsigned(readHeader().nextIndex(), replayer.replayed()) > 0;
        }
    }
}
