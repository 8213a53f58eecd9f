package io.github.famfs.nio;

import io.github.famfs.memory.CacheLines;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * {@link FamfsCaches} for {@link MemorySegment}s (Java 22+): write back or invalidate the CPU cache lines of a
 * range of a native segment, e.g. one that {@code FileChannel.map(mode, position, size, arena)} returned for a
 * famfs file. A heap segment has nothing to maintain (a fence only).
 */
public final class FamfsSegmentCaches {
    private FamfsSegmentCaches() {}

    /** Writes back {@code segment[offset, offset+length)} to memory, so other hosts can read it. */
    public static void flush(MemorySegment segment, long offset, long length) {
        maintain(segment, offset, length, true);
    }

    /** Drops the cached lines of {@code segment[offset, offset+length)}: later reads see what others flushed. */
    public static void invalidate(MemorySegment segment, long offset, long length) {
        maintain(segment, offset, length, false);
    }

    private static void maintain(MemorySegment segment, long offset, long length, boolean flush) {
        Objects.checkFromIndexSize(offset, length, segment.byteSize());
        // a closed arena's memory may be unmapped: refuse rather than touch it
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException("the segment's arena is closed");
        }
        long address = segment.isNative() ? segment.address() + offset : 0;
        if (flush) {
            CacheLines.flush(address, length);
        } else {
            CacheLines.invalidate(address, length);
        }
    }
}
