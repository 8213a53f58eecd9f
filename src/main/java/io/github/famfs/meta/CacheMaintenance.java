package io.github.famfs.meta;

import java.nio.ByteBuffer;

/**
 * The CPU cache maintenance that the metadata code asks for on shared famfs memory (famfs-format.md §8.3): write
 * back a range after writing it, invalidate a range before reading what another host wrote. The memory layer
 * supplies the implementation (it owns the native helper); this package only says where and when.
 *
 * <p>Ranges are {@code [index, index+length)} of a buffer over device memory (a direct buffer; a heap buffer,
 * as tests use, has nothing to maintain).
 */
public interface CacheMaintenance {
    /** Writes back the cache lines of the range, then fences (CLWB/CLFLUSHOPT/CLFLUSH + SFENCE). */
    void flush(ByteBuffer memory, int index, int length);

    /** Drops the cache lines of the range so that the next reads come from memory (CLFLUSHOPT/CLFLUSH + SFENCE). */
    void invalidate(ByteBuffer memory, int index, int length);

    /** Only fences: for cache-coherent memory, or where no helper is loaded. */
    CacheMaintenance FENCES = new CacheMaintenance() {
        @Override
        public void flush(ByteBuffer memory, int index, int length) {
            java.lang.invoke.VarHandle.fullFence();
        }

        @Override
        public void invalidate(ByteBuffer memory, int index, int length) {
            java.lang.invoke.VarHandle.fullFence();
        }

        @Override
        public String toString() {
            return "fences only";
        }
    };
}
