package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.nio.FamfsFileAttributes;
import io.github.famfs.nio.FamfsRuleException;
import io.github.famfs.testing.ReferenceImages;
import io.github.famfs.testing.TestImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.ProviderNotFoundException;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The java.nio contract of the provider: registry, env, roles, refusals, close, URIs, listing, attributes. */
class ProviderContractTest {
    private static final long MIB = 1 << 20;
    @TempDir
    Path tmp;

    private static URI uri(Path img) {
        return URI.create("famfs:" + img.toAbsolutePath());
    }

    private Path smallImage() throws IOException {
        Path img = tmp.resolve("small.img");
        try (TestImage t = TestImage.create(img, 32 * MIB)) {
            t.mkdir("d").file("d/a.txt", 100).file("d/b.bin", 3 * MIB).file("top", 1);
        }
        return img;
    }

    @Test
    void oneFileSystemPerDevice() throws Exception {
        Path img = smallImage();
        FileSystem fs = FileSystems.newFileSystem(uri(img), Map.of());
        try {
            assertThrows(FileSystemAlreadyExistsException.class, () -> FileSystems.newFileSystem(uri(img), Map.of()));
            Path link = tmp.resolve("link.img");
            Files.createSymbolicLink(link, img);
            assertThrows(FileSystemAlreadyExistsException.class, () -> FileSystems.newFileSystem(uri(link), Map.of()),
                    "the same device by another name");
            assertSame(fs, FileSystems.getFileSystem(uri(img)));
            assertSame(fs, FileSystems.getFileSystem(URI.create(uri(img) + "!/d")));
            assertEquals(fs.getPath("/d/a.txt"), Path.of(URI.create(uri(img) + "!/d/a.txt")));
        } finally {
            fs.close();
        }
        assertThrows(FileSystemNotFoundException.class, () -> FileSystems.getFileSystem(uri(img)));
        try (FileSystem again = FileSystems.newFileSystem(uri(img), Map.of())) {
            assertNotSame(fs, again);
        }
    }

    @Test
    void newFileSystemOfAPathFindsFamfsAndLetsOtherFilesGo() throws Exception {
        Path img = smallImage();
        try (FileSystem fs = FileSystems.newFileSystem(img)) {
            assertEquals("famfs", fs.provider().getScheme());
            assertEquals(100, Files.size(fs.getPath("/d/a.txt")));
        }
        Path text = Files.writeString(tmp.resolve("notes.txt"), "not a famfs".repeat(100));
        assertThrows(ProviderNotFoundException.class, () -> FileSystems.newFileSystem(text));
    }

    @Test
    void envKeysAndValuesAreChecked() throws Exception {
        Path img = smallImage();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FileSystems.newFileSystem(uri(img), Map.of("acessMode", "readOnly")));
        assertTrue(e.getMessage().contains("'acessMode'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> FileSystems.newFileSystem(uri(img), Map.of("accessMode", "rw")));
        assertTrue(e.getMessage().contains("'rw'") && e.getMessage().contains("readOnly or readWrite"));
        e = assertThrows(IllegalArgumentException.class,
                () -> FileSystems.newFileSystem(uri(img), Map.of("systemUuid", "host-1")));
        assertTrue(e.getMessage().contains("'host-1', not a UUID"), e.getMessage());
        for (String shortForm : new String[] {"1-1-1-1-1", "0-0-0-0-0", "5ca1e000-0000-4000-8000-00000000a11",
                "000000001-001-0001-0001-000000000001",
                "\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0661-0000-4000-8000-000000000000",
                "\uff10\uff10\uff10\uff10\uff10\uff10\uff10\uff11-0000-4000-8000-000000000000"}) {
            // what java.util.UUID.fromString takes (short and over-long fields, other scripts' digits, all read as
            // some other UUID) and the reference's uuid_parse refuses
            e = assertThrows(IllegalArgumentException.class,
                    () -> FileSystems.newFileSystem(uri(img), Map.of("systemUuid", shortForm)));
            assertTrue(e.getMessage().contains("'" + shortForm + "', not a UUID"), e.getMessage());
        }
        e = assertThrows(IllegalArgumentException.class,
                () -> FileSystems.newFileSystem(URI.create("famfs:relative/image"), Map.of()));
        assertTrue(e.getMessage().contains("famfs:/absolute/device/path"), e.getMessage());
    }

    @Test
    void aClientIsReadOnlyAndAskingForWritesNamesBothUuids() throws Exception {
        Path img = smallImage();
        String before = ReferenceImages.sha256(img);
        UUID other = UUID.randomUUID();
        AccessDeniedException e = assertThrows(AccessDeniedException.class, () -> FileSystems.newFileSystem(uri(img),
                Map.of("systemUuid", other.toString(), "accessMode", "readWrite")));
        assertTrue(e.getMessage().contains(other.toString()) && e.getMessage().contains(TestImage.MASTER.toString()),
                e.getMessage());
        try (FileSystem fs = FileSystems.newFileSystem(uri(img), Map.of("systemUuid", other))) {
            assertTrue(fs.isReadOnly());
            assertEquals("client", Files.getFileStore(fs.getPath("/")).getAttribute("famfs:role"));
            Path a = fs.getPath("/d/a.txt");
            assertThrows(ReadOnlyFileSystemException.class, () -> Files.createDirectory(fs.getPath("/new")));
            assertThrows(ReadOnlyFileSystemException.class, () -> Files.newOutputStream(fs.getPath("/new")));
            assertThrows(ReadOnlyFileSystemException.class, () -> Files.write(a, new byte[1]));
            assertThrows(ReadOnlyFileSystemException.class, () -> Files.delete(a));
            assertThrows(ReadOnlyFileSystemException.class, () -> Files.move(a, fs.getPath("/b")));
            Path src = Files.writeString(tmp.resolve("x"), "x");
            assertThrows(ReadOnlyFileSystemException.class, () -> Files.copy(src, fs.getPath("/x")));
            assertThrows(ReadOnlyFileSystemException.class,
                    () -> Files.setPosixFilePermissions(a, PosixFilePermissions.fromString("rwxrwxrwx")));
            assertThrows(ReadOnlyFileSystemException.class,
                    () -> FileChannel.open(a, StandardOpenOption.READ, StandardOpenOption.WRITE));
            assertFalse(Files.isWritable(a));
            assertTrue(Files.isReadable(a));
            assertTrue(Files.getFileStore(a).isReadOnly());
        }
        assertEquals(before, ReferenceImages.sha256(img));
    }

    @Test
    void theMasterIsWritableButFamfsRulesHold() throws Exception {
        Path img = smallImage();
        try (FileSystem fs = FileSystems.newFileSystem(uri(img), Map.of("systemUuid", TestImage.MASTER.toString()))) {
            assertFalse(fs.isReadOnly());
            assertEquals("master", Files.getFileStore(fs.getPath("/")).getAttribute("famfs:role"));
            Path a = fs.getPath("/d/a.txt");
            FamfsRuleException e = assertThrows(FamfsRuleException.class, () -> Files.delete(a));
            assertTrue(e.getMessage().contains("never deletes"), e.getMessage());
            e = assertThrows(FamfsRuleException.class, () -> Files.move(a, fs.getPath("/d/c")));
            assertTrue(e.getMessage().contains("never moves"), e.getMessage());
            e = assertThrows(FamfsRuleException.class, () -> Files.setPosixFilePermissions(a,
                    PosixFilePermissions.fromString("rwxrwxrwx")));
            assertTrue(e.getMessage().contains("never rewritten"), e.getMessage());
            e = assertThrows(FamfsRuleException.class, () -> Files.setAttribute(a, "unix:uid", 7));
            assertTrue(e.getMessage().contains("never rewritten"), e.getMessage());
            Files.setLastModifiedTime(a, java.nio.file.attribute.FileTime.fromMillis(0));
            assertEquals(Files.getLastModifiedTime(fs.getPath("/d")), Files.getLastModifiedTime(a),
                    "famfs stores no times: setting them is accepted and changes nothing");
            assertThrows(UnsupportedOperationException.class, () -> Files.createLink(fs.getPath("/l"), a));
            assertThrows(UnsupportedOperationException.class, () -> Files.createSymbolicLink(fs.getPath("/l"), a));
            assertThrows(NoSuchFileException.class, () -> Files.delete(fs.getPath("/nothing")));
        }
        try (FileSystem fs = FileSystems.newFileSystem(uri(img),
                Map.of("systemUuid", TestImage.MASTER.toString(), "accessMode", "readOnly"))) {
            assertTrue(fs.isReadOnly());
        }
    }

    @Test
    void afterCloseEveryCallThrows() throws Exception {
        Path img = smallImage();
        FileSystem fs = FileSystems.newFileSystem(uri(img), Map.of());
        Path a = fs.getPath("/d/a.txt");
        FileChannel open = FileChannel.open(a);
        fs.close();
        fs.close();
        assertFalse(fs.isOpen());
        assertFalse(open.isOpen(), "closing the file system closes its channels");
        assertThrows(ClosedChannelException.class, () -> open.read(ByteBuffer.allocate(10)));
        assertThrows(ClosedFileSystemException.class, () -> Files.readAllBytes(a));
        assertThrows(ClosedFileSystemException.class, () -> Files.exists(a));
        assertThrows(ClosedFileSystemException.class, () -> Files.size(a));
        assertThrows(ClosedFileSystemException.class, () -> Files.list(fs.getPath("/")));
        assertThrows(ClosedFileSystemException.class, () -> fs.getPath("/x"));
        assertThrows(ClosedFileSystemException.class, fs::getRootDirectories);
        assertThrows(ClosedFileSystemException.class, fs::getFileStores);
        assertThrows(ClosedFileSystemException.class, () -> fs.getPathMatcher("glob:*"));
    }

    @Test
    void urisRoundTripWithSpacesAndUtf8() throws Exception {
        try (FileSystem fs = FileSystems.newFileSystem(uri(ReferenceImages.image("tree")), Map.of())) {
            for (String p : List.of("/", "/x/has space.txt", "/x/ünicöde-€.bin", "/x/.hidden", "/a/b/c/d/e/leaf")) {
                Path path = fs.getPath(p);
                URI u = path.toUri();
                assertEquals("famfs", u.getScheme());
                assertTrue(u.toString().startsWith("famfs:" + ReferenceImages.image("tree") + "!/"), u.toString());
                assertEquals(path, Path.of(u), p);
                assertEquals(path, Path.of(URI.create(u.toASCIIString())), p + " (ASCII form)");
            }
            assertTrue(fs.getPath("/x/has space.txt").toUri().toString().contains("has%20space.txt"));
            assertEquals(fs.getPath("/a/b"), Path.of(fs.getPath("a/b").toUri()), "relative paths become absolute");
            assertThrows(UnsupportedOperationException.class, () -> fs.getPath("/README").toFile());
        }
    }

    @Test
    void listingWalkingAndGlobs() throws Exception {
        try (FileSystem fs = FileSystems.newFileSystem(uri(ReferenceImages.image("tree")), Map.of())) {
            List<String> txt = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(fs.getPath("/x"), "*.txt")) {
                ds.forEach(p -> txt.add(p.toString()));
            }
            assertEquals(List.of("/x/has space.txt"), txt);
            List<String> glob = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(fs.getPath("/a"), "f-409[5-6]")) {
                ds.forEach(p -> glob.add(p.getFileName().toString()));
            }
            assertEquals(List.of("f-4095", "f-4096"), glob);
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(fs.getPath("many"), "file-{00,19}")) {
                List<String> names = new ArrayList<>();
                ds.forEach(p -> names.add(p.toString()));
                assertEquals(List.of("many/file-00", "many/file-19"), names);
            }
            assertTrue(fs.getPathMatcher("glob:/a/**/leaf*").matches(fs.getPath("/a/b/c/d/e/leaf-sticky")));
            assertFalse(fs.getPathMatcher("glob:/a/*/leaf").matches(fs.getPath("/a/b/c/d/e/leaf")));
            assertTrue(fs.getPathMatcher("regex:.*/deep-3[0-9]").matches(fs.getPath("/a/b/c/d/deep-31")));
            try (Stream<Path> s = Files.find(fs.getPath("/"), 10, (p, a) -> a.isRegularFile() && a.size() == 1)) {
                assertEquals(List.of("/a/b/c/d/deep-1", "/many/file-00", "/one-byte"), s.map(Path::toString).sorted()
                        .toList());
            }
            try (Stream<Path> s = Files.list(fs.getPath("/empty-dir"))) {
                assertEquals(0, s.count());
            }
            assertThrows(NotDirectoryException.class, () -> Files.list(fs.getPath("/README")));
            assertThrows(NoSuchFileException.class, () -> Files.list(fs.getPath("/nothing")));
        }
    }

    @Test
    void attributesAndChecks() throws Exception {
        try (FileSystem fs = FileSystems.newFileSystem(uri(ReferenceImages.image("tree")), Map.of())) {
            Path leaf = fs.getPath("/a/b/c/d/e/leaf");
            PosixFileAttributes pa = Files.readAttributes(leaf, PosixFileAttributes.class);
            assertEquals("rwxr-xr-x", PosixFilePermissions.toString(pa.permissions()));
            assertEquals(100000, pa.size());
            assertEquals("0", pa.owner().getName());
            assertEquals(0104755, Files.getAttribute(leaf, "unix:mode"), "setuid kept, S_IFREG added");
            assertEquals(04755, Files.readAttributes(leaf, FamfsFileAttributes.class).mode());
            assertEquals("simple", Files.getAttribute(leaf, "famfs:extentType"));
            assertTrue(Files.isExecutable(leaf));
            assertFalse(Files.isExecutable(fs.getPath("/README")));
            assertTrue(Files.isHidden(fs.getPath("/x/.hidden")));
            assertFalse(Files.isHidden(fs.getPath("/x")));
            assertTrue(Files.isSameFile(fs.getPath("/a/b/../f-4095"), fs.getPath("a/f-4095")));
            assertEquals("basic", Files.getFileAttributeView(leaf, BasicFileAttributeView.class).name());
            assertEquals("posix", Files.getFileAttributeView(leaf, PosixFileAttributeView.class).name());
            assertEquals(Map.of("size", 100000L), Files.readAttributes(leaf, "size"));
            assertThrows(IllegalArgumentException.class, () -> Files.readAttributes(leaf, "unix:nonesuch"));
            assertThrows(UnsupportedOperationException.class, () -> Files.readAttributes(leaf, "dos:*"));
            Object key = Files.readAttributes(leaf, "fileKey").get("fileKey");
            assertEquals(key, Files.readAttributes(fs.getPath("/a/b/c/d/e/../e/leaf"), "fileKey").get("fileKey"));
            FileStore store = Files.getFileStore(leaf);
            assertEquals(ReferenceImages.image("tree").toString(), store.name());
            assertTrue(store.supportsFileAttributeView("famfs") && store.supportsFileAttributeView("unix"));
            assertTrue(fs.supportedFileAttributeViews().containsAll(List.of("basic", "posix", "unix", "famfs")));
        }
    }

    @Test
    void channelsRefuseWritesAndTransferWithoutCopies() throws Exception {
        try (FileSystem fs = FileSystems.newFileSystem(uri(ReferenceImages.image("tree")), Map.of());
                FileChannel ch = FileChannel.open(fs.getPath("/x/y/4MiB-plus-1"))) {
            assertThrows(NonWritableChannelException.class, () -> ch.write(ByteBuffer.allocate(1)));
            assertThrows(NonWritableChannelException.class, () -> ch.truncate(0));
            assertEquals(-1, ch.read(ByteBuffer.allocate(1), ch.size()));
            assertEquals(0, ch.read(ByteBuffer.allocate(0), 0));
            ch.position(ch.size() + 100);
            assertEquals(-1, ch.read(ByteBuffer.allocate(1)));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            assertEquals(ch.size() - 1000, ch.transferTo(1000, Long.MAX_VALUE, Channels.newChannel(out)));
            byte[] all = Files.readAllBytes(fs.getPath("/x/y/4MiB-plus-1"));
            assertArrayEquals(java.util.Arrays.copyOfRange(all, 1000, all.length), out.toByteArray());
            String head = new String(all, 0, 32, StandardCharsets.US_ASCII);
            assertTrue(head.endsWith(" famfs\n"), head);
            try (FileChannel dir = FileChannel.open(fs.getPath("/x"))) { // as Linux: opens, reads fail
                IOException e = assertThrows(IOException.class, () -> dir.read(ByteBuffer.allocate(1)));
                assertTrue(e.getMessage().contains("Is a directory"), e.getMessage());
            }
            assertThrows(NoSuchFileException.class, () -> FileChannel.open(fs.getPath("/x/none")));
        }
    }
}
