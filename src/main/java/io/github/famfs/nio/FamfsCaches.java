package io.github.famfs.nio;

import io.github.famfs.memory.CacheLines;
import io.github.famfs.memory.LibcCalls;
import io.github.famfs.memory.Native;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.util.Objects;

/**
 * CPU cache maintenance for famfs memory shared between hosts, for applications that share mutable data through
 * mappings (famfs-format.md §8.3).
 *
 * <p>Memory that is not cache-coherent between hosts needs the reference's cache-line instructions: a writer
 * writes back what it wrote before another host reads it, a reader drops its stale lines before reading what
 * another host wrote. These calls issue them through famfs-nio's native helper: CLWB (else CLFLUSHOPT, else
 * CLFLUSH) to write back, CLFLUSHOPT (else CLFLUSH) to invalidate, then SFENCE, one native call per range. Where
 * the helper cannot load (not Linux x86-64, no temporary directory) they only fence, and {@link #instructions()}
 * says so.
 *
 * <ul>
 *   <li>{@link #flush}: after writing a range, before another host reads it (a writer's publish);
 *   <li>{@link #invalidate}: before reading a range another host wrote (a reader's acquire).
 * </ul>
 * Ranges are rounded out to whole 64-byte lines; the bytes outside the range that share those lines are written
 * back (and dropped) too, which is harmless.
 */
public final class FamfsCaches {
    private FamfsCaches() {}

    /**
     * Writes back {@code buffer[index, index+length)} to memory, so other hosts can read it.
     *
     * <p>The buffer is kept reachable until the native call returns. A direct buffer whose memory is no longer
     * mapped (unmapped by its cleaner, or the view of a closed arena's segment) is refused, as the JDK's {@code
     * MappedByteBuffer.force()} refuses it: the range is checked with {@code msync(MS_ASYNC)}, which fails with
     * ENOMEM on an unmapped page and otherwise does nothing. What that check cannot cover is a race the caller
     * owns: another thread unmapping the memory (the cleaner, {@code Arena.close()}) during the call; as with any
     * access to such a buffer, that faults. For segments, {@code FamfsSegmentCaches} (Java 22+) keeps the arena
     * alive during the call instead.
     *
     * @throws java.io.UncheckedIOException when the buffer's memory is not mapped
     */
    public static void flush(ByteBuffer buffer, int index, int length) {
        maintain(buffer, index, length, true);
    }

    /**
     * Drops the cached lines of {@code buffer[index, index+length)}: later reads see what other hosts flushed.
     * Checks and limits as for {@link #flush(ByteBuffer, int, int)}.
     *
     * @throws java.io.UncheckedIOException when the buffer's memory is not mapped
     */
    public static void invalidate(ByteBuffer buffer, int index, int length) {
        maintain(buffer, index, length, false);
    }

    /** Checks the range is mapped, then one native call, the buffer kept reachable until it returns. */
    private static void maintain(ByteBuffer buffer, int index, int length, boolean flush) {
        Objects.checkFromIndexSize(index, length, buffer.capacity());
        try {
            checkMapped(buffer, index, length);
            if (flush) {
                CacheLines.flush(buffer, index, length);
            } else {
                CacheLines.invalidate(buffer, index, length);
            }
        } finally {
            Reference.reachabilityFence(buffer);
        }
    }

    /** Refuses a direct buffer whose range is not mapped (msync(MS_ASYNC): ENOMEM there, a no-op otherwise). */
    private static void checkMapped(ByteBuffer buffer, int index, int length) {
        long address = CacheLines.address(buffer);
        if (address == 0 || length == 0 || !CacheLines.isAvailable()) {
            return; // a heap buffer, nothing, or a fence only: no memory is touched
        }
        long start = address + index;
        long page = start & -PAGE;
        try {
            LibcCalls libc = Native.libc();
            if (libc.msync(page, start + length - page, LibcCalls.MS_ASYNC) != 0) {
                int errno = libc.errno();
                throw new UncheckedIOException(new IOException("cannot maintain the caches of " + buffer
                        + ": its memory [0x" + Long.toHexString(start) + ", +" + length + ") is not mapped"
                        + " (unmapped by its cleaner, or its arena closed?): msync: " + libc.strerror(errno)
                        + " (errno " + errno + ")"));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final long PAGE = 4096;

    /**
     * Writes back bytes {@code [position, position+length)} of the famfs file {@code file}, wherever they lie on
     * the device (strips and extents included).
     *
     * @throws ProviderMismatchException when {@code file} is not on a famfs
     * @throws IOException               when it is missing or a directory
     * @throws IndexOutOfBoundsException when the range is not inside the file
     */
    public static void flush(Path file, long position, long length) throws IOException {
        famfs(file).getFileSystem().maintainCaches(famfs(file), position, length, true);
    }

    /** Invalidates bytes {@code [position, position+length)} of the famfs file {@code file}; see {@link #flush(Path, long, long)}. */
    public static void invalidate(Path file, long position, long length) throws IOException {
        famfs(file).getFileSystem().maintainCaches(famfs(file), position, length, false);
    }

    /**
     * The instructions in use, e.g. {@code flush=clwb invalidate=clflushopt fence=sfence}, or {@code fences only
     * (no cache-line helper: why)}.
     */
    public static String instructions() {
        return CacheLines.describe();
    }

    /** Whether the native helper is loaded (false: these calls only fence). */
    public static boolean isNative() {
        return CacheLines.isAvailable();
    }

    private static FamfsPath famfs(Path file) {
        if (!(Objects.requireNonNull(file, "file") instanceof FamfsPath p)) {
            throw new ProviderMismatchException("not a famfs path: " + file);
        }
        return p;
    }
}
