package io.github.famfs.meta;

import io.github.famfs.format.Layout;
import io.github.famfs.format.LogEntry;
import io.github.famfs.format.LogFullException;
import io.github.famfs.format.LogHeader;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Appends entries to a famfs log in the order that keeps it valid at every instant: the entry is built zeroed
 * with its seqnum and CRC, written to the free slot, fenced, and only then are the header's counters bumped.
 * A crash at any point leaves either the old log or the log with the new entry. Callers serialise appends
 * (between threads and, through flock, between processes), and hold an entry of the device's lifecycle while
 * they call it (the log is the device mapping; {@code FamfsMaster.withLog} does both).
 */
public final class LogWriter {
    private final ByteBuffer log;
    private final CacheMaintenance caches;

    /** @param log the device's log bytes, writable */
    public LogWriter(ByteBuffer log) {
        this(log, CacheMaintenance.FENCES);
    }

    /**
     * @param log    the device's log bytes, writable
     * @param caches written back after each write: the entry, then the header (famfs-format.md §8.2, §8.3)
     */
    public LogWriter(ByteBuffer log, CacheMaintenance caches) {
        this.log = log.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.caches = caches;
    }

    /** Free slots left. */
    public long freeSlots() {
        LogHeader h = LogHeader.decode(log);
        return Math.max(0, h.lastIndex() + 1 - h.nextIndex());
    }

    /**
     * Appends {@code entry} (its seqnum is replaced by the slot's index).
     *
     * @return the slot index
     * @throws LogFullException when no slot is left
     */
    public long append(LogEntry entry) throws LogFullException {
        LogHeader h = LogHeader.decode(log);
        long index = h.nextIndex();
        if (index > h.lastIndex() || index < 0) {
            throw new LogFullException("log full: all " + h.capacity() + " slots are used (every file and"
                    + " directory takes one; a larger log needs a new file system, e.g. logLength=16M)");
        }
        ByteBuffer e = entry.encode(index);
        int at = (int) (Layout.LOG_HEADER_SIZE + Layout.ENTRY_SIZE * index);
        log.put(at, e, 0, Layout.ENTRY_SIZE);
        VarHandle.fullFence();
        caches.flush(log, at, Layout.ENTRY_SIZE);
        log.putLong(32, index + 1);
        log.putLong(40, index + 1);
        VarHandle.fullFence();
        caches.flush(log, 0, Layout.LOG_HEADER_SIZE);
        return index;
    }
}
