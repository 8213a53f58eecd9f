package io.github.famfs.memory;

import java.io.IOException;
import java.lang.ref.Reference;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The famfs mappings of this JVM that code outside the library can hold (the buffers and segments of
 * {@code FileChannel.map}, {@code FamfsOwnedMapping}), by address, so that cache maintenance of a buffer finds
 * the mapping under it without a system call, and keeps it mapped while the native helper runs.
 *
 * <p>Two kinds. A mapping famfs made itself ({@link FileMapping}: every map of a DAX device, owned mappings,
 * segments): famfs unmaps it, and its unmap first stops new users, waits for the ones in flight (no lock is held
 * meanwhile) and forgets the range, then unmaps; so a maintenance that found it live runs over mapped memory. A
 * mapping the JDK made over an image file ({@link ImageMapping}): the JDK unmaps it, also when the program calls
 * {@code Unsafe.invokeCleaner}, which famfs cannot see; there each maintenance checks with one
 * {@code msync(MS_ASYNC)} of the range (a regular file, never a device) that it is still mapped, as the JDK's own
 * {@code force()} does. A JDK mapping's arena (segments) tells famfs before the JDK unmaps, and that waits for the
 * maintenances in flight as for famfs's own; an {@code invokeCleaner} racing the call is the caller's error, as
 * any access to a buffer after {@code invokeCleaner} is.
 */
public final class MappedRanges {
    private MappedRanges() {}

    private static final ConcurrentSkipListMap<Long, Range> RANGES = new ConcurrentSkipListMap<>();
    private static final long CLOSING = 1L << 62;

    /** One registered mapping: bytes {@code [start, end)}. */
    public static final class Range {
        final long start;
        final long end;
        final boolean jdk;
        final boolean dax;
        final String subject;
        /** Maintenances in flight, plus {@link #CLOSING} once its unmap began. */
        private final AtomicLong users = new AtomicLong();

        private Range(long start, long end, boolean jdk, boolean dax, String subject) {
            this.start = start;
            this.end = end;
            this.jdk = jdk;
            this.dax = dax;
            this.subject = subject;
        }

        private boolean tryEnter() {
            if ((users.incrementAndGet() & CLOSING) != 0) {
                users.decrementAndGet();
                return false;
            }
            return true;
        }

        private void exit() {
            users.decrementAndGet();
        }

        /**
         * Stops new users, waits for those in flight (a native call over the range each: microseconds to a few
         * milliseconds), and forgets the range; call before unmapping it. Once; later calls return at once.
         */
        public void retire() {
            long s;
            do {
                s = users.get();
                if ((s & CLOSING) != 0) {
                    return;
                }
            } while (!users.compareAndSet(s, s | CLOSING));
            for (int spins = 0; users.get() != CLOSING; spins++) {
                if (spins < 100) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.parkNanos(20_000);
                }
            }
            RANGES.remove(start, this);
        }

        /** Whether famfs made it on a DAX device (no page cache: nothing for msync to do). */
        public boolean onDaxDevice() {
            return dax;
        }

        @Override
        public String toString() {
            return String.format("%s [0x%x, +%d)%s", subject, start, end - start, jdk ? " (mapped by the JDK)" : "");
        }
    }

    /**
     * Registers famfs bytes {@code [address, address+length)} mapped at that address: by famfs ({@code jdk}
     * false; {@link Range#retire()} before unmapping) or by the JDK over an image file ({@code jdk} true;
     * {@link Range#retire()} once the JDK unmapped it, or is about to).
     */
    static Range add(long address, long length, boolean jdk, boolean dax, String subject) {
        Range r = new Range(address, address + length, jdk, dax, subject);
        RANGES.put(address, r);
        return r;
    }

    /** The live famfs mapping made by famfs that holds {@code [address, address+length)}, or null. */
    public static Range ownedCovering(long address, long length) {
        Range r = covering(address, length);
        return r == null || r.jdk ? null : r;
    }

    /**
     * The registered mapping that holds {@code [address, address+length)}, or null. A range the JDK unmapped
     * (invokeCleaner) stays registered until its buffer is collected and may lie over a later mapping at the
     * same addresses, so a JDK range that does not hold the bytes is looked under.
     */
    private static Range covering(long address, long length) {
        Map.Entry<Long, Range> e = RANGES.floorEntry(address);
        while (e != null) {
            Range r = e.getValue();
            if (address - r.start <= r.end - r.start - length && address >= r.start) {
                return r;
            }
            if (!r.jdk) {
                return null; // famfs's own ranges never overlap: nothing below holds it
            }
            e = RANGES.lowerEntry(r.start);
        }
        return null;
    }

    /** Registered mappings now (for tests). */
    public static int size() {
        return RANGES.size();
    }

    /**
     * Writes back ({@code flush}) or invalidates the CPU cache lines of {@code buffer[index, index+length)}, which
     * must lie inside a live famfs mapping: no system call for a mapping famfs made, whose unmap waits until the
     * native call returned. A heap buffer, or nothing to do ({@code length} 0), is a fence only.
     *
     * @throws IndexOutOfBoundsException when the range is not inside the buffer's capacity
     * @throws IllegalArgumentException  when the bytes are not inside a live famfs mapping (not famfs memory, or
     *                                   their mapping was unmapped: closed, its arena closed, its cleaner run)
     */
    public static void maintain(ByteBuffer buffer, int index, int length, boolean flush) {
        maintain(buffer, index, length, flush, true);
    }

    /**
     * {@link #maintain(ByteBuffer, int, int, boolean)}, except that bytes outside every famfs mapping are only
     * fenced instead of refused (for {@code FamfsMappings.force}, which serves any mapped buffer).
     */
    public static void maintainIfFamfs(ByteBuffer buffer, int index, int length, boolean flush) {
        maintain(buffer, index, length, flush, false);
    }

    private static void maintain(ByteBuffer buffer, int index, int length, boolean flush, boolean refuseOthers) {
        Objects.checkFromIndexSize(index, length, Objects.requireNonNull(buffer, "buffer").capacity());
        try {
            long base = buffer.isDirect() ? CacheLines.address(buffer) : 0;
            if (base == 0 || length == 0) {
                java.lang.invoke.VarHandle.fullFence(); // a heap buffer, or nothing: no memory to maintain
                return;
            }
            long address = base + index;
            Range r = covering(address, length);
            if (r == null && !refuseOthers) {
                java.lang.invoke.VarHandle.fullFence();
                return;
            }
            if (r == null) {
                throw new IllegalArgumentException(describe(buffer, address, length) + " are not inside a live famfs"
                        + " mapping: not famfs memory (the cache maintenance of FamfsCaches is for the buffers of"
                        + " famfs's FileChannel.map and FamfsOwnedMapping), or its mapping is gone (the owned mapping"
                        + " closed, its arena closed, or unmapped by its cleaner)");
            }
            if (!r.tryEnter()) {
                throw new IllegalArgumentException(describe(buffer, address, length) + " are not inside a live famfs"
                        + " mapping: its mapping " + r + " is being unmapped (closed concurrently)");
            }
            try {
                if (r.jdk && CacheLines.isAvailable()) {
                    checkStillMapped(r, buffer, address, length);
                }
                run(flush, address, length);
            } finally {
                r.exit();
            }
        } finally {
            Reference.reachabilityFence(buffer);
        }
    }

    private static void run(boolean flush, long address, long length) {
        if (flush) {
            CacheLines.flush(address, length);
        } else {
            CacheLines.invalidate(address, length);
        }
    }

    /** A JDK mapping of an image: msync(MS_ASYNC) fails with ENOMEM where it is no longer mapped. */
    private static void checkStillMapped(Range r, ByteBuffer buffer, long address, long length) {
        long page = address & -AddressSpace.PAGE;
        try {
            LibcCalls libc = Native.libc();
            if (libc.msync(page, address + length - page, LibcCalls.MS_ASYNC) != 0) {
                int errno = libc.errno();
                throw new IllegalArgumentException(describe(buffer, address, length) + " are not inside a live famfs"
                        + " mapping: the JDK's mapping " + r + " was unmapped (Unsafe.invokeCleaner?): msync: "
                        + libc.strerror(errno) + " (errno " + errno + ")");
            }
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String describe(ByteBuffer buffer, long address, long length) {
        return String.format("cannot maintain the caches of %s: bytes [0x%x, +%d)", buffer, address, length);
    }
}
