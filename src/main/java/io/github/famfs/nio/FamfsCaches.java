package io.github.famfs.nio;

import io.github.famfs.memory.CacheLines;
import io.github.famfs.memory.MappedRanges;
import java.io.IOException;
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
     * <p>The bytes must lie inside a live famfs mapping: a buffer of famfs's {@code FileChannel.map} or of
     * {@link FamfsOwnedMapping#buffer()}, or a slice, duplicate or read-only view of one (or the buffer view of a
     * famfs segment). The mapping is found in a registry of famfs's mappings, without a system call, and kept
     * mapped until the native call returns: an owned mapping's {@code close()} (or an arena's) racing the call
     * waits for it, and once the mapping is gone the call is refused. On a DAX device nothing here calls the
     * kernel (no msync: the device refuses it, and a flush is on the hot path). The one exception: on an image
     * file, {@code FileChannel.map}'s buffers are the JDK's own mappings, which {@code Unsafe.invokeCleaner} can
     * unmap behind famfs's back; there one {@code msync(MS_ASYNC)} of the range (the image file, a no-op for
     * mapped pages) checks that it is still mapped before the helper touches it, as the JDK's own
     * {@code force()} checks, and an {@code invokeCleaner} racing the call is the caller's error, as any use of
     * the buffer then is.
     *
     * <p>Any other direct buffer (a mapping of another file or device, {@code allocateDirect} memory) is refused
     * rather than maintained: famfs can only promise no system call and no crash on unmap for its own mappings,
     * and a flush of memory no other host reads is more likely a mistake (a copy flushed instead of the shared
     * bytes) than an intent. On Java 22+, {@code FamfsSegmentCaches} maintains any native segment, its arena kept
     * alive by the JDK. A heap buffer, or a zero length, has no memory to maintain: a fence only.
     *
     * @throws IndexOutOfBoundsException when the range is not inside the buffer's capacity
     * @throws IllegalArgumentException  when the bytes are not inside a live famfs mapping (not famfs memory, or
     *                                   their mapping was unmapped), with a message that says so
     */
    public static void flush(ByteBuffer buffer, int index, int length) {
        MappedRanges.maintain(buffer, index, length, true);
    }

    /**
     * Drops the cached lines of {@code buffer[index, index+length)}: later reads see what other hosts flushed.
     * Checks and limits as for {@link #flush(ByteBuffer, int, int)}.
     *
     * @throws IndexOutOfBoundsException when the range is not inside the buffer's capacity
     * @throws IllegalArgumentException  when the bytes are not inside a live famfs mapping
     */
    public static void invalidate(ByteBuffer buffer, int index, int length) {
        MappedRanges.maintain(buffer, index, length, false);
    }

    /**
     * Writes back bytes {@code [position, position+length)} of the famfs file {@code file}, wherever they lie on
     * the device (strips and extents included). Through the file system's own mapping of the device, an entry of
     * its lifecycle held for the call (a close waits for it; after close: {@code ClosedFileSystemException}); no
     * system call. It follows the device's coherence ({@code famfs:coherence}): the helper on a DAX device or under
     * {@code coherence=software}, a fence only on an image file under hardware coherence.
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
