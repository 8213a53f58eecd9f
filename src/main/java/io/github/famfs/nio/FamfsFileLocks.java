package io.github.famfs.nio;

import io.github.famfs.format.FileMap;
import io.github.famfs.memory.Device;
import io.github.famfs.memory.LockWait;
import io.github.famfs.memory.LibcCalls;
import java.io.IOException;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.FileLockInterruptionException;
import java.nio.channels.OverlappingFileLockException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The byte-range locks of one famfs file system: advisory and host-local, as {@code FileChannel.lock} promises
 * no more. famfs has no locks across hosts (a lock here does not stop another host).
 *
 * <p>Within this JVM the table follows the JDK: a range that overlaps one this JVM holds, or is waiting for, is an
 * {@link OverlappingFileLockException}. Between the processes of this host a published file's range is locked on
 * the device bytes that hold it (fcntl open-file-description locks on the device, one per extent piece, taken in
 * file order), so two processes locking the same famfs file exclude each other, and files never share bytes. The
 * part of a range past the file's allocation has no device bytes and is locked within this JVM only; so is a file
 * still being written, which no other process can open. A blocking lock polls (it never waits inside the kernel),
 * so a close of the channel or the file system ends it with {@link AsynchronousCloseException}, and an interrupt
 * with {@link FileLockInterruptionException}.
 */
final class FamfsFileLocks {
    private final Map<Object, List<Held>> held = new HashMap<>();
    /**
     * Locks in {@link #held}, written under this table's monitor: a channel's close looks through the table only
     * when there is a lock at all (most channels never lock, and their close should not wait for this monitor).
     */
    private volatile int count;

    /** A lock of this table: its file, and the device pieces it holds. */
    private final class Held extends FileLock {
        final Object file;
        final Device device;
        final List<long[]> pieces = new ArrayList<>();
        private boolean valid = true;

        Held(FileChannel ch, Object file, Device device, long position, long size, boolean shared) {
            super(ch, position, size, shared);
            this.file = file;
            this.device = device;
        }

        @Override
        public synchronized boolean isValid() {
            return valid;
        }

        @Override
        public void release() throws IOException {
            if (!channel().isOpen()) {
                throw new ClosedChannelException();
            }
            invalidate();
        }

        /** Drops the device pieces and leaves the table (once). */
        void invalidate() throws IOException {
            List<long[]> taken;
            synchronized (this) {
                if (!valid) {
                    return;
                }
                valid = false;
                taken = new ArrayList<>(pieces);
                pieces.clear();
            }
            try {
                for (long[] p : taken) {
                    device.rangeLock(p[0], p[1], LibcCalls.F_UNLCK);
                }
            } finally {
                remove(this);
            }
        }

        /**
         * Records a device piece just taken; when the lock was invalidated meanwhile (its channel closed), drops
         * the piece again and fails, so that no piece outlives the lock.
         */
        void taken(long[] r) throws IOException {
            synchronized (this) {
                if (valid) {
                    pieces.add(r);
                    return;
                }
            }
            device.rangeLock(r[0], r[1], LibcCalls.F_UNLCK);
            throw new AsynchronousCloseException();
        }
    }

    private synchronized void remove(Held h) {
        List<Held> l = held.get(h.file);
        if (l != null && l.remove(h)) {
            count--;
            if (l.isEmpty()) {
                held.remove(h.file);
            }
        }
    }

    /**
     * Locks {@code [position, position+size)} of a file for {@code ch}.
     *
     * @param file      the file's identity in this JVM (its namespace node, or a pending file's allocation)
     * @param device    the device whose bytes hold the file, or null for a lock within this JVM only
     * @param map       the file's map (with {@code device})
     * @param allocated the bytes the map covers
     * @param wait      false for tryLock: null instead of waiting
     */
    FileLock lock(FileChannel ch, Object file, Device device, FileMap map, long allocated, long position, long size,
            boolean shared, boolean wait) throws IOException {
        Held h = new Held(ch, file, device, position, size, shared);
        synchronized (this) {
            List<Held> l = held.computeIfAbsent(file, k -> new ArrayList<>());
            for (Held o : l) {
                if (o.overlaps(position, size)) {
                    throw new OverlappingFileLockException();
                }
            }
            l.add(h);
            count++;
        }
        boolean done = false;
        try {
            if (!ch.isOpen()) {
                // closed after the caller's check: the close may have looked for this channel's locks before
                // this one was in the table
                throw new AsynchronousCloseException();
            }
            if (device != null && map != null && position < allocated) {
                long end = Math.min(allocated, size > allocated - position ? allocated : position + size);
                List<long[]> ranges = new ArrayList<>();
                map.visit(position, end - position, (fo, devOff, len) -> ranges.add(new long[] {devOff, len}));
                short type = shared ? LibcCalls.F_RDLCK : LibcCalls.F_WRLCK;
                for (long[] r : ranges) {
                    if (!take(ch, device, r, type, wait)) {
                        return null;
                    }
                    h.taken(r);
                }
            }
            if (!h.isValid()) {
                throw new AsynchronousCloseException(); // the channel closed while the lock was being taken
            }
            done = true;
            return h;
        } finally {
            if (!done) {
                h.invalidate();
            }
        }
    }

    /** Takes one device piece, polling while another process holds it (when {@code wait}). */
    private static boolean take(FileChannel ch, Device device, long[] r, short type, boolean wait)
            throws IOException {
        LockWait pause = new LockWait(100_000, 10_000_000);
        while (!device.rangeLock(r[0], r[1], type)) {
            if (!device.isOpen() || !ch.isOpen()) {
                throw new AsynchronousCloseException();
            }
            if (!wait) {
                return false;
            }
            pause.pause();
        }
        return true;
    }

    /** Releases every lock {@code ch} holds (the channel closed, as the JDK releases them). */
    void channelClosed(FileChannel ch) {
        if (count == 0) {
            // a lock that ch takes concurrently is in the table before its taker checks ch.isOpen(): either it
            // counts here, or its taker sees ch closed and drops it (see lock)
            return;
        }
        List<Held> mine = new ArrayList<>();
        synchronized (this) {
            for (List<Held> l : held.values()) {
                for (Held h : l) {
                    if (h.channel() == ch) {
                        mine.add(h);
                    }
                }
            }
        }
        for (Held h : mine) {
            try {
                h.invalidate();
            } catch (IOException ignored) {
                // the device is closing: its descriptor's locks go with it
            }
        }
    }
}
