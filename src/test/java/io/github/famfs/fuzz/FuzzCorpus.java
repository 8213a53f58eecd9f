package io.github.famfs.fuzz;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.github.famfs.format.Crc;
import io.github.famfs.format.Extent;
import io.github.famfs.format.FileEntry;
import io.github.famfs.format.InterleavedMap;
import io.github.famfs.format.Layout;
import io.github.famfs.format.SimpleMap;
import io.github.famfs.testing.TestImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Writes the committed fuzz corpus (the same inputs for both targets): the superblock and used log of every
 * reference image, of the corrupt cases made from them, of the project's fixture image, and of crafted images
 * that reproduce issue 9's items 1, 14, 15, 16 and 18. Run from the project root with the test class path:
 * {@code java -cp target/test-classes:target/classes:... io.github.famfs.fuzz.FuzzCorpus ../shared/famfs-images}.
 */
public final class FuzzCorpus {
    private static final long MIB = 1 << 20;

    private FuzzCorpus() {}

    public static void main(String[] args) throws IOException {
        Path images = Path.of(args.length > 0 ? args[0] : "../shared/famfs-images");
        Map<String, byte[]> corpus = new LinkedHashMap<>();
        for (String name : List.of("empty", "tree", "multi-extent", "striped", "add-daxdev", "log16m")) {
            corpus.put("ref-" + name, fromImage(gunzip(images.resolve(name + ".img.gz"))));
        }
        try (var s = Files.list(images.resolve("corrupt"))) {
            for (Path p : s.sorted().toList()) {
                JsonObject patch = JsonParser.parseString(Files.readString(p)).getAsJsonObject();
                byte[] img = gunzip(images.resolve(patch.get("base").getAsString()));
                for (JsonElement e : patch.getAsJsonArray("edits")) {
                    JsonObject edit = e.getAsJsonObject();
                    byte[] nu = HexFormat.of().parseHex(edit.get("new").getAsString());
                    System.arraycopy(nu, 0, img, edit.get("offset").getAsInt(), nu.length);
                }
                corpus.put(patch.get("name").getAsString(), fromImage(img));
            }
        }
        corpus.put("fixture-famfs-nio-0.1", fromImage(gunzip(Path.of("test-images/famfs-nio-0.1.img.gz"))));
        crafted(corpus);
        for (String name : List.copyOf(corpus.keySet())) {
            if (name.startsWith("ref-") || name.startsWith("item") || name.startsWith("corrupt-")) {
                byte[] fix = corpus.get(name).clone();
                fix[Layout.SUPERBLOCK_SIZE - 1] |= 1;
                corpus.put(name + "-crcfix", fix);
            }
        }
        for (String target : List.of("ReplayFuzzTestInputs/replay", "FileSystemFuzzTestInputs/fileSystem")) {
            Path dir = Path.of("src/test/resources/io/github/famfs/fuzz", target);
            Files.createDirectories(dir);
            for (Map.Entry<String, byte[]> e : corpus.entrySet()) {
                Files.write(dir.resolve(e.getKey()), e.getValue());
            }
        }
        System.out.println(corpus.size() + " inputs");
    }

    private static byte[] gunzip(Path p) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(p))) {
            return in.readAllBytes();
        }
    }

    /** The superblock and the used part of the log (header and next_index entries, at most 128). */
    private static byte[] fromImage(byte[] img) {
        ByteBuffer b = ByteBuffer.wrap(img).order(ByteOrder.LITTLE_ENDIAN);
        long next = b.getLong((int) Layout.LOG_OFFSET + 40);
        long entries = Long.compareUnsigned(next, 128) > 0 ? 128 : next;
        int logBytes = (int) (Layout.LOG_HEADER_SIZE + entries * Layout.ENTRY_SIZE + Layout.ENTRY_SIZE);
        return FuzzImage.input(b.slice(0, Layout.SUPERBLOCK_SIZE), b.slice((int) Layout.LOG_OFFSET, logBytes));
    }

    private static FileEntry file(long seq, String path, long size, io.github.famfs.format.FileMap map) {
        return new FileEntry(seq, size, 2, 0, 0, 0644, path.getBytes(StandardCharsets.UTF_8), map);
    }

    private static SimpleMap extent(long offset, long len) {
        return new SimpleMap(List.of(new Extent(offset, len)));
    }

    private static void crafted(Map<String, byte[]> corpus) throws IOException {
        Path tmp = Files.createTempDirectory("fuzz-corpus");
        Path img = tmp.resolve("c.img");
        long dev = 64 * MIB;
        // item 1: skipped entries that hold units, then a file that collides with them
        try (TestImage t = TestImage.create(img, dev)) {
            t.mkdir("d").file("d/ok", 3000);
            long at = t.nextDataOffset();
            t.entry(file(t.nextIndex(), "d/./dot", 10, extent(at, 2 * MIB)));
            t.entry(file(t.nextIndex(), "missing/child", 10, extent(at + 2 * MIB, 2 * MIB)));
            t.entry(file(t.nextIndex(), "d/ok", 10, extent(at + 4 * MIB, 2 * MIB)));
            t.entry(file(t.nextIndex(), "d/misaligned", 10, extent(at + 6 * MIB + 4096, 2 * MIB)));
            t.entry(file(t.nextIndex(), "d/past-end", 10, extent(dev - 2 * MIB, 64 * MIB)));
            t.entry(file(t.nextIndex(), "later", 10, extent(at, 2 * MIB)));
        }
        corpus.put("item1-skipped-entries", fromImage(Files.readAllBytes(img)));
        // item 14: dd_size flipped or extreme
        try (TestImage t = TestImage.create(img, dev)) {
            t.mkdir("d").file("d/a", 5000).file("b", 3 * MIB);
        }
        byte[] base = fromImage(Files.readAllBytes(img));
        long[] dds = {dev ^ (1L << 40), dev ^ (1L << 63), -1L, Long.MAX_VALUE, dev - 1, dev + 4096, 12 * MIB,
            10 * MIB - 1, 0};
        for (long dd : dds) {
            byte[] in = base.clone();
            ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN).putLong(112, dd);
            corpus.put("item14-dd-size-" + Long.toUnsignedString(dd), in);
        }
        // item 15: interleaved and simple sizes near 2^63, huge nstrips and chunk sizes
        try (TestImage t = TestImage.create(img, dev)) {
            long d = t.dataStart();
            List<Extent> two = List.of(new Extent(d, 2 * MIB), new Extent(d + 2 * MIB, 2 * MIB));
            t.entry(file(t.nextIndex(), "il-max", Long.MAX_VALUE, new InterleavedMap(2 * MIB, two)));
            t.entry(file(t.nextIndex(), "il-near", Long.MAX_VALUE - 3 * MIB, new InterleavedMap(2 * MIB, two)));
            t.entry(file(t.nextIndex(), "il-chunk", 3 * MIB, new InterleavedMap(1L << 62, two)));
            t.entry(file(t.nextIndex(), "il-neg", -5, new InterleavedMap(2 * MIB, two)));
            t.entry(file(t.nextIndex(), "simple-max", Long.MAX_VALUE, extent(d, 2 * MIB)));
            t.entry(file(t.nextIndex(), "simple-neg-len", 10, extent(d, -2 * MIB)));
            ByteBuffer strips = file(t.nextIndex(), "il-nstrips", 10, new InterleavedMap(2 * MIB, two)).encode();
            strips.order(ByteOrder.LITTLE_ENDIAN).putLong(136, 0x8000000000000002L);
            strips.putLong(536, Crc.of(strips, 0, 536));
            t.raw(strips);
            t.entry(file(t.nextIndex(), "il-ok", 5 * MIB, new InterleavedMap(2 * MIB, List.of(
                    new Extent(d + 8 * MIB, 4 * MIB), new Extent(d + 12 * MIB, 2 * MIB)))));
        }
        corpus.put("item15-huge-sizes", fromImage(Files.readAllBytes(img)));
        // item 16: next_index with bit 63 set, and past the log
        try (TestImage t = TestImage.create(img, dev)) {
            t.mkdir("d").file("d/a", 10).file("b", 20);
        }
        base = fromImage(Files.readAllBytes(img));
        for (long next : new long[] {Long.MIN_VALUE, -1L, 15421}) {
            byte[] in = base.clone();
            ByteBuffer.wrap(in).order(ByteOrder.LITTLE_ENDIAN).putLong(Layout.SUPERBLOCK_SIZE + 32, next)
                    .putLong(Layout.SUPERBLOCK_SIZE + 40, next);
            corpus.put("item16-next-index-" + Long.toUnsignedString(next), in);
        }
        // item 18: a partial allocation unit at the end of the device
        try (TestImage t = TestImage.create(img, dev + 4096)) {
            t.file("a", 10);
        }
        corpus.put("item18-partial-unit", fromImage(Files.readAllBytes(img)));
        Files.delete(img);
        Files.delete(tmp);
    }
}
