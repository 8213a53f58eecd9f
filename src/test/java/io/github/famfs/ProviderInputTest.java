package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import io.github.famfs.nio.FamfsFileSystemProvider;
import io.github.famfs.nio.NotBlankException;
import io.github.famfs.testing.TestImage;
import java.io.IOException;
import java.math.BigInteger;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.ProviderNotFoundException;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the provider does with what it is given: devices that hold something else (create formats only what holds
 * nothing to lose), device names that URIs must carry literally, and env values that must not overflow.
 */
class ProviderInputTest {
    private static final long MIB = 1 << 20;
    private static final String MASTER = "0f0e0d0c-0b0a-4908-8706-050403020100";

    @TempDir
    Path tmp;

    private static byte[] random(int n) {
        byte[] b = new byte[n];
        new Random(9).nextBytes(b);
        return b;
    }

    // ---- item 3: create formats only what holds no data to lose

    @Test
    void createRefusesAFileThatHoldsSomethingElseAndLeavesItAlone() throws Exception {
        Path other = tmp.resolve("photos.bin");
        byte[] data = random((int) (16 * MIB));
        Files.write(other, data);
        NotBlankException e = assertThrows(NotBlankException.class, () -> FileSystems.newFileSystem(
                FamfsFileSystemProvider.uri(other), Map.of("create", "true", "systemUuid", MASTER)));
        assertTrue(e.getMessage().contains("force=true"), e.getMessage());
        assertTrue(e.getMessage().contains("not blank"), e.getMessage());
        assertArrayEquals(data, Files.readAllBytes(other), "not a byte of the file may change");
    }

    @Test
    void createThroughAPathDeclinesSoOtherProvidersGetTheirTurn() throws Exception {
        Path other = tmp.resolve("data.bin");
        byte[] data = random((int) (16 * MIB));
        Files.write(other, data);
        // every provider declines (zipfs: not a zip; famfs: not a famfs and not blank)
        assertThrows(ProviderNotFoundException.class, () -> FileSystems.newFileSystem(other,
                Map.of("create", "true", "systemUuid", MASTER)));
        assertThrows(UnsupportedOperationException.class, () -> new FamfsFileSystemProvider().newFileSystem(other,
                Map.of("create", "true", "systemUuid", MASTER)));
        assertArrayEquals(data, Files.readAllBytes(other));
        Path small = tmp.resolve("small.bin");
        Files.write(small, new byte[] {1, 2, 3});
        assertThrows(UnsupportedOperationException.class, () -> new FamfsFileSystemProvider().newFileSystem(small,
                Map.of("create", "true", "systemUuid", MASTER)), "too small for famfs and not blank: declined");
        Path absent = tmp.resolve("absent.bin");
        assertThrows(UnsupportedOperationException.class, () -> new FamfsFileSystemProvider().newFileSystem(absent,
                Map.of("create", "true", "systemUuid", MASTER)), "no deviceSize: another provider may make it");
        assertFalse(Files.exists(absent));
    }

    @Test
    void createFindsDataAnywhereInTheSuperblockAndLogArea() throws Exception {
        Path img = tmp.resolve("late.img");
        try (var ch = java.nio.channels.FileChannel.open(img, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[1]), 32 * MIB - 1);
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {7}), 2 * MIB + 48); // just past the log header
        }
        NotBlankException e = assertThrows(NotBlankException.class, () -> FileSystems.newFileSystem(
                FamfsFileSystemProvider.uri(img), Map.of("create", "true", "systemUuid", MASTER)));
        assertTrue(e.getMessage().contains("byte " + (2 * MIB + 48)), e.getMessage());
        try (FileSystem fs = FileSystems.newFileSystem(FamfsFileSystemProvider.uri(img),
                Map.of("create", "true", "force", "true", "systemUuid", MASTER))) {
            assertFalse(fs.isReadOnly(), "force formats over it");
        }
    }

    @Test
    void createFormatsAbsentEmptyAndZeroFiles() throws Exception {
        Path zero = tmp.resolve("zero.img");
        Files.write(zero, new byte[(int) (16 * MIB)]);
        Path empty = Files.createFile(tmp.resolve("empty.img"));
        Path absent = tmp.resolve("absent.img");
        for (Path p : new Path[] {zero, empty, absent}) {
            try (FileSystem fs = FileSystems.newFileSystem(FamfsFileSystemProvider.uri(p),
                    Map.of("create", "true", "deviceSize", "16M", "systemUuid", MASTER))) {
                Files.createDirectory(fs.getPath("/made"));
            }
            assertEquals(16 * MIB, Files.size(p), p.toString());
            try (FileSystem fs = FileSystems.newFileSystem(FamfsFileSystemProvider.uri(p), Map.of())) {
                assertTrue(Files.isDirectory(fs.getPath("/made")), p.toString());
            }
        }
        FileSystemException e = assertThrows(FileSystemException.class, () -> FileSystems.newFileSystem(
                FamfsFileSystemProvider.uri(Files.createFile(tmp.resolve("empty2.img"))), Map.of("create", "true")));
        assertTrue(e.getMessage().contains("deviceSize"), e.getMessage());
    }

    @Test
    void formattingWithoutASystemUuidFailsNamingTheKeyAndWritesNoHostFile() throws Exception {
        Path hostFile = Path.of("/opt/famfs/system_uuid");
        assumeFalse(Files.exists(hostFile), "this host has a famfs system UUID, so formatting has one");
        Path zero = tmp.resolve("zero.img");
        Files.write(zero, new byte[(int) (16 * MIB)]);
        FileSystemException e = assertThrows(FileSystemException.class, () -> FileSystems.newFileSystem(
                FamfsFileSystemProvider.uri(zero), Map.of("create", "true")));
        assertTrue(e.getMessage().contains("'systemUuid'"), e.getMessage());
        Path absent = tmp.resolve("absent.img");
        e = assertThrows(FileSystemException.class, () -> FileSystems.newFileSystem(
                FamfsFileSystemProvider.uri(absent), Map.of("create", "true", "deviceSize", "16M")));
        assertTrue(e.getMessage().contains("'systemUuid'"), e.getMessage());
        assertFalse(Files.exists(absent), "nothing is created for a format that cannot happen");
        assertFalse(Files.exists(hostFile), "a library call never writes " + hostFile);
        assertArrayEquals(new byte[(int) (16 * MIB)], Files.readAllBytes(zero));
    }

    // ---- item 4: device names taken literally

    @Test
    void urisRoundTripOverHostileDeviceNames() throws Exception {
        String[] dirs = {"x!", "a b", "50%", "50%21", "h#sh", "q?x", "ünï ☃", "a!b!", "x!y", "c:d", "[v]", "semi;colon"};
        for (String dir : dirs) {
            Path img = Files.createDirectories(tmp.resolve(dir)).resolve(dir + ".img");
            try (TestImage t = TestImage.create(img, 32 * MIB)) {
                t.mkdir("d!").mkdir("d!/x y%21").file("d!/x y%21/f#1", 10);
            }
            URI fsUri = FamfsFileSystemProvider.uri(img);
            try (FileSystem fs = FileSystems.newFileSystem(fsUri, Map.of())) {
                assertEquals(fs, FileSystems.getFileSystem(fsUri), dir);
                Path f = fs.getPath("/d!/x y%21/f#1");
                URI u = f.toUri();
                assertEquals(f, Path.of(u), dir + ": " + u);
                assertEquals(f, Path.of(URI.create(u.toASCIIString())), dir + ": " + u.toASCIIString());
                assertEquals(10, Files.size(Path.of(u)));
                assertEquals(fs.getPath("/"), Path.of(fs.getPath("/").toUri()), dir);
                assertEquals(fs, FileSystems.getFileSystem(u), dir);
            }
        }
    }

    @Test
    void aBangEndingTheDeviceNameIsPartOfTheName() throws Exception {
        Path prod = tmp.resolve("prod.img");
        Path bang = tmp.resolve("prod.img!");
        try (TestImage t = TestImage.create(prod, 32 * MIB)) {
            t.file("precious", 100);
        }
        byte[] before = Files.readAllBytes(prod);
        Files.write(bang, new byte[(int) (16 * MIB)]);
        try (FileSystem fs = FileSystems.newFileSystem(FamfsFileSystemProvider.uri(bang),
                Map.of("create", "true", "systemUuid", MASTER))) {
            assertFalse(Files.exists(fs.getPath("/precious")), "the famfs of prod.img! is a new one");
        }
        assertArrayEquals(before, Files.readAllBytes(prod), "prod.img is untouched");
        assertEquals(16 * MIB, Files.size(bang));
    }

    // ---- item 19: env values parsed exactly

    @Test
    void envNumbersThatOverflowAreRefusedNamingKeyAndValue() throws Exception {
        Path img = tmp.resolve("e.img");
        try (TestImage t = TestImage.create(img, 32 * MIB)) {
            t.mkdir("d");
        }
        URI u = FamfsFileSystemProvider.uri(img);
        Object[][] bad = {
            {"nstrips", "4294967298"}, {"nstrips", 4294967298L}, {"nstrips", "-1"}, {"nstrips", 2.5},
            {"nstrips", new BigInteger("18446744073709551618")}, {"nstrips", "0"},
            {"nbuckets", "4294967300"}, {"chunkSize", "99999999999999G"}, {"chunkSize", 1e30},
            {"chunkSize", "-2M"},
        };
        for (Object[] kv : bad) {
            Map<String, Object> env = new java.util.HashMap<>(Map.of(kv[0].toString(), kv[1]));
            env.putIfAbsent("nstrips", "1");
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> FileSystems.newFileSystem(u, env), () -> kv[0] + "=" + kv[1]);
            assertTrue(e.getMessage().contains("'" + kv[0] + "'") && e.getMessage().contains(kv[1].toString()),
                    e.getMessage());
        }
        Object[][] badSizes = {{"deviceSize", "99999999999999G"}, {"deviceSize", -16L}, {"logLength", "8E"},
            {"deviceSize", Double.MAX_VALUE}, {"logLength", "9223372036854775808"}};
        Path absent = tmp.resolve("absent.img");
        for (Object[] kv : badSizes) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> FileSystems.newFileSystem(FamfsFileSystemProvider.uri(absent),
                            Map.of("create", "true", "systemUuid", MASTER, kv[0].toString(), kv[1])),
                    () -> kv[0] + "=" + kv[1]);
            assertTrue(e.getMessage().contains("'" + kv[0] + "'"), e.getMessage());
            assertFalse(Files.exists(absent));
        }
        UUID.fromString(MASTER);
    }
}
