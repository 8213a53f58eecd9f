package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.famfs.format.Extent;
import io.github.famfs.format.FileMap;
import io.github.famfs.format.InterleavedMap;
import io.github.famfs.format.SimpleMap;
import io.github.famfs.nio.FamfsFileAttributes;
import io.github.famfs.testing.ReferenceImages;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every reference image, read through the provider, is exactly what its manifest says. */
class ReferenceImageTest {

    static Stream<String> images() {
        return ReferenceImages.IMAGES.stream();
    }

    private static FileSystem open(String name) throws Exception {
        Path img = ReferenceImages.image(name);
        return FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of());
    }

    @ParameterizedTest
    @MethodSource("images")
    void namespaceAndAttributesMatchTheManifest(String name) throws Exception {
        JsonObject m = ReferenceImages.manifest(name);
        try (FileSystem fs = open(name)) {
            assertTrue(fs.isReadOnly(), "no system UUID given: this host is a client");
            Set<String> expected = new TreeSet<>();
            for (JsonElement d : ReferenceImages.array(m, "directories")) {
                JsonObject dir = d.getAsJsonObject();
                String p = dir.get("path").getAsString();
                expected.add(p + "/");
                Path path = fs.getPath("/" + p);
                assertTrue(Files.isDirectory(path), p);
                assertOwnership(path, dir, 040000);
            }
            for (JsonElement f : ReferenceImages.array(m, "files")) {
                JsonObject file = f.getAsJsonObject();
                String p = file.get("path").getAsString();
                expected.add(p);
                Path path = fs.getPath("/" + p);
                assertTrue(Files.isRegularFile(path), p);
                assertEquals(file.get("size").getAsLong(), Files.size(path), p);
                assertOwnership(path, file, 0100000);
                FamfsFileAttributes a = Files.readAttributes(path, FamfsFileAttributes.class);
                assertEquals(file.get("flags").getAsInt(), a.flags(), p);
                assertEquals(manifestMap(file.getAsJsonObject("fmap")), a.fileMap().orElseThrow(), p);
                assertEquals(file.get("allocated_bytes").getAsLong(),
                        Files.getAttribute(path, "famfs:allocatedBytes"), p);
            }
            Set<String> seen = new TreeSet<>();
            try (Stream<Path> walk = Files.walk(fs.getPath("/"))) {
                walk.skip(1).forEach(p -> seen.add(p.toString().substring(1) + (Files.isDirectory(p) ? "/" : "")));
            }
            assertEquals(expected, seen);

            FileStore store = Files.getFileStore(fs.getPath("/"));
            JsonObject sb = m.getAsJsonObject("superblock");
            JsonObject log = m.getAsJsonObject("log");
            assertEquals("famfs", store.type());
            assertEquals(UUID.fromString(sb.get("uuid").getAsString()), store.getAttribute("famfs:uuid"));
            assertEquals(UUID.fromString(sb.get("system_uuid").getAsString()),
                    store.getAttribute("famfs:systemUuid"));
            assertEquals("client", store.getAttribute("famfs:role"));
            assertEquals(log.get("next_index").getAsLong(), store.getAttribute("famfs:logEntries"));
            assertEquals(log.get("capacity_entries").getAsLong(), store.getAttribute("famfs:logCapacity"));
            assertEquals(List.of(), store.getAttribute("famfs:problems"), "a reference image replays cleanly");
            assertEquals(sb.getAsJsonObject("daxdev").get("dd_size").getAsLong(), store.getTotalSpace());
            long allocated = 0x200000L + sb.get("log_len").getAsLong();
            for (JsonElement f : ReferenceImages.array(m, "files")) {
                allocated += f.getAsJsonObject().get("allocated_bytes").getAsLong();
            }
            assertEquals(store.getTotalSpace() - allocated, store.getUnallocatedSpace());
            assertEquals(ReferenceImages.array(m, "daxdevs").size(),
                    ((List<?>) store.getAttribute("famfs:daxdevs")).size());
        }
    }

    private static void assertOwnership(Path path, JsonObject entry, int type) throws Exception {
        Map<String, Object> unix = Files.readAttributes(path, "unix:mode,uid,gid");
        assertEquals(type | entry.get("mode_int").getAsInt(), unix.get("mode"), path.toString());
        assertEquals(entry.get("uid").getAsLong(), Integer.toUnsignedLong((Integer) unix.get("uid")), path.toString());
        assertEquals(entry.get("gid").getAsLong(), Integer.toUnsignedLong((Integer) unix.get("gid")), path.toString());
        assertEquals(entry.get("log_index").getAsInt(), Files.getAttribute(path, "famfs:logIndex"));
        assertEquals(Long.toString(entry.get("uid").getAsLong()), Files.getOwner(path).getName());
    }

    static FileMap manifestMap(JsonObject fmap) {
        if (fmap.get("fmap_ext_type").getAsInt() == 0) {
            return new SimpleMap(extents(fmap, "extents"));
        }
        JsonObject ie = fmap.getAsJsonArray("interleaved_extents").get(0).getAsJsonObject();
        return new InterleavedMap(ie.get("chunk_size").getAsLong(), extents(ie, "strips"));
    }

    private static List<Extent> extents(JsonObject o, String key) {
        List<Extent> out = new ArrayList<>();
        for (JsonElement e : o.getAsJsonArray(key)) {
            JsonObject x = e.getAsJsonObject();
            out.add(new Extent(x.get("devindex").getAsLong(), x.get("offset").getAsLong(), x.get("len").getAsLong()));
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("images")
    void contentMatchesThroughChannelsAndStreams(String name) throws Exception {
        JsonObject m = ReferenceImages.manifest(name);
        Random rnd = new Random(name.hashCode());
        try (FileSystem fs = open(name)) {
            for (JsonElement f : ReferenceImages.array(m, "files")) {
                JsonObject file = f.getAsJsonObject();
                Path path = fs.getPath(file.get("path").getAsString());
                String sha = file.getAsJsonObject("content").get("sha256").getAsString();
                long size = file.get("size").getAsLong();

                byte[] all = Files.readAllBytes(path);
                assertEquals(sha, ReferenceImages.sha256(all), path + " readAllBytes");

                MessageDigest md = ReferenceImages.sha();
                try (FileChannel ch = FileChannel.open(path)) {
                    assertEquals(size, ch.size());
                    ByteBuffer direct = ByteBuffer.allocateDirect(1 << 20);
                    while (true) {
                        direct.clear().limit(1 + rnd.nextInt(direct.capacity()));
                        if (ch.read(direct) < 0) {
                            break;
                        }
                        md.update(direct.flip());
                    }
                    assertEquals(size, ch.position());
                }
                assertEquals(sha, HexFormat.of().formatHex(md.digest()), path + " sequential channel reads");

                md = ReferenceImages.sha();
                try (InputStream in = Files.newInputStream(path)) {
                    byte[] buf = new byte[8191];
                    int n;
                    while ((n = in.read(buf, 0, 1 + rnd.nextInt(buf.length))) > 0) {
                        md.update(buf, 0, n);
                    }
                }
                assertEquals(sha, HexFormat.of().formatHex(md.digest()), path + " input stream");

                try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
                    for (int i = 0; i < 20; i++) {
                        long pos = (long) (rnd.nextDouble() * size);
                        ByteBuffer b = ByteBuffer.allocate((int) Math.min(size - pos, 1 + rnd.nextInt(3 << 20)));
                        int got = ch.read(b, pos);
                        assertEquals(b.capacity(), Math.max(got, 0), path + " positional read at " + pos);
                        assertArrayEquals(java.util.Arrays.copyOfRange(all, (int) pos, (int) pos + b.capacity()),
                                b.array(), path + " positional read at " + pos);
                    }
                    ByteBuffer[] scatter = {ByteBuffer.allocate(7), ByteBuffer.allocateDirect(4096),
                            ByteBuffer.allocate(3 << 20)};
                    long got = ch.position(0).read(scatter);
                    assertEquals(Math.min(size, 7 + 4096 + (3 << 20)), got);
                    ByteBuffer joined = ByteBuffer.allocate((int) got);
                    for (ByteBuffer s : scatter) {
                        joined.put(s.flip());
                    }
                    assertArrayEquals(java.util.Arrays.copyOf(all, (int) got), joined.array(), "scattering read");
                }
            }
        }
    }

    /** Each byte comes from the device offset the manifest's device_ranges give (the §7.5 formula). */
    @ParameterizedTest
    @MethodSource("images")
    void bytesComeFromTheManifestsDeviceRanges(String name) throws Exception {
        JsonObject m = ReferenceImages.manifest(name);
        Path img = ReferenceImages.image(name);
        try (FileSystem fs = open(name); FileChannel raw = FileChannel.open(img)) {
            for (JsonElement f : ReferenceImages.array(m, "files")) {
                JsonObject file = f.getAsJsonObject();
                long size = file.get("size").getAsLong();
                FileMap map = manifestMap(file.getAsJsonObject("fmap"));
                List<long[]> mine = new ArrayList<>();
                map.visit(0, size, (fo, dev, len) -> {
                    long[] last = mine.isEmpty() ? null : mine.get(mine.size() - 1);
                    if (last != null && last[0] + last[2] == fo && last[1] + last[2] == dev) {
                        last[2] += len;
                    } else {
                        mine.add(new long[] {fo, dev, len});
                    }
                });
                List<long[]> theirs = new ArrayList<>();
                for (JsonElement r : file.getAsJsonArray("device_ranges")) {
                    JsonObject o = r.getAsJsonObject();
                    long fo = o.get("file_offset").getAsLong();
                    long dev = o.get("device_offset").getAsLong();
                    long len = o.get("len").getAsLong();
                    long[] last = theirs.isEmpty() ? null : theirs.get(theirs.size() - 1);
                    if (last != null && last[0] + last[2] == fo && last[1] + last[2] == dev) {
                        last[2] += len;
                    } else {
                        theirs.add(new long[] {fo, dev, len});
                    }
                }
                assertEquals(theirs.size(), mine.size(), file.get("path").getAsString());
                try (FileChannel ch = FileChannel.open(fs.getPath(file.get("path").getAsString()))) {
                    for (int i = 0; i < theirs.size(); i++) {
                        assertArrayEquals(theirs.get(i), mine.get(i), file.get("path") + " range " + i);
                        long[] r = theirs.get(i);
                        for (long at : new long[] {r[0], r[0] + r[2] - Math.min(r[2], 64)}) {
                            int len = (int) Math.min(64, r[2]);
                            ByteBuffer a = ByteBuffer.allocate(len);
                            ByteBuffer b = ByteBuffer.allocate(len);
                            ch.read(a, at);
                            raw.read(b, r[1] + (at - r[0]));
                            assertArrayEquals(b.array(), a.array(), file.get("path") + " at file offset " + at);
                        }
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("images")
    void openingLeavesTheImageUnchanged(String name) throws Exception {
        Path img = ReferenceImages.image(name);
        String before = ReferenceImages.sha256(img);
        Map<String, Object> counts = new HashMap<>();
        try (FileSystem fs = open(name); Stream<Path> walk = Files.walk(fs.getPath("/"))) {
            counts.put("entries", walk.count());
        }
        assertFalse(counts.isEmpty());
        assertEquals(before, ReferenceImages.sha256(img));
    }
}
