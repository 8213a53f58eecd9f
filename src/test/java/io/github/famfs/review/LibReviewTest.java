package io.github.famfs.review;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.famfs.nio.FamfsDevices;
import io.github.famfs.nio.FamfsFileSystemProvider;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reviewer of issue 12 leftovers (lib): ImageMapping, the famfs: URL handler, FamfsDevices.kill. Each test asserts
 * the correct behaviour and fails on the code it was written against.
 */
class LibReviewTest {
    private static final String MASTER = "d1ff0000-0000-4000-8000-0000000000c1";

    @TempDir
    Path tmp;

    private static FileSystem create(Path img) throws Exception {
        return FileSystems.newFileSystem(FamfsFileSystemProvider.uri(img),
                Map.of("create", "true", "deviceSize", "64M", "systemUuid", MASTER));
    }

    /**
     * FamfsDevices.kill zeroes bytes [0, 8) of whatever file it is given, as long as it is at least a superblock
     * long: a file that holds no famfs (a user's data file passed by mistake, e.g. {@code famfs mkfs -k -f} with a
     * wrong argument) loses its first 8 bytes. The project rule: bad input is a clear exception, never a write;
     * "there is no famfs to kill" is exactly what the short-file branch already says.
     */
    @Test
    void killRefusesAFileThatHoldsNoFamfs() throws Exception {
        byte[] text = new byte[64 << 10];
        Arrays.fill(text, (byte) 'x');
        byte[] head = "precious user data, not a famfs\n".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, text, 0, head.length);
        Path data = Files.write(tmp.resolve("data.bin"), text);
        assertThrows(FileSystemException.class, () -> FamfsDevices.kill(data),
                "kill of a file that holds no famfs superblock must be refused");
        assertArrayEquals(text, Files.readAllBytes(data), "kill wrote into a file that holds no famfs");
    }

    /**
     * kill refuses a device whose famfs is open in this JVM by looking the device up by its real path; a hard
     * link to the open image has another real path, so kill zeroes the magic under the open file system.
     */
    @Test
    void killRefusesAHardLinkToAnOpenImage() throws Exception {
        Path img = tmp.resolve("open.img");
        try (FileSystem fs = create(img)) {
            Path link = Files.createLink(tmp.resolve("link.img"), img);
            byte[] before = Arrays.copyOf(Files.readAllBytes(img), 8);
            assertThrows(FileSystemException.class, () -> FamfsDevices.kill(link),
                    "kill of (a link to) an image whose famfs is open in this JVM must be refused");
            assertArrayEquals(before, Arrays.copyOf(Files.readAllBytes(img), 8), "the open famfs's magic is gone");
        }
    }

    /**
     * A URLClassLoader over the famfs root directory (the class doc: "a URLClassLoader over a jar (or a
     * directory)"). The root's URL is written {@code famfs:/...img!%2F}: it does not end with '/', so the JDK's
     * URLClassPath takes it for a jar; and relative resolution of "res.txt" against it drops the whole
     * "img!%2F" segment. The resource is not found.
     */
    @Test
    void urlClassLoaderOverTheFamfsRootFindsItsResources() throws Exception {
        Path img = tmp.resolve("u.img");
        try (FileSystem fs = create(img)) {
            Files.write(fs.getPath("/res.txt"), "hello".getBytes(StandardCharsets.US_ASCII));
            URL root = fs.getPath("/").toUri().toURL();
            try (URLClassLoader loader = new URLClassLoader(new URL[] {root}, null)) {
                URL res = loader.getResource("res.txt");
                assertNotNull(res, "no res.txt through a URLClassLoader over " + root);
                try (InputStream in = res.openStream()) {
                    assertArrayEquals("hello".getBytes(StandardCharsets.US_ASCII), in.readAllBytes());
                }
            }
        }
    }

    /**
     * The JDK default provider's Path.toUri of an existing directory ends with '/' (URLClassLoader, URI.resolve
     * need it); famfs's does not.
     */
    @Test
    void toUriOfADirectoryEndsWithSlashAsTheDefaultProviders() throws Exception {
        Path img = tmp.resolve("s.img");
        try (FileSystem fs = create(img)) {
            Files.createDirectories(fs.getPath("/lib"));
            Files.createDirectories(tmp.resolve("lib"));
            org.junit.jupiter.api.Assertions.assertTrue(tmp.resolve("lib").toUri().toString().endsWith("/"));
            String famfs = fs.getPath("/lib").toUri().toString();
            org.junit.jupiter.api.Assertions.assertTrue(famfs.endsWith("/"), "famfs directory URI " + famfs
                    + " does not end with '/'");
        }
    }

    /**
     * A URL relative to the URL of a file at the famfs root ({@code new URL(base, "b.txt")}, what XML includes,
     * resource bundles and URLClassPath do) resolves to the sibling file: the URL form's "!%2F" makes the last
     * '/' the one before the image's name, so it names a file next to the image instead.
     */
    @Test
    void relativeUrlOfARootFileNamesItsSibling() throws Exception {
        Path img = tmp.resolve("r.img");
        try (FileSystem fs = create(img)) {
            Files.write(fs.getPath("/a.txt"), new byte[] {1});
            Files.write(fs.getPath("/b.txt"), new byte[] {2, 2});
            URL sibling = new URL(fs.getPath("/a.txt").toUri().toURL(), "b.txt");
            try (InputStream in = sibling.openStream()) {
                assertArrayEquals(new byte[] {2, 2}, in.readAllBytes(), "via " + sibling);
            }
        }
    }

    /**
     * kill of a directory throws DeviceInfo.NotADeviceException, a class of the unexported package
     * io.github.famfs.memory: callers on the module path cannot name it; kill's javadoc promises a
     * FileSystemException for targets that hold no famfs (newFileSystem turns the same case into an
     * UnsupportedOperationException).
     */
    @Test
    void killOfADirectoryThrowsAnExportedFileSystemException() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("dir"));
        FileSystemException e = assertThrows(FileSystemException.class, () -> FamfsDevices.kill(dir));
        org.junit.jupiter.api.Assertions.assertEquals(dir.toString(), e.getFile());
    }

    /**
     * testing/LibraryWarnings captures every library warning of every test and clears them after each test
     * without looking: a warning that no test expected (a replay problem, a failed unmap, a cache helper gone)
     * used to reach the build output and now vanishes, and the test passes. The end of a test must fail on
     * warnings the test did not assert (and clear) itself.
     */
    @Test
    void unexpectedLibraryWarningsFailTheTest() {
        System.getLogger("io.github.famfs").log(System.Logger.Level.WARNING, "a warning no test expected");
        io.github.famfs.testing.LibraryWarnings end = new io.github.famfs.testing.LibraryWarnings();
        assertThrows(AssertionError.class, () -> end.afterEach(null),
                "a test that logged an unexpected library warning ended cleanly; the warning is lost");
    }
}
