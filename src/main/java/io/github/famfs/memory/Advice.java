package io.github.famfs.memory;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * madvise(2) on the memory of a direct buffer that famfs mapped (a read-ahead hint: how the range will be read).
 * Advice only: a refusal (an old kernel, a range the kernel does not know) is not an error, and no advice frees or
 * changes memory (the values below are the ones that never do).
 */
public enum Advice {
    /** MADV_NORMAL: the kernel's default read-ahead. */
    NORMAL(0),
    /** MADV_RANDOM: no read-ahead. */
    RANDOM(1),
    /** MADV_SEQUENTIAL: aggressive read-ahead, pages may be dropped soon after they are read. */
    SEQUENTIAL(2),
    /** MADV_WILLNEED: read the range in now (asynchronously). */
    WILLNEED(3);

    private final int value;

    Advice(int value) {
        this.value = value;
    }

    /**
     * Gives this advice for bytes {@code [offset, offset+length)} of {@code buffer} (a direct buffer: famfs's
     * mappings are), widened to whole pages within the buffer's mapping.
     *
     * @return whether the kernel took it
     */
    public boolean apply(ByteBuffer buffer, long offset, long length) {
        if (!buffer.isDirect() || length <= 0 || offset < 0 || offset + length > buffer.capacity()) {
            return false;
        }
        long base = Native.address(buffer);
        return base != 0 && apply(base + offset, length);
    }

    /**
     * Gives this advice for memory {@code [address, address+length)} (mapped by famfs or the JDK), widened to whole
     * pages.
     *
     * @return whether the kernel took it
     */
    public boolean apply(long address, long length) {
        if (length <= 0) {
            return false;
        }
        long pageStart = address - Math.floorMod(address, AddressSpace.PAGE);
        try {
            return Native.libc().madvise(pageStart, address + length - pageStart, value) == 0;
        } catch (IOException e) {
            return false;
        }
    }
}
