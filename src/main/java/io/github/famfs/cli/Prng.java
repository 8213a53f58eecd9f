package io.github.famfs.cli;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The data pattern of the reference's {@code famfs creat -r -S seed} and {@code famfs verify -S seed}
 * (famfs-format.md §12): a xoroshiro128+ generator seeded by two rounds of splitmix64 from the low 32 bits of the
 * seed; the file is the low 32 bits of successive values, little-endian, and a tail of fewer than 4 bytes takes the
 * first bytes of one more value.
 */
final class Prng {
    private long s0;
    private long s1;

    Prng(long seed) {
        long x = seed & 0xffffffffL;
        x += 0x9E3779B97F4A7C15L;
        s0 = mix(x);
        x += 0x9E3779B97F4A7C15L;
        s1 = mix(x);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    long next() {
        long a = s0;
        long b = s1;
        long r = a + b;
        b ^= a;
        s0 = Long.rotateLeft(a, 55) ^ b ^ (b << 14);
        s1 = Long.rotateLeft(b, 36);
        return r;
    }

    int nextInt() {
        return (int) next();
    }

    /**
     * Fills {@code dst} from its position to its limit with the next bytes of the stream. Every call but the last
     * of a file must fill a multiple of 4 bytes, or the stream would not be the reference's.
     */
    void fill(ByteBuffer dst) {
        ByteBuffer b = dst.order() == ByteOrder.LITTLE_ENDIAN ? dst : dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        int start = b.position();
        while (b.remaining() >= 4) {
            b.putInt(nextInt());
        }
        int tail = b.remaining();
        if (tail > 0) {
            int v = nextInt();
            for (int i = 0; i < tail; i++) {
                b.put((byte) (v >>> (8 * i)));
            }
        }
        if (b != dst) {
            dst.position(start + (b.position() - start));
        }
    }
}
