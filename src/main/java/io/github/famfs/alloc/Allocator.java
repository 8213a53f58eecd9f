package io.github.famfs.alloc;

import io.github.famfs.format.Extent;
import io.github.famfs.format.FileMap;
import io.github.famfs.format.InterleaveParams;
import io.github.famfs.format.InterleavedMap;
import io.github.famfs.format.OutOfSpaceException;
import io.github.famfs.format.SimpleMap;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Allocates device space from the bitmap kept up to date since mount: contiguous first fit, growth in place
 * for files whose size is not known up front, and interleaved strips confined to their buckets. Never past
 * the end of the device (the reference can be). Callers serialise calls.
 */
public final class Allocator {
    private final AllocationBitmap bitmap;
    private final long unit;
    private final long limitUnits;
    private final long deviceBytes;

    /**
     * @param deviceLimit bytes of device that allocations may use (whole units only: a partial last unit is not
     *                    handed out)
     */
    public Allocator(AllocationBitmap bitmap, long deviceLimit) {
        this.bitmap = bitmap;
        this.unit = bitmap.unit();
        this.limitUnits = Math.min(deviceLimit / unit, bitmap.bits());
        this.deviceBytes = deviceLimit;
    }

    public long unit() {
        return unit;
    }

    /** Whole units covering {@code bytes} (no overflow for any non-negative long). */
    private long units(long bytes) {
        return bytes / unit + (bytes % unit == 0 ? 0 : 1);
    }

    /** Bytes that allocations may use at most: the whole units of the device. */
    public long capacity() {
        return limitUnits * unit;
    }

    /** Free bytes in whole units. */
    public long freeBytes() {
        if (limitUnits == bitmap.wholeUnits()) {
            return bitmap.freeUnits() * unit; // counted as units are set and cleared
        }
        long free = 0;
        long b = bitmap.nextClear(0, limitUnits);
        while (b >= 0) {
            long end = bitmap.nextSet(b, limitUnits);
            free += end - b;
            b = bitmap.nextClear(end, limitUnits);
        }
        return free * unit;
    }

    private OutOfSpaceException outOfSpace(long asked, String what) {
        return new OutOfSpaceException(String.format("out of space: %s of %d bytes asked, %d bytes free on the"
                + " device (largest contiguous run %d bytes)", what, asked, freeBytes(), bitmap.largestRun() * unit));
    }

    /** One extent of {@code bytes} (rounded up to whole units), first fit. */
    public Extent contiguous(long bytes) throws OutOfSpaceException {
        if (bytes < 0) {
            throw new IllegalArgumentException("negative allocation of " + bytes + " bytes");
        }
        long n = units(Math.max(bytes, 1));
        long at = n > limitUnits ? -1 : bitmap.findRun(0, limitUnits, n);
        if (at < 0) {
            throw outOfSpace(bytes, "a contiguous extent");
        }
        bitmap.setUnits(at, n);
        return new Extent(at * unit, n * unit);
    }

    /** Grows {@code e} in place by {@code moreBytes} (whole units) if the units after it are free; else null. */
    public Extent extend(Extent e, long moreBytes) {
        if (moreBytes < 0) {
            throw new IllegalArgumentException("negative growth of " + moreBytes + " bytes");
        }
        long end = e.end() / unit;
        long n = units(moreBytes);
        if (n > limitUnits - end || bitmap.nextSet(end, end + n) != end + n) {
            return null;
        }
        bitmap.setUnits(end, n);
        return new Extent(e.devIndex(), e.offset(), e.length() + n * unit);
    }

    /**
     * Moves an unpublished allocation that cannot grow in place: one extent of {@code bytes} (whole units) for
     * it, and {@code old} given back. When no run is free beside {@code old}, a run that takes in {@code old}'s
     * own units is used: it then starts below {@code old} (first fit), so copying the contents forward, in pieces
     * no longer than the distance between the two, is safe. When no run exists at all, nothing changes.
     */
    public Extent move(Extent old, long bytes) throws OutOfSpaceException {
        Extent e;
        try {
            e = contiguous(bytes);
        } catch (OutOfSpaceException full) {
            release(old.offset(), old.length());
            try {
                e = contiguous(bytes);
            } catch (OutOfSpaceException none) {
                bitmap.setUnits(old.offset() / unit, units(old.length()));
                throw outOfSpace(bytes, "a contiguous extent (famfs files this library writes are one extent)");
            }
            return e;
        }
        release(old.offset(), old.length());
        return e;
    }

    /** Gives back units {@code [offset, offset+length)} of an allocation that was never published. */
    public void release(long offset, long length) {
        bitmap.clearUnits(offset / unit, units(length));
    }

    public void release(FileMap map) {
        for (Extent e : map.extents()) {
            release(e.offset(), e.length());
        }
    }

    /**
     * An interleaved map for a file of {@code size} bytes: {@code nstrips} strips of equal length, each first
     * fit inside a different bucket, buckets tried in random order. A file smaller than one chunk gets one simple
     * extent, as in the reference.
     */
    public FileMap interleaved(long size, InterleaveParams p) throws OutOfSpaceException {
        p.validate(deviceBytes);
        if (size < p.chunkSize()) {
            return new SimpleMap(List.of(contiguous(size)));
        }
        long chunkUnits = p.chunkSize() / unit;
        long bucketUnits = limitUnits / p.nbuckets();
        long stripes = (units(size) + p.nstrips() * chunkUnits - 1) / (p.nstrips() * chunkUnits);
        long stripUnits = stripes * chunkUnits;
        int[] order = new int[p.nbuckets()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        ThreadLocalRandom rnd = ThreadLocalRandom.current();
        for (int i = order.length - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        List<Extent> strips = new ArrayList<>(p.nstrips());
        for (int b : order) {
            if (strips.size() == p.nstrips()) {
                break;
            }
            long at = bitmap.findRun(b * bucketUnits, (b + 1) * bucketUnits, stripUnits);
            if (at >= 0) {
                bitmap.setUnits(at, stripUnits);
                strips.add(new Extent(at * unit, stripUnits * unit));
            }
        }
        if (strips.size() < p.nstrips()) {
            for (Extent e : strips) {
                release(e.offset(), e.length());
            }
            throw outOfSpace(size, "an interleaved file of " + p.nstrips() + " strips of " + stripUnits * unit
                    + " bytes in " + p.nbuckets() + " buckets (" + strips.size() + " strips fit)");
        }
        return new InterleavedMap(p.chunkSize(), strips);
    }
}
