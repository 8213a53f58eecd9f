package io.github.famfs.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** The log header ({@code struct famfs_log}, 48 bytes at the start of the log). */
public record LogHeader(long magic, long len, long lastIndex, long crc, long nextSeqnum, long nextIndex) {

    /** The header of an empty log of {@code logLen} bytes, with its CRC. */
    public static LogHeader empty(long logLen) {
        long last = Layout.lastIndexFor(logLen);
        ByteBuffer b = ByteBuffer.allocate(Layout.LOG_HEADER_SIZE);
        new LogHeader(Layout.LOG_MAGIC, logLen, last, 0, 0, 0).encode(b);
        return decode(b);
    }

    public static LogHeader decode(ByteBuffer src) {
        ByteBuffer b = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return new LogHeader(b.getLong(0), b.getLong(8), b.getLong(16), b.getLong(24), b.getLong(32),
                b.getLong(40));
    }

    /** Writes the 48 header bytes; the CRC is computed over [0,24) (the stored {@link #crc()} is ignored). */
    public void encode(ByteBuffer dst) {
        ByteBuffer b = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, magic).putLong(8, len).putLong(16, lastIndex);
        b.putLong(24, Crc.of(b, 0, Layout.LOG_HEADER_CRC_COVERS));
        b.putLong(32, nextSeqnum).putLong(40, nextIndex);
    }

    /**
     * Validates the header against the superblock's log length: magic, CRC over [0,24), length, and a last
     * index that matches the 544-byte entry layout.
     */
    public void validate(ByteBuffer src, long superblockLogLen) throws FormatException {
        if (magic != Layout.LOG_MAGIC) {
            throw new FormatException(String.format("log header magic 0x%x (expected 0x%x)", magic,
                    Layout.LOG_MAGIC));
        }
        long expected = Crc.of(src.duplicate().order(ByteOrder.LITTLE_ENDIAN), 0, Layout.LOG_HEADER_CRC_COVERS);
        if (crc != expected) {
            throw new FormatException(String.format(
                    "log header CRC mismatch: stored 0x%x, computed 0x%x over bytes [0,24)", crc, expected));
        }
        if (len != superblockLogLen) {
            throw new FormatException(String.format(
                    "log header length %d differs from the superblock's log length %d", len, superblockLogLen));
        }
        long expectedLast = Layout.lastIndexFor(len);
        if (lastIndex != expectedLast) {
            throw new FormatException(String.format(
                    "log header last index %d does not fit %d-byte entries in a %d-byte log (expected %d)",
                    lastIndex, Layout.ENTRY_SIZE, len, expectedLast));
        }
    }

    /** Number of slots in the log. */
    public long capacity() {
        return lastIndex + 1;
    }

    /**
     * Entries in use: {@code next_index} (a u64 outside the CRC) clamped to the capacity. The reference does not
     * check it; a corrupt header that claims more (bit 63 set included) is read as a full log, so replay goes
     * on until the first invalid entry instead of hiding every file. See {@link #nextIndexProblem}.
     */
    public long usedEntries() {
        return Long.compareUnsigned(nextIndex, capacity()) > 0 ? capacity() : nextIndex;
    }

    /** What is wrong with {@code next_index}, or null when it is within the log. */
    public String nextIndexProblem() {
        if (Long.compareUnsigned(nextIndex, capacity()) <= 0) {
            return null;
        }
        return "log header next index " + Long.toUnsignedString(nextIndex) + " is past the last slot " + lastIndex
                + " (the counters are outside the header CRC): replaying at most " + capacity()
                + " entries, up to the first invalid one; no entry can be appended";
    }

    /** Whether no slot is left to append to (also when {@code next_index} is past the log: nothing is appended then). */
    public boolean isFull() {
        return Long.compareUnsigned(nextIndex, lastIndex) > 0;
    }
}
