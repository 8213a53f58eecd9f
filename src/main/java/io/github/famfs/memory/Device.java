package io.github.famfs.memory;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.io.UncheckedIOException;
import java.nio.channels.FileLockInterruptionException;
import java.nio.file.StandardOpenOption;
import java.nio.file.ClosedFileSystemException;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * An open famfs device or image: one file descriptor and one mapping of the whole device, made once at open
 * (aligned to the device's alignment) and sliced for every access. Nothing calls read(2) or write(2) on it.
 *
 * <p>Every use of the mapping or the descriptor is an entry of the device's {@link Lifecycle} (the methods that
 * touch them say "the caller holds an entry"); {@link #close()} closes that lifecycle, which waits for the entries
 * in flight without holding any lock they need, then unmaps, so no thread can touch memory that is gone. A
 * read-only device is mapped PROT_READ and its windows are read-only buffers, so a stray write is an exception,
 * not a crash.
 */
public final class Device implements Closeable {
    private static final int WINDOW_SHIFT = 30;
    private static final long WINDOW = 1L << WINDOW_SHIFT;

    private final DeviceInfo info;
    private final boolean writable;
    /**
     * The descriptor and the mapping of the whole device ({@link #mapping()}): made at open, except on an image file
     * opened read-only, where it is made on the first use that needs a descriptor or an address (a lock, a map of
     * a file's pieces, software coherence), so that mounting and reading an image never binds libc.
     */
    private volatile Mapping mapping;
    /**
     * An image file opened read-only: the JDK's channel over it, whose read-only mappings are the windows (so that
     * reading needs no native call); null for other devices. Its size and map calls are interruptible (the JDK
     * closes the channel when the calling thread is interrupted), so they run with the caller's interrupt status
     * cleared (see {@link #onImage}), and a channel an interrupt closed anyway is opened again, through the
     * {@link #keeper}'s descriptor (checking the file key), so also after the image was renamed or deleted.
     * Replaced, with {@link #closed}, under {@link #mapLock}.
     */
    private volatile FileChannel image;
    /** The image file's identity ({@code fileKey}) when {@link #image} was opened: what a later open must find. */
    private final Object imageKey;
    /**
     * A second JDK channel over the image file, on which nothing ever runs (so no interrupt closes it): it keeps a
     * descriptor of the very file open, through which {@link #reopenImage} opens it again (its /proc/self/fd
     * entry) whatever became of its name since the mount (renamed, deleted, replaced). Null for other devices.
     */
    private final FileChannel keeper;
    /** The JDK's mappings of {@link #image}, unmapped by the close; null for other devices. */
    private final JdkMaps jdkMaps;
    private final Object mapLock = new Object();
    private boolean closed;
    private final AtomicReferenceArray<ByteBuffer> windows;
    private final Lifecycle lifecycle;
    /** Serialises in-kernel transfers into an image file (they set {@link #transferChannel}'s position). */
    private final Object transferLock = new Object();
    /**
     * The image file as a JDK channel, for in-kernel transfers only (see {@link #transferThroughFile}); opened on
     * the first, and again after an interrupt closed it. Guarded by {@link #transferLock}.
     */
    private FileChannel transferChannel;
    /** Software coherence: every data write is written back from the CPU caches, every data read invalidated. */
    private volatile boolean maintainData;

    /** A descriptor of the device and the mapping of all of it ({@code length} bytes at {@code base}). */
    private record Mapping(int fd, long base, long length) {}

    private Device(DeviceInfo info, boolean writable, Mapping mapping, FileChannel image, Object imageKey,
            FileChannel keeper, JdkMaps jdkMaps) {
        this.info = info;
        this.writable = writable;
        this.mapping = mapping;
        this.image = image;
        this.imageKey = imageKey;
        this.keeper = keeper;
        this.jdkMaps = jdkMaps;
        this.windows = new AtomicReferenceArray<>((int) ((info.size() + WINDOW - 1) >>> WINDOW_SHIFT));
        this.lifecycle = new Lifecycle(info.path(), this::unmapAndCloseDescriptor, this::imageShrank);
    }

    /**
     * Opens the whole device, read-only or read-write. A DAX device, or an image file opened read-write, is mapped
     * now through libc; an image file opened read-only is opened through the JDK (reads go through the JDK's
     * read-only mappings, unmapped by the close: {@link JdkMaps}), and libc maps it only when a use needs that (see
     * {@link #fd()}). Where the JDK cannot unmap its maps on demand ({@link JdkMaps#open()} null: Java 17 to 21
     * without {@code jdk.unsupported}) the read-only image is mapped through libc now as well.
     */
    public static Device open(DeviceInfo info, boolean writable) throws IOException {
        if (info.size() <= 0) {
            throw new IOException(info.path() + " is empty (size " + info.size() + "): not a famfs device or image");
        }
        JdkMaps maps = writable || info.isDaxDevice() ? null : JdkMaps.open();
        if (maps == null) {
            return new Device(info, writable, map(info, writable, null), null, null, null, null);
        }
        FileChannel image = null;
        FileChannel keeper = null;
        try {
            Native.checkChosenBinding();
            ImageChannel opened = openImage(info, info.realPath(), null);
            image = opened.channel();
            keeper = openImage(info, info.realPath(), opened.key()).channel();
            Device d = new Device(info, false, null, image, opened.key(), keeper, maps);
            try {
                d.window(0); // mapped now, so that a refusal is the open's IOException
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            return d;
        } catch (IOException | RuntimeException | Error e) {
            undoOpen(e, maps, image, keeper);
            throw e;
        }
    }

    /** Closes what a failed {@link #open} had opened (null: not yet), keeping {@code failure} the one thrown. */
    private static void undoOpen(Throwable failure, JdkMaps maps, FileChannel... channels) {
        try {
            maps.close();
        } catch (RuntimeException e) {
            failure.addSuppressed(e);
        }
        for (FileChannel ch : channels) {
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException | RuntimeException e) {
                    failure.addSuppressed(e);
                }
            }
        }
    }

    /** An image file opened read-only through the JDK, and its file key. */
    private record ImageChannel(FileChannel channel, Object key) {}

    /**
     * Opens an image file read-only through the JDK, at {@code path} (its path, or a /proc/self/fd entry of it).
     * The JDK's channel cannot be asked which file it opened, so the key read from the path before and after the
     * open must agree (else the image was replaced meanwhile, and the key might not be the channel's file); with
     * {@code expected} not null, it must also be that key.
     */
    private static ImageChannel openImage(DeviceInfo info, java.nio.file.Path path, Object expected)
            throws IOException {
        Object before = regularFileKey(info, path);
        FileChannel ch;
        try {
            ch = FileChannel.open(path, StandardOpenOption.READ);
        } catch (java.nio.file.FileSystemException e) {
            throw openFailed(info, e);
        }
        try {
            Object key = regularFileKey(info, path);
            if (!java.util.Objects.equals(key, before)) {
                throw new IOException(info.path() + " was replaced while it was being opened: open it again");
            }
            if (expected != null && !expected.equals(key)) {
                throw new IOException(info.path() + " is not the image file the famfs was opened on (it was"
                        + " replaced since): cannot open it again");
            }
            return new ImageChannel(ch, key);
        } catch (IOException | RuntimeException e) {
            ch.close();
            throw e;
        }
    }

    /**
     * The file key of the image file at {@code path} (a /proc/self/fd entry of an open descriptor: the file it
     * opened), refusing what is no longer a regular file: opening a FIFO for reading would block until a writer
     * came, and a directory would be reported as a truncated image. (Between this look and the JDK's open, a
     * replacement by a FIFO can still block that open: only libc's open takes O_NONBLOCK.)
     */
    private static Object regularFileKey(DeviceInfo info, java.nio.file.Path path) throws IOException {
        java.nio.file.attribute.BasicFileAttributes a;
        try {
            a = java.nio.file.Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class);
        } catch (java.nio.file.FileSystemException e) {
            throw openFailed(info, e);
        }
        if (!a.isRegularFile()) {
            throw new IOException(info.path() + " is no longer a regular file (" + (a.isDirectory() ? "a directory"
                    : a.isSymbolicLink() ? "a symbolic link" : "a FIFO, socket or device") + " now): not a famfs"
                    + " image file");
        }
        return a.fileKey();
    }

    /** The identity (device and inode) of the file at {@code path}. */
    private static Object fileKey(java.nio.file.Path path) throws IOException {
        return java.nio.file.Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class).fileKey();
    }

    /** The file this process has open as descriptor {@code fd}, whatever became of its name. */
    private static java.nio.file.Path openFile(int fd) {
        return java.nio.file.Path.of("/proc/self/fd/" + fd);
    }

    /** The JDK's failed open as libc's is reported ({@link Native#error}): the call, the path, why. */
    private static IOException openFailed(DeviceInfo info, java.nio.file.FileSystemException e) {
        String why = e instanceof java.nio.file.NoSuchFileException ? "No such file or directory (errno 2)"
                : e instanceof java.nio.file.AccessDeniedException ? "Permission denied (errno 13)"
                : e.getReason() != null ? e.getReason() : e.toString();
        return new IOException("open " + info.path() + " failed: " + why, e);
    }

    /**
     * Opens the device through libc and maps all of it. For an image file opened earlier through the JDK
     * ({@code key} its file key then), the file now at its path must be that file.
     */
    private static Mapping map(DeviceInfo info, boolean writable, Object key) throws IOException {
        LibcCalls c = Native.libc();
        // an image file replaced by a FIFO since the probe: O_NONBLOCK opens it at once (to be refused below);
        // it changes nothing for a regular file's or a DAX device's mmap
        int fd = c.open(Native.cString(info.realPath()), (writable ? LibcCalls.O_RDWR : LibcCalls.O_RDONLY)
                | LibcCalls.O_CLOEXEC | (info.isDaxDevice() ? 0 : LibcCalls.O_NONBLOCK), 0);
        if (fd < 0) {
            throw Native.error("open", info.path());
        }
        try {
            Object opened = info.isDaxDevice() ? null : regularFileKey(info, openFile(fd));
            if (key != null && !key.equals(opened)) {
                throw new IOException(info.path() + " is not the image file the famfs was opened on (it was replaced"
                        + " since): cannot map it");
            }
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
            return new Mapping(fd, base, length);
        } catch (IOException | RuntimeException e) {
            c.close(fd);
            throw e;
        }
    }

    /**
     * The descriptor and mapping, made now if this is an image file opened read-only that had none yet. The caller
     * holds an entry of the lifecycle.
     */
    private Mapping mapping() throws IOException {
        Mapping m = mapping;
        if (m != null) {
            return m;
        }
        synchronized (mapLock) {
            if (closed) {
                throw new ClosedFileSystemException();
            }
            if (mapping == null) {
                mapping = map(info, false, imageKey);
            }
            return mapping;
        }
    }

    /** {@link #mapping()}, for the callers that cannot throw IOException (they are reached only when mapped). */
    private long base() {
        try {
            return mapping().base();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The identity (device and inode, {@code BasicFileAttributes.fileKey}) of the file this device opened, whatever
     * became of its name since; null once the device is closing, or where the file system gives no key.
     */
    public Object fileKey() throws IOException {
        if (imageKey != null) {
            return imageKey;
        }
        if (!lifecycle.tryEnter()) {
            return null;
        }
        try {
            return fileKey(openFile(mapping.fd()));
        } finally {
            lifecycle.exit();
        }
    }

    /** Whether libc has opened and mapped the device (always, except for an image file opened read-only). */
    public boolean isMapped() {
        return mapping != null;
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

    /**
     * The file descriptor (for flock and per-file mappings); valid until {@link #close()}. On an image file opened
     * read-only the first call opens it (and maps the device) through libc, and fails as binding libc or the open
     * fails. The caller holds an entry.
     */
    public int fd() throws IOException {
        return mapping().fd();
    }

    /**
     * Bytes that back the mapping now: an image file's current size (fstat of the device's own descriptor, through
     * /proc/self/fd, so whatever became of its name), which another process may have truncated since it was
     * mapped (a read of a mapped page past its end faults: SIGBUS, which the JVM reports as an InternalError); a
     * DAX device's size as opened (it cannot shrink). Check it before reading through the mapping what other
     * processes may have changed. The caller holds an entry.
     */
    public long backedBytes() throws IOException {
        if (info.isDaxDevice()) {
            return info.size();
        }
        if (image != null) {
            return onImage(FileChannel::size);
        }
        return java.nio.file.Files.size(openFile(mapping.fd()));
    }

    /**
     * Tries to take (or, with {@code type} {@link LibcCalls#F_UNLCK}, to drop) an open-file-description record lock
     * (fcntl F_OFD_SETLK) on device bytes {@code [offset, offset+length)}: advisory, host-local, shared between
     * the processes of this host that open the device, never waiting. An entry of the lifecycle is held only for
     * the system call.
     *
     * @return true when taken (or dropped), false when another process holds a conflicting lock, or the device
     *         is closing (then every lock is gone with its descriptor)
     */
    public boolean rangeLock(long offset, long length, short type) throws IOException {
        if (offset < 0 || length <= 0 || offset > Long.MAX_VALUE - length) {
            throw new IllegalArgumentException("bad lock range [" + offset + ", +" + length + ")");
        }
        byte[] fl = new byte[32];
        ByteBuffer b = ByteBuffer.wrap(fl).order(ByteOrder.nativeOrder());
        b.putShort(0, type).putShort(2, LibcCalls.SEEK_SET).putLong(8, offset).putLong(16, length);
        if (!lifecycle.tryEnter()) {
            return false;
        }
        try {
            LibcCalls c = Native.libc();
            if (c.fcntl(fd(), LibcCalls.F_OFD_SETLK, fl) == 0) {
                return true;
            }
            int errno = Native.errno();
            if (errno == LibcCalls.EAGAIN || errno == LibcCalls.EACCES || errno == EINTR) {
                return false;
            }
            throw Native.error("fcntl(F_OFD_SETLK)", info.path());
        } finally {
            lifecycle.exit();
        }
    }

    /**
     * flock(2) on the device's descriptor: {@code exclusive} takes LOCK_EX, else LOCK_UN. It excludes other
     * processes of this host (the reference CLI takes the same lock on its log file); it is advisory.
     *
     * <p>Taking the lock: while another process holds it this polls (LOCK_NB, backing off to 5 ms) instead of
     * blocking in the kernel, each try an entry of the lifecycle of its own (so the descriptor is never one that a
     * close gave back to the kernel). It gives up with {@link ClosedFileSystemException} once the device is
     * closing, so that a close never waits on another process, and with {@link FileLockInterruptionException}
     * (the thread's interrupt status set again, as the JDK's {@code FileChannel.lock}) when the waiting thread is
     * interrupted. Releasing it takes its own entry, and does nothing once closing began (closing the descriptor
     * releases the lock).
     */
    public void flock(boolean exclusive) throws IOException {
        LibcCalls c = Native.libc();
        if (!exclusive) {
            if (!lifecycle.tryEnter()) {
                return;
            }
            try {
                if (c.flock(fd(), LibcCalls.LOCK_UN) != 0) {
                    throw Native.error("flock", info.path());
                }
            } finally {
                lifecycle.exit();
            }
            return;
        }
        LockWait wait = new LockWait(50_000, 5_000_000);
        long since = System.nanoTime();
        boolean told = false;
        while (true) {
            if (!lifecycle.tryEnter()) {
                throw new ClosedFileSystemException();
            }
            try {
                if (c.flock(fd(), LibcCalls.LOCK_EX | LibcCalls.LOCK_NB) == 0) {
                    return;
                }
                int errno = Native.errno();
                if (errno != EWOULDBLOCK && errno != EINTR) {
                    throw Native.error("flock", info.path());
                }
            } finally {
                lifecycle.exit();
            }
            if (!told && System.nanoTime() - since > FLOCK_WAIT_WARNING_NANOS) {
                told = true; // once per wait: a process writing a new file holds the lock until it publishes
                LibraryLog.get().log(System.Logger.Level.WARNING,
                        "famfs {0}: waiting for another process''s lock on the device"
                        + " ({1}), taken for a log operation or held while it writes a new file (until that file''s"
                        + " channel or stream is closed, or, if it was dropped unclosed, collected)", info.path(),
                        FlockHolders.describe(info.realPath()));
            }
            if (lifecycle.isClosing()) {
                throw new ClosedFileSystemException();
            }
            wait.pause();
        }
    }

    /** How long a wait for another process's flock goes on before it is logged (once). */
    private static final long FLOCK_WAIT_WARNING_NANOS = 10_000_000_000L;

    private static final int EINTR = 4;
    private static final int EWOULDBLOCK = 11;

    /** This process's effective user and group ids. */
    /**
     * This process's file mode creation mask (the {@code Umask:} line of /proc/self/status, Linux 4.7+), which the
     * kernel applies to every file the process creates; 022 where it cannot be read.
     */
    public static int umask() {
        try {
            String status = new String(PseudoFiles.read(java.nio.file.Path.of("/proc/self/status")),
                    java.nio.charset.StandardCharsets.US_ASCII);
            for (String line : status.split("\n")) {
                if (line.startsWith("Umask:")) {
                    return Integer.parseInt(line.substring(6).trim(), 8) & 0777;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return 022;
    }

    public static int[] effectiveIds() throws IOException {
        LibcCalls c = Native.libc();
        return new int[] {c.geteuid(), c.getegid()};
    }

    /** The lifecycle every use of this device registers with. */
    public Lifecycle lifecycle() {
        return lifecycle;
    }

    /**
     * Begins an entry (see {@link Lifecycle#enter()}): fails with {@link ClosedFileSystemException} once closing
     * began. Pair with {@link #release()}.
     */
    public void acquire() {
        lifecycle.enter();
    }

    /** Ends an entry begun by {@link #acquire()}. */
    public void release() {
        lifecycle.exit();
    }

    public boolean isOpen() {
        return !lifecycle.isClosing();
    }

    /**
     * A little-endian buffer over device bytes {@code [offset, offset+length)} (a slice of a cached window, or a
     * new buffer when the range crosses windows). Valid only while the caller holds an entry; never handed to
     * code outside this library.
     */
    public ByteBuffer slice(long offset, int length) {
        checkRange(offset, length);
        ByteBuffer w = window(offset);
        int at = (int) (offset & (WINDOW - 1));
        if (at + (long) length > w.capacity()) {
            ByteBuffer b = image != null ? mapImage(offset, length) : Native.buffer(mapping.base() + offset, length);
            return (writable ? b : b.asReadOnlyBuffer()).order(ByteOrder.LITTLE_ENDIAN);
        }
        return w.slice(at, length).order(ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Copies {@code length} device bytes at {@code offset} into {@code dst} at its position, advancing it.
     * Valid only while the caller holds an entry.
     */
    public void copyTo(long offset, ByteBuffer dst, int length) {
        if (maintainData) {
            invalidateCaches(offset, length);
        }
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
     * Writes {@code src} (from its position, advancing it) to image bytes at {@code offset} with pwrite(2) on the
     * device's descriptor: not an interruptible channel, so an interrupt of one writer never closes anything that
     * other threads write through. Only where {@link #writesThroughFile()}; the caller holds an entry.
     */
    public void writeThroughFile(ByteBuffer src, long offset) throws IOException {
        checkRange(offset, src.remaining());
        checkWritesThroughFile();
        LibcCalls c = Native.libc();
        long at = offset;
        while (src.hasRemaining()) {
            // a heap buffer's region is copied to native memory by the binding (jnr-ffi copies all that remains
            // of the buffer it is given): in bounded pieces
            int n = src.isDirect() ? src.remaining() : Math.min(src.remaining(), HEAP_PIECE);
            long w = c.pwrite(mapping.fd(), src.slice(src.position(), n), n, at);
            if (w < 0) {
                if (Native.errno() == EINTR) {
                    continue;
                }
                throw Native.error("pwrite at byte " + at + " of", info.path());
            }
            if (w == 0) {
                throw new IOException("pwrite at byte " + at + " of " + info.path() + " wrote nothing");
            }
            src.position(src.position() + (int) w);
            at += w;
        }
    }

    private static final int HEAP_PIECE = 1 << 20;

    /**
     * Writes {@code length} bytes of {@code src} (from its position, advancing it) to device bytes at
     * {@code offset} the way new bytes go in: through the image file where {@link #writesThroughFile()} (no
     * fault and zero-fill per page), else into the mapping. The caller holds an entry.
     */
    public void write(ByteBuffer src, long offset, int length) throws IOException {
        if (writesThroughFile()) {
            writeThroughFile(src.slice(src.position(), length), offset);
            src.position(src.position() + length);
            written(offset, length);
        } else {
            copyFrom(src, offset, length);
        }
    }

    /**
     * Software coherence (env {@code coherence=software}): from now on the bytes that {@link #write},
     * {@link #copyFrom}, {@link #copyWithin} and {@link #transferThroughFile} put in are written back from the CPU
     * caches before they return, and {@link #copyTo} invalidates what it reads first.
     */
    public void maintainData(boolean on) throws IOException {
        if (on) {
            mapping(); // the native cache-line code needs the address of libc's mapping
        }
        maintainData = on;
    }

    public boolean maintainsData() {
        return maintainData;
    }

    /**
     * Whether this device's CPU cache lines are maintained by the native helper: on a DAX device (memory that other
     * hosts may share without coherence), and under software coherence. An image file is memory of this host, kept
     * coherent by it for every process that maps the file, so there the calls below are fences only; this also keeps
     * native code from touching pages of an image that another process may have truncated (a fault there would be
     * SIGBUS in native code, which the JVM cannot turn into an exception).
     */
    public boolean maintainsCaches() {
        return info.isDaxDevice() || maintainData;
    }

    /** The metadata code's cache maintenance for this device (see {@link #maintainsCaches()}). */
    public io.github.famfs.meta.CacheMaintenance cacheMaintenance() {
        return maintainsCaches() ? CacheLines.maintenance() : io.github.famfs.meta.CacheMaintenance.FENCES;
    }

    /** Writes back the CPU cache lines of device bytes {@code [offset, offset+length)}, then SFENCE. */
    public void flushCaches(long offset, long length) {
        checkRange(offset, length);
        if (maintainsCaches()) {
            CacheLines.flush(base() + offset, length);
        } else {
            java.lang.invoke.VarHandle.fullFence();
        }
    }

    /** Drops the CPU cache lines of device bytes {@code [offset, offset+length)}, then SFENCE. */
    public void invalidateCaches(long offset, long length) {
        checkRange(offset, length);
        if (maintainsCaches()) {
            CacheLines.invalidate(base() + offset, length);
        } else {
            java.lang.invoke.VarHandle.fullFence();
        }
    }

    /** After new data bytes went in: written back under software coherence. */
    public void written(long offset, long length) {
        if (maintainData) {
            flushCaches(offset, length);
        }
    }

    /**
     * Copies {@code length} bytes of {@code source} from {@code sourcePosition} to image bytes at {@code offset}
     * inside the kernel (no user-space copy). Only where {@link #writesThroughFile()}; the caller holds an entry,
     * and {@code source} is the JDK's own FileChannel over a regular file (no foreign code sees the image).
     *
     * <p>The JDK closes a channel whose thread is interrupted during an operation on it: the interrupted caller
     * gets its {@code ClosedByInterruptException}, and the next transfer opens the image again, so no other
     * thread sees the interrupt.
     *
     * @return bytes copied (fewer at the end of the source)
     */
    public long transferThroughFile(FileChannel source, long sourcePosition, long offset, long length)
            throws IOException {
        checkRange(offset, length);
        checkWritesThroughFile();
        long done = 0;
        synchronized (transferLock) {
            if (transferChannel == null || !transferChannel.isOpen()) {
                // the same open file as the descriptor, whatever became of the image's name since
                transferChannel = FileChannel.open(openFile(mapping.fd()),
                        StandardOpenOption.WRITE);
            }
            FileChannel ch = transferChannel;
            while (done < length) {
                ch.position(offset + done);
                long n = source.transferTo(sourcePosition + done, length - done, ch);
                if (n <= 0) {
                    break;
                }
                done += n;
            }
        }
        written(offset, done);
        return done;
    }

    private void checkWritesThroughFile() {
        if (!writesThroughFile()) {
            throw new IllegalStateException(info.path() + " is not an image file open for writing");
        }
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
            Native.libc().madvise(mapping.base() + start, offset + length - start, LibcCalls.MADV_POPULATE_WRITE);
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
        written(offset, length);
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
        if (Native.libc().msync(mapping.base() + start, offset + length - start, LibcCalls.MS_SYNC) != 0) {
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
            if (image != null) {
                // the JDK's read-only mapping, half a window longer (so that most ranges that cross into the next
                // window still lie in this one; a segment's buffer holds less than 2 GiB)
                w = mapImage(start, (int) Math.min(WINDOW + WINDOW / 2, info.size() - start));
            } else {
                int len = (int) Math.min(WINDOW, info.size() - start);
                ByteBuffer b = Native.buffer(mapping.base() + start, len);
                w = writable ? b : b.asReadOnlyBuffer();
            }
            if (!windows.compareAndSet(i, null, w)) {
                w = windows.get(i);
            }
        }
        return w;
    }

    /**
     * Closes the device's lifecycle (see {@link Lifecycle#close}): waits for the entries in flight, then unmaps
     * and closes the descriptor. Idempotent; not a monitor, so no writer can deadlock with it.
     */
    @Override
    public void close() {
        lifecycle.close(null);
    }

    /** A read-only JDK mapping of image bytes {@code [offset, offset+length)}, unmapped by the close. */
    private ByteBuffer mapImage(long offset, int length) {
        try {
            ByteBuffer b = onImage(ch -> jdkMaps.readOnly(ch, offset, length));
            adviseHugePages(b);
            return b;
        } catch (IOException e) {
            long backed = -1;
            try {
                backed = backedBytes();
            } catch (IOException | RuntimeException ignored) {
                // the first failure is the one reported
            }
            String why = backed >= 0 && backed < offset + length ? " (the image file was truncated by another"
                    + " process since the famfs opened: it holds " + backed + " bytes, the famfs opened on it "
                    + info.size() + ")" : "";
            throw new UncheckedIOException(new IOException(info.path() + ": cannot map bytes [" + offset + ", +"
                    + length + ")" + why + ": " + e, e));
        }
    }

    /**
     * Gives a JDK mapping of the image the huge-page advice that libc's mappings get ({@link AddressSpace#map}),
     * where libc is bound already (a read-only mount does not bind it for this). Without it, on a file system with
     * large folios (ext4 on Linux 6.16+), a page fault on bytes not yet in the page cache reads
     * {@code read_ahead_kb} around the fault in 4 KiB pages (2,048 of them where that is 8192) instead of 2 MiB
     * folios, and the kernel then fills, maps and later drops (truncation, eviction) every page one by one.
     */
    private static void adviseHugePages(ByteBuffer jdkMapping) {
        if (Native.isBound()) {
            long address = Native.address(jdkMapping);
            long start = address - Math.floorMod(address, AddressSpace.PAGE);
            AddressSpace.adviseHugePages(start, address + jdkMapping.capacity() - start);
        }
    }

    /** An operation on the image file's JDK channel. */
    private interface ImageCall<T> {
        T on(FileChannel image) throws IOException;
    }

    /**
     * Runs {@code call} on {@link #image} with the calling thread's interrupt status cleared (and set again after),
     * so that one thread's interrupt does not close the channel every thread of the file system reads through;
     * when an interrupt that came during the call closed it all the same, opens the image again and retries once.
     * The caller holds an entry.
     */
    private <T> T onImage(ImageCall<T> call) throws IOException {
        boolean interrupted = Thread.interrupted();
        try {
            for (int attempt = 0; ; attempt++) {
                FileChannel ch = image;
                try {
                    return call.on(ch);
                } catch (java.nio.channels.ClosedChannelException e) {
                    interrupted |= Thread.interrupted();
                    if (attempt > 0 || !reopenImage(ch)) {
                        throw e;
                    }
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Opens the image file again in place of {@code closedChannel}, which an interrupt closed: the file now at its
     * path must be the one the famfs was opened on. False when the device is closing (its close closed it).
     */
    private boolean reopenImage(FileChannel closedChannel) throws IOException {
        synchronized (mapLock) {
            if (closed) {
                return false;
            }
            if (image != closedChannel) {
                return true; // another thread opened it again
            }
            image = openImage(info, sameFile(), imageKey).channel();
            return true;
        }
    }

    /**
     * A /proc/self/fd entry of a descriptor of this process open on the image file ({@link #keeper}'s at least, for
     * as long as the device is open), whatever became of the file's name; its path where none is found.
     */
    private java.nio.file.Path sameFile() {
        try (java.nio.file.DirectoryStream<java.nio.file.Path> fds =
                java.nio.file.Files.newDirectoryStream(java.nio.file.Path.of("/proc/self/fd"))) {
            for (java.nio.file.Path fd : fds) {
                try {
                    if (imageKey.equals(fileKey(fd))) {
                        return fd;
                    }
                } catch (IOException | RuntimeException e) {
                    // closed meanwhile, or not a file: look on
                }
            }
        } catch (IOException e) {
            // no /proc: the path
        }
        return info.realPath();
    }

    /**
     * Whether the image file now holds fewer bytes than the famfs opened on it (another process truncated it): the
     * lifecycle's test for entries that may never end (see {@link Lifecycle#abandoned()}). False for a DAX device
     * (it cannot shrink), and when the size cannot be read. Asked by the closing thread while entries may be in
     * flight: the image channel's interrupt handling and reopening ({@link #onImage}) apply as to any reader.
     */
    private boolean imageShrank() {
        try {
            return backedBytes() < info.size();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The lifecycle's last step. */
    private void unmapAndCloseDescriptor() {
        Mapping m;
        FileChannel ch;
        synchronized (mapLock) {
            closed = true;
            m = mapping;
            ch = image;
        }
        long abandoned = lifecycle.abandoned();
        try {
            try {
                if (abandoned < 0) {
                    if (ch != null) {
                        for (int i = 0; i < windows.length(); i++) {
                            windows.set(i, null);
                        }
                        jdkMaps.close();
                    }
                    if (m != null) {
                        AddressSpace.unmap(m.base(), m.length());
                    }
                } else {
                    // entries that may never end (the image shrank under them): a thread may still be inside one,
                    // so nothing is unmapped, and libc's descriptor stays open too: closed, its number would go to
                    // the process's next open, and a live entry's pwrite, flock or map would act on that other file
                    // (the JDK's channels close safely under their users)
                    LibraryLog.get().log(System.Logger.Level.WARNING, "famfs close of " + info.path() + ": "
                            + abandoned + " operation(s) did not end after the image file was truncated below its "
                            + info.size() + " bytes (on Java 17 to 21 the fault of a read of truncated memory is"
                            + " raised later, possibly inside the operation's bookkeeping); its mappings"
                            + (m != null ? " and descriptor" : "") + " stay until the process ends");
                }
            } finally {
                if (ch != null) {
                    try {
                        ch.close();
                    } finally {
                        keeper.close();
                    }
                }
            }
            if (m != null) {
                synchronized (transferLock) {
                    if (transferChannel != null) {
                        transferChannel.close();
                    }
                }
                if (abandoned < 0) {
                    Native.libc().close(m.fd());
                }
            }
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
