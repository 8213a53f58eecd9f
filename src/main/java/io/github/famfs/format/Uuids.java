package io.github.famfs.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;

/** UUIDs on media: 16 bytes in RFC-4122 (text) order, i.e. two big-endian longs. */
public final class Uuids {
    private Uuids() {}

    public static UUID get(ByteBuffer buf, int at) {
        ByteBuffer be = buf.duplicate().order(ByteOrder.BIG_ENDIAN);
        return new UUID(be.getLong(at), be.getLong(at + 8));
    }

    public static void put(ByteBuffer buf, int at, UUID uuid) {
        ByteBuffer be = buf.duplicate().order(ByteOrder.BIG_ENDIAN);
        be.putLong(at, uuid.getMostSignificantBits());
        be.putLong(at + 8, uuid.getLeastSignificantBits());
    }
}
