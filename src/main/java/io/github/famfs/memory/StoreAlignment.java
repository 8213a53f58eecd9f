package io.github.famfs.memory;

import java.nio.ByteBuffer;

/**
 * Where to split a long copy into a direct buffer so that its bulk stores to cache-line-aligned addresses.
 *
 * <p>HotSpot's copy stubs store 32 bytes at a time from where the destination starts. When the destination is 16
 * bytes off a 32-byte boundary (half of what {@code malloc}, and so {@code ByteBuffer.allocateDirect}, hands out),
 * every other store straddles two cache lines, and a 4 KiB copy out of device memory took up to 1.6x as long: which
 * half a buffer fell in decided, run by run, whether an open + read 4 KiB + close cost about 350 or 600 ns. Copying
 * the few bytes up to the next 64-byte boundary first leaves the bulk with aligned stores (its loads may straddle
 * instead, which costs far less). A heap buffer's alignment cannot be asked beyond 8 bytes, and moves with the
 * garbage collector: it is copied whole, as before.
 */
final class StoreAlignment {
    /** Copies shorter than this go whole: the split costs a second copy call, more than the stores it saves. */
    static final int MIN_SPLIT = 512;
    static final int LINE = 64;

    private StoreAlignment() {}

    /**
     * Bytes to copy first into {@code dst} at {@code index} so that the rest of an {@code n}-byte copy starts on a
     * 64-byte boundary: 0 for a heap buffer, a short copy or an aligned start, else 1 to 63 (less than {@code n}).
     */
    static int head(ByteBuffer dst, int index, int n) {
        if (n < MIN_SPLIT || !dst.isDirect()) {
            return 0;
        }
        int off = dst.alignmentOffset(index, LINE);
        return off == 0 ? 0 : LINE - off;
    }
}
