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
