package io.github.famfs.testing;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;

/**
 * The reference images in ../shared/famfs-images (system property {@code famfs.images}): unpacked once into
 * ${java.io.tmpdir}/famfs-nio-reference-images, their manifests, and the corrupt cases built from them. Tests skip, saying why, when
 * the directory is absent.
 */
public final class ReferenceImages {
    private ReferenceImages() {}

    public static final List<String> IMAGES = List.of("empty", "tree", "multi-extent", "striped", "full-log",
            "add-daxdev", "log16m");

    public static Path dir() {
        return Path.of(System.getProperty("famfs.images", "../shared/famfs-images")).toAbsolutePath().normalize();
    }

    public static void assumePresent() {
        Assumptions.assumeTrue(Files.isDirectory(dir()), "reference images are not at " + dir()
                + " (set -Dfamfs.images=DIR to where ../shared/famfs-images is); skipping compatibility tests");
    }

    /** Unpacked images live outside target/ so that `mvn clean` on two JDKs does not unpack them twice. */
    private static Path cache() throws IOException {
        Path d = Path.of(System.getProperty("java.io.tmpdir"), "famfs-nio-reference-images");
        Files.createDirectories(d);
        return d;
    }

    /** The unpacked image NAME.img (unpacked on first use, read-only from then on). */
    public static synchronized Path image(String name) {
        assumePresent();
        try {
            JsonObject m = manifest(name);
            long size = m.get("image_size").getAsLong();
            Path out = cache().resolve(name + ".img");
            if (!Files.exists(out) || Files.size(out) != size) {
                Path tmp = cache().resolve(name + ".img.tmp");
                try (InputStream in = new GZIPInputStream(Files.newInputStream(dir().resolve(name + ".img.gz")),
                        1 << 20)) {
                    Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
                }
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
                out.toFile().setWritable(false, false);
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A copy of the reference image NAME at {@code to}, writable by this user. The unpacked original is read-only,
     * and a copy keeps its mode: without this, a test that writes to its copy passes only as root.
     */
    public static Path writableCopy(String name, Path to) throws IOException {
        return writableCopy(image(name), to);
    }

    /** As {@link #writableCopy(String, Path)}, of an unpacked image (a child JVM is handed its path). */
    public static Path writableCopy(Path image, Path to) throws IOException {
        Files.copy(image, to, StandardCopyOption.REPLACE_EXISTING);
        if (!to.toFile().setWritable(true)) {
            throw new IOException("cannot make " + to + " writable");
        }
        return to;
    }

    public static JsonObject manifest(String name) {
        assumePresent();
        Path plain = dir().resolve("manifest-" + name + ".json");
        try (InputStream in = Files.exists(plain) ? Files.newInputStream(plain)
                : new GZIPInputStream(Files.newInputStream(dir().resolve("manifest-" + name + ".json.gz")))) {
            return JsonParser.parseReader(new InputStreamReader(in, StandardCharsets.UTF_8)).getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<String> corruptCases() {
        assumePresent();
        try (var s = Files.list(dir().resolve("corrupt"))) {
            return s.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".json"))
                    .map(n -> n.substring(0, n.length() - 5)).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonObject corruptCase(String name) {
        assumePresent();
        try {
            return JsonParser.parseString(Files.readString(dir().resolve("corrupt").resolve(name + ".json")))
                    .getAsJsonObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Builds corrupt case NAME in {@code dir}: a copy of its base image with the edits and truncation applied. */
    public static Path buildCorrupt(String name, Path dir) throws IOException {
        JsonObject c = corruptCase(name);
        String base = c.get("base").getAsString().replace(".img.gz", "");
        Path out = writableCopy(base, dir.resolve(name + ".img"));
        try (FileChannel ch = FileChannel.open(out, StandardOpenOption.WRITE, StandardOpenOption.READ)) {
            for (JsonElement e : c.getAsJsonArray("edits")) {
                JsonObject edit = e.getAsJsonObject();
                long off = edit.get("offset").getAsLong();
                byte[] old = HexFormat.of().parseHex(edit.get("old").getAsString());
                byte[] neu = HexFormat.of().parseHex(edit.get("new").getAsString());
                ByteBuffer have = ByteBuffer.allocate(old.length);
                ch.read(have, off);
                if (!java.util.Arrays.equals(have.array(), old)) {
                    throw new IllegalStateException(name + ": bytes at " + off + " are not " + edit.get("old"));
                }
                ch.write(ByteBuffer.wrap(neu), off);
            }
            if (c.has("truncate_to") && !c.get("truncate_to").isJsonNull()) {
                ch.truncate(c.get("truncate_to").getAsLong());
            }
        }
        return out;
    }

    public static String sha256(Path file) throws IOException {
        MessageDigest md = sha();
        try (FileChannel ch = FileChannel.open(file)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            while (ch.read(buf) > 0) {
                buf.flip();
                md.update(buf);
                buf.clear();
            }
        }
        return HexFormat.of().formatHex(md.digest());
    }

    public static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha().digest(bytes));
    }

    public static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    public static JsonArray array(JsonObject o, String key) {
        return o.has(key) ? o.getAsJsonArray(key) : new JsonArray();
    }
}
