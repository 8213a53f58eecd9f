package io.github.famfs.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Copies between device memory and a caller's buffer: every buffer offset within a cache line, short and long
 * lengths, direct and heap buffers, and ranges across two of the device's 1 GiB windows give exactly the bytes a
 * plain read of the image file gives, advance the buffer's position by the length, and touch no byte outside
 * the range.
 */
class DeviceCopyTest {
    private static final long WINDOW = 1L << 30;
    private static final int[] LENGTHS = {1, 63, 64, 65, 511, 512, 513, 4096, 4097, 65536 + 17};

    @TempDir
    Path tmp;

    @Test
    void readsIntoEveryAlignmentGiveTheImagesBytes() throws Exception {
        Path img = image(WINDOW + (8 << 20));
        try (Device d = Device.open(DeviceInfo.probe(img), false);
                FileChannel plain = FileChannel.open(img, StandardOpenOption.READ)) {
            for (long at : new long[] {0, 4096 + 5, WINDOW - 3000, WINDOW - 40}) { // the last two cross windows
                for (int len : LENGTHS) {
                    byte[] want = new byte[len];
                    plain.read(ByteBuffer.wrap(want), at);
                    for (int skew = 0; skew < 64; skew++) {
                        for (boolean direct : new boolean[] {true, false}) {
                            ByteBuffer dst = buffer(direct, skew + len + 64);
                            fill(dst, (byte) 0x5A);
                            dst.position(skew);
                            d.copyTo(at, dst, len);
                            assertEquals(skew + len, dst.position(), "position after the copy");
                            byte[] got = new byte[len];
                            dst.get(skew, got);
                            assertArrayEquals(want, got, "bytes at " + at + ", " + len + " long, skew " + skew);
                            untouched(dst, 0, skew);
                            untouched(dst, skew + len, dst.capacity());
                        }
                    }
                }
            }
        }
    }

    @Test
    void writesFromEveryAlignmentLandExactly() throws Exception {
        Path img = image(WINDOW + (8 << 20));
        try (Device d = Device.open(DeviceInfo.probe(img), true)) {
            int round = 0;
            for (long at : new long[] {4096, 4096 + 7, 4096 + 33, WINDOW - 2000}) {
                for (int len : LENGTHS) {
                    for (int skew = 0; skew < 64; skew += 7) {
                        round++;
                        ByteBuffer src = buffer(round % 2 == 0, skew + len);
                        for (int i = 0; i < src.capacity(); i++) {
                            src.put(i, (byte) (i * 31 + round));
                        }
                        src.position(skew);
                        d.copyFrom(src, at, len);
                        assertEquals(skew + len, src.position());
                        ByteBuffer back = ByteBuffer.allocate(len + 128);
                        long from = Math.max(0, at - 64);
                        d.copyTo(from, back, (int) (at - from) + len + 64);
                        for (int i = 0; i < len; i++) {
                            assertEquals(src.get(skew + i), back.get((int) (at - from) + i), "byte " + i
                                    + " of a write at " + at + ", " + len + " long, skew " + skew);
                        }
                        d.copyFrom(ByteBuffer.allocate(len + 128), from, (int) (at - from) + len + 64); // zero again
                    }
                }
            }
        }
    }

    @Test
    void aReadOnlyBufferIsRefusedBeforeAnyByteMoves() throws Exception {
        Path img = image(8 << 20);
        try (Device d = Device.open(DeviceInfo.probe(img), false)) {
            ByteBuffer direct = ByteBuffer.allocateDirect(8192);
            ByteBuffer ro = direct.slice(3, 4096).asReadOnlyBuffer();
            assertThrows(ReadOnlyBufferException.class, () -> d.copyTo(0, ro, 4096));
            assertEquals(0, ro.position());
            byte[] all = new byte[8192];
            direct.get(0, all);
            assertArrayEquals(new byte[8192], all);
        }
    }

    /** A sparse image with a pattern in its first 8 MiB and around the window boundary. */
    private Path image(long size) throws Exception {
        Path img = tmp.resolve("img");
        try (FileChannel f = FileChannel.open(img, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            f.truncate(size);
            f.write(pattern(8 << 20, 1), 0);
            if (size > WINDOW) {
                f.write(pattern(1 << 20, 2), WINDOW - (512 << 10));
            }
        }
        return img;
    }

    private static ByteBuffer pattern(int n, int seed) {
        ByteBuffer b = ByteBuffer.allocate(n);
        for (int i = 0; i < n; i++) {
            b.put(i, (byte) (i * 131 + seed * 7 + (i >>> 9)));
        }
        return b;
    }

    private static ByteBuffer buffer(boolean direct, int n) {
        return direct ? ByteBuffer.allocateDirect(n) : ByteBuffer.allocate(n);
    }

    private static void fill(ByteBuffer b, byte v) {
        for (int i = 0; i < b.capacity(); i++) {
            b.put(i, v);
        }
    }

    private static void untouched(ByteBuffer b, int from, int to) {
        byte[] got = new byte[to - from];
        b.get(from, got);
        byte[] want = new byte[to - from];
        Arrays.fill(want, (byte) 0x5A);
        assertArrayEquals(want, got, "bytes outside the copy changed");
    }
}
