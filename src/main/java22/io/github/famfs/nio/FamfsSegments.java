package io.github.famfs.nio;

import io.github.famfs.memory.ImageMapping;
import io.github.famfs.memory.MappedRanges;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * {@code force} and {@code load} of a MemorySegment that work on famfs segments of every device, and on segments
 * the JDK mapped from other files alike (Java 22 and later).
 *
 * <p>A famfs segment over an image file is a mapped segment made by the JDK, so its own {@code force()},
 * {@code load()}, {@code unload()} and {@code isLoaded()} work. A famfs segment on a DAX device is a native
 * segment (the JDK cannot map a DAX character device): for it those methods throw
 * UnsupportedOperationException ("Not a mapped segment"), and the work they stand for is different: there is no
 * page cache, so making bytes durable and visible is writing the CPU caches back ({@link FamfsCaches#flush}),
 * and loading is touching the pages. These methods pick the right one.
 */
public final class FamfsSegments {
    private FamfsSegments() {}

    /**
     * Writes the segment's bytes back: {@code segment.force()} (msync) for a mapped segment, msync(MS_SYNC) of its
     * pages for a native one where a file accepts it (a famfs map of an image file the JDK could not frame; never
     * famfs's map of a DAX device, which refuses msync), then {@link FamfsSegmentCaches#flush} over the whole
     * segment (the CPU cache write-back of DAX memory, the arena held for the call). A heap segment has nothing
     * to write back.
     *
     * @throws UncheckedIOException when msync fails, as {@code MemorySegment.force()} does
     */
    public static void force(MemorySegment segment) {
        if (!segment.isNative()) {
            return;
        }
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException("the segment's arena is closed");
        }
        if (segment.isMapped()) {
            segment.force();
        } else if (segment.byteSize() > 0) {
            // famfs's own map of a DAX device: no page cache, and the device refuses msync (never call it there)
            MappedRanges.Range famfs = MappedRanges.ownedCovering(segment.address(), segment.byteSize());
            if (famfs == null || !famfs.onDaxDevice()) {
                try {
                    ImageMapping.sync(segment.address(), segment.byteSize());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        // the segment itself to the helper: its arena is held for the call
        FamfsSegmentCaches.flush(segment, 0, segment.byteSize());
    }

    /**
     * Brings the segment's pages into memory: {@code segment.load()} for a mapped segment; for a native one
     * madvise(MADV_WILLNEED), then a read of one byte per page (which, on a DAX device, maps the pages).
     */
    public static void load(MemorySegment segment) {
        if (!segment.isNative() || segment.byteSize() == 0) {
            return;
        }
        if (segment.isMapped()) {
            segment.load();
            return;
        }
        io.github.famfs.memory.Advice.WILLNEED.apply(segment.address(), segment.byteSize());
        long sum = 0;
        for (long at = 0; at < segment.byteSize(); at += 4096) {
            sum += segment.get(ValueLayout.JAVA_BYTE, at);
        }
        sink = sum;
    }

    @SuppressWarnings("unused")
    private static volatile long sink;
}
