package io.github.famfs.it;

import io.github.famfs.nio.FamfsFileAttributes;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Reads a corpus file every way the provider offers and compares every byte with {@link Corpus}: channel reads
 * (sequential with odd buffer sizes, heap and direct, then positional at boundaries), an input stream, and
 * MappedByteBuffers (the whole file and an unaligned range). Mapped buffers are kept in {@link #kept} so that a
 * caller can inspect /proc/self/maps while they are alive.
 */
public final class Verify {
    private static final int[] BUFFER_SIZES = {1, 4095, 65539, 1 << 20, 777_777};

    /** Buffers from {@link #mapped}, alive until {@link #release()}. */
    private final List<MappedByteBuffer> kept = new ArrayList<>();

    public void release() {
        kept.clear();
    }

    public int keptMappings() {
        return kept.size();
    }

    static Checks.Failure mismatch(String what, Item item, long offset, byte want, byte got) {
        return new Checks.Failure(String.format("%s of %s: byte %d is 0x%02x, expected 0x%02x", what, item.path(),
                offset, got & 0xff, want & 0xff));
    }

    private record Item(String path, long size, int seed) {}

    private static Item of(Corpus.Item c) {
        return new Item(c.path(), c.size(), c.seed());
    }

    /** Compares {@code got[0, n)} with the file's bytes at {@code offset}. */
    static void compare(String what, Item item, long offset, byte[] got, int n, byte[] scratch)
            throws Checks.Failure {
        Corpus.fill(item.seed(), offset, scratch, n);
        int at = Arrays.mismatch(got, 0, n, scratch, 0, n);
        if (at >= 0) {
            throw mismatch(what, item, offset + at, scratch[at], got[at]);
        }
    }

    /** Size and kind as the attributes tell them. */
    public static String attributes(Path p, Corpus.Item c) throws Exception {
        FamfsFileAttributes a = Files.readAttributes(p, FamfsFileAttributes.class);
        if (a.size() != c.size()) {
            throw new Checks.Failure(c.path() + " has size " + a.size() + ", expected " + c.size());
        }
        if (a.mapProblem().isPresent()) {
            throw new Checks.Failure(c.path() + ": map problem " + a.mapProblem().get());
        }
        Object type = Files.getAttribute(p, "famfs:extentType");
        return c.size() + " bytes, " + type + " map of " + a.fileMap().orElseThrow().extents().size()
                + (type.equals("interleaved") ? " strips" : " extents");
    }

    /** Sequential reads with changing buffer sizes (heap and direct), then positional reads at boundaries. */
    public static String channel(Path p, Corpus.Item c) throws Exception {
        Item item = of(c);
        long reads = 0;
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            if (ch.size() != c.size()) {
                throw new Checks.Failure("channel size " + ch.size() + ", expected " + c.size());
            }
            byte[] got = new byte[1 << 20];
            byte[] want = new byte[1 << 20];
            long pos = 0;
            int k = 0;
            while (pos < c.size()) {
                int n = BUFFER_SIZES[k++ % BUFFER_SIZES.length];
                ByteBuffer b = (k % 2 == 0) ? ByteBuffer.allocateDirect(n) : ByteBuffer.allocate(n);
                int r = ch.read(b);
                if (r <= 0) {
                    throw new Checks.Failure("read returned " + r + " at " + pos + " of " + c.size());
                }
                b.flip().get(got, 0, r);
                compare("channel read", item, pos, got, r, want);
                pos += r;
                reads++;
            }
            if (ch.read(ByteBuffer.allocate(1)) != -1 || ch.position() != c.size()) {
                throw new Checks.Failure("no EOF at " + c.size());
            }
            for (long at : boundaries(c.size())) {
                int n = (int) Math.min(8192, c.size() - at);
                ByteBuffer b = ByteBuffer.allocate(n);
                long done = 0;
                while (b.hasRemaining()) {
                    int r = ch.read(b, at + done);
                    if (r <= 0) {
                        throw new Checks.Failure("positional read returned " + r + " at " + (at + done));
                    }
                    done += r;
                }
                compare("positional read", item, at, b.array(), n, want);
                reads++;
            }
        }
        return c.size() + " bytes in " + reads + " reads";
    }

    /** Offsets around 2 MiB boundaries (where extents and chunks change) and a few random ones. */
    static List<Long> boundaries(long size) {
        List<Long> l = new ArrayList<>();
        for (long b = 0; b < size; b += 1L << 21) {
            for (long d : new long[] {-4097, -1, 0, 4093}) {
                long at = b + d;
                if (at >= 0 && at < size) {
                    l.add(at);
                }
            }
        }
        SplittableRandom r = new SplittableRandom(size);
        for (int i = 0; i < 8; i++) {
            l.add(r.nextLong(size));
        }
        l.add(size - 1);
        return l;
    }

    /** Files.newInputStream: read(byte[]) in odd pieces, single-byte read(), skip, EOF. */
    public static String stream(Path p, Corpus.Item c) throws Exception {
        Item item = of(c);
        byte[] got = new byte[65537];
        byte[] want = new byte[65537];
        long pos = 0;
        try (InputStream in = Files.newInputStream(p)) {
            while (pos < c.size()) {
                if (pos % 5 == 3) {
                    int one = in.read();
                    if (one < 0 || (byte) one != Corpus.byteAt(item.seed(), pos)) {
                        throw mismatch("stream read()", item, pos, Corpus.byteAt(item.seed(), pos), (byte) one);
                    }
                    pos++;
                    continue;
                }
                int r = in.read(got, 0, got.length);
                if (r <= 0) {
                    throw new Checks.Failure("stream read returned " + r + " at " + pos + " of " + c.size());
                }
                compare("stream read", item, pos, got, r, want);
                pos += r;
            }
            if (in.read() != -1) {
                throw new Checks.Failure("no EOF at " + c.size());
            }
        }
        try (InputStream in = Files.newInputStream(p)) {
            long skip = c.size() / 2 + 1;
            long skipped = in.skip(skip);
            int r = in.readNBytes(got, 0, (int) Math.min(got.length, c.size() - skipped));
            compare("stream after skip", item, skipped, got, r, want);
        }
        return c.size() + " bytes";
    }

    /**
     * FileChannel.map READ_ONLY: the whole file, compared byte by byte, plus a range starting at an unaligned
     * position that crosses a 2 MiB boundary (the provider maps from the aligned start below it).
     */
    public String mapped(Path p, Corpus.Item c) throws Exception {
        Item item = of(c);
        byte[] got = new byte[1 << 20];
        byte[] want = new byte[1 << 20];
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            MappedByteBuffer whole = ch.map(FileChannel.MapMode.READ_ONLY, 0, c.size());
            if (whole.capacity() != c.size() || !whole.isReadOnly()) {
                throw new Checks.Failure("map gave capacity " + whole.capacity() + ", read-only " + whole.isReadOnly());
            }
            for (long pos = 0; pos < c.size(); ) {
                int n = (int) Math.min(got.length, c.size() - pos);
                whole.get((int) pos, got, 0, n);
                compare("mapped buffer", item, pos, got, n, want);
                pos += n;
            }
            long at = Math.max(0, Math.min((1L << 21) - 12345, c.size() - 4096));
            int len = (int) Math.min(3 << 20, c.size() - at);
            MappedByteBuffer part = ch.map(FileChannel.MapMode.READ_ONLY, at, len);
            for (int pos = 0; pos < len; ) {
                int n = Math.min(got.length, len - pos);
                part.get(pos, got, 0, n);
                compare("mapped range at " + at, item, at + pos, got, n, want);
                pos += n;
            }
            kept.add(whole);
            kept.add(part);
            return c.size() + " bytes mapped whole, and [" + at + ", " + (at + len) + ")";
        }
    }

    /** The corpus files below {@code dir} that exist in {@code fs}, and whether the listing has others. */
    public static String listing(FileSystem fs, List<Corpus.Item> expected) throws Exception {
        List<String> want = new ArrayList<>();
        for (Corpus.Item c : expected) {
            want.add(c.path());
        }
        List<String> got = new ArrayList<>();
        try (var walk = Files.walk(fs.getPath("/"))) {
            walk.filter(Files::isRegularFile).forEach(q -> got.add(q.toString()));
        }
        List<String> missing = new ArrayList<>(want);
        missing.removeAll(got);
        List<String> extra = new ArrayList<>(got);
        extra.removeAll(want);
        if (!missing.isEmpty() || !extra.isEmpty()) {
            throw new Checks.Failure("missing " + missing + ", unexpected " + extra);
        }
        return got.size() + " files, exactly the expected ones";
    }
}
