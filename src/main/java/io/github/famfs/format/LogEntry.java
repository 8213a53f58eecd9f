package io.github.famfs.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A 544-byte log entry ({@code struct famfs_log_entry}). {@link #check} validates seqnum and CRC as the
 * reference does; {@link #decode} reads the payload of an entry that passed it.
 */
public sealed interface LogEntry permits FileEntry, MkdirEntry, AddDaxdevEntry, OtherEntry {
    int TYPE_FILE = 0;
    int TYPE_MKDIR = 1;
    int TYPE_DELETE = 2;
    int TYPE_ADD_DAXDEV = 3;

    int OFF_SEQNUM = 0;
    int OFF_TYPE = 8;
    int OFF_PAYLOAD = 16;

    long seqnum();

    int type();

    /** Writes the payload fields (type included) into a zeroed entry; the seqnum and CRC are stamped by {@link #encode}. */
    void encodePayload(ByteBuffer entry);

    /** The complete 544-byte entry for slot {@code seqnum}: zeroed, filled, seqnum and CRC stamped. */
    default ByteBuffer encode() {
        return encode(seqnum());
    }

    /** The complete entry stamped with {@code seqnum} (the slot it goes to), whatever {@link #seqnum()} says. */
    default ByteBuffer encode(long seqnum) {
        ByteBuffer b = ByteBuffer.allocate(Layout.ENTRY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        encodePayload(b);
        b.putLong(OFF_SEQNUM, seqnum);
        b.putLong(Layout.ENTRY_CRC_OFFSET, Crc.of(b, 0, Layout.ENTRY_CRC_OFFSET));
        return b;
    }

    /**
     * Checks the entry in slot {@code index} as the reference does: {@code seqnum == index} and the CRC over
     * bytes [0,536).
     */
    static void check(ByteBuffer entry, long index) throws FormatException {
        ByteBuffer b = littleEndian(entry);
        long seq = b.getLong(OFF_SEQNUM);
        if (seq != index) {
            throw new FormatException("log entry " + index + " has seqnum " + Long.toUnsignedString(seq)
                    + " (expected " + index + ")");
        }
        long stored = b.getLong(Layout.ENTRY_CRC_OFFSET);
        long computed = Crc.of(b, 0, Layout.ENTRY_CRC_OFFSET);
        if (stored != computed) {
            throw new FormatException(String.format("log entry %d CRC mismatch: stored 0x%x, computed 0x%x", index,
                    stored, computed));
        }
    }

    /**
     * {@code entry} itself when it reads little-endian, else a little-endian view of it: the codecs only use
     * absolute reads, so they need no copy of a buffer that is already in the log's byte order.
     */
    private static ByteBuffer littleEndian(ByteBuffer entry) {
        return entry.order() == ByteOrder.LITTLE_ENDIAN ? entry : entry.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    }

    /** Decodes the payload; never throws: field problems are kept in the result for the replay to report. */
    static LogEntry decode(ByteBuffer entry) {
        ByteBuffer b = littleEndian(entry);
        long seq = b.getLong(OFF_SEQNUM);
        int type = b.getInt(OFF_TYPE);
        switch (type) {
            case TYPE_FILE:
                return FileEntry.decodePayload(seq, b);
            case TYPE_MKDIR:
                return MkdirEntry.decodePayload(seq, b);
            case TYPE_ADD_DAXDEV:
                return AddDaxdevEntry.decodePayload(seq, b);
            default:
                return new OtherEntry(seq, type);
        }
    }
}
