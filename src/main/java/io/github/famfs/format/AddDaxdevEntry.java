package io.github.famfs.format;

import java.nio.ByteBuffer;
import java.util.UUID;

/** An ADD_DAXDEV entry (v48): a secondary DAX device of {@code size} bytes known by {@code uuid}. */
public record AddDaxdevEntry(long seqnum, long size, UUID uuid, int index) implements LogEntry {
    static final int OFF_SIZE = 16;
    static final int OFF_UUID = 24;
    static final int OFF_INDEX = 40;

    static AddDaxdevEntry decodePayload(long seq, ByteBuffer b) {
        return new AddDaxdevEntry(seq, b.getLong(OFF_SIZE), Uuids.get(b, OFF_UUID), b.getInt(OFF_INDEX));
    }

    @Override
    public int type() {
        return TYPE_ADD_DAXDEV;
    }

    @Override
    public void encodePayload(ByteBuffer b) {
        b.putInt(OFF_TYPE, TYPE_ADD_DAXDEV);
        b.putLong(OFF_SIZE, size);
        Uuids.put(b, OFF_UUID, uuid);
        b.putInt(OFF_INDEX, index);
    }
}
