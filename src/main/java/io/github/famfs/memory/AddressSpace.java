package io.github.famfs.memory;

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
        LibcCalls c = Native.libc();
        long span = length + alignment;
        long raw = c.mmap(0, span, LibcCalls.PROT_NONE,
                LibcCalls.MAP_PRIVATE | LibcCalls.MAP_ANONYMOUS | LibcCalls.MAP_NORESERVE, -1, 0);
        if (raw == LibcCalls.MAP_FAILED) {
            throw Native.error("mmap (reserving address space)", length + " bytes");
        }
        long aligned = roundUp(raw, alignment);
        if (aligned > raw) {
            c.munmap(raw, aligned - raw);
        }
        long tail = raw + span - (aligned + length);
        if (tail > 0) {
            c.munmap(aligned + length, tail);
        }
        return aligned;
    }

    /** Maps {@code length} bytes of {@code fd} at {@code offset} over the reserved address {@code address}. */
    public static void mapFixed(long address, long length, boolean writable, int fd, long offset, Object subject)
            throws IOException {
        int prot = LibcCalls.PROT_READ | (writable ? LibcCalls.PROT_WRITE : 0);
        long got = Native.libc().mmap(address, length, prot, LibcCalls.MAP_SHARED | LibcCalls.MAP_FIXED, fd,
                offset);
        if (got == LibcCalls.MAP_FAILED) {
            throw Native.error("mmap", subject + " [offset 0x" + Long.toHexString(offset) + ", length 0x"
                    + Long.toHexString(length) + "]");
        }
    }

    /** Replaces whatever is mapped at {@code [address, address+length)} with inaccessible anonymous memory. */
    static void fillInaccessible(long address, long length) {
        try {
            Native.libc().mmap(address, length, LibcCalls.PROT_NONE,
                    LibcCalls.MAP_PRIVATE | LibcCalls.MAP_ANONYMOUS | LibcCalls.MAP_NORESERVE | LibcCalls.MAP_FIXED, -1, 0);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static void unmap(long address, long length) {
        try {
            Native.libc().munmap(address, length);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Asks for transparent huge pages (tmpfs/shmem images); a refusal is not an error. */
    public static void adviseHugePages(long address, long length) {
        try {
            Native.libc().madvise(address, length, LibcCalls.MADV_HUGEPAGE);
        } catch (IOException ignored) {
            // advice only
        }
    }
}
