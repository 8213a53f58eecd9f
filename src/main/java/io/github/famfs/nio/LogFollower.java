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
 * lock). Callers hold an entry of the device's lifecycle.
 */
final class LogFollower {
    private final Device device;
    /** Dropped by {@link #release} once the file system is closed (nothing enters its lifecycle then). */
    private volatile LogReplay replayer;
    private final ReentrantLock lock = new ReentrantLock();
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
        long n = replayer.replayed();
        lastEntryIndex = n - 1;
        if (n > 0) {
            readEntry(n - 1, lastEntry);
        }
    }

    /**
     * Fails (now and for every later call) when the device no longer holds the famfs this file system opened: a
     * changed superblock, log counters that went backwards, or a replayed entry rewritten. Replaying then would
     * mix another famfs into the namespace served.
     */
    private void checkSameFamfs() throws FamfsStaleException {
        checkNotStale();
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
            FamfsStaleException e = new FamfsStaleException(device.info().path().toString(), "was reformatted by"
                    + " another process since this file system opened: " + what + "; nothing more is served from"
                    + " it or written through it: reopen it");
            stale = e;
            throw e;
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
    }

    /** Whether the log holds entries not replayed yet (one header read; no entry is decoded). */
    boolean behind() {
        return Long.compareUnsigned(readHeader().nextIndex(), replayer.replayed()) > 0;
    }
}
