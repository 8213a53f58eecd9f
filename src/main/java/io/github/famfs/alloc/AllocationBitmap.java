package io.github.famfs.alloc;

/**
 * One bit per allocation unit of the device, set when the unit is in use. Built from the log at mount and
 * kept up to date by allocations; never rebuilt per call.
 */
public final class AllocationBitmap {
    private final long unit;
    private final long nbits;
    private final long[] words;
    private long used;

    /** A bitmap for a device of {@code deviceSize} bytes in units of {@code unit} (a partial last unit counts). */
    public AllocationBitmap(long deviceSize, long unit) {
        this.unit = unit;
        this.nbits = (deviceSize + unit - 1) / unit;
        if (nbits > (long) Integer.MAX_VALUE * 64) {
            throw new IllegalArgumentException("device of " + deviceSize + " bytes has too many allocation units");
        }
        this.words = new long[(int) ((nbits + 63) >>> 6)];
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

    public long freeUnits() {
        return nbits - used;
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
