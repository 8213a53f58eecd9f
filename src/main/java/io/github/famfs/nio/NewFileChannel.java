package io.github.famfs.nio;

import io.github.famfs.alloc.Allocator;
import io.github.famfs.format.Extent;
import io.github.famfs.format.FileEntry;
import io.github.famfs.format.FileMap;
import io.github.famfs.format.InterleaveParams;
import io.github.famfs.format.InterleavedMap;
import io.github.famfs.format.Layout;
import io.github.famfs.format.OutOfSpaceException;
import io.github.famfs.format.SimpleMap;
import io.github.famfs.memory.Device;
import java.io.IOException;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLockInterruptionException;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
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
    static final Cleaner CLEANER = Cleaner.create();
    private static final long FIRST_ALLOCATION = Layout.ALLOC_UNIT;

    /**
     * The allocation of an unpublished file: the Cleaner's action gives it back if the channel is dropped. A growing
     * file's allocation may hold more than the file needs (it doubles as the file grows); that slack is given back
     * ({@link #trim}) when another allocation of the file system finds no space.
     */
    static final class Allocation implements Runnable, FamfsMaster.Slack {
        private final FamfsMaster master;
        private final FamfsFileSystem fs;
        /** The file's name, held until it is published or given up. */
        private final FamfsMaster.Reservation name;
        final List<Extent> extents = new ArrayList<>();
        FileMap fixed;
        long allocated;
        /**
         * The end of every range the channel was told is allocated ({@link #covers}, {@link #grown}): what a trim
         * keeps, so that no write in flight loses its space. Guarded by this object.
         */
        private long needed;
        private boolean finished;
        /** Discarded because the file system closed first: closing the channel says it was not published. */
        private boolean discardedWithFileSystem;

        Allocation(FamfsMaster master, FamfsFileSystem fs, FamfsMaster.Reservation name) {
            this.master = master;
            this.fs = fs;
            this.name = name;
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
         * nothing is given back (the allocator goes with the file system; closing the device ends its flock, and
         * the close's last step, {@link FamfsMaster#closeLocks}, the locks the lease holds on kernel mounts).
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

        /** Whether bytes up to {@code end} are allocated; if so they stay allocated (a trim keeps them). */
        synchronized boolean covers(long end) {
            if (end > allocated) {
                return false;
            }
            needed = Math.max(needed, end);
            return true;
        }

        /** Under the log lock: the allocation is now {@code e}, and bytes up to {@code end} are needed. */
        synchronized void grown(Extent e, long end) {
            extents.clear();
            extents.add(e);
            allocated = e.length();
            needed = Math.max(needed, end);
        }

        /** Bytes up to which the allocation is needed (no more may be touched: the rest may be trimmed). */
        synchronized long needed() {
            return needed;
        }

        /**
         * Under the log lock: gives back the units of the (one-extent, growing) allocation past the needed bytes
         * rounded up to whole units.
         */
        @Override
        public synchronized long trim(Allocator a) {
            if (finished || fixed != null || extents.size() != 1) {
                return 0;
            }
            Extent e = extents.get(0);
            long keep = (needed + a.unit() - 1) / a.unit() * a.unit();
            if (keep >= e.length()) {
                return 0;
            }
            long freed = e.length() - keep;
            a.release(e.offset() + keep, freed);
            extents.clear();
            if (keep > 0) {
                extents.add(new Extent(e.devIndex(), e.offset(), keep));
            }
            allocated = keep;
            return freed;
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
                master.notGrowing(this);
                name.release();
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
    /** False for a stream's channel (see {@link #uninterruptible()}). */
    private volatile boolean interruptible = true;

    NewFileChannel(FamfsFileSystem fs, FamfsMaster master, Device device, FamfsPath path, String relpath,
            CreateAttributes attributes, InterleaveParams interleave, long fixedSize, boolean readable,
            FamfsMaster.Reservation name) throws IOException {
        this.fs = fs;
        this.master = master;
        this.device = device;
        this.path = path;
        this.relpath = relpath;
        this.attributes = attributes;
        this.interleave = interleave;
        this.fixedSize = fixedSize;
        this.readable = readable;
        // the name and the lease were taken with the name's check (FamfsFileSystem.newFile): from here the Cleaner's
        // action gives both back, and until it is registered a failure here does
        Cleaner.Cleanable c;
        try {
            this.alloc = new Allocation(master, fs, name);
            c = CLEANER.register(this, alloc);
        } catch (RuntimeException | Error e) {
            name.release();
            master.unlease();
            throw e;
        }
        this.cleanable = c;
        try {
            fs.pendingStarted(alloc);
            if (fixedSize > 0) {
                master.withLog(() -> {
                    FileMap m = master.allocate(() -> interleave == null
                            ? new SimpleMap(List.of(master.allocator().contiguous(fixedSize)))
                            : master.allocator().interleaved(fixedSize, interleave));
                    alloc.fixed = m;
                    alloc.allocated = m.allocatedBytes();
                    return null;
                });
                current = alloc.fixed;
            } else {
                master.growing(alloc);
            }
        } catch (IOException | RuntimeException | Error e) {
            cleanable.clean();
            throw e;
        }
    }

    @Override
    void ensureOpen() throws ClosedChannelException {
        if (!isOpen() || alloc.finished()) {
            throw new ClosedChannelException();
        }
    }

    /**
     * Makes sure bytes up to {@code end} have space. The file stays one extent (every famfs implementation
     * serves one; the standalone kernel at most two, famfs-format.md §7.6): it grows in place where the units
     * after it are free, and otherwise moves into a run big enough, its written bytes copied along.
     */
    private void ensureCapacity(long end) throws IOException {
        if (alloc.covers(end)) {
            return;
        }
        if (fixedSize > 0) {
            throw fixedSizeExceeded(end);
        }
        master.withLog(() -> {
            Allocator a = master.allocator();
            if (end > a.capacity()) {
                throw new OutOfSpaceException("out of space for " + path + ": a write ending at byte " + end
                        + " needs more than the " + a.capacity() + " bytes the device can allocate");
            }
            Extent next;
            try {
                next = grow(a, end, Math.min(a.capacity(), Math.max(end, Math.max(FIRST_ALLOCATION,
                        alloc.allocated * 2))));
            } catch (OutOfSpaceException full) {
                // other files being made may hold slack (and so may this one): give it back, try once more for
                // just what is needed
                if (master.trimSlack() == 0) {
                    throw full;
                }
                next = grow(a, end, end);
            }
            alloc.grown(next, end);
            current = new SimpleMap(List.of(next));
            return null;
        });
    }

    /**
     * Under the log lock: the one extent that holds bytes up to {@code end}, {@code want} bytes if there is room
     * (in place, else moved with the written bytes copied), else just {@code end}.
     */
    private Extent grow(Allocator a, long end, long want) throws IOException {
        Extent last = alloc.extents.isEmpty() ? null : alloc.extents.get(0);
        if (last == null) {
            try {
                return a.contiguous(want);
            } catch (OutOfSpaceException tooBig) {
                return a.contiguous(end);
            }
        }
        Extent next = a.extend(last, want - alloc.allocated);
        if (next == null) {
            next = a.extend(last, end - alloc.allocated);
        }
        if (next == null) {
            Extent moved;
            try {
                moved = a.move(last, want);
            } catch (OutOfSpaceException tooBig) {
                moved = a.move(last, end);
            }
            copyForward(last.offset(), moved.offset(), size);
            next = moved;
            prefaulted = 0;
        }
        return next;
    }

    /**
     * Copies device bytes {@code [from, from+length)} to {@code to}, where {@code to < from} or the ranges are
     * apart: forward, in pieces no longer than the distance, so no piece reads what an earlier one wrote.
     */
    private void copyForward(long from, long to, long length) throws IOException {
        if (length == 0 || from == to) {
            return;
        }
        long step = Math.min(Math.abs(from - to), 1L << 26);
        device.acquire();
        try {
            for (long done = 0; done < length; done += step) {
                device.copyWithin(from + done, to + done, Math.min(step, length - done));
            }
        } finally {
            device.release();
        }
    }

    private FamfsRuleException fixedSizeExceeded(long end) {
        return new FamfsRuleException(path.toString(), FamfsRuleException.NO_TRUNCATE + ": the size was fixed at"
                + " creation to " + fixedSize + " bytes and a write would end at byte " + end + "; nothing was"
                + " written");
    }

    /** The end of a write of {@code n} bytes at {@code pos}, refused (before anything is written) when it cannot be. */
    private long writeEnd(long pos, long n) throws IOException {
        long end;
        try {
            end = Math.addExact(pos, n);
        } catch (ArithmeticException e) {
            throw new java.nio.file.FileSystemException(path.toString(), null, "a write of " + n + " bytes at"
                    + " position " + pos + " would end past the largest file offset (" + Long.MAX_VALUE + ")");
        }
        if (fixedSize > 0 && end > fixedSize) {
            throw fixedSizeExceeded(end);
        }
        return end;
    }

    private static final ByteBuffer ZEROS = ByteBuffer.allocateDirect(1 << 20).asReadOnlyBuffer();

    /** Writes zeros over file bytes {@code [from, to)} (which must be allocated). */
    private void zero(long from, long to) throws IOException {
        zero(current, from, to);
    }

    private void zero(FileMap map, long from, long to) throws IOException {
        if (to <= from) {
            return;
        }
        device.acquire();
        try {
            map.visit(from, to - from, (fo, devOff, len) -> {
                for (long done = 0; done < len; ) {
                    int n = (int) Math.min(len - done, ZEROS.capacity());
                    device.write(ZEROS.duplicate(), devOff + done, n);
                    done += n;
                }
            });
        } finally {
            device.release();
        }
    }

    /**
     * Before a write at {@code pos}: the bytes between the end of what was written and {@code pos} become zeros,
     * so that no byte the user did not write shows what the device held before (an unpublished file's data given
     * back, or whatever a fresh format left).
     */
    private void fillGap(long pos) throws IOException {
        if (pos > size) {
            zero(size, pos);
            size = pos;
        }
    }

    private static final long PREFAULT_STEP = 8L << 20;

    /** Prefaults the allocation ahead of writes reaching {@code end}, a step at a time. */
    private void prefault(long end) throws IOException {
        if (end <= prefaulted) {
            return;
        }
        long upTo = Math.min(alloc.needed(), Math.max(end, prefaulted + PREFAULT_STEP));
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
            checkInterrupt(null);
            int n = src.remaining();
            if (n == 0) {
                return 0;
            }
            long end = writeEnd(pos, n);
            try {
                ensureCapacity(end);
                fillGap(pos);
            } catch (ClosedFileSystemException e) {
                throw new AsynchronousCloseException();
            } catch (IOException e) {
                checkInterrupt(e);
                failed = e;
                throw e;
            }
            device.lifecycle().enterChannel();
            try {
                current.visit(pos, n, (fo, devOff, len) -> device.write(src, devOff, (int) len));
            } catch (IOException | RuntimeException e) {
                failed = e instanceof IOException io ? io : new IOException(e.toString(), e);
                throw e;
            } finally {
                device.lifecycle().exit();
            }
            size = Math.max(size, end);
            checkInterrupt(null);
            return n;
        }
    }

    /**
     * Makes this channel one of a stream's, which an interrupt does not close (as the JDK's default provider's
     * streams); a wait for another process's lock still ends on an interrupt (FileLockInterruptionException), and
     * the file is then not published.
     */
    void uninterruptible() {
        interruptible = false;
    }

    /**
     * As the JDK's FileChannel (an interruptible channel, unless {@link #uninterruptible()}): once the thread writing is interrupted, the channel
     * closes and the write throws {@link ClosedByInterruptException}; the file is not published and its space goes
     * back. The thread's interrupt status stays set. Called by the writing thread holding {@link #lock}, before
     * and after it writes, and with {@code cause} when a step failed (a wait for another process's lock ends
     * with {@link FileLockInterruptionException} when interrupted).
     */
    private void checkInterrupt(IOException cause) throws ClosedByInterruptException {
        if (!interruptible || !Thread.currentThread().isInterrupted()
                && !(cause instanceof FileLockInterruptionException) && !(cause instanceof ClosedByInterruptException)) {
            return;
        }
        Thread.currentThread().interrupt();
        NotPublishedByInterrupt e = new NotPublishedByInterrupt(path + ": not published: the thread writing it"
                + " was interrupted, which closes its channel (as the JDK's FileChannel does); its space was given"
                + " back");
        if (cause != null) {
            e.initCause(cause);
        }
        if (failed == null) {
            failed = new java.io.InterruptedIOException("the thread writing it was interrupted");
        }
        try {
            close();
        } catch (IOException expected) {
            // the discard message ("not published, a write failed"): this exception says it
        }
        throw e;
    }

    /** {@link ClosedByInterruptException} (which has no message of its own) saying what became of the file. */
    static final class NotPublishedByInterrupt extends ClosedByInterruptException {
        private static final long serialVersionUID = 1L;
        private final String message;

        NotPublishedByInterrupt(String message) {
            this.message = message;
        }

        @Override
        public String getMessage() {
            return message;
        }
    }

    @Override
    void beforeGather(long pos, long total) throws IOException {
        ensureOpen();
        writeEnd(pos, total);
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
        synchronized (lock) {
            ensureOpen();
            if (newSize < 0) {
                throw new IllegalArgumentException("negative size " + newSize);
            }
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
        long n;
        synchronized (lock) {
            ensureOpen();
            if (!readable) {
                throw new NonReadableChannelException();
            }
            if (pos < 0 || count < 0) {
                throw new IllegalArgumentException("negative position or count");
            }
            n = Math.min(count, size - pos);
        }
        if (n <= 0) {
            return 0;
        }
        // the target writes from the bounce buffer without this channel's monitor (a target that blocks must not
        // hold up a close); readAt takes the monitor for each piece
        return DeviceTransfer.writeOut(target, bounce, pos, n, this::readAt);
    }

    /**
     * Reads up to {@code count} bytes from {@code src} into the file. From the JDK's own FileChannel over a regular
     * file, read(2) (or, on an image file, an in-kernel copy) lands in the famfs memory itself; from any other
     * channel the bytes go through a bounce buffer, so the device is never handed to it nor held while it reads.
     */
    @Override
    public long transferFrom(ReadableByteChannel src, long pos, long count) throws IOException {
        long foreignLimit;
        synchronized (lock) {
            ensureOpen();
            if (pos < 0 || count < 0) {
                throw new IllegalArgumentException("negative position or count");
            }
            // the count is a most, never the end of a write (the JDK transfers what the source has): a FileChannel
            // says how much it has, and no file offset goes past Long.MAX_VALUE
            long limit = DeviceTransfer.available(src, count);
            if (fixedSize > 0 && limit > 0 && (pos >= fixedSize || limit > fixedSize - pos)) {
                if (src instanceof FileChannel || pos >= fixedSize) {
                    throw fixedSizeExceeded(pos >= fixedSize ? Math.max(pos, pos + 1) : pos + limit);
                }
                limit = fixedSize - pos;
            }
            if (src instanceof FileChannel) {
                writeEnd(pos, limit); // a source that has more than fits is refused, as a write would be
            } else {
                limit = Math.min(limit, Long.MAX_VALUE - pos);
            }
            checkInterrupt(null);
            if (DeviceTransfer.isJdkFile(src)) {
                return transferFromFile((FileChannel) src, pos, limit);
            }
            foreignLimit = limit;
        }
        // Any other source reads through the bounce buffer WITHOUT this channel's monitor (a source that blocks
        // must not hold up a close of this channel, as with the JDK's channels): each piece is written by writeAt,
        // which takes the monitor, checks the channel and allocates for the bytes actually read, never ahead.
        try {
            long got = DeviceTransfer.readInto(src, bounce, pos, foreignLimit, this::writeAt);
            checkInterrupt(null);
            return got;
        } catch (NotPublishedByInterrupt e) {
            throw e;
        } catch (ClosedByInterruptException e) {
            checkInterrupt(e); // the source closed on this thread's interrupt
            throw e;
        }
    }

    /** transferFrom a JDK FileChannel over a regular file (bounded by its size): read(2) lands in the device. */
    private long transferFromFile(FileChannel src, long pos, long limit) throws IOException {
        synchronized (lock) {
            long done = 0;
            while (done < limit) {
                int piece = (int) Math.min(limit - done, 1 << 24);
                try {
                    // read(2) lands in the device: room first, for what the file source still has
                    ensureCapacity(pos + done + piece);
                    fillGap(pos + done);
                } catch (ClosedFileSystemException e) {
                    throw new AsynchronousCloseException();
                } catch (OutOfSpaceException e) {
                    throw e; // a reservation ahead of the read: nothing was written, the file stays as it was
                } catch (IOException e) {
                    checkInterrupt(e);
                    failed = e;
                    throw e;
                }
                long got;
                if (!device.writesThroughFile()) {
                    prefault(pos + done + piece); // takes its own entry: before this one, never nested
                }
                try {
                    device.lifecycle().enterChannel();
                    try {
                        if (device.writesThroughFile()) {
                            got = DeviceTransfer.transferInto(src, device, current, pos + done, piece);
                        } else {
                            got = DeviceTransfer.readFileInto(src, device, current, pos + done,
                                    piece);
                        }
                    } finally {
                        device.lifecycle().exit();
                    }
                } catch (NotPublishedByInterrupt e) {
                    throw e;
                } catch (ClosedByInterruptException e) {
                    // the source (or the image's transfer channel) closed on this thread's interrupt
                    checkInterrupt(e);
                    throw e;
                }
                done += got;
                size = Math.max(size, pos + done);
                if (got < piece) {
                    break;
                }
            }
            checkInterrupt(null);
            return done;
        }
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long pos, long len) throws IOException {
        ensureOpen();
        throw new UnsupportedOperationException(path + " is not published yet: close this channel, then map the"
                + " file");
    }

    /** Marks the file unpublishable: closing the channel then discards it, saying {@code why}. */
    void fail(IOException why) {
        synchronized (lock) {
            if (failed == null) {
                failed = why;
            }
        }
    }

    /**
     * Whether small writes of a stream on this channel are better gathered ({@link GatheringOutputStream}): on an
     * image file each write is a pwrite(2); on DAX memory a write is a copy into the mapping, and gathering would
     * add a copy. A file whose size was fixed at creation is not gathered: a write past its end must be refused
     * by itself, leaving the file publishable.
     */
    boolean gathersStreamWrites() {
        return device.writesThroughFile() && fixedSize <= 0;
    }

    FamfsPath path() {
        return path;
    }

    /** Gives up the file: nothing is published, the space goes back, the channel closes. */
    void abort(IOException why) throws IOException {
        fail(why);
        try {
            close();
        } catch (IOException expected) {
            // the discard message: the caller reports its own failure
        }
    }

    @Override
    boolean isReadable() {
        return readable;
    }

    @Override
    boolean isWritable() {
        return true;
    }

    /** No other process can open a file still being written: its locks are this JVM's alone. */
    @Override
    java.nio.channels.FileLock lockRange(long pos, long size, boolean shared, boolean wait) throws IOException {
        return fs.fileLocks().lock(this, alloc, null, null, 0, pos, size, shared, wait);
    }

    /**
     * Publishes the file: its final map and size go into one log entry. Empty files cannot exist in famfs, and a
     * file whose size was fixed at creation must have been written to its end.
     */
    @Override
    protected void implCloseChannel() throws IOException {
        fs.fileLocks().channelClosed(this);
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
                    // maps are page-granular: the rest of the last page reads as zeros, never older bytes
                    long pageEnd = (finalSize / io.github.famfs.memory.AddressSpace.PAGE + 1)
                            * io.github.famfs.memory.AddressSpace.PAGE;
                    zero(map, finalSize, Math.min(map.allocatedBytes(), finalSize % io.github.famfs.memory
                            .AddressSpace.PAGE == 0 ? finalSize : pageEnd));
                    master.allocator().release(map);
                    byte[] name = PathNames.utf8(relpath);
                    master.append(new FileEntry(0, finalSize, Layout.FLAGS_ALL_HOSTS_RW, attributes.uid(),
                            attributes.gid(), attributes.mode(), name, map));
                    alloc.finish();
                    alloc.extents.clear();
                    alloc.fixed = null;
                    alloc.name.release();
                    return null;
                });
            } catch (ClosedFileSystemException e) {
                throw notPublishedClosed();
            } finally {
                if (alloc.finished() && alloc.extents.isEmpty() && alloc.fixed == null) {
                    master.notGrowing(alloc);
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
            FileMap striped = master.allocate(() -> a.interleaved(finalSize, interleave));
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
