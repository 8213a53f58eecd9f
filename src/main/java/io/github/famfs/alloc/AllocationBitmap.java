package io.github.famfs.alloc;

/**
 * One bit per allocation unit of the device, set when the unit is in use. Built from the log at mount and
 * kept up to date by allocations; never rebuilt per call.
 */
public final class AllocationBitmap {
    /** The most units a bitmap holds (256 MiB of bits): 4 PiB in 2 MiB units, 8 TiB in 4 KiB units. */
    public static final long MAX_UNITS = 1L << 31;

    private final long unit;
    private final long nbits;
    private final long[] words;
    private long used;

    private final boolean partialLast;

    /**
     * A bitmap for a device of {@code deviceSize} bytes in units of {@code unit} (a partial last unit has a bit,
     * so that an extent ending in it can be marked, but is never counted as free).
     *
     * @throws IllegalArgumentException when the size is negative, the unit is not positive, or the device has
     *                                  more than {@link #MAX_UNITS} units (callers check {@link #unitsFor} first)
     */
    public AllocationBitmap(long deviceSize, long unit) {
        long n = unitsFor(deviceSize, unit);
        if (n < 0 || n > MAX_UNITS) {
            throw new IllegalArgumentException("device of " + deviceSize + " bytes in " + unit
                    + "-byte units needs a bitmap of " + n + " units (at most " + MAX_UNITS + ")");
        }
        this.unit = unit;
        this.nbits = n;
        this.partialLast = deviceSize % unit != 0;
        this.words = new long[(int) ((nbits + 63) >>> 6)];
    }

    /** Units (a partial last one included) of a device of {@code deviceSize} bytes, or -1 when the arguments are not sizes. */
    public static long unitsFor(long deviceSize, long unit) {
        if (deviceSize < 0 || unit <= 0) {
            return -1;
        }
        return deviceSize / unit + (deviceSize % unit != 0 ? 1 : 0);
    }

    public long unit() {
        return unit;
    }

    public long bits() {
        return nbits;
    }

    public long usedUnits() {
        return used;
    }

    /** Clear whole units: a partial last unit is never handed out, so it is not free space. */
    public long freeUnits() {
        long free = nbits - used;
        if (partialLast && !isSet(nbits - 1)) {
            free--;
        }
        return Math.max(0, free);
    }

    /** Whole units of the device (what can ever be allocated). */
    public long wholeUnits() {
        return partialLast ? nbits - 1 : nbits;
    }

    /**
     * Marks the units that any part of device bytes {@code [offset, offset+length)} touches and that lie inside
     * the bitmap, rounded outward to whole units; {@code offset} and {@code length} are u64 as read from a
     * device (whatever their value, nothing is thrown). This is what replay does for every FILE entry's
     * extents, served or not, as the reference's bitmap builder does.
     *
     * @return how many of those units were already set (a cross-link when non-zero)
     */
    public long markInside(long offset, long length) {
        long[] units = unitsInside(offset, length);
        return units == null ? 0 : markUnits(units[0], units[1]);
    }

    /**
     * The units {@code [first, end)} that cover the part of device bytes {@code [offset, offset+length)} (u64
     * values, as read from a device) lying inside the bitmap, rounded outward; null when no part does.
     */
    public long[] unitsInside(long offset, long length) {
        long limit = nbits > Long.MAX_VALUE / unit ? Long.MAX_VALUE : nbits * unit;
        if (length == 0 || Long.compareUnsigned(offset, limit) >= 0) {
            return null;
        }
        long room = limit - offset;
        long len = Long.compareUnsigned(length, room) > 0 ? room : length;
        return new long[] {offset / unit, (offset + len + unit - 1) / unit};
    }

    public boolean isSet(long bit) {
        return (words[(int) (bit >>> 6)] & (1L << bit)) != 0;
    }

    /**
     * Marks the units covering device bytes {@code [offset, offset+length)}. The range must lie inside the
     * device.
     *
     * @return how many of those units were already set (a cross-link when non-zero)
     */
    public long mark(long offset, long length) {
        long first = offset / unit;
        long last = (offset + length + unit - 1) / unit;
        if (first < 0 || last > nbits || first > last) {
            throw new IndexOutOfBoundsException("device range [" + offset + ", " + (offset + length)
                    + ") is outside the bitmap of " + nbits + " units");
        }
        return markUnits(first, last);
    }

    /** Marks units {@code [first, last)} (inside the bitmap); returns how many were already set. */
    private long markUnits(long first, long last) {
        long collisions = 0;
        for (long b = first; b < last; b++) {
            int w = (int) (b >>> 6);
            long m = 1L << b;
            if ((words[w] & m) != 0) {
                collisions++;
            } else {
                words[w] |= m;
                used++;
            }
        }
        return collisions;
    }

    /** Clears units {@code [first, first+count)} (an unpublished reservation given back). */
    public void clearUnits(long first, long count) {
        for (long b = first; b < first + count; b++) {
            int w = (int) (b >>> 6);
            long m = 1L << b;
            if ((words[w] & m) != 0) {
                words[w] &= ~m;
                used--;
            }
        }
        if (first < firstFreeHint) {
            firstFreeHint = first;
        }
    }

    /** Sets units {@code [first, first+count)}, which must be clear. */
    public void setUnits(long first, long count) {
        for (long b = first; b < first + count; b++) {
            words[(int) (b >>> 6)] |= 1L << b;
        }
        used += count;
    }

    private long firstFreeHint;

    /** The first clear unit at or after {@code from} and before {@code limit}, or -1. Skips full words. */
    public long nextClear(long from, long limit) {
        long b = from;
        while (b < limit) {
            int w = (int) (b >>> 6);
            long free = ~words[w] & (-1L << b);
            if (free != 0) {
                long hit = ((long) w << 6) + Long.numberOfTrailingZeros(free);
                return hit < limit ? hit : -1;
            }
            b = (long) (w + 1) << 6;
        }
        return -1;
    }

    /** The first set unit at or after {@code from} and before {@code limit}, or {@code limit}. */
    public long nextSet(long from, long limit) {
        long b = from;
        while (b < limit) {
            int w = (int) (b >>> 6);
            long set = words[w] & (-1L << b);
            if (set != 0) {
                long hit = ((long) w << 6) + Long.numberOfTrailingZeros(set);
                return Math.min(hit, limit);
            }
            b = (long) (w + 1) << 6;
        }
        return limit;
    }

    /**
     * First fit: the lowest run of {@code count} clear units within {@code [from, limit)}, or -1. Starting from
     * the lowest clear unit (a hint kept up to date), whole words of used units are skipped, so the cost does
     * not grow with how full the device is.
     */
    public long findRun(long from, long limit, long count) {
        long start = from == 0 ? Math.max(firstFreeHint, 0) : from;
        long b = nextClear(start, limit);
        if (from == 0 && b >= 0) {
            firstFreeHint = b;
        } else if (from == 0) {
            firstFreeHint = limit;
        }
        while (b >= 0 && b + count <= limit) {
            long end = nextSet(b, b + count);
            if (end == b + count) {
                return b;
            }
            b = nextClear(end, limit);
        }
        return -1;
    }

    /** The largest run of clear units, for out-of-space messages. */
    public long largestRun() {
        long best = 0;
        long b = nextClear(0, nbits);
        while (b >= 0) {
            long end = nextSet(b, nbits);
            best = Math.max(best, end - b);
            b = nextClear(end, nbits);
        }
        return best;
    }

    /** Whether any unit covering {@code [offset, offset+length)} is set. */
    public boolean anySet(long offset, long length) {
        long first = offset / unit;
        long last = (offset + length + unit - 1) / unit;
        for (long b = first; b < last; b++) {
            if (isSet(b)) {
                return true;
            }
        }
        return false;
    }
}
