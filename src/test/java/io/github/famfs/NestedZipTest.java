package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.ProviderNotFoundException;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** zipfs over a zip stored in famfs: the path form, and the nested jar: URI written with the famfs URL form. */
class NestedZipTest {
    @TempDir
    Path tmp;

    static byte[] zip(String name, String text) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(bytes)) {
            z.putNextEntry(new ZipEntry(name));
            z.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    @Test
    void zipfsReadsAZipInFamfsThroughThePathAndTheNestedUri() throws Exception {
        Path img = tmp.resolve("z.img");
        try (FileSystem fs = UrlHandlerTest.create(img)) {
            Path stored = fs.getPath("/data/a.zip");
            Files.createDirectory(stored.getParent());
            Files.write(stored, zip("dir/hello.txt", "inside a zip inside famfs"));
            try (FileSystem zfs = FileSystems.newFileSystem(stored)) {
                assertEquals("inside a zip inside famfs", Files.readString(zfs.getPath("/dir/hello.txt")));
            }
            URI nested = URI.create("jar:" + stored.toUri().toURL());
            assertEquals("jar:famfs:/" + img.toString().replace("/", "%2F") + "/data/a.zip", nested.toString());
            try (FileSystem zfs = FileSystems.newFileSystem(nested, Map.of())) {
                assertEquals("inside a zip inside famfs", Files.readString(zfs.getPath("/dir/hello.txt")));
            }
            // the famfs URI itself has a "!/" that zipfs takes for its own separator: it names the device
            URI plain = URI.create("jar:" + stored.toUri());
            assertThrows(Exception.class, () -> FileSystems.newFileSystem(plain, Map.of()).close());
            // hostile: a famfs file that is not a zip
            Files.write(fs.getPath("/data/not.zip"), new byte[100]);
            assertThrows(Exception.class, () -> FileSystems.newFileSystem(fs.getPath("/data/not.zip")).close());
            assertThrows(java.nio.file.NoSuchFileException.class,
                    () -> FileSystems.newFileSystem(fs.getPath("/data/missing.zip")).close());
        }
        URI afterClose = URI.create("jar:famfs:/" + img.toString().replace("/", "%2F") + "/data/a.zip");
        assertThrows(FileSystemNotFoundException.class, () -> FileSystems.newFileSystem(afterClose, Map.of()));
        URI olderForm = URI.create("jar:famfs:" + img + "!%2Fdata/a.zip");
        assertThrows(FileSystemNotFoundException.class, () -> FileSystems.newFileSystem(olderForm, Map.of()));
    }

    /**
     * zipfs writes a zip by making an empty temp file next to it and moving it over the zip at close; famfs holds
     * no empty file, so the close of a zip file system that was changed fails loudly, naming famfs's rule, and
     * the zip in famfs is as it was (here the empty zip zipfs's create=true wrote at open): write zips elsewhere
     * and copy them in (README). Asserted so that a change of either side shows.
     */
    @Test
    void zipfsCannotWriteAZipInFamfsAndSaysSoAtClose() throws Exception {
        Path img = tmp.resolve("c.img");
        try (FileSystem fs = UrlHandlerTest.create(img)) {
            Path z = fs.getPath("/new.zip");
            FileSystem zfs = FileSystems.newFileSystem(z, Map.of("create", "true"));
            Files.writeString(zfs.getPath("/e.txt"), "entry");
            java.io.IOException e = assertThrows(java.io.IOException.class, zfs::close);
            assertTrue(e.getMessage().contains("famfs cannot hold an empty file"), e.getMessage());
            assertEquals(22, Files.size(z), "the empty zip (an end record) written at open is left");
            try (FileSystem read = FileSystems.newFileSystem(z)) {
                assertTrue(Files.notExists(read.getPath("/e.txt")));
            }
            // the way that works: make the zip elsewhere, copy it in, read it through zipfs
            Files.write(fs.getPath("/made.zip"), zip("e.txt", "entry"));
            try (FileSystem read = FileSystems.newFileSystem(fs.getPath("/made.zip"))) {
                assertEquals("entry", Files.readString(read.getPath("/e.txt")));
            }
        }
    }
}
