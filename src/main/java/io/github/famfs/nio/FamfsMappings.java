package io.github.famfs.nio;

import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.util.Objects;

/**
 * {@code force} and {@code load} of a mapped buffer that do what they say on every famfs device, and on buffers
 * the JDK mapped from other files alike.
 *
 * <p>Over an image file, a famfs map is one the JDK made, and {@code MappedByteBuffer.force()} is msync(2) of
 * its range. On a DAX device there is no page cache and no msync: the JDK's {@code force()} returns without doing
 * anything, and what "make it durable and visible" means there is writing the CPU caches back, which
 * {@link FamfsCaches#flush} does. {@link #force} does both, so code calls it without asking which device it
 * runs on. On Java 22 and later, {@code FamfsSegments} does the same for MemorySegments.
 */
public final class FamfsMappings {
    private FamfsMappings() {}

    /**
     * Writes the buffer's bytes back: msync(MS_SYNC) of its pages where a file backs them (the JDK's
     * {@code force()}, also for famfs maps of an image file; a famfs map of a DAX device has none, and no msync
     * is called on it), then, for a famfs mapping, {@link FamfsCaches#flush} of its whole range (the CPU cache
     * write-back a DAX device needs, without a system call). Any other buffer gets the JDK's {@code force()} and
     * a fence.
     *
     * @throws UncheckedIOException when msync fails, as {@code MappedByteBuffer.force()} does
     */
    public static void force(MappedByteBuffer buffer) {
        buffer.force();
        io.github.famfs.memory.MappedRanges.maintainIfFamfs(buffer, 0, buffer.capacity(), true);
    }

    /**
     * Brings the buffer's pages into memory: the JDK's {@code load()} where the JDK mapped it, otherwise
     * madvise(MADV_WILLNEED) and a read of one byte per page (which, on a DAX device, maps the pages).
     */
    public static void load(MappedByteBuffer buffer) {
        if (buffer.capacity() == 0) {
            return;
        }
        buffer.load();
        io.github.famfs.memory.Advice.WILLNEED.apply(buffer, 0, buffer.capacity());
        touch(buffer);
    }

    /** How a mapped range will be read: madvise(2) values that never free or change memory. */
    public enum Advice {
        /** MADV_NORMAL: the kernel's default read-ahead. */
        NORMAL,
        /** MADV_RANDOM: no read-ahead. */
        RANDOM,
        /** MADV_SEQUENTIAL: aggressive read-ahead; pages may be dropped soon after they are read. */
        SEQUENTIAL,
        /** MADV_WILLNEED: read the range in now (asynchronously). */
        WILLNEED
    }

    /**
     * madvise(2) of bytes {@code [offset, offset+length)} of a direct buffer (a famfs mapping, or any other),
     * widened to whole pages within its mapping: a read-ahead hint. Advice only: a heap buffer, or a kernel that
     * refuses it, gives false, never an error.
     *
     * @return whether the kernel took it
     * @throws IndexOutOfBoundsException when the range is not within the buffer's capacity
     */
    public static boolean advise(ByteBuffer buffer, long offset, long length, Advice advice) {
        Objects.requireNonNull(advice, "advice");
        Objects.checkFromIndexSize(offset, length, buffer.capacity());
        return io.github.famfs.memory.Advice.valueOf(advice.name()).apply(buffer, offset, length);
    }

    private static void touch(MappedByteBuffer buffer) {
        int sum = 0;
        for (int i = 0; i < buffer.capacity(); i += 4096) {
            sum += buffer.get(i);
        }
        SINK = sum;
    }

    @SuppressWarnings("unused")
    private static volatile int SINK;
}
