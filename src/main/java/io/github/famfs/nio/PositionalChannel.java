package io.github.famfs.nio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.util.Objects;

/**
 * What famfs channels share: a position, and the relative, scattering and gathering reads and writes built on
 * positional ones. Subclasses say how to read and write at a position.
 */
abstract class PositionalChannel extends FileChannel {
    private final Object positionLock = new Object();
    private long position;

    /** Throws ClosedChannelException (or a subclass's reason) when the channel cannot be used. */
    abstract void ensureOpen() throws IOException;

    /**
     * Reads into {@code dst} at file position {@code pos}: bytes read, or -1 at the end. Checks first, even for an
     * empty buffer, that the channel is open and readable.
     */
    abstract int readAt(ByteBuffer dst, long pos) throws IOException;

    /**
     * Writes all of {@code src} at file position {@code pos}; returns the bytes written. Checks first, even for an
     * empty buffer, that the channel is open and writable.
     */
    abstract int writeAt(ByteBuffer src, long pos) throws IOException;

    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    /** ClosedChannelException or NonReadableChannelException as FileChannel has them, whatever the buffers. */
    private void checkReadable() throws IOException {
        readAt(EMPTY.duplicate(), 0);
    }

    private void checkWritable() throws IOException {
        writeAt(EMPTY.duplicate(), 0);
    }

    private static void checkDestination(ByteBuffer dst) {
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("Read-only buffer");
        }
    }

    /** Called before a gathering write of {@code total} bytes at {@code pos} (to refuse it whole). */
    void beforeGather(long pos, long total) throws IOException {}

    @Override
    public int read(ByteBuffer dst) throws IOException {
        Objects.requireNonNull(dst, "dst");
        checkReadable();
        checkDestination(dst);
        synchronized (positionLock) {
            int n = readAt(dst, position);
            if (n > 0) {
                position += n;
            }
            return n;
        }
    }

    @Override
    public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, dsts.length);
        checkReadable();
        for (int i = offset; i < offset + length; i++) {
            checkDestination(dsts[i]);
        }
        synchronized (positionLock) {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                if (!dsts[i].hasRemaining()) {
                    continue;
                }
                int n = readAt(dsts[i], position);
                if (n < 0) {
                    return total == 0 ? -1 : total;
                }
                position += n;
                total += n;
                if (dsts[i].hasRemaining()) {
                    break;
                }
            }
            return total;
        }
    }

    @Override
    public int read(ByteBuffer dst, long pos) throws IOException {
        Objects.requireNonNull(dst, "dst");
        if (pos < 0) {
            throw new IllegalArgumentException("negative position " + pos);
        }
        checkReadable();
        checkDestination(dst);
        return readAt(dst, pos);
    }

    @Override
    public int write(ByteBuffer src) throws IOException {
        synchronized (positionLock) {
            int n = writeAt(src, position);
            position += n;
            return n;
        }
    }

    @Override
    public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
        Objects.checkFromIndexSize(offset, length, srcs.length);
        checkWritable();
        synchronized (positionLock) {
            long total = 0;
            for (int i = offset; i < offset + length; i++) {
                total += srcs[i].remaining();
            }
            beforeGather(position, total);
            for (int i = offset; i < offset + length; i++) {
                position += writeAt(srcs[i], position);
            }
            return total;
        }
    }

    @Override
    public int write(ByteBuffer src, long pos) throws IOException {
        if (pos < 0) {
            throw new IllegalArgumentException("negative position " + pos);
        }
        return writeAt(src, pos);
    }

    @Override
    public long position() throws IOException {
        ensureOpen();
        synchronized (positionLock) {
            return position;
        }
    }

    @Override
    public FileChannel position(long newPosition) throws IOException {
        ensureOpen();
        if (newPosition < 0) {
            throw new IllegalArgumentException("negative position " + newPosition);
        }
        synchronized (positionLock) {
            position = newPosition;
        }
        return this;
    }

    /** After a truncation: the position may not stay past the new end. */
    void clampPosition(long size) {
        synchronized (positionLock) {
            position = Math.min(position, size);
        }
    }

    /** Whether this channel was opened for reading (shared locks and asynchronous reads need it). */
    boolean isReadable() {
        return true;
    }

    /** Whether this channel was opened for writing (exclusive locks and asynchronous writes need it). */
    boolean isWritable() {
        return false;
    }

    /**
     * Takes a checked lock range ({@link FamfsFileLocks}); null when {@code wait} is false and another process
     * holds a conflicting lock. Channels that cannot be locked say why.
     */
    FileLock lockRange(long pos, long size, boolean shared, boolean wait) throws IOException {
        throw new UnsupportedOperationException("this famfs channel cannot be locked");
    }

    /**
     * A host-local advisory lock, as the JDK's default provider gives: see {@link FamfsFileLocks} (famfs has no
     * locks across hosts).
     */
    @Override
    public FileLock lock(long pos, long size, boolean shared) throws IOException {
        return checkedLock(pos, size, shared, true);
    }

    @Override
    public FileLock tryLock(long pos, long size, boolean shared) throws IOException {
        return checkedLock(pos, size, shared, false);
    }

    private FileLock checkedLock(long pos, long size, boolean shared, boolean wait) throws IOException {
        ensureOpen();
        if (shared && !isReadable()) {
            throw new java.nio.channels.NonReadableChannelException();
        }
        if (!shared && !isWritable()) {
            throw new java.nio.channels.NonWritableChannelException();
        }
        if (size == 0 && Runtime.version().feature() >= 20) {
            size = Long.MAX_VALUE - Math.max(0, pos); // as FileChannel.lock reads a size of 0 since Java 20
        }
        if (pos < 0) {
            throw new IllegalArgumentException("Negative position");
        }
        if (size < 0) {
            throw new IllegalArgumentException("Negative size");
        }
        if (pos + size < 0) {
            throw new IllegalArgumentException("Negative position + size");
        }
        return lockRange(pos, size, shared, wait);
    }
}
