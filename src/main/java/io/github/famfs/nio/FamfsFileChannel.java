package io.github.famfs.nio;

import io.github.famfs.format.FileMap;
import io.github.famfs.memory.Device;
import io.github.famfs.memory.FileMapping;
import io.github.famfs.memory.ImageMapping;
import io.github.famfs.memory.Lifecycle;
import io.github.famfs.meta.FileNode;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.Objects;

/**
 * A channel over one famfs file. Reads copy straight from the device mapping into the caller's buffer (one
 * copy, no system call). Transfers to and from other channels go through a bounce buffer of this channel: the
 * device mapping is never handed to code outside famfs-nio, and the device is held (an entry of the file system's
 * {@link Lifecycle}) only while bytes are copied, never while another channel reads or writes.
 */
class FamfsFileChannel extends PositionalChannel {
    private final FamfsFileSystem fs;
    private final FamfsPath path;
    private final FileNode node;
    private final FileMap map;
    private final Device device;
    private final boolean readable;
    private final boolean writable;
    private final int hash = java.util.concurrent.ThreadLocalRandom.current().nextInt();
    private final Lifecycle lifecycle;
    private final DeviceTransfer.Bounce bounce = new DeviceTransfer.Bounce();

    FamfsFileChannel(FamfsFileSystem fs, FamfsPath path, FileNode node, FileMap map, Device device, boolean readable,
            boolean writable) {
        this.fs = fs;
        this.path = path;
        this.node = node;
        this.map = map;
        this.device = device;
        this.readable = readable;
        this.writable = writable;
        this.lifecycle = device.lifecycle();
    }

    FamfsPath path() {
        return path;
    }

    /**
     * A hash drawn when the channel is made (equality stays identity): the file system's lifecycle keeps every open
     * channel in a hash table, and the identity hash the JVM would make for each new channel costs a slow call.
     */
    @Override
    public final int hashCode() {
        return hash;
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

    @Override
    boolean isReadable() {
        return readable;
    }

    @Override
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
        lifecycle.enterChannel();
        try {
            map.visit(pos, n, (fileOff, devOff, len) -> device.copyTo(devOff, dst, (int) len));
        } catch (java.io.UncheckedIOException e) {
            throw e.getCause(); // a device window that could not be mapped (an image truncated underneath, say)
        } finally {
            lifecycle.exit();
        }
        return n;
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
        lifecycle.enterChannel();
        try {
            map.visit(pos, n, (fileOff, devOff, len) -> device.copyFrom(src, devOff, (int) len));
        } finally {
            lifecycle.exit();
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
        lifecycle.enterChannel();
        try {
            map.visit(0, node.size(), (fileOff, devOff, len) -> device.sync(devOff, len));
        } finally {
            lifecycle.exit();
        }
    }

    /**
     * Copies file bytes to {@code target} through this channel's bounce buffer (at most 1 MiB at a time): the
     * device is held only while a piece is copied into the buffer, never while the target writes, so a target
     * that blocks cannot hold up a close (the transfer then fails with {@link AsynchronousCloseException}), and
     * the target never sees device memory.
     */
    @Override
    public long transferTo(long pos, long count, WritableByteChannel target) throws IOException {
        ensureReadable();
        if (pos < 0 || count < 0) {
            throw new IllegalArgumentException("negative position or count");
        }
        Objects.requireNonNull(target, "target");
        long n = Math.min(count, node.size() - pos);
        if (n <= 0) {
            return 0;
        }
        return DeviceTransfer.writeOut(target, bounce, pos, n, this::readAt);
    }

    /**
     * Reads from {@code src} into the file's device memory, in place (famfs files never grow). From the JDK's own
     * FileChannel over a regular file, read(2) lands in the device memory itself; from any other channel the
     * bytes go through this channel's bounce buffer, and the device is held only while they are copied in.
     */
    @Override
    public long transferFrom(ReadableByteChannel src, long pos, long count) throws IOException {
        ensureWritable();
        if (pos < 0 || count < 0) {
            throw new IllegalArgumentException("negative position or count");
        }
        Objects.requireNonNull(src, "src");
        long n = Math.min(DeviceTransfer.available(src, count), Math.max(0, node.size() - pos));
        if (n == 0) {
            return 0;
        }
        if (DeviceTransfer.isJdkFile(src)) {
            lifecycle.enterChannel();
            try {
                return DeviceTransfer.readFileInto((FileChannel) src, device, map, pos, n);
            } finally {
                lifecycle.exit();
            }
        }
        return DeviceTransfer.readInto(src, bounce, pos, n, this::writeAt);
    }

    /**
     * A MappedByteBuffer whose memory is the file's device extents, stitched into one contiguous range (no page
     * cache, no copy). READ_ONLY maps are read-only buffers; READ_WRITE needs a channel open for writing (a
     * master's); PRIVATE is refused because DAX devices cannot do it. The range must lie within the file: famfs
     * files never grow. The mapping is released when the buffer and every view of it are unreachable; closing
     * the channel or the file system leaves it valid.
     *
     * <p>Over an image file the buffer is one the JDK made (see {@code memory/ImageMapping}): a root buffer, also
     * when read-only, so {@code force()} msyncs every piece of it to the image file, {@code load()} and
     * {@code isLoaded()} work, and {@code Unsafe.invokeCleaner} unmaps it (this map only, as for any JDK map:
     * using the buffer afterwards is the caller's bug). On a DAX device the JDK cannot map, the buffer is
     * famfs's own: {@code force()} does nothing (there is no page cache to sync), {@link FamfsMappings#force}
     * writes CPU caches back through {@link FamfsCaches}, a read-only map is a read-only view, which
     * {@code invokeCleaner} refuses, and a read-write one has no cleaner, so {@code invokeCleaner} does nothing
     * and the map goes when the buffer is unreachable.
     */
    @Override
    public MappedByteBuffer map(MapMode mode, long pos, long size) throws IOException {
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Size exceeds Integer.MAX_VALUE (a MappedByteBuffer holds at most"
                    + " 2 GiB; on Java 22+ map(mode, position, size, arena) gives a MemorySegment of any size)");
        }
        boolean w = checkMap(mode, pos, size);
        lifecycle.enterChannel();
        try {
            ImageMapping.Mapped<MappedByteBuffer> jdk = ImageMapping.map(device, map, pos, size, w,
                    path.toString(), (image, at) -> image.map(mode, at, size),
                    ImageMapping::addressOf);
            if (jdk != null) {
                CLEANER.register(jdk.mapping(), jdk.unmapped());
                return jdk.mapping();
            }
            FileMapping m = FileMapping.map(device, map, pos, size, w, path.toString());
            ByteBuffer root = m.buffer();
            CLEANER.register(root, m.unmapper());
            return (MappedByteBuffer) (w ? root : root.asReadOnlyBuffer());
        } finally {
            lifecycle.exit();
        }
    }

    private static final Cleaner CLEANER = Cleaner.create();

    /** Checks the arguments and mode as FileChannel.map does, then maps the range. */
    FileMapping mapRange(MapMode mode, long pos, long size) throws IOException {
        boolean w = checkMap(mode, pos, size);
        lifecycle.enterChannel();
        try {
            return FileMapping.map(device, map, pos, size, w, path.toString());
        } finally {
            lifecycle.exit();
        }
    }

    /** Checks the arguments and mode as FileChannel.map does; true for a writable map. */
    boolean checkMap(MapMode mode, long pos, long size) throws IOException {
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
        if (w) {
            fs.fileMap(node, path, true); // the device is still this famfs, the file's entry still this map
        }
        return w;
    }

    @Override
    FileLock lockRange(long pos, long size, boolean shared, boolean wait) throws IOException {
        return fs.fileLocks().lock(this, node, device, map, map.allocatedBytes(), pos, size, shared, wait);
    }

    @Override
    protected void implCloseChannel() {
        fs.fileLocks().channelClosed(this);
        fs.channelClosed(this);
    }

    /** Closes this channel because its file system closed (the device is no longer used by anyone). */
    void closeWithFileSystem() {
        try {
            close();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    public String toString() {
        return "FamfsFileChannel[" + path + "]";
    }
}
