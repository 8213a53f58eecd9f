package io.github.famfs.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.cli.FamfsCli;
import io.github.famfs.nio.FamfsFileSystemProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ProviderNotFoundException;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reviewer r3 (issue 9): contracts with the JDK and the user, and bad arguments. Each test asserts the behaviour
 * the README or the JDK's default provider promises, and fails on the code it was written against.
 */
class R3ContractsTest {
    private static final String MASTER = "d1ff0000-0000-4000-8000-000000000003";

    @TempDir
    Path tmp;

    private FileSystem create(Path img) throws Exception {
        return FileSystems.newFileSystem(FamfsFileSystemProvider.uri(img),
                Map.of("create", "true", "deviceSize", "64M", "systemUuid", MASTER));
    }

    // ---- URIs: the path part of a famfs URI names exactly one device and one file

    /**
     * A famfs URI whose path part inside the file system starts with "//" ({@code famfs:/x.img!//a/b}) is decoded
     * by {@code new URI("//a/b")}, which reads "a" as an authority and keeps "/b": the URI selects another file.
     * The JDK's getPath("//a/b") is "/a/b" (repeated separators are one), and so is the path of
     * {@code file:////a/b}. Same class as issue 9 item 4 (a URI that selects something it does not name).
     */
    @Test
    void innerPathWithDoubleSlashNamesThatPathNotAnother() throws Exception {
        Path img = tmp.resolve("i.img");
        try (FileSystem fs = create(img)) {
            Files.createDirectories(fs.getPath("/a"));
            Files.write(fs.getPath("/a/b"), new byte[] {1});
            Files.write(fs.getPath("/b"), new byte[] {2});
            URI uri = URI.create(FamfsFileSystemProvider.uri(img) + "!//a/b");
            Path p = Path.of(uri);
            assertEquals(fs.getPath("/a/b"), p, "famfs URI " + uri + " names /a/b (as getPath(\"//a/b\") does)");
        }
    }

    /**
     * The device part is decoded the same way: {@code famfs:////foo/T/new.img} names the host path
     * "//foo/T/new.img" (= /foo/T/new.img, as the JDK reads {@code file:////foo/...}), but famfs drops "foo" as
     * an authority and, with create=true, makes and formats T/new.img, a file the URI did not name. A create that
     * names a device in a missing directory must fail and write nothing anywhere.
     */
    @Test
    void deviceUriWithLeadingDoubleSlashNeverCreatesAnotherFile() throws Exception {
        Path elsewhere = tmp.resolve("new.img");
        URI uri = URI.create("famfs:////no-such-dir-r3" + tmp.toUri().getRawPath() + "new.img");
        try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of("create", "true", "deviceSize", "64M",
                "systemUuid", MASTER))) {
            // reaching here already means famfs opened some device for a URI naming a missing directory
        } catch (Exception expected) {
            // NoSuchFileException (no /no-such-dir-r3) or IllegalArgumentException are both right
        }
        assertFalse(Files.exists(elsewhere), uri + " names /no-such-dir-r3/..., yet famfs created and formatted "
                + elsewhere);
    }

    /**
     * Path.toUri normalises lexically, so {@code /f/..} (ENOTDIR since issue 9 item 22: famfs looks names up one
     * by one, as Linux) gets the URI of "/", which exists. The JDK's toUri keeps ".." (its guarantee:
     * {@code Path.of(p.toUri()).equals(p.toAbsolutePath())}); the README's example is {@code Path same =
     * Path.of(p.toUri())}. A URI must not name a file its path does not.
     */
    @Test
    void toUriOfAPathThroughAFileDoesNotNameAnExistingFile() throws Exception {
        Path img = tmp.resolve("u.img");
        try (FileSystem fs = create(img)) {
            Files.write(fs.getPath("/f"), new byte[] {1});
            Path p = fs.getPath("/f/..");
            assertFalse(Files.exists(p));
            Path back = Path.of(p.toUri());
            assertEquals(Files.exists(p), Files.exists(back), p + " does not exist but its URI " + p.toUri()
                    + " names " + back + ", which does");
            assertEquals(p.toAbsolutePath(), back, "as the JDK: Path.of(p.toUri()) equals p.toAbsolutePath()");
        }
    }

    // ---- create: a refused or failed create writes nothing and leaves no file it made

    /**
     * deviceSize that no file can have (8388607T): the image is made with CREATE_NEW, extending it fails ("File
     * too large", naming neither deviceSize nor the limit), and the empty file stays. A later create with a sane
     * deviceSize then takes the "empty image" branch, so the failure is not even visible.
     */
    @Test
    void aFailedImageCreateLeavesNoFile() throws Exception {
        Path img = tmp.resolve("huge.img");
        Exception e = assertThrows(Exception.class, () -> FileSystems.newFileSystem(FamfsFileSystemProvider.uri(img),
                Map.of("create", "true", "deviceSize", "8388607T", "systemUuid", MASTER)).close());
        assertFalse(Files.exists(img), "the failed create (" + e + ") left " + img + " behind");
        assertTrue(String.valueOf(e.getMessage()).contains("deviceSize"), "the error should name deviceSize: " + e);
    }

    /**
     * README: "an unknown key or bad value is an IllegalArgumentException naming it" and, for nstrips, "the
     * reference's rules hold: ... nstrips <= 16". nstrips=20 is accepted at open; with create=true the image is
     * made and formatted by a call whose env is bad, and the error comes only at the first write, naming no env
     * key.
     */
    @Test
    void aBadInterleaveEnvIsRefusedAtOpenBeforeAnythingIsCreated() throws Exception {
        Path img = tmp.resolve("il.img");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FileSystems.newFileSystem(FamfsFileSystemProvider.uri(img), Map.of("create", "true",
                        "deviceSize", "64M", "systemUuid", MASTER, "nstrips", "20")).close());
        assertTrue(e.getMessage().contains("nstrips"), e::getMessage);
        assertFalse(Files.exists(img), "a refused create made " + img);
    }

    // ---- newFileSystem(Path) declines what holds no famfs, so that other providers get their turn

    /**
     * README: newFileSystem(Path) "answers UnsupportedOperationException for a file that holds no famfs (or with
     * create one that holds something else)". An empty file holds no famfs, but with create=true (no deviceSize)
     * famfs throws NoSuchFileException (for a file that exists), so FileSystems.newFileSystem stops there instead
     * of trying the other providers.
     */
    @Test
    void anEmptyFileWithCreateIsDeclined() throws Exception {
        Path empty = Files.createFile(tmp.resolve("empty.bin"));
        assertThrows(UnsupportedOperationException.class,
                () -> new FamfsFileSystemProvider().newFileSystem(empty, Map.of("create", "true")).close());
        assertThrows(ProviderNotFoundException.class,
                () -> FileSystems.newFileSystem(empty, Map.of("create", "true")).close());
        assertEquals(0, Files.size(empty));
    }

    /**
     * A 16 MiB file of random bytes, opened with create=true and a deviceSize other than its size: famfs throws
     * IllegalArgumentException (the deviceSize check runs before it looks at what the file holds) instead of
     * declining, so the providers after it never get their turn. The file holds something else: decline.
     */
    @Test
    void aFileHoldingSomethingElseIsDeclinedWhateverTheDeviceSize() throws Exception {
        Path rnd = tmp.resolve("random.bin");
        byte[] b = new byte[16 << 20];
        new Random(9).nextBytes(b);
        Files.write(rnd, b);
        assertThrows(ProviderNotFoundException.class, () -> FileSystems.newFileSystem(rnd, Map.of("create", "true",
                "deviceSize", "64M", "systemUuid", MASTER)).close());
        assertTrue(Arrays.equals(b, Files.readAllBytes(rnd)));
    }

    // ---- the JDK's contracts for null arguments

    /**
     * java.nio.file's package contract: "passing a null argument to ... any method ... will cause a
     * NullPointerException". The default provider throws NPE for a null open option and a null directory-stream
     * filter; famfs throws UnsupportedOperationException ("open option null is not supported") and accepts the
     * null filter.
     */
    @Test
    void nullArgumentsAreNullPointerExceptions() throws Exception {
        try (FileSystem fs = create(tmp.resolve("n.img"))) {
            Files.write(fs.getPath("/f"), new byte[] {1});
            assertThrows(NullPointerException.class,
                    () -> Files.newByteChannel(fs.getPath("/f"), (OpenOption) null).close());
            assertThrows(NullPointerException.class,
                    () -> Files.newOutputStream(fs.getPath("/g"), (OpenOption) null).close());
            assertThrows(NullPointerException.class,
                    () -> Files.newDirectoryStream(fs.getPath("/"), (DirectoryStream.Filter<Path>) null).close());
        }
    }

    /**
     * README ("Closing"): close "closes the channels". A channel opened on a directory is not registered with
     * the lifecycle: after the file system closes it is still open, and reads fail "Is a directory" rather than
     * with ClosedChannelException.
     */
    @Test
    void closingTheFileSystemClosesDirectoryChannels() throws Exception {
        FileSystem fs = create(tmp.resolve("dc.img"));
        Files.createDirectory(fs.getPath("/d"));
        FileChannel ch = FileChannel.open(fs.getPath("/d"), StandardOpenOption.READ);
        fs.close();
        assertFalse(ch.isOpen(), "a channel of a closed famfs is closed");
        assertThrows(java.nio.channels.ClosedChannelException.class, () -> ch.read(ByteBuffer.allocate(1)));
    }

    // ---- the CLI: errors name its options, not the library's env keys

    /** A famfs command line run in this JVM (also used by PcqReviewTest). */
    record Run(int status, String out, String err) {}

    static Run famfs(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream po = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream pe = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = FamfsCli.run(po, pe, args);
        }
        return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /**
     * {@code famfs mkfs --size 0}: "famfs env key 'deviceSize' has value '0'", exit 1. The user typed --size;
     * --help says exit 2 is a "usage error (... bad argument)", which --size -5 gets.
     */
    @Test
    void mkfsSizeZeroIsAUsageErrorNamingTheOption() {
        Run r = famfs("mkfs", "--size", "0", "--system-uuid", MASTER, tmp.resolve("z.img").toString());
        assertFalse(r.err().contains("env key"), r::err);
        assertTrue(r.err().contains("--size"), r::err);
        assertEquals(FamfsCli.USAGE, r.status(), r::err);
        assertFalse(Files.exists(tmp.resolve("z.img")));
    }

    /** {@code famfs mkfs EMPTYFILE}: "pass deviceSize (e.g. 4G) with create=true" where the option is --size. */
    @Test
    void mkfsOfAnEmptyFileNamesTheSizeOption() throws Exception {
        Path empty = Files.createFile(tmp.resolve("empty.img"));
        Run r = famfs("mkfs", "--system-uuid", MASTER, empty.toString());
        assertEquals(FamfsCli.FAILED, r.status(), r::err);
        assertFalse(r.err().contains("deviceSize") || r.err().contains("create=true"), r::err);
        assertTrue(r.err().contains("--size"), r::err);
    }

    /** {@code famfs mkfs --size 8388607T}: "File too large", exit 1, and a 0-byte image left behind. */
    @Test
    void mkfsWithAnImpossibleSizeLeavesNoFile() {
        Path img = tmp.resolve("huge.img");
        Run r = famfs("mkfs", "--size", "8388607T", "--system-uuid", MASTER, img.toString());
        assertEquals(FamfsCli.FAILED, r.status(), r::err);
        assertFalse(Files.exists(img), "mkfs failed (" + r.err().strip() + ") and left " + img);
        assertTrue(r.err().contains("--size") && !r.err().contains("deviceSize"), "name the CLI option: " + r.err());
    }

    /**
     * {@code famfs mkfs -k -f} on a 3-byte file: "IndexOutOfBoundsException: device range [0, 8) is outside the
     * 3-byte device": an internal exception's name instead of saying that the file is too small to hold a famfs.
     */
    @Test
    void mkfsKillOfATinyFileSaysWhy() throws Exception {
        Path tiny = Files.write(tmp.resolve("tiny"), new byte[] {'a', 'b', 'c'});
        Run r = famfs("mkfs", "-k", "-f", tiny.toString());
        assertEquals(FamfsCli.FAILED, r.status(), r::err);
        assertFalse(r.err().contains("Exception"), r::err);
        assertEquals("abc", Files.readString(tiny));
    }
}
