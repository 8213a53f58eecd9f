package io.github.famfs.nio;

import io.github.famfs.memory.CacheLines;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.util.Objects;

/**
 * {@link FamfsCaches} for {@link MemorySegment}s (Java 22+): write back or invalidate the CPU cache lines of a
 * range of a native segment, e.g. one that {@code FileChannel.map(mode, position, size, arena)} returned for a
 * famfs file. A heap segment has nothing to maintain (a fence only).
 *
 * <p>The native helper is called through a foreign-function downcall that takes the segment itself: the linker
 * keeps the segment's arena alive for the duration of the call, as for any JDK access. A segment whose arena is
 * already closed is refused with {@link IllegalStateException}; an {@code Arena.close()} racing the call fails in
 * the closing thread (the arena is in use) instead of unmapping the memory under the helper.
 */
public final class FamfsSegmentCaches {
    private FamfsSegmentCaches() {}

    /** Writes back {@code segment[offset, offset+length)} to memory, so other hosts can read it. */
    public static void flush(MemorySegment segment, long offset, long length) {
        maintain(segment, offset, length, Helper.FLUSH);
    }

    /** Drops the cached lines of {@code segment[offset, offset+length)}: later reads see what others flushed. */
    public static void invalidate(MemorySegment segment, long offset, long length) {
        maintain(segment, offset, length, Helper.INVALIDATE);
    }

    /** The helper's two functions bound as {@code int f(void *, size_t)}, or null where it is not loaded. */
    private static final class Helper {
        static final MethodHandle FLUSH = bind("famfs_cache_flush");
        static final MethodHandle INVALIDATE = bind("famfs_cache_invalidate");

        private static MethodHandle bind(String name) {
            long address = CacheLines.symbol(name);
            if (address == 0) {
                return null;
            }
            return Linker.nativeLinker().downcallHandle(MemorySegment.ofAddress(address),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));
        }
    }

    private static void maintain(MemorySegment segment, long offset, long length, MethodHandle helper) {
        Objects.checkFromIndexSize(offset, length, segment.byteSize());
        if (!segment.scope().isAlive()) {
            throw new IllegalStateException("the segment's arena is closed");
        }
        if (helper == null || !segment.isNative() || length == 0) {
            VarHandle.fullFence(); // a fence only: no helper, a heap segment, or nothing
            return;
        }
        try {
            // the segment as the argument: its arena is held for the call (a closed one: IllegalStateException)
            int unused = (int) helper.invokeExact(segment.asSlice(offset, length), length);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
