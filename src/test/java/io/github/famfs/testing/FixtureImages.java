package io.github.famfs.testing;

import io.github.famfs.nio.FamfsFileSystemProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPOutputStream;

/**
 * Makes the fixture images in test-images/: images written by famfs-nio itself through its public API, kept so
 * that every later version is tested against what this one wrote (test-images/README.md says how to run it). It
 * writes {@code NAME.img.gz} and {@code NAME.manifest}
 * (one line per path, tab-separated: {@code d PATH MODE} or {@code f PATH SIZE MODE SHA256}).
 */
public final class FixtureImages {
    public static final String NAME = "famfs-nio-0.1";
    public static final String MASTER = "f1f1f1f1-0000-4000-8000-000000000001";

    private FixtureImages() {}

    /** A fixture file's bytes: a pattern of period 251 (so the image compresses) that depends on the name. */
    public static byte[] content(String name, int size) {
        byte[] b = new byte[size];
        int seed = name.hashCode();
        for (int i = 0; i < size; i++) {
            b[i] = (byte) ((i % 251) ^ seed);
        }
        return b;
    }

    public static int contentsSize() {
        return contents().size();
    }

    /** What the fixture holds: path to size (directories have -1), made in this order. */
    static Map<String, Long> contents() {
        Map<String, Long> m = new java.util.LinkedHashMap<>();
        m.put("data", -1L);
        m.put("data/one-byte", 1L);
        m.put("data/page-minus-one", 4095L);
        m.put("data/two-mib", 2L << 20);
        m.put("data/two-mib-plus-one", (2L << 20) + 1);
        m.put("data/deep", -1L);
        m.put("data/deep/er", -1L);
        m.put("data/deep/er/seven-mib", 7L << 20);
        m.put("names", -1L);
        m.put("names/with space.txt", 12L);
        m.put("names/ünïcode-€", 34L);
        m.put("names/.hidden", 56L);
        return m;
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "test-images");
        Path img = Files.createTempFile("fixture", ".img");
        Files.delete(img);
        Map<String, String> manifest = new TreeMap<>();
        try (FileSystem fs = FileSystems.newFileSystem(FamfsFileSystemProvider.uri(img), Map.of("create", "true",
                "deviceSize", "64M", "systemUuid", MASTER))) {
            for (Map.Entry<String, Long> e : contents().entrySet()) {
                Path p = fs.getPath("/" + e.getKey());
                if (e.getValue() < 0) {
                    Files.createDirectory(p, PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rwxr-x---")));
                    manifest.put(e.getKey(), "d\t" + e.getKey() + "\t750");
                } else {
                    byte[] data = content(e.getKey(), e.getValue().intValue());
                    Files.write(p, data);
                    manifest.put(e.getKey(), "f\t" + e.getKey() + "\t" + data.length + "\t644\t"
                            + ReferenceImages.sha256(data));
                }
            }
        }
        Files.createDirectories(dir);
        try (InputStream in = Files.newInputStream(img);
                OutputStream out = new GZIPOutputStream(Files.newOutputStream(dir.resolve(NAME + ".img.gz")))) {
            in.transferTo(out);
        }
        Files.delete(img);
        Files.write(dir.resolve(NAME + ".manifest"), manifest.values().stream().map(l -> l + "\n")
                .reduce("", String::concat).getBytes(StandardCharsets.UTF_8), StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }
}
