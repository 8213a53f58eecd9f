package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.format.Layout;
import io.github.famfs.format.LogFullException;
import io.github.famfs.format.LogHeader;
import io.github.famfs.format.OutOfSpaceException;
import io.github.famfs.format.Superblock;
import io.github.famfs.nio.FamfsFiles;
import io.github.famfs.nio.FamfsFsck;
import io.github.famfs.nio.FamfsOption;
import io.github.famfs.nio.FsckReport;
import io.github.famfs.testing.ReferenceImages;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The master role: mkfs, mkdir, every way of making a file, refusals, and the bytes written. */
class MasterTest {
    private static final String MASTER = "00112233-4455-6677-8899-aabbccddeeff";
    private static final long MIB = 1 << 20;
    @TempDir
    Path tmp;

    private FileSystem create(Path img, String size) throws IOException {
        return FileSystems.newFileSystem(URI.create("famfs:" + img),
                Map.of("create", "true", "deviceSize", size, "systemUuid", MASTER));
    }

    private static FileSystem client(Path img) throws IOException {
        return FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of());
    }

    private static byte[] random(long seed, int size) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void mkfsWritesTheReferenceLayout() throws Exception {
        Path img = tmp.resolve("fresh.img");
        try (FileSystem fs = create(img, "64M")) {
            assertFalse(fs.isReadOnly());
            assertEquals("master", Files.getFileStore(fs.getPath("/")).getAttribute("famfs:role"));
        }
        assertEquals(64 * MIB, Files.size(img));
        ByteBuffer b = ByteBuffer.allocate((int) (10 * MIB)).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel ch = FileChannel.open(img)) {
            ch.read(b, 0);
        }
        Superblock sb = Superblock.decode(b);
        sb.validate(b);
        assertEquals(48, sb.version());
        assertEquals(2, sb.omfMajor());
        assertEquals(2, sb.omfMinor());
        assertEquals(Layout.LOG_OFFSET, sb.logOffset());
        assertEquals(8 * MIB, sb.logLen());
        assertEquals(2 * MIB, sb.allocUnit());
        assertEquals(UUID.fromString(MASTER), sb.systemUuid());
        assertEquals(64 * MIB, sb.deviceSize());
        assertEquals(img.toString(), sb.daxdevNameString());
        LogHeader h = LogHeader.decode(b.slice((int) Layout.LOG_OFFSET, 48).order(ByteOrder.LITTLE_ENDIAN));
        h.validate(b.slice((int) Layout.LOG_OFFSET, 48), 8 * MIB);
        assertEquals(0, h.nextIndex());
        assertEquals(0xa5875078L, h.crc(), "the log header of famfs-format.md §3.3");
        for (int i = (int) Layout.LOG_OFFSET + 48; i < Layout.LOG_OFFSET + 8 * MIB; i += 8) {
            if (b.getLong(i) != 0) {
                throw new AssertionError("log byte " + i + " is not zero");
            }
        }
    }

    /** The entries of famfs-format.md §4.6, made through the public API, byte for byte. */
    @Test
    void entriesEqualTheReferenceVectors() throws Exception {
        Path img = tmp.resolve("vectors.img");
        try (FileSystem fs = create(img, "64M")) {
            Files.createDirectory(fs.getPath("/dir1"), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwxr-xr-x")), new UnixId("unix:uid", 1000),
                    new UnixId("unix:gid", 1000));
            Files.write(fs.getPath("/dir1/file1"), random(1, 3145733), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE);
            try (FileChannel ch = FileChannel.open(fs.getPath("/tiny"), java.util.Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, FamfsOption.size(1)), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")), new UnixId("unix:uid", 0),
                    new UnixId("unix:gid", 0))) {
                ch.write(ByteBuffer.wrap(new byte[] {42}));
            }
        }
        // file1 was made with this process's ids; the vector's are 1000: compare what the ids do not change
        try (FileChannel ch = FileChannel.open(img)) {
            assertEquals("76dca3f7", crcHex(ch, 0), "MKDIR dir1 = §4.6 vector, CRC 0xf7a3dc76");
            assertEquals("a23e70a0", crcHex(ch, 2), "FILE tiny = §4.6 vector, CRC 0xa0703ea2");
            ByteBuffer e = ByteBuffer.allocate(544).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(e, Layout.entryOffset(1));
            assertEquals(3145733, e.getLong(16));
            assertEquals(0xA00000, e.getLong(144), "dir1/file1 lands at the vector's extent");
            assertEquals(0x400000, e.getLong(152));
        }
        try (FileSystem fs = client(img)) {
            assertArrayEquals(random(1, 3145733), Files.readAllBytes(fs.getPath("/dir1/file1")));
            assertEquals(1000, Files.getAttribute(fs.getPath("/dir1"), "unix:uid"));
            assertEquals(0100600, Files.getAttribute(fs.getPath("/tiny"), "unix:mode"));
        }
    }

    private static String crcHex(FileChannel ch, int index) throws IOException {
        ByteBuffer crc = ByteBuffer.allocate(4);
        ch.read(crc, Layout.entryOffset(index) + 536);
        return HexFormat.of().formatHex(crc.array());
    }

    record UnixId(String name, Integer value) implements java.nio.file.attribute.FileAttribute<Integer> {}

    @Test
    void everyWayOfMakingAFileRoundTrips() throws Exception {
        Path img = tmp.resolve("round.img");
        Path local = Files.write(tmp.resolve("local.bin"), random(9, (int) (5 * MIB + 17)));
        long[] sizes = {1, 4095, 2 * MIB, 2 * MIB + 1, 3 * MIB, 37 * MIB + 3};
        try (FileSystem fs = create(img, "8G")) {
            Files.createDirectories(fs.getPath("/t/write"));
            Files.createDirectories(fs.getPath("/t/stream"));
            Files.createDirectories(fs.getPath("/t/channel"));
            Files.createDirectories(fs.getPath("/t/striped"));
            for (long size : sizes) {
                byte[] data = random(size, (int) size);
                Files.write(fs.getPath("/t/write/" + size), data);
                try (OutputStream out = Files.newOutputStream(fs.getPath("/t/stream/" + size))) {
                    for (int at = 0; at < data.length; at += 1000) {
                        out.write(data, at, Math.min(1000, data.length - at));
                    }
                }
                try (FileChannel ch = FileChannel.open(fs.getPath("/t/channel/" + size), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, StandardOpenOption.READ)) {
                    int half = data.length / 2;
                    ch.write(ByteBuffer.wrap(data, half, data.length - half), half);
                    ch.write(ByteBuffer.wrap(data, 0, half), 0);
                    ByteBuffer back = ByteBuffer.allocate(data.length);
                    ch.read(back, 0);
                    assertArrayEquals(data, back.array(), "a new file reads back before it is published");
                }
                Files.copy(new ByteArrayInputStream(data), fs.getPath("/t/striped/" + size));
            }
            Files.copy(local, fs.getPath("/t/copied"));
            FamfsFiles.copy(local, fs.getPath("/t/famfs-copied"), FamfsOption.interleave(4, 4 * MIB, 8));
            Files.copy(fs.getPath("/t/copied"), fs.getPath("/t/inside"));
            try (OutputStream out = Files.newOutputStream(fs.getPath("/t/wide"), StandardOpenOption.CREATE_NEW,
                    FamfsOption.interleave(8, 2 * MIB, 8))) {
                out.write(random(8, (int) (33 * MIB + 1)));
            }
            assertTrue(FamfsFsck.check(fs).isClean(), FamfsFsck.check(fs).format());
        }
        try (FileSystem fs = client(img)) {
            for (long size : sizes) {
                byte[] data = random(size, (int) size);
                for (String how : List.of("write", "stream", "channel", "striped")) {
                    Path p = fs.getPath("/t/" + how + "/" + size);
                    assertArrayEquals(data, Files.readAllBytes(p), p.toString());
                    assertEquals("simple", Files.getAttribute(p, "famfs:extentType"), p.toString());
                    assertEquals(1, ((List<?>) Files.getAttribute(p, "famfs:extents")).size(), p + ": grown in place");
                    long units = (size + 2 * MIB - 1) / (2 * MIB);
                    assertEquals(units * 2 * MIB, Files.getAttribute(p, "famfs:allocatedBytes"), p + ": trimmed");
                }
            }
            byte[] local5 = Files.readAllBytes(local);
            for (String p : List.of("/t/copied", "/t/famfs-copied", "/t/inside")) {
                assertArrayEquals(local5, Files.readAllBytes(fs.getPath(p)), p);
            }
            assertEquals("interleaved", Files.getAttribute(fs.getPath("/t/famfs-copied"), "famfs:extentType"));
            assertEquals(4, Files.getAttribute(fs.getPath("/t/famfs-copied"), "famfs:nstrips"));
            assertEquals(8, Files.getAttribute(fs.getPath("/t/wide"), "famfs:nstrips"));
            assertArrayEquals(random(8, (int) (33 * MIB + 1)), Files.readAllBytes(fs.getPath("/t/wide")));
            assertTrue(FamfsFsck.check(fs).isClean());
        }
    }

    @Test
    void refusalsLeaveTheImageAsItWas() throws Exception {
        Path img = tmp.resolve("refusals.img");
        try (FileSystem fs = create(img, "32M")) {
            Files.createDirectory(fs.getPath("/d"));
            Files.write(fs.getPath("/d/f"), new byte[10]);
        }
        String before = ReferenceImages.sha256(img);
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("systemUuid", MASTER))) {
            assertThrows(FileAlreadyExistsException.class, () -> Files.createDirectory(fs.getPath("/d")));
            assertThrows(FileAlreadyExistsException.class, () -> Files.createDirectory(fs.getPath("/")));
            assertThrows(FileAlreadyExistsException.class, () -> Files.write(fs.getPath("/d/f"), new byte[1],
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
            assertThrows(NoSuchFileException.class, () -> Files.createDirectory(fs.getPath("/none/x")));
            assertThrows(NoSuchFileException.class, () -> Files.write(fs.getPath("/none/x"), new byte[1]));
            FileSystemException e = assertThrows(FileSystemException.class,
                    () -> Files.createDirectory(fs.getPath("/d/f/x")));
            assertTrue(e.getMessage().contains("not a directory"), e.getMessage());
            e = assertThrows(FileSystemException.class, () -> Files.createDirectory(fs.getPath("/" + "n".repeat(79))));
            assertTrue(e.getMessage().contains("at most 78 bytes"), e.getMessage());
            OutOfSpaceException oos = assertThrows(OutOfSpaceException.class, () -> FileChannel.open(fs.getPath("/big"),
                    java.util.Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, FamfsOption.size(64 * MIB))));
            assertTrue(oos.getMessage().contains("67108864 bytes asked") && oos.getMessage().contains("free"),
                    oos.getMessage());
            IOException empty = assertThrows(IOException.class, () -> Files.write(fs.getPath("/empty"), new byte[0]));
            assertTrue(empty.getMessage().contains("cannot hold an empty file"), empty.getMessage());
            assertThrows(IllegalArgumentException.class, () -> Files.newOutputStream(fs.getPath("/bad"),
                    StandardOpenOption.CREATE_NEW, FamfsOption.interleave(17, 2 * MIB, 32)));
            assertThrows(IllegalArgumentException.class, () -> Files.newOutputStream(fs.getPath("/bad"),
                    StandardOpenOption.CREATE_NEW, FamfsOption.interleave(2, 3 * MIB, 2)));
            assertFalse(Files.exists(fs.getPath("/big")) || Files.exists(fs.getPath("/empty")));
        }
        assertEquals(before, ReferenceImages.sha256(img), "refused operations write nothing");
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("create", "true",
                "systemUuid", MASTER))) {
            assertTrue(Files.exists(fs.getPath("/d/f")), "create=true opens an existing famfs as it is");
        }
        assertEquals(before, ReferenceImages.sha256(img));
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("create", "true",
                "force", "true", "systemUuid", MASTER))) {
            assertFalse(Files.exists(fs.getPath("/d")), "force=true formats over it");
        }
    }

    @Test
    void transferFromWritesInPlaceAndDevicePathsWithSpacesOpen() throws Exception {
        Path img = tmp.resolve("with space, and comma.img");
        Path src = Files.write(tmp.resolve("src.bin"), random(11, (int) (3 * MIB)));
        URI uri = io.github.famfs.nio.FamfsFileSystemProvider.uri(img);
        try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of("create", "true", "deviceSize", "64M",
                "systemUuid", MASTER))) {
            Files.write(fs.getPath("/f"), new byte[(int) (4 * MIB)]);
            try (FileChannel out = FileChannel.open(fs.getPath("/f"), StandardOpenOption.WRITE);
                    FileChannel in = FileChannel.open(src)) {
                assertEquals(3 * MIB, out.transferFrom(in, MIB, Long.MAX_VALUE));
                in.position(0);
                assertEquals(MIB, out.transferFrom(in, 3 * MIB, Long.MAX_VALUE), "stops at the end of the file");
            }
        }
        try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of())) {
            byte[] all = Files.readAllBytes(fs.getPath("/f"));
            byte[] source = random(11, (int) (3 * MIB));
            assertArrayEquals(java.util.Arrays.copyOf(source, (int) (2 * MIB)),
                    java.util.Arrays.copyOfRange(all, (int) MIB, (int) (3 * MIB)), "the first transfer");
            assertArrayEquals(java.util.Arrays.copyOf(source, (int) MIB),
                    java.util.Arrays.copyOfRange(all, (int) (3 * MIB), (int) (4 * MIB)), "the second, to the end");
            assertEquals(fs, FileSystems.getFileSystem(uri));
            assertEquals(fs.getPath("/f"), Path.of(fs.getPath("/f").toUri()));
        }
        assertTrue(FamfsFsck.check(img).isClean());
    }

    /** Two files growing at once cannot both grow in place: each ends with several extents, bytes intact. */
    @Test
    void filesGrowingTogetherStayOneExtentEach() throws Exception {
        Path img = tmp.resolve("together.img");
        byte[] a = random(21, (int) (9 * MIB + 7));
        byte[] b = random(22, (int) (7 * MIB + 3));
        try (FileSystem fs = create(img, "256M");
                OutputStream outA = Files.newOutputStream(fs.getPath("/a"));
                OutputStream outB = Files.newOutputStream(fs.getPath("/b"))) {
            int chunk = (int) MIB - 1;
            for (int at = 0; at < Math.max(a.length, b.length); at += chunk) {
                if (at < a.length) {
                    outA.write(a, at, Math.min(chunk, a.length - at));
                }
                if (at < b.length) {
                    outB.write(b, at, Math.min(chunk, b.length - at));
                }
            }
        }
        try (FileSystem fs = client(img)) {
            assertArrayEquals(a, Files.readAllBytes(fs.getPath("/a")));
            assertArrayEquals(b, Files.readAllBytes(fs.getPath("/b")));
            assertEquals(1, ((List<?>) Files.getAttribute(fs.getPath("/a"), "famfs:extents")).size());
            assertEquals(1, ((List<?>) Files.getAttribute(fs.getPath("/b"), "famfs:extents")).size());
            assertTrue(FamfsFsck.check(fs).isClean());
        }
    }

    @Test
    void aStreamThatRunsOutOfSpaceLeavesNoEntry() throws Exception {
        Path img = tmp.resolve("full.img");
        try (FileSystem fs = create(img, "32M")) {
            IOException e = assertThrows(IOException.class, () -> {
                try (OutputStream out = Files.newOutputStream(fs.getPath("/huge"))) {
                    for (int i = 0; i < 40; i++) {
                        out.write(new byte[(int) MIB]);
                    }
                }
            });
            assertTrue(e.getMessage().contains("out of space"), e.getMessage());
            assertFalse(Files.exists(fs.getPath("/huge")));
            Files.write(fs.getPath("/after"), random(3, (int) (20 * MIB)));
            assertEquals(20 * MIB, Files.size(fs.getPath("/after")), "the space came back");
        }
        try (FileSystem fs = client(img)) {
            assertTrue(FamfsFsck.check(fs).isClean());
            assertEquals(1, FamfsFsck.check(fs).logEntries());
        }
    }

    @Test
    void aFullLogIsAClearRefusal() throws Exception {
        Path img = tmp.resolve("log.img");
        try (FileSystem fs = create(img, "16M")) {
            for (int i = 0; i < 15420; i++) {
                Files.createDirectory(fs.getPath("/d" + i));
            }
            LogFullException e = assertThrows(LogFullException.class, () -> Files.createDirectory(fs.getPath("/x")));
            assertTrue(e.getMessage().contains("log full: all 15420 slots are used"), e.getMessage());
            assertThrows(LogFullException.class, () -> Files.write(fs.getPath("/f"), new byte[1]));
        }
        try (FileSystem fs = client(img)) {
            FsckReport r = FamfsFsck.check(fs);
            assertEquals(15420, r.directories());
            assertTrue(r.isClean());
        }
    }

    @Test
    void formattingArgumentsAreChecked() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> FileSystems.newFileSystem(URI.create("famfs:" + tmp.resolve("a.img")),
                        Map.of("create", "true", "deviceSize", "64M", "logLength", "12M")));
        assertTrue(e.getMessage().contains("power of two"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FileSystems.newFileSystem(URI.create("famfs:"
                + tmp.resolve("b.img")), Map.of("create", "true", "deviceSize", "8M")));
        assertTrue(e.getMessage().contains("below famfs-nio's minimum"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> FileSystems.newFileSystem(URI.create("famfs:"
                + tmp.resolve("c.img")), Map.of("create", "true", "deviceSize", "lots")));
        assertTrue(e.getMessage().contains("'deviceSize' has value 'lots'"), e.getMessage());
        NoSuchFileException n = assertThrows(NoSuchFileException.class, () -> FileSystems.newFileSystem(
                URI.create("famfs:" + tmp.resolve("d.img")), Map.of("create", "true")));
        assertTrue(n.getMessage().contains("pass deviceSize"), n.getMessage());
        assertFalse(Files.exists(tmp.resolve("a.img")) || Files.exists(tmp.resolve("b.img")));
        Path v47 = ReferenceImages.buildCorrupt("corrupt-sb-version", tmp);
        String before = ReferenceImages.sha256(v47);
        FileAlreadyExistsException x = assertThrows(FileAlreadyExistsException.class, () -> FileSystems
                .newFileSystem(URI.create("famfs:" + v47), Map.of("create", "true", "systemUuid", MASTER)));
        assertTrue(x.getMessage().contains("version 47") && x.getMessage().contains("force=true"), x.getMessage());
        assertEquals(before, ReferenceImages.sha256(v47));
    }

    @Test
    void appendingToEveryReferenceImageKeepsItsFiles() throws Exception {
        for (String name : List.of("tree", "multi-extent", "striped", "add-daxdev", "log16m")) {
            var m = ReferenceImages.manifest(name);
            Path img = tmp.resolve(name + ".img");
            ReferenceImages.writableCopy(name, img);
            String master = m.getAsJsonObject("superblock").get("system_uuid").getAsString();
            try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("systemUuid", master))) {
                Files.createDirectories(fs.getPath("/added/by/famfs-nio"));
                Files.write(fs.getPath("/added/by/famfs-nio/file"), random(5, (int) (5 * MIB + 5)));
                Files.write(fs.getPath("/added/one-byte"), new byte[] {7});
                assertTrue(FamfsFsck.check(fs).isClean(), FamfsFsck.check(fs).format());
            }
            try (FileSystem fs = client(img)) {
                for (var f : ReferenceImages.array(m, "files")) {
                    var file = f.getAsJsonObject();
                    assertEquals(file.getAsJsonObject("content").get("sha256").getAsString(),
                            ReferenceImages.sha256(Files.readAllBytes(fs.getPath(file.get("path").getAsString()))),
                            name + ": " + file.get("path"));
                }
                assertArrayEquals(random(5, (int) (5 * MIB + 5)), Files.readAllBytes(fs.getPath("/added/by/famfs-nio/file")));
                FsckReport r = FamfsFsck.check(fs);
                assertTrue(r.isClean(), r.format());
                assertEquals(m.getAsJsonObject("log").get("next_index").getAsLong() + 5, r.logEntries());
            }
        }
    }
}
