package io.github.famfs.memory;

import io.github.famfs.memory.libc.LibC;
import java.io.IOException;

/**
 * Virtual-memory plumbing: aligned reservations and MAP_FIXED mappings of a file descriptor into them. Every
 * mapping starts on the requested alignment so that the kernel can back it with huge pages (and so that DAX
 * devices, which refuse misaligned maps, accept it).
 */
public final class AddressSpace {
    private AddressSpace() {}

    public static final long PAGE = 4096;

    public static long roundUp(long value, long alignment) {
        return (value + alignment - 1) & -alignment;
    }

    /**
     * Reserves {@code length} bytes of address space starting on a multiple of {@code alignment}: an
     * inaccessible private anonymous mapping, trimmed to the aligned range.
     */
    public static long reserve(long length, long alignment) throws IOException {
        LibC c = Native.libc();
        long span = length + alignment;
        long raw = Native.address(c.mmap(null, span, LibC.PROT_NONE,
                LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE, -1, 0));
        if (raw == LibC.MAP_FAILED) {
            throw Native.error("mmap (reserving address space)", length + " bytes");
        }
        long aligned = roundUp(raw, alignment);
        if (aligned > raw) {
            c.munmap(Native.pointer(raw), aligned - raw);
        }
        long tail = raw + span - (aligned + length);
        if (tail > 0) {
            c.munmap(Native.pointer(aligned + length), tail);
        }
        return aligned;
    }

    /** Maps {@code length} bytes of {@code fd} at {@code offset} over the reserved address {@code address}. */
    public static void mapFixed(long address, long length, boolean writable, int fd, long offset, Object subject)
            throws IOException {
        int prot = LibC.PROT_READ | (writable ? LibC.PROT_WRITE : 0);
        long got = Native.address(Native.libc().mmap(Native.pointer(address), length, prot,
                LibC.MAP_SHARED | LibC.MAP_FIXED, fd, offset));
        if (got == LibC.MAP_FAILED) {
            throw Native.error("mmap", subject + " [offset 0x" + Long.toHexString(offset) + ", length 0x"
                    + Long.toHexString(length) + "]");
        }
    }

    /** Replaces whatever is mapped at {@code [address, address+length)} with inaccessible anonymous memory. */
    static void fillInaccessible(long address, long length) {
        try {
            Native.libc().mmap(Native.pointer(address), length, LibC.PROT_NONE,
                    LibC.MAP_PRIVATE | LibC.MAP_ANONYMOUS | LibC.MAP_NORESERVE | LibC.MAP_FIXED, -1, 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void unmap(long address, long length) {
        try {
            Native.libc().munmap(Native.pointer(address), length);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Asks for transparent huge pages (tmpfs/shmem images); a refusal is not an error. */
    public static void adviseHugePages(long address, long length) {
        try {
            Native.libc().madvise(Native.pointer(address), length, LibC.MADV_HUGEPAGE);
        } catch (IOException ignored) {
            // advice only
        }
    }
}
