package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.nio.FamfsFiles;
import io.github.famfs.nio.FamfsFsck;
import io.github.famfs.nio.FamfsOption;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A new file's output stream on an image gathers small writes into large ones (GatheringOutputStream): the file
 * holds exactly the bytes written, in order, whatever the sizes; a write that fails when gathered bytes go out
 * surfaces, and the file is then never published.
 */
class GatheredStreamTest {
    private static final String MASTER = "00112233-4455-6677-8899-aabbccddeeff";
    private static final int MIB = 1 << 20;
    @TempDir
    Path tmp;

    private FileSystem create(String size) throws IOException {
        return FileSystems.newFileSystem(URI.create("famfs:" + tmp.resolve("g.img")),
                Map.of("create", "true", "deviceSize", size, "systemUuid", MASTER));
    }

    private static byte[] random(long seed, int n) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Writes {@code data} in pieces of mixed sizes (single bytes, 8 KiB, pieces across and above 1 MiB, flushes). */
    private static void writeMixed(OutputStream out, byte[] data, long seed) throws IOException {
        Random rnd = new Random(seed);
        int at = 0;
        for (int i = 0; at < data.length; i++) {
            int n = switch (i % 7) {
                case 0 -> 1;
                case 1, 2, 3 -> 8192;
                case 4 -> 1 + rnd.nextInt(300_000);
                case 5 -> MIB - 1 + rnd.nextInt(3);
                default -> MIB + rnd.nextInt(2 * MIB);
            };
            n = Math.min(n, data.length - at);
            if (n == 1) {
                out.write(data[at] & 0xff);
            } else {
                out.write(data, at, n);
            }
            at += n;
            if (i % 11 == 10) {
                out.flush();
            }
        }
    }

    @Test
    void mixedWritesLandByteExactInSimpleAndInterleavedFiles() throws IOException {
        byte[] simple = random(1, 9 * MIB + 12_345);
        byte[] striped = random(2, 11 * MIB + 7);
        byte[] small = random(3, 5000);
        try (FileSystem fs = create("3G")) {
            try (OutputStream out = Files.newOutputStream(fs.getPath("/simple"))) {
                assertEquals("GatheringOutputStream", out.getClass().getSimpleName(), "the stream gathers on an image");
                writeMixed(out, simple, 10);
            }
            try (OutputStream out = Files.newOutputStream(fs.getPath("/striped"), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, FamfsOption.interleave(2, 2L * MIB, 2))) {
                writeMixed(out, striped, 11);
            }
            try (OutputStream out = Files.newOutputStream(fs.getPath("/small"))) {
                for (byte b : small) {
                    out.write(b);
                }
            }
            assertArrayEquals(simple, Files.readAllBytes(fs.getPath("/simple")));
            assertArrayEquals(striped, Files.readAllBytes(fs.getPath("/striped")));
            assertArrayEquals(small, Files.readAllBytes(fs.getPath("/small")));
            assertTrue(((java.util.List<?>) Files.getAttribute(fs.getPath("/striped"), "famfs:extents")).size() > 1,
                    "the file is striped");
            assertTrue(FamfsFsck.check(fs).isClean());
        }
        // as a client sees them, from the log
        try (FileSystem client = FileSystems.newFileSystem(URI.create("famfs:" + tmp.resolve("g.img")),
                Map.of("systemUuid", "00112233-4455-6677-8899-aabbccddee01"))) {
            assertArrayEquals(simple, Files.readAllBytes(client.getPath("/simple")));
            assertArrayEquals(striped, Files.readAllBytes(client.getPath("/striped")));
        }
    }

    @Test
    void filesCopyFromTheDefaultProviderAndFamfsFilesCopyFromZipAreByteExact() throws IOException {
        byte[] data = random(4, 3 * MIB + 4097);
        Path local = tmp.resolve("local.bin");
        Files.write(local, data);
        Path zip = tmp.resolve("z.zip");
        try (FileSystem z = FileSystems.newFileSystem(zip, Map.of("create", "true"))) {
            Files.write(z.getPath("/in.bin"), data);
        }
        try (FileSystem fs = create("128M"); FileSystem z = FileSystems.newFileSystem(zip)) {
            assertEquals(data.length, Files.copy(Files.newInputStream(local), fs.getPath("/s")));
            Files.copy(local, fs.getPath("/c"));
            assertEquals(data.length, FamfsFiles.copy(z.getPath("/in.bin"), fs.getPath("/z")));
            for (String name : new String[] {"/s", "/c", "/z"}) {
                assertArrayEquals(data, Files.readAllBytes(fs.getPath(name)), name);
            }
            assertTrue(FamfsFsck.check(fs).isClean());
        }
    }

    /** Out of space found when gathered bytes go out: the write that sends them throws, later writes refuse. */
    @Test
    void outOfSpaceFoundWhenGatheredBytesGoOutIsNeverPublished() throws IOException {
        try (FileSystem fs = create("64M")) {
            long free = Files.getFileStore(fs.getPath("/")).getUnallocatedSpace();
            Path p = fs.getPath("/big");
            OutputStream out = Files.newOutputStream(p);
            byte[] piece = random(5, 8192);
            IOException thrown = null;
            long written = 0;
            while (thrown == null && written < free + 4L * MIB) {
                try {
                    out.write(piece);
                    written += piece.length;
                } catch (IOException e) {
                    thrown = e;
                }
            }
            assertTrue(thrown != null, "a write past the free space throws");
            assertTrue(written >= free - MIB, "the bytes gathered before went out or stayed gathered: " + written);
            assertTrue(String.valueOf(thrown.getMessage()).contains("out of space"), thrown.toString());
            IOException later = assertThrows(IOException.class, () -> out.write(1));
            assertTrue(later.getMessage().contains("an earlier write failed"), later.getMessage());
            assertTrue(later.getMessage().contains("out of space"), later.getMessage());
            IOException closing = assertThrows(IOException.class, out::close);
            assertTrue(closing.getMessage().contains("not published"), closing.getMessage());
            out.close(); // a second close does nothing
            assertFalse(Files.exists(p), "no file missing bytes is published");
            assertEquals(free, Files.getFileStore(fs.getPath("/")).getUnallocatedSpace(), "its space is back");
            assertThrows(ClosedChannelException.class, () -> out.write(2));
            // the space is usable again, by a stream
            byte[] fits = random(6, 5 * MIB);
            try (OutputStream again = Files.newOutputStream(fs.getPath("/again"))) {
                writeMixed(again, fits, 12);
            }
            assertArrayEquals(fits, Files.readAllBytes(fs.getPath("/again")));
            assertTrue(FamfsFsck.check(fs).isClean());
        }
    }

    /** The last gathered bytes do not fit: the close finds it, throws naming it, and publishes nothing. */
    @Test
    void outOfSpaceFoundAtCloseIsNeverPublished() throws IOException {
        try (FileSystem fs = create("64M")) {
            long free = Files.getFileStore(fs.getPath("/")).getUnallocatedSpace();
            Path p = fs.getPath("/tail");
            OutputStream out = Files.newOutputStream(p);
            byte[] piece = random(7, 4096);
            for (long done = 0; done < free; done += piece.length) {
                out.write(piece); // fills the space exactly, the last MiB still gathered
            }
            out.write(piece, 0, 100); // gathered too: 100 bytes more than the device holds
            IOException closing = assertThrows(IOException.class, out::close);
            assertTrue(closing.getMessage().contains("not published"), closing.getMessage());
            assertTrue(closing.getMessage().contains("out of space"), closing.getMessage());
            assertFalse(Files.exists(p));
            assertEquals(free, Files.getFileStore(fs.getPath("/")).getUnallocatedSpace(), "its space is back");
            assertTrue(FamfsFsck.check(fs).isClean());
        }
    }

    /** The file system closes while bytes are gathered: the stream's close says it was not published. */
    @Test
    void fileSystemClosedWithBytesGatheredPublishesNothing() throws IOException {
        byte[] data = random(8, 300_000);
        OutputStream out;
        try (FileSystem fs = create("64M")) {
            out = Files.newOutputStream(fs.getPath("/late"));
            out.write(data);
        }
        FileSystemException e = assertThrows(FileSystemException.class, out::close);
        assertTrue(e.getReason().startsWith("not published: its file system was closed"), e.getReason());
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + tmp.resolve("g.img")),
                Map.of("systemUuid", MASTER))) {
            assertFalse(Files.exists(fs.getPath("/late")));
            assertTrue(FamfsFsck.check(fs).isClean());
        }
    }

    /** A file whose size is fixed at creation is not gathered: a write past its end is refused by itself. */
    @Test
    void fixedSizeStreamRefusesTheWritePastItsEndAtOnce() throws IOException {
        byte[] data = random(9, 10_000);
        try (FileSystem fs = create("64M")) {
            Path p = fs.getPath("/fixed");
            try (OutputStream out = Files.newOutputStream(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    FamfsOption.size(data.length))) {
                out.write(data);
                assertThrows(FileSystemException.class, () -> out.write(1));
            }
            assertArrayEquals(data, Files.readAllBytes(p));
            try (FileChannel ch = FileChannel.open(p)) {
                ByteBuffer b = ByteBuffer.allocate(data.length);
                ch.read(b, 0);
                assertArrayEquals(data, b.array());
            }
        }
    }
}
