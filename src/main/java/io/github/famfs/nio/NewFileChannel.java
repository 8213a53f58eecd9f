package io.github.famfs.nio;

import io.github.famfs.alloc.Allocator;
import io.github.famfs.alloc.InterleaveParams;
import io.github.famfs.alloc.OutOfSpaceException;
import io.github.famfs.format.Extent;
import io.github.famfs.format.FileEntry;
import io.github.famfs.format.FileMap;
import io.github.famfs.format.InterleavedMap;
import io.github.famfs.format.Layout;
import io.github.famfs.format.SimpleMap;
import io.github.famfs.memory.Device;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.FileSystemException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A channel on a famfs file being made. Space is allocated as data arrives (all at once when the size is fixed
 * at creation) and written straight into the device; the file is published, with its final size and map, by
 * one log entry when the channel is closed. Until then no reader sees it. A channel that is dropped without
 * being closed, or still open when the file system closes, publishes nothing and gives its space back; closing
 * it after its file system closed throws a {@link FileSystemException} saying that it was not published.
 */
final class NewFileChannel extends PositionalChannel {
    private static final Cleaner CLEANER = Cleaner.create();
    private static final long FIRST_ALLOCATION = Layout.ALLOC_UNIT;

    /** The allocation of an unpublished file: the Cleaner's action gives it back if the channel is dropped. */
    static final class Allocation implements Runnable {
        private final FamfsMaster master;
        private final FamfsFileSystem fs;
        final List<Extent> extents = new ArrayList<>();
        FileMap fixed;
        long allocated;
        private boolean finished;
        /** Discarded because the file system closed first: closing the channel says it was not published. */
        private boolean discardedWithFileSystem;

        Allocation(FamfsMaster master, FamfsFileSystem fs) {
            this.master = master;
            this.fs = fs;
        }

        synchronized boolean finished() {
            return finished;
        }

        /** Marks the allocation published (its units now belong to the log); true the first time. */
        synchronized boolean finish() {
            boolean first = !finished;
            finished = true;
            return first;
        }

        /**
         * The file system closed before the file was published (a lifecycle resource): nothing is published, and
         * nothing is given back (the allocator goes with the file system; closing the device ends the flock).
         */
        synchronized void discardWithFileSystem() {
            if (!finished) {
                finished = true;
                discardedWithFileSystem = true;
            }
        }

        synchronized boolean discardedWithFileSystem() {
            return discardedWithFileSystem;
        }

        /** Gives the units back (never published) and ends the lease. */
        @Override
        public void run() {
            if (!finish()) {
                return;
            }
            try {
                master.withLog(() -> {
                    release();
                    return null;
                });
            } catch (IOException | ClosedFileSystemException e) {
                // the device is gone: nothing to give back
            } finally {
                master.unlease();
                fs.pendingFinished(this);
            }
        }

        void release() {
            Allocator a = master.allocator();
            if (fixed != null) {
                a.release(fixed);
            }
            for (Extent e : extents) {
                a.release(e.offset(), e.length());
            }
            extents.clear();
            fixed = null;
            allocated = 0;
        }
    }

    private final FamfsFileSystem fs;
    private final FamfsMaster master;
    private final Device device;
    private final FamfsPath path;
    private final String relpath;
    private final CreateAttributes attributes;
    private final InterleaveParams interleave;
    private final long fixedSize;
    private final boolean readable;
    private final Allocation alloc;
    private final Cleaner.Cleanable cleanable;
    private final Object lock = new Object();
    private final DeviceTransfer.Bounce bounce = new DeviceTransfer.Bounce();
    private FileMap current;
    /** File offset up to which the device pages are prefaulted (see {@link Device#prefault}). */
    private long prefaulted;
    /** Why the file cannot be completed (a write failed): closing then discards it instead of publishing. */
    private IOException failed;
    private long size;

    NewFileChannel(FamfsFileSystem fs, FamfsMaster master, Device device, FamfsPath path, String relpath,
            CreateAttributes attributes, InterleaveParams interleave, long fixedSize, boolean readable)
            throws IOException {
        this.fs = fs;
        this.master = master;
        this.device = device;
        this.path = path;
        this.relpath = relpath;
        this.attributes = attributes;
        this.interleave = interleave;
        this.fixedSize = fixedSize;
        this.readable = readable;
        this.alloc = new Allocation(master, fs);
        master.lease();
        this.cleanable = CLEANER.register(this, alloc);
        fs.pendingStarted(alloc);
        if (fixedSize > 0) {
            try {
                master.withLog(() -> {
                    FileMap m = interleave == null ? new SimpleMap(List.of(master.allocator().contiguous(fixedSize)))
                            : master.allocator().interleaved(fixedSize, interleave);
                    alloc.fixed = m;
                    alloc.allocated = m.allocatedBytes();
                    return null;
                });
            } catch (IOException | RuntimeException e) {
                cleanable.clean();
                throw e;
            }
            current = alloc.fixed;
        }
    }

    @Override
    void ensureOpen() throws ClosedChannelException {
        if (!isOpen() || alloc.finished()) {
            throw new ClosedChannelException();
        }
    }

    /** Makes sure bytes up to {@code end} have space, growing in place where it can. */
    private void ensureCapacity(long end) throws IOException {
        if (end <= alloc.allocated) {
            return;
        }
        if (fixedSize > 0) {
            throw new FamfsRuleException(path.toString(), FamfsRuleException.NO_TRUNCATE + ": the size was fixed at"
                    + " creation to " + fixedSize + " bytes and a write would end at byte " + end);
        }
        master.withLog(() -> {
            Allocator a = master.allocator();
            long want = Math.max(end, Math.max(FIRST_ALLOCATION, alloc.allocated * 2));
            long more = want - alloc.allocated;
            long need = end - alloc.allocated;
            Extent last = alloc.extents.isEmpty() ? null : alloc.extents.get(alloc.extents.size() - 1);
            Extent grown = last == null ? null : a.extend(last, more);
            if (grown == null && last != null) {
                grown = a.extend(last, need);
            }
            if (grown != null) {
                alloc.extents.set(alloc.extents.size() - 1, grown);
            } else if (alloc.extents.size() < Layout.MAX_EXTENTS) {
                Extent e;
                try {
                    e = a.contiguous(more);
                } catch (OutOfSpaceException tooBig) {
                    e = a.contiguous(need);
                }
                alloc.extents.add(e);
            } else {
                throw new OutOfSpaceException("out of space for " + path + ": it would need more than "
                        + Layout.MAX_EXTENTS + " extents (" + alloc.allocated + " bytes held, " + end + " needed)");
            }
            alloc.allocated = 0;
            for (Extent e : alloc.extents) {
                alloc.allocated += e.length();
            }
            current = new SimpleMap(alloc.extents);
            return null;
        });
    }

    private static final long PREFAULT_STEP = 8L << 20;

    /** Prefaults the allocation ahead of writes reaching {@code end}, a step at a time. */
    private void prefault(long end) throws IOException {
        if (end <= prefaulted) {
            return;
        }
        long upTo = Math.min(alloc.allocated, Math.max(end, prefaulted + PREFAULT_STEP));
        long from = prefaulted;
        device.lifecycle().enterChannel();
        try {
            current.visit(from, upTo - from, (fo, devOff, len) -> device.prefault(devOff, len));
        } finally {
            device.lifecycle().exit();
        }
        prefaulted = upTo;
    }

    @Override
    int writeAt(ByteBuffer src, long pos) throws IOException {
        synchronized (lock) {
            ensureOpen();
            int n = src.remaining();
            if (n == 0) {
                return 0;
            }
            try {
                ensureCapacity(pos + n);
            } catch (ClosedFileSystemException e) {
                throw new AsynchronousCloseException();
            } catch (IOException e) {
                failed = e;
                throw e;
            }
            device.lifecycle().enterChannel();
            try {
                if (device.writesThroughFile()) {
                    int start = src.position();
                    current.visit(pos, n, (fo, devOff, len) -> device.writeThroughFile(
                            src.slice(start + (int) (fo - pos), (int) len), devOff));
                    src.position(src.position() + n);
                } else {
                    current.visit(pos, n, (fo, devOff, len) -> device.copyFrom(src, devOff, (int) len));
                }
            } finally {
                device.lifecycle().exit();
            }
            size = Math.max(size, pos + n);
            return n;
        }
    }

    @Override
    int readAt(ByteBuffer dst, long pos) throws IOException {
        synchronized (lock) {
            ensureOpen();
            if (!readable) {
                throw new NonReadableChannelException();
            }
            if (pos >= size) {
                return dst.hasRemaining() ? -1 : 0;
            }
            int n = (int) Math.min(dst.remaining(), size - pos);
            device.lifecycle().enterChannel();
            try {
                current.visit(pos, n, (fo, devOff, len) -> device.copyTo(devOff, dst, (int) len));
            } finally {
                device.lifecycle().exit();
            }
            return n;
        }
    }

    /** The size so far: the end of the furthest write (or the size fixed at creation). */
    @Override
    public long size() throws IOException {
        synchronized (lock) {
            ensureOpen();
            return fixedSize > 0 ? fixedSize : size;
        }
    }

    /** Unpublished, the file may still shrink; nothing is given back until it is published. */
    @Override
    public FileChannel truncate(long newSize) throws IOException {
        if (newSize < 0) {
            throw new IllegalArgumentException("negative size " + newSize);
        }
        synchronized (lock) {
            ensureOpen();
            if (fixedSize > 0 && newSize < fixedSize) {
                throw new FamfsRuleException(path.toString(), FamfsRuleException.NO_TRUNCATE
                        + ": the size was fixed at creation");
            }
            size = Math.min(size, newSize);
        }
        clampPosition(newSize);
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        synchronized (lock) {
            ensureOpen();
            if (current != null && size > 0) {
                device.lifecycle().enterChannel();
                try {
                    current.visit(0, size, (fo, devOff, len) -> device.sync(devOff, len));
                } finally {
                    device.lifecycle().exit();
                }
            }
        }
    }

    @Override
    public long transferTo(long pos, long count, WritableByteChannel target) throws IOException {
        synchronized (lock) {
            ensureOpen();
            long n = Math.min(count, size - pos);
            long done = 0;
            ByteBuffer buf = ByteBuffer.allocateDirect((int) Math.min(Math.max(n, 1), 1 << 20));
            while (done < n) {
                buf.clear().limit((int) Math.min(buf.capacity(), n - done));
                read(buf, pos + done);
                buf.flip();
                int w = target.write(buf);
                done += w;
                if (buf.hasRemaining()) {
                    break;
                }
            }
            return Math.max(done, 0);
        }
    }

    /**
     * Reads up to {@code count} bytes from {@code src} into the file. From the JDK's own FileChannel over a regular
     * file, read(2) (or, on an image file, an in-kernel copy) lands in the famfs memory itself; from any other
     * channel the bytes go through a bounce buffer, so the device is never handed to it nor held while it reads.
     */
    @Override
    public long transferFrom(ReadableByteChannel src, long pos, long count) throws IOException {
        if (pos < 0 || count < 0) {
            throw new IllegalArgumentException("negative position or count");
        }
        synchronized (lock) {
            ensureOpen();
            long limit = DeviceTransfer.available(src, count);
            long done = 0;
            while (done < limit) {
                int piece = (int) Math.min(limit - done, 1 << 24);
                try {
                    ensureCapacity(pos + done + piece);
                } catch (ClosedFileSystemException e) {
                    throw new AsynchronousCloseException();
                } catch (IOException e) {
                    failed = e;
                    throw e;
                }
                long got;
                if (DeviceTransfer.isJdkFile(src)) {
                    if (!device.writesThroughFile()) {
                        prefault(pos + done + piece);
                    }
                    device.lifecycle().enterChannel();
                    try {
                        if (device.writesThroughFile()) {
                            got = DeviceTransfer.transferInto((FileChannel) src, device, current, pos + done, piece);
                        } else {
                            got = DeviceTransfer.readFileInto((FileChannel) src, device, current, pos + done, piece);
                        }
                    } finally {
                        device.lifecycle().exit();
                    }
                } else {
                    got = DeviceTransfer.readInto(src, bounce, pos + done, piece, this::writeAt);
                }
                done += got;
                size = Math.max(size, pos + done);
                if (got < piece) {
                    break;
                }
            }
            return done;
        }
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long pos, long len) throws IOException {
        ensureOpen();
        throw new UnsupportedOperationException(path + " is not published yet: close this channel, then map the"
                + " file");
    }

    /** Gives up the file: nothing is published, the space goes back, the channel closes. */
    void abort(IOException why) throws IOException {
        synchronized (lock) {
            if (failed == null) {
                failed = why;
            }
        }
        try {
            close();
        } catch (IOException expected) {
            // the discard message: the caller reports its own failure
        }
    }

    /**
     * Publishes the file: its final map and size go into one log entry. Empty files cannot exist in famfs, and a
     * file whose size was fixed at creation must have been written to its end.
     */
    @Override
    protected void implCloseChannel() throws IOException {
        synchronized (lock) {
            if (alloc.finished()) {
                if (alloc.discardedWithFileSystem()) {
                    throw notPublishedClosed();
                }
                return;
            }
            if (device.lifecycle().isClosing()) {
                cleanable.clean();
                throw notPublishedClosed();
            }
            long finalSize = fixedSize > 0 ? fixedSize : size;
            if (failed != null) {
                cleanable.clean();
                throw new IOException(path + ": not published, a write failed (" + failed.getMessage() + ");"
                        + " its space was given back", failed);
            }
            if (fixedSize > 0 && size < fixedSize) {
                cleanable.clean();
                throw new IOException(path + ": not published: its size was fixed at " + fixedSize + " bytes but"
                        + " writes reached only byte " + size + "; its space was given back");
            }
            if (finalSize == 0) {
                cleanable.clean();
                throw new IOException(path + ": famfs cannot hold an empty file (the format has no size 0), so no"
                        + " file was made; write at least one byte, or fix its size with FamfsOption.size");
            }
            try {
                master.withLog(() -> {
                    fs.checkCanCreate(path);
                    FileMap map = finalMap(finalSize);
                    master.allocator().release(map);
                    byte[] name = relpath.getBytes(StandardCharsets.UTF_8);
                    master.append(new FileEntry(0, finalSize, Layout.FLAGS_ALL_HOSTS_RW, attributes.uid(),
                            attributes.gid(), attributes.mode(), name, map));
                    alloc.finish();
                    alloc.extents.clear();
                    alloc.fixed = null;
                    return null;
                });
            } catch (ClosedFileSystemException e) {
                throw notPublishedClosed();
            } finally {
                if (alloc.finished() && alloc.extents.isEmpty() && alloc.fixed == null) {
                    master.unlease();
                    fs.pendingFinished(alloc);
                } else {
                    cleanable.clean();
                }
            }
        }
    }

    private FileSystemException notPublishedClosed() {
        return new FileSystemException(path.toString(), null, "not published: its file system was closed before"
                + " this file's channel or stream; nothing was written to the log");
    }

    /** Under the log lock (which holds a lifecycle entry): the map to publish (trimmed, or moved into its
     * interleaved layout). */
    private FileMap finalMap(long finalSize) throws IOException {
        Allocator a = master.allocator();
        if (alloc.fixed != null) {
            return alloc.fixed;
        }
        if (interleave != null && finalSize >= interleave.chunkSize()) {
            FileMap striped = a.interleaved(finalSize, interleave);
            SimpleMap staged = new SimpleMap(alloc.extents);
            staged.visit(0, finalSize, (fo, from, len) -> striped.visit(fo, len,
                    (fo2, to, len2) -> device.copyWithin(from + (fo2 - fo), to, len2)));
            for (Extent e : alloc.extents) {
                a.release(e.offset(), e.length());
            }
            alloc.extents.clear();
            alloc.fixed = striped;
            return striped;
        }
        long keep = (finalSize + a.unit() - 1) / a.unit() * a.unit();
        List<Extent> trimmed = new ArrayList<>();
        long held = 0;
        for (Extent e : alloc.extents) {
            long take = Math.min(e.length(), keep - held);
            if (take > 0) {
                trimmed.add(new Extent(e.devIndex(), e.offset(), take));
            }
            if (take < e.length()) {
                a.release(e.offset() + Math.max(take, 0), e.length() - Math.max(take, 0));
            }
            held += Math.max(take, 0);
        }
        alloc.extents.clear();
        alloc.extents.addAll(trimmed);
        return new SimpleMap(trimmed);
    }

    @Override
    public String toString() {
        return "NewFileChannel[" + path + "]";
    }
}
