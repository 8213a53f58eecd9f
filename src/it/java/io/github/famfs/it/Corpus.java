package io.github.famfs.it;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The files the VM suite writes and checks: their paths, sizes, how they are written, and their bytes, which are
 * a function of the path and the offset (so every reader, in a guest or on the host, knows every byte without a
 * copy of the data). Sizes are odd on purpose: no file ends on a page or allocation boundary.
 */
public final class Corpus {
    private Corpus() {}

    private static final long MIB = 1L << 20;

    /** How a file is made; the guest writers switch on it, the readers only care about the bytes. */
    public enum How {
        /** Files.write: one buffer, the size grows as data arrives. */
        FILES_WRITE,
        /** FamfsFiles.copy from a local file: the size is known, one simple extent. */
        COPY,
        /** FileChannel CREATE_NEW + WRITE, odd-sized pieces, some positional. */
        CHANNEL_PIECES,
        /** Two output streams written in turns, so that neither can grow in place: each moves, one extent. */
        TWO_STREAMS,
        /** FamfsFiles.copy with FamfsOption.interleave: one interleaved extent. */
        INTERLEAVED_COPY,
        /** Files.newOutputStream with FamfsOption.interleave: written contiguously, striped when published. */
        INTERLEAVED_STREAM,
        /** Files.newOutputStream, written by the JDK 17 guest. */
        STREAM
    }

    /** One file: absolute famfs path, size, how it is written, and for interleaved files the strips wanted. */
    public record Item(String path, long size, How how, int nstrips, long chunk, int nbuckets) {
        Item(String path, long size, How how) {
            this(path, size, how, 0, 0, 0);
        }

        public int seed() {
            return seedOf(path);
        }
    }

    /** Interleave parameters: 4 buckets need a device of at least 4 GiB (the reference wants 1 GiB a bucket). */
    public static final int NSTRIPS = 4;
    public static final int NBUCKETS = 4;

    /** What the first (master) guest writes. */
    public static final List<Item> MASTER = List.of(
            new Item("/data/files-write.bin", MIB + 3, How.FILES_WRITE),
            new Item("/data/copied.bin", 6 * MIB + 4099, How.COPY),
            new Item("/data/channel.bin", 5 * MIB + 1, How.CHANNEL_PIECES),
            new Item("/multi/a.bin", 9 * MIB + 333, How.TWO_STREAMS),
            new Item("/multi/b.bin", 7 * MIB + 4095, How.TWO_STREAMS),
            new Item("/striped/copied.bin", 16 * MIB + 5, How.INTERLEAVED_COPY, NSTRIPS, 2 * MIB, NBUCKETS),
            new Item("/striped/stream.bin", 13 * MIB + 99, How.INTERLEAVED_STREAM, 3, 4 * MIB, NBUCKETS));

    /** Directories the master makes besides the files' parents. */
    public static final List<String> EXTRA_DIRS = List.of("/deep/a/b/c");

    /** What the JDK 17 guest adds. */
    public static final List<Item> JDK17 = List.of(
            new Item("/jdk17/stream.bin", 3 * MIB + 5, How.STREAM),
            new Item("/jdk17/striped.bin", 8 * MIB + 1, How.INTERLEAVED_COPY, 2, 2 * MIB, NBUCKETS));

    public static final String LIVE_DIR = "/live";
    public static final int LIVE_FILES = 6;
    /** Published last by the live master: its presence tells a client that everything is there. */
    public static final String LIVE_END = LIVE_DIR + "/END";

    /** The files the live master publishes, one after another, while a client watches. */
    public static List<Item> live() {
        List<Item> l = new ArrayList<>();
        for (int i = 0; i < LIVE_FILES; i++) {
            l.add(new Item(String.format("%s/f%02d.bin", LIVE_DIR, i), (i + 1) * MIB + 17 * i + 1, How.FILES_WRITE));
        }
        l.add(new Item(LIVE_END, 4097, How.FILES_WRITE));
        return List.copyOf(l);
    }

    /** Everything the guests publish, in the order they do. */
    public static List<Item> all() {
        List<Item> l = new ArrayList<>(MASTER);
        l.addAll(JDK17);
        l.addAll(live());
        return List.copyOf(l);
    }

    static int seedOf(String path) {
        int h = 0x2545F491;
        for (byte b : path.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ b) * 0x01000193;
        }
        return h;
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** The byte at {@code offset} of the file whose seed is {@code seed}. */
    public static byte byteAt(int seed, long offset) {
        long word = mix((offset >>> 3) * 0x9E3779B97F4A7C15L + seed);
        return (byte) (word >>> ((offset & 7) * 8));
    }

    /** Fills {@code dst[0, n)} with the file's bytes from {@code offset} on. */
    public static void fill(int seed, long offset, byte[] dst, int n) {
        int i = 0;
        long o = offset;
        while (i < n && (o & 7) != 0) {
            dst[i++] = byteAt(seed, o++);
        }
        while (n - i >= 8) {
            long word = mix((o >>> 3) * 0x9E3779B97F4A7C15L + seed);
            for (int k = 0; k < 8; k++) {
                dst[i + k] = (byte) (word >>> (k * 8));
            }
            i += 8;
            o += 8;
        }
        while (i < n) {
            dst[i++] = byteAt(seed, o++);
        }
    }

    /** The file's bytes {@code [offset, offset+n)}. */
    public static byte[] bytes(int seed, long offset, int n) {
        byte[] b = new byte[n];
        fill(seed, offset, b, n);
        return b;
    }
}
