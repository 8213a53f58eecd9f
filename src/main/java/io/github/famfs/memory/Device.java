package io.github.famfs.memory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

/**
 * An open famfs device or image: one file descriptor and one mapping of the whole device, made once at open
 * (aligned to the device's alignment) and sliced for every access. Nothing calls read(2) or write(2) on it.
 *
 * <p>Access to the mapping is bracketed by {@link #acquire()}/{@link #release()}; {@link #close()} waits for
 * the accesses in flight, then unmaps, so no thread can touch memory that is gone. A read-only device is
 * mapped PROT_READ and its windows are read-only buffers, so a stray write is an exception, not a crash.
 */
public final class Device implements Closeable {
    private static final int WINDOW_SHIFT = 30;
    private static final long WINDOW = 1L << WINDOW_SHIFT;

    private final DeviceInfo info;
    private final boolean writable;
    private final int fd;
    private final long base;
    private final long mappedLength;
    private final AtomicReferenceArray<ByteBuffer> windows;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean closed;
    private java.nio.channels.FileChannel imageChannel;

    private Device(DeviceInfo info, boolean writable, int fd, long base, long mappedLength) {
        this.info = info;
        this.writable = writable;
        this.fd = fd;
        this.base = base;
        this.mappedLength = mappedLength;
        this.windows = new AtomicReferenceArray<>((int) ((info.size() + WINDOW - 1) >>> WINDOW_SHIFT));
    }

    /** Opens and maps the whole device, read-only or read-write. */
    public static Device open(DeviceInfo info, boolean writable) throws IOException {
        if (info.size() <= 0) {
            throw new IOException(info.path() + " is empty (size " + info.size() + "): not a famfs device or image");
        }
        LibC c = Native.libc();
        int fd = c.open(Native.cString(info.realPath()), (writable ? LibC.O_RDWR : LibC.O_RDONLY) | LibC.O_CLOEXEC,
                0);
        if (fd < 0) {
            throw Native.error("open", info.path());
        }
        try {
            long length = AddressSpace.roundUp(info.size(),
                    info.isDaxDevice() ? info.alignment() : AddressSpace.PAGE);
            long base = AddressSpace.reserve(length, info.alignment());
            try {
                AddressSpace.mapFixed(base, length, writable, fd, 0, info.path());
            } catch (IOException e) {
                AddressSpace.unmap(base, length);
                throw e;
            }
            if (!info.isDaxDevice()) {
                AddressSpace.adviseHugePages(base, length);
            }
            return new Device(info, writable, fd, base, length);
        } catch (IOException | RuntimeException e) {
            c.close(fd);
            throw e;
        }
    }

    public DeviceInfo info() {
        return info;
    }

    public long size() {
        return info.size();
    }

    public boolean isWritable() {
        return writable;
    }

    /** The file descriptor (for flock and per-file mappings); valid until {@link #close()}. */
    public int fd() {
        return fd;
    }

    /**
     * flock(2) on the device's descriptor: {@code exclusive} takes LOCK_EX (blocking), else LOCK_UN. It excludes
     * other processes of this host (the reference CLI takes the same lock on its log file); it is advisory.
     */
    public void flock(boolean exclusive) throws IOException {
        if (Native.libc().flock(fd, exclusive ? LibC.LOCK_EX : LibC.LOCK_UN) != 0) {
            throw Native.error("flock", info.path());
        }
    }

    /** This process's effective user and group ids. */
    public static int[] effectiveIds() throws IOException {
        LibC c = Native.libc();
        return new int[] {c.geteuid(), c.getegid()};
    }

    /** Begins an access to the mapping; fails once the device is closed. Pair with {@link #release()}. */
    public void acquire() throws DeviceClosedException {
        inFlight.incrementAndGet();
        if (closed) {
            release();
            throw new DeviceClosedException(info.path().toString());
        }
    }

    public void release() {
        inFlight.decrementAndGet();
    }

    public boolean isOpen() {
        return !closed;
    }

    /**
     * A little-endian buffer over device bytes {@code [offset, offset+length)} (a slice of a cached window, or a
     * new buffer when the range crosses windows). Valid only while the caller holds an access.
     */
    public ByteBuffer slice(long offset, int length) {
        checkRange(offset, length);
        ByteBuffer w = window(offset);
        int at = (int) (offset & (WINDOW - 1));
        if (at + (long) length > w.capacity()) {
            ByteBuffer b = Native.buffer(base + offset, length);
            return (writable ? b : b.asReadOnlyBuffer()).order(ByteOrder.LITTLE_ENDIAN);
        }
        return w.slice(at, length).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Copies {@code length} device bytes at {@code offset} into {@code dst} at its position, advancing it.
     * Valid only while the caller holds an access.
     */
    public void copyTo(long offset, ByteBuffer dst, int length) {
        forEachWindow(offset, length, (w, at, n) -> {
            dst.put(dst.position(), w, at, n);
            dst.position(dst.position() + n);
        });
    }

    /** A piece of a device range that lies in one window: {@code n} bytes at {@code at} of window {@code w}. */
    private interface WindowPiece {
        void accept(ByteBuffer w, int at, int n);
    }

    private void forEachWindow(long offset, int length, WindowPiece piece) {
        checkRange(offset, length);
        long off = offset;
        int remaining = length;
        while (remaining > 0) {
            ByteBuffer w = window(off);
            int at = (int) (off & (WINDOW - 1));
            int n = (int) Math.min(remaining, w.capacity() - at);
            piece.accept(w, at, n);
            off += n;
            remaining -= n;
        }
    }

    /**
     * Whether bulk writes may go through the file instead of the mapping: true for an image file opened for
     * writing (the kernel's write path fills page-cache pages without zeroing them first, and the mapping shares
     * those pages), false for a DAX device, which refuses write(2).
     */
    public boolean writesThroughFile() {
        return writable && !info.isDaxDevice();
    }

    /**
     * Writes {@code src} (from its position, advancing it) to image bytes at {@code offset} with pwrite(2).
     * Only where {@link #writesThroughFile()}.
     */
    public void writeThroughFile(ByteBuffer src, long offset) throws IOException {
        checkRange(offset, src.remaining());
        java.nio.channels.FileChannel ch = imageChannel();
        long at = offset;
        while (src.hasRemaining()) {
            at += ch.write(src, at);
        }
    }

    /**
     * Copies {@code length} bytes of {@code source} from {@code sourcePosition} to image bytes at {@code offset}
     * inside the kernel (no user-space copy). Only where {@link #writesThroughFile()}.
     *
     * @return bytes copied (fewer at the end of the source)
     */
    public long transferThroughFile(java.nio.channels.FileChannel source, long sourcePosition, long offset,
            long length) throws IOException {
        checkRange(offset, length);
        java.nio.channels.FileChannel ch = imageChannel();
        long done = 0;
        synchronized (ch) {
            while (done < length) {
                ch.position(offset + done);
                long n = source.transferTo(sourcePosition + done, length - done, ch);
                if (n <= 0) {
                    break;
                }
                done += n;
            }
        }
        return done;
    }

    private synchronized java.nio.channels.FileChannel imageChannel() throws IOException {
        if (imageChannel == null) {
            imageChannel = java.nio.channels.FileChannel.open(info.realPath(), java.nio.file.StandardOpenOption.READ,
                    java.nio.file.StandardOpenOption.WRITE);
        }
        return imageChannel;
    }

    /**
     * Prepares device bytes {@code [offset, offset+length)} of an image file for writing: its pages are
     * allocated and mapped in one call (MADV_POPULATE_WRITE) instead of one page fault per 4 KiB page on first
     * touch. DAX memory needs no page allocation, and an older kernel's refusal is no error: both do nothing.
     */
    public void prefault(long offset, long length) {
        if (info.isDaxDevice() || !writable || length <= 0) {
            return;
        }
        checkRange(offset, length);
        long start = offset & -AddressSpace.PAGE;
        try {
            Native.libc().madvise(Native.pointer(base + start), offset + length - start, LibC.MADV_POPULATE_WRITE);
        } catch (IOException ignored) {
            // advice only
        }
    }

    /** Copies device bytes {@code [from, from+length)} to {@code [to, to+length)} (ranges must not overlap). */
    public void copyWithin(long from, long to, long length) {
        long done = 0;
        while (done < length) {
            int n = (int) Math.min(length - done, 1 << 26);
            copyFrom(slice(from + done, n), to + done, n);
            done += n;
        }
    }

    /** Copies {@code src} (from its position, advancing it) into the device at {@code offset}. */
    public void copyFrom(ByteBuffer src, long offset, int length) {
        if (!writable) {
            throw new IllegalStateException("device " + info.path() + " is mapped read-only");
        }
        forEachWindow(offset, length, (w, at, n) -> {
            w.put(at, src, src.position(), n);
            src.position(src.position() + n);
        });
    }

    /**
     * Writes device bytes {@code [offset, offset+length)} back to an image file's storage (msync). DAX devices
     * have no page cache and refuse msync, so there it does nothing.
     */
    public void sync(long offset, long length) throws IOException {
        checkRange(offset, length);
        if (info.isDaxDevice() || !writable || length == 0) {
            return;
        }
        long start = offset & -AddressSpace.PAGE;
        if (Native.libc().msync(Native.pointer(base + start), offset + length - start, LibC.MS_SYNC) != 0) {
            throw Native.error("msync", info.path());
        }
    }

    private void checkRange(long offset, long length) {
        if (offset < 0 || length < 0 || offset > info.size() - length) {
            throw new IndexOutOfBoundsException("device range [" + offset + ", " + (offset + length)
                    + ") is outside the " + info.size() + "-byte device " + info.path());
        }
    }

    private ByteBuffer window(long offset) {
        int i = (int) (offset >>> WINDOW_SHIFT);
        ByteBuffer w = windows.get(i);
        if (w == null) {
            long start = (long) i << WINDOW_SHIFT;
            int len = (int) Math.min(WINDOW, info.size() - start);
            ByteBuffer b = Native.buffer(base + start, len);
            w = writable ? b : b.asReadOnlyBuffer();
            if (!windows.compareAndSet(i, null, w)) {
                w = windows.get(i);
            }
        }
        return w;
    }

    /** Waits for accesses in flight, then unmaps and closes the descriptor. Idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        while (inFlight.get() > 0) {
            LockSupport.parkNanos(10_000);
        }
        AddressSpace.unmap(base, mappedLength);
        try {
            if (imageChannel != null) {
                imageChannel.close();
            }
            Native.libc().close(fd);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "Device[" + info.path() + ", " + info.kind() + ", " + info.size() + " bytes"
                + (writable ? ", read-write" : ", read-only") + "]";
    }
}
