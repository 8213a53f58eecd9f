package io.github.famfs.format;

import java.nio.ByteBuffer;
import java.util.zip.CRC32;

/** zlib crc32, as famfs stamps it: a 32-bit value in an 8-byte little-endian slot. */
public final class Crc {
    private Crc() {}

    /** CRC-32 of {@code buf[from, from+len)} (absolute, the buffer's position is not moved). */
    public static long of(ByteBuffer buf, int from, int len) {
        if (buf.hasArray()) {
            return of(buf.array(), buf.arrayOffset() + from, len);
        }
        CRC32 crc = new CRC32();
        crc.update(buf.duplicate().limit(from + len).position(from));
        return crc.getValue();
    }

    public static long of(byte[] bytes, int from, int len) {
        CRC32 crc = new CRC32();
        crc.update(bytes, from, len);
        return crc.getValue();
    }
}
