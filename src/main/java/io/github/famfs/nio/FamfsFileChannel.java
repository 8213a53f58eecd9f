package io.github.famfs.nio;

import io.github.famfs.format.FileMap;
import io.github.famfs.memory.Device;
import io.github.famfs.memory.DeviceClosedException;
import io.github.famfs.memory.FileMapping;
import io.github.famfs.meta.FileNode;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;

/**
 * A channel over one famfs file. Reads copy straight from the device mapping into the caller's buffer (one
 * copy, no system call); {@link #transferTo} hands slices of the mapping to the target, no copy on this side.
 */
class FamfsFileChannel extends PositionalChannel {
    private final FamfsFileSystem fs;
    private final FamfsPath path;
    private final FileNode node;
    private final FileMap map;
    private final Device device;
    private final boolean readable;
    private final boolean writable;

    FamfsFileChannel(FamfsFileSystem fs, FamfsPath path, FileNode node, FileMap map, Device device, boolean readable,
            boolean writable) {
        this.fs = fs;
        this.path = path;
        this.node = node;
        this.map = map;
        this.device = device;
        this.readable = readable;
        this.writable = writable;
    }

    FamfsPath path() {
        return path;
    }

    FileMap fileMap() {
        return map;
    }

    Device device() {
        return device;
    }

    FamfsFileSystem fileSystem() {
        return fs;
    }

    boolean isReadable() {
        return readable;
    }

    boolean isWritable() {
        return writable;
    }

    @Override
    void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    private void ensureReadable() throws ClosedChannelException {
        ensureOpen();
        if (!readable) {
            throw new NonReadableChannelException();
        }
    }

    @Override
    int readAt(ByteBuffer dst, long pos) throws IOException {
        ensureReadable();
        long size = node.size();
        if (pos >= size) {
            return dst.hasRemaining() ? -1 : 0;
        }
        int n = (int) Math.min(dst.remaining(), size - pos);
        if (n == 0) {
            return 0;
        }
        access();
        try {
            map.visit(pos, n, (fileOff, devOff, len) -> device.copyTo(devOff, dst, (int) len));
        } finally {
            device.release();
        }
        return n;
    }

    private void access() throws IOException {
        try {
            device.acquire();
        } catch (DeviceClosedException e) {
            throw new AsynchronousCloseException();
        }
    }

    private void ensureWritable() throws ClosedChannelException {
        ensureOpen();
        if (!writable) {
            throw new NonWritableChannelException();
        }
    }

    /** Writes all of {@code src} in place at {@code pos}; famfs files never grow, so nothing may pass the end. */
    @Override
    int writeAt(ByteBuffer src, long pos) throws IOException {
        ensureWritable();
        int n = src.remaining();
        if (n == 0) {
            return 0;
        }
        checkWithinFile(pos, n, "write");
        access();
        try {
            map.visit(pos, n, (fileOff, devOff, len) -> device.copyFrom(src, devOff, (int) len));
        } finally {
            device.release();
        }
        return n;
    }

    @Override
    void beforeGather(long pos, long total) throws IOException {
        ensureWritable();
        checkWithinFile(pos, total, "write");
    }

    private void checkWithinFile(long pos, long length, String what) throws FamfsRuleException {
        long size = node.size();
        if (pos > size || length > size - pos) {
            throw new FamfsRuleException(path.toString(), FamfsRuleException.NO_TRUNCATE + ": cannot " + what + " "
                    + length + " bytes at offset " + pos + " of a " + size + "-byte file");
        }
    }

    @Override
    public long size() throws IOException {
        ensureOpen();
        return node.size();
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        ensureOpen();
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
        if (!writable) {
            throw new NonWritableChannelException();
        }
        if (size < node.size()) {
            throw new FamfsRuleException(path.toString(), FamfsRuleException.NO_TRUNCATE);
        }
        clampPosition(size);
        return this;
    }

    /**
     * Makes written bytes durable. A DAX device has no page cache: on cache-coherent memory there is nothing to
     * do. An image file's written ranges are synced to its storage (msync). Memory that is not cache coherent
     * needs CPU cache flushes, which {@link FamfsCaches} describes.
     */
    @Override
    public void force(boolean metaData) throws IOException {
        ensureOpen();
        if (!writable) {
            return;
        }
        access();
        try {
            map.visit(0, node.size(), (fileOff, devOff, len) -> device.sync(devOff, len));
        } finally {
            device.release();
        }
    }

    @Override
    public long transferTo(long pos, long count, WritableByteChannel target) throws IOException {
        ensureReadable();
        if (pos < 0 || count < 0) {
            throw new IllegalArgumentException("negative position or count");
        }
        long n = Math.min(count, node.size() - pos);
        if (n <= 0) {
            return 0;
        }
        long[] written = {0};
        access();
        try {
            map.visit(pos, n, (fileOff, devOff, len) -> {
                long done = 0;
                while (done < len) {
                    int piece = (int) Math.min(len - done, 1 << 24);
                    ByteBuffer slice = device.slice(devOff + done, piece);
                    while (slice.hasRemaining()) {
                        int w = target.write(slice);
                        if (w <= 0 && slice.hasRemaining()) {
                            written[0] += piece - slice.remaining();
                            throw new StopTransfer();
                        }
                    }
                    done += piece;
                    written[0] += piece;
                }
            });
        } catch (StopTransfer stop) {
            // non-blocking target is full
        } finally {
            device.release();
        }
        return written[0];
    }

    /** Ends a transfer early when a non-blocking target takes no more. */
    private static final class StopTransfer extends IOException {
        private static final long serialVersionUID = 1L;

        StopTransfer() {
            super(null, null);
        }
    }

    /** Reads from {@code src} straight into the file's device memory, in place (famfs files never grow). */
    @Override
    public long transferFrom(ReadableByteChannel src, long pos, long count) throws IOException {
        ensureWritable();
        if (pos < 0 || count < 0) {
            throw new IllegalArgumentException("negative position or count");
        }
        long n = Math.min(DeviceTransfer.available(src, count), Math.max(0, node.size() - pos));
        if (n == 0) {
            return 0;
        }
        access();
        try {
            return DeviceTransfer.readInto(src, device, map, pos, n);
        } finally {
            device.release();
        }
    }

    /**
     * A MappedByteBuffer whose memory is the file's device extents, stitched into one contiguous range (no page
     * cache, no copy). READ_ONLY maps are read-only buffers; READ_WRITE needs a channel open for writing (a
     * master's); PRIVATE is refused because DAX devices cannot do it. The range must lie within the file: famfs
     * files never grow. The mapping is released when the buffer and every view of it are unreachable; closing
     * the channel or the file system leaves it valid.
     */
    @Override
    public MappedByteBuffer map(MapMode mode, long pos, long size) throws IOException {
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Size exceeds Integer.MAX_VALUE (a MappedByteBuffer holds at most"
                    + " 2 GiB; on Java 22+ map(mode, position, size, arena) gives a MemorySegment of any size)");
        }
        FileMapping m = mapRange(mode, pos, size);
        ByteBuffer root = m.buffer();
        CLEANER.register(root, m.unmapper());
        return (MappedByteBuffer) (mode == MapMode.READ_ONLY ? root.asReadOnlyBuffer() : root);
    }

    private static final Cleaner CLEANER = Cleaner.create();

    /** Checks the arguments and mode as FileChannel.map does, then maps the range. */
    FileMapping mapRange(MapMode mode, long pos, long size) throws IOException {
        ensureOpen();
        Objects.requireNonNull(mode, "mode");
        if (pos < 0) {
            throw new IllegalArgumentException("negative position " + pos);
        }
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
        if (pos + size < 0) {
            throw new IllegalArgumentException("position + size overflows");
        }
        ensureOpen();
        if (mode == MapMode.PRIVATE) {
            throw new UnsupportedOperationException("MapMode.PRIVATE: famfs maps are the shared memory itself (DAX"
                    + " devices cannot make private copies)");
        }
        if (mode != MapMode.READ_ONLY && mode != MapMode.READ_WRITE) {
            throw new UnsupportedOperationException("map mode " + mode + " is not supported by famfs");
        }
        if (!readable) {
            throw new NonReadableChannelException();
        }
        boolean w = mode == MapMode.READ_WRITE;
        if (w && !writable) {
            throw new NonWritableChannelException();
        }
        checkWithinFile(pos, size, "map");
        return FileMapping.map(device, map, pos, size, w, path.toString());
    }

    @Override
    protected void implCloseChannel() {
        fs.channelClosed(this);
    }

    @Override
    public String toString() {
        return "FamfsFileChannel[" + path + "]";
    }
}
