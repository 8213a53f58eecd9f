package io.github.famfs.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;

/** UUIDs on media: 16 bytes in RFC-4122 (text) order, i.e. two big-endian longs. */
public final class Uuids {
    private Uuids() {}

    /**
     * The UUID that {@code s} writes, when it is one as the reference's {@code uuid_parse} (libuuid) accepts it: 36
     * characters, dashes at 8, 13, 18 and 23, ASCII hex digits (either case) elsewhere; else empty.
     * {@link UUID#fromString} also takes short and over-long fields ({@code 1-1-1-1-1},
     * {@code 000000001-001-0001-0001-000000000001}) and other scripts' digits, which name another UUID than the one
     * written; famfs-nio takes a UUID from text only through this.
     */
    public static java.util.Optional<UUID> parseCanonical(String s) {
        return isCanonical(s) ? java.util.Optional.of(UUID.fromString(s)) : java.util.Optional.empty();
    }

    private static boolean isCanonical(String s) {
        if (s.length() != 36) {
            return false;
        }
        for (int i = 0; i < 36; i++) {
            char c = s.charAt(i);
            boolean dash = i == 8 || i == 13 || i == 18 || i == 23;
            if (dash ? c != '-' : !isHexDigit(c)) {
                return false;
            }
        }
        return true;
    }

    /** ASCII hex digits only, as C's isxdigit: {@link Character#digit} also takes other scripts' digits. */
    private static boolean isHexDigit(char c) {
        return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F';
    }

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
