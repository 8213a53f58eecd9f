package io.github.famfs.fuzz;

import io.github.famfs.format.Crc;
import io.github.famfs.format.Layout;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * How a fuzz input becomes a famfs image: bytes [0,200) are the superblock, the rest is the start of the log
 * (header, then entries) at device offset 2 MiB; everything else is zero. The real device size is the
 * superblock's {@code dd_size} when that lies in [0, 256 MiB], else 256 MiB (so a lying {@code dd_size} meets a
 * smaller device, and a small one a truncated image).
 *
 * <p>When bit 0 of byte 199 (the last byte of the superblock's device name) is set, the CRCs are made right
 * before use: the superblock's, the log header's, and every whole entry's with its seqnum set to its slot. So
 * the fuzzer reaches past the CRC checks with any field it mutates, and with the bit clear it tests the checks.
 */
final class FuzzImage {
    static final long MAX_DEVICE = 256L << 20;
    /** Logs longer than this are not fuzzed by the pure target (the full target takes any). */
    static final int MAX_PURE_LOG = 64 << 20;

    private FuzzImage() {}

    /** The input as the image holds it: with its CRCs made right when byte 199 asks for it. */
    static byte[] prepare(byte[] input) {
        if (input.length < Layout.SUPERBLOCK_SIZE || (input[Layout.SUPERBLOCK_SIZE - 1] & 1) == 0) {
            return input;
        }
        byte[] out = input.clone();
        ByteBuffer b = ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(Layout.SUPERBLOCK_CRC_COVERS, Crc.of(b, 0, Layout.SUPERBLOCK_CRC_COVERS));
        int log = Layout.SUPERBLOCK_SIZE;
        if (out.length >= log + Layout.LOG_HEADER_SIZE) {
            ByteBuffer h = b.slice(log, out.length - log).order(ByteOrder.LITTLE_ENDIAN);
            h.putLong(Layout.LOG_HEADER_CRC_COVERS, Crc.of(h, 0, Layout.LOG_HEADER_CRC_COVERS));
            for (int i = 0; Layout.LOG_HEADER_SIZE + (i + 1) * Layout.ENTRY_SIZE <= h.capacity(); i++) {
                ByteBuffer e = h.slice(Layout.LOG_HEADER_SIZE + i * Layout.ENTRY_SIZE, Layout.ENTRY_SIZE)
                        .order(ByteOrder.LITTLE_ENDIAN);
                e.putLong(0, i);
                e.putLong(Layout.ENTRY_CRC_OFFSET, Crc.of(e, 0, Layout.ENTRY_CRC_OFFSET));
            }
        }
        return out;
    }

    static ByteBuffer superblock(byte[] input) {
        return ByteBuffer.wrap(Arrays.copyOf(input, Layout.SUPERBLOCK_SIZE)).order(ByteOrder.LITTLE_ENDIAN);
    }

    static int logBytes(byte[] input) {
        return Math.max(0, input.length - Layout.SUPERBLOCK_SIZE);
    }

    static long realSize(byte[] input) {
        long dd = superblock(input).getLong(112);
        return dd >= 0 && dd <= MAX_DEVICE ? dd : MAX_DEVICE;
    }

    /** Writes the image for {@code input} to {@code img} (replacing what was there). */
    static void write(byte[] raw, Path img) throws IOException {
        byte[] input = prepare(raw);
        try (RandomAccessFile f = new RandomAccessFile(img.toFile(), "rw")) {
            f.setLength(0);
            f.write(input, 0, Math.min(input.length, Layout.SUPERBLOCK_SIZE));
            if (input.length > Layout.SUPERBLOCK_SIZE) {
                f.seek(Layout.LOG_OFFSET);
                f.write(input, Layout.SUPERBLOCK_SIZE, input.length - Layout.SUPERBLOCK_SIZE);
            }
            f.setLength(realSize(input));
        }
    }

    /** The input for an image's superblock and the first {@code logBytes} bytes of its log. */
    static byte[] input(ByteBuffer superblock200, ByteBuffer logPrefix) {
        byte[] out = new byte[Layout.SUPERBLOCK_SIZE + logPrefix.remaining()];
        superblock200.duplicate().get(out, 0, Layout.SUPERBLOCK_SIZE);
        logPrefix.duplicate().get(out, Layout.SUPERBLOCK_SIZE, logPrefix.remaining());
        return out;
    }
}
