package io.github.famfs.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * Where a file's bytes live on the device ({@code struct famfs_log_fmap}): either a list of simple extents,
 * concatenated in list order, or one interleaved extent striped round-robin over its strips in fixed-size
 * chunks (famfs-format.md §7.5).
 */
public sealed interface FileMap permits SimpleMap, InterleavedMap {
    int EXT_SIMPLE = 0;
    int EXT_INTERLEAVE = 1;

    /** Entry offsets of the fmap fields. */
    int OFF_EXT_TYPE = 120;
    int OFF_COUNT = 128;
    int OFF_EXTENTS = 136;
    int OFF_NSTRIPS = 136;
    int OFF_CHUNK = 144;
    int OFF_STRIPS = 152;

    /** The simple extents, or the strips of the interleaved extent. */
    List<Extent> extents();

    /** Bytes of device space this map holds (sum of extent or strip lengths). */
    default long allocatedBytes() {
        long sum = 0;
        for (Extent e : extents()) {
            sum += e.length();
        }
        return sum;
    }

    /**
     * Calls {@code visitor} for each device-contiguous piece of file range {@code [fileOffset,
     * fileOffset+length)}, in file order. The range must lie within what the map covers (see {@link #validate}).
     */
    <X extends Throwable> void visit(long fileOffset, long length, DeviceRangeVisitor<X> visitor) throws X;

    /**
     * Checks that the map can safely serve a file of {@code fileSize} bytes on a device whose usable bytes are
     * {@code [dataStart, deviceLimit)}: counts within the format's limits, offsets and lengths aligned to
     * {@code alignment}, every extent inside the data area, and enough bytes to cover the file.
     *
     * @throws FormatException naming the first problem
     */
    void validate(long fileSize, long dataStart, long deviceLimit, long alignment) throws FormatException;

    /** Encodes this map into the fmap bytes of a 544-byte log entry. */
    void encode(ByteBuffer entry);

    /** Decodes the fmap of a FILE entry; hostile counts and unknown types throw, nothing is read out of the entry. */
    static FileMap decode(ByteBuffer entry) throws FormatException {
        // absolute reads only: a buffer already in the log's byte order needs no view
        ByteBuffer b = entry.order() == ByteOrder.LITTLE_ENDIAN ? entry : entry.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int type = b.getInt(OFF_EXT_TYPE);
        long count = Integer.toUnsignedLong(b.getInt(OFF_COUNT));
        if (type == EXT_SIMPLE) {
            if (count < 1 || count > Layout.MAX_EXTENTS) {
                throw new FormatException("simple fmap has " + count + " extents (allowed 1.." + Layout.MAX_EXTENTS
                        + ")");
            }
            return new SimpleMap(readExtents(b, OFF_EXTENTS, (int) count));
        }
        if (type == EXT_INTERLEAVE) {
            if (count != 1) {
                throw new FormatException("interleaved fmap has " + count + " interleaved extents (famfs allows 1)");
            }
            long nstrips = b.getLong(OFF_NSTRIPS);
            long chunk = b.getLong(OFF_CHUNK);
            if (nstrips < 1 || nstrips > Layout.MAX_STRIPS) {
                throw new FormatException("interleaved fmap has " + Long.toUnsignedString(nstrips)
                        + " strips (allowed 1.." + Layout.MAX_STRIPS + ")");
            }
            return new InterleavedMap(chunk, readExtents(b, OFF_STRIPS, (int) nstrips));
        }
        throw new FormatException("unknown fmap extent type " + Integer.toUnsignedString(type)
                + " (0 = simple, 1 = interleaved)");
    }

    /**
     * The extents a FILE entry claims, as the reference's bitmap builder reads them whether or not the entry is
     * served: the first {@code fmap_nextents} simple extents, or the strips of the interleaved extent, bounded
     * by the slots the entry has (16); nothing for an unknown type or a zero count. Values are raw u64s, not
     * validated: callers mark only what lies inside the device.
     */
    static List<Extent> claimedExtents(ByteBuffer entry) {
        ByteBuffer b = entry.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int type = b.getInt(OFF_EXT_TYPE);
        long count = Integer.toUnsignedLong(b.getInt(OFF_COUNT));
        if (type == EXT_SIMPLE) {
            return readExtents(b, OFF_EXTENTS, (int) Math.min(count, Layout.MAX_EXTENTS));
        }
        if (type == EXT_INTERLEAVE && count >= 1) {
            long nstrips = b.getLong(OFF_NSTRIPS);
            int n = Long.compareUnsigned(nstrips, Layout.MAX_STRIPS) > 0 ? Layout.MAX_STRIPS : (int) nstrips;
            return readExtents(b, OFF_STRIPS, n);
        }
        return List.of();
    }

    private static List<Extent> readExtents(ByteBuffer b, int at, int n) {
        if (n == 1) { // the usual file: one list object, no array to copy it from
            return List.of(new Extent(b.getLong(at), b.getLong(at + 8), b.getLong(at + 16)));
        }
        Extent[] out = new Extent[n];
        for (int i = 0; i < n; i++) {
            int o = at + i * Extent.SIZE;
            out[i] = new Extent(b.getLong(o), b.getLong(o + 8), b.getLong(o + 16));
        }
        return List.of(out);
    }

    /** Shared extent checks: device index, alignment, bounds (overflow-safe). */
    static void checkExtent(String kind, int index, Extent e, boolean lengthAligned, long dataStart,
            long deviceLimit, long alignment) throws FormatException {
        if (!isValidExtent(e, lengthAligned, dataStart, deviceLimit, alignment)) {
            checkExtent(kind + " " + index, e, lengthAligned, dataStart, deviceLimit, alignment);
        }
    }

    /** Whether {@link #checkExtent} passes (the common case, checked without building its message). */
    private static boolean isValidExtent(Extent e, boolean lengthAligned, long dataStart, long deviceLimit,
            long alignment) {
        long off = e.offset();
        long len = e.length();
        return e.devIndex() == 0 && len > 0 && off % alignment == 0 && (!lengthAligned || len % alignment == 0)
                && off >= dataStart && off < deviceLimit && len <= deviceLimit - off;
    }

    private static void checkExtent(String what, Extent e, boolean lengthAligned, long dataStart, long deviceLimit,
            long alignment) throws FormatException {
        if (e.devIndex() != 0) {
            throw new FormatException(what + " is on device index " + e.devIndex()
                    + " (only the primary device, index 0, is supported)");
        }
        long off = e.offset();
        long len = e.length();
        if (len <= 0) {
            throw new FormatException(what + " has length " + Long.toUnsignedString(len));
        }
        if (off % alignment != 0 || (lengthAligned && len % alignment != 0)) {
            throw new FormatException(String.format("%s [0x%x, +0x%x) is not aligned to the %d-byte allocation unit",
                    what, off, len, alignment));
        }
        if (off < dataStart) {
            throw new FormatException(String.format(
                    "%s at 0x%x overlaps the superblock or log (file data starts at 0x%x)", what, off, dataStart));
        }
        if (off >= deviceLimit || len > deviceLimit - off) {
            throw new FormatException(String.format("%s [0x%x, 0x%x) lies past the end of the device (%d bytes)",
                    what, off, off + len, deviceLimit));
        }
    }

    /** {@code total + length} of checked extent lengths; a sum past 2^63 is a map no device holds. */
    static long addBytes(long total, long length) throws FormatException {
        try {
            return Math.addExact(total, length);
        } catch (ArithmeticException e) {
            throw new FormatException("extents hold more than 2^63 bytes");
        }
    }

    static void putExtent(ByteBuffer b, int at, Extent e) {
        b.putLong(at, e.devIndex()).putLong(at + 8, e.offset()).putLong(at + 16, e.length());
    }
}
