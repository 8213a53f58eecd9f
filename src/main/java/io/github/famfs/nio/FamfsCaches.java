package io.github.famfs.nio;

import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * CPU cache maintenance for famfs memory shared between hosts.
 *
 * <p>famfs-nio assumes cache-coherent memory (a single host, or CXL memory shared coherently): a store is seen
 * by every other mapping of the same bytes, in the order the fences here impose, and these calls cost one fence.
 * Memory that is not coherent needs the reference's cache-line instructions (CLWB/CLFLUSHOPT over each 64-byte
 * line, then SFENCE, per famfs-format.md §8.3), which Java cannot issue; a native helper for them is planned
 * with multi-host shared use. The calls below are where applications put those flushes today, so that code
 * written now is right on non-coherent memory later.
 *
 * <ul>
 *   <li>{@link #flush}: after writing a range, before another host reads it (a writer's publish);
 *   <li>{@link #invalidate}: before reading a range another host wrote (a reader's acquire).
 * </ul>
 */
public final class FamfsCaches {
    private FamfsCaches() {}

    /** Makes writes to {@code buffer[index, index+length)} visible to other hosts before later writes. */
    public static void flush(ByteBuffer buffer, int index, int length) {
        Objects.checkFromIndexSize(index, length, buffer.capacity());
        VarHandle.fullFence();
    }

    /** Makes later reads of {@code buffer[index, index+length)} see what other hosts flushed. */
    public static void invalidate(ByteBuffer buffer, int index, int length) {
        Objects.checkFromIndexSize(index, length, buffer.capacity());
        VarHandle.fullFence();
    }
}
