package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.nio.FamfsFileSystemProvider;
import io.github.famfs.nio.FamfsFsck;
import io.github.famfs.testing.FixtureImages;
import io.github.famfs.testing.ReferenceImages;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The images in test-images/, written by earlier famfs-nio versions, still read exactly as their manifests say. */
class FixtureImageTest {
    @TempDir
    Path tmp;

    @Test
    void theFamfsNioFixtureReadsAsWritten() throws Exception {
        Path dir = Path.of("test-images");
        Path img = tmp.resolve("fixture.img");
        try (InputStream in = new GZIPInputStream(Files.newInputStream(dir.resolve(FixtureImages.NAME + ".img.gz")))) {
            Files.copy(in, img);
        }
        List<String> manifest = Files.readAllLines(dir.resolve(FixtureImages.NAME + ".manifest"),
                StandardCharsets.UTF_8);
        assertEquals(FixtureImages.contentsSize(), manifest.size());
        try (FileSystem fs = FileSystems.newFileSystem(FamfsFileSystemProvider.uri(img), Map.of())) {
            for (String line : manifest) {
                String[] f = line.split("\t");
                String kind = f[0];
                String path = f[1];
                Path p = fs.getPath("/" + path);
                if (kind.equals("d")) {
                    assertTrue(Files.isDirectory(p), path);
                    assertEquals(040750, Files.getAttribute(p, "unix:mode"), path);
                } else {
                    byte[] data = Files.readAllBytes(p);
                    assertEquals(Long.parseLong(f[2]), data.length, path);
                    assertEquals(f[4], ReferenceImages.sha256(data), path);
                    assertEquals(0100644, Files.getAttribute(p, "unix:mode"), path);
                }
            }
            assertTrue(FamfsFsck.check(fs).isClean());
            assertEquals(FixtureImages.MASTER, Files.getFileStore(fs.getPath("/")).getAttribute("famfs:systemUuid")
                    .toString());
        }
    }
}
