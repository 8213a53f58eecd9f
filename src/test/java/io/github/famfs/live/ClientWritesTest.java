package io.github.famfs.live;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.format.Layout;
import io.github.famfs.nio.FamfsFileSystem;
import io.github.famfs.nio.FamfsFsck;
import io.github.famfs.nio.FamfsLog;
import io.github.famfs.nio.FamfsRuleException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 10 item 4: env key {@code clientWrites=true}: a client writes existing files in place, nothing else. */
class ClientWritesTest {
    private static final String MASTER = "00112233-4455-6677-8899-aabbccddeeff";
    @TempDir
    Path tmp;

    private static FileSystem open(Path img, Map<String, String> more) throws IOException {
        Map<String, String> env = new HashMap<>(Map.of("systemUuid", RefreshTest.CLIENT));
        env.putAll(more);
        return FileSystems.newFileSystem(URI.create("famfs:" + img), env);
    }

    private Path image() throws IOException {
        Path img = tmp.resolve("w.img");
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("create", "true",
                "deviceSize", "64M", "systemUuid", MASTER))) {
            Files.createDirectory(fs.getPath("/d"));
            Files.write(fs.getPath("/d/hand-off"), new byte[3 * 4096 + 5]);
        }
        return img;
    }

    private static long logEntries(FileSystem fs) throws IOException {
        return FamfsLog.header(fs).nextIndex();
    }

    @Test
    void aClientWritesInPlaceThroughChannelsStreamsAndMaps() throws Exception {
        Path img = image();
        byte[] log;
        try (FileChannel raw = FileChannel.open(img)) {
            log = new byte[(int) Layout.DEFAULT_LOG_LEN];
            raw.read(ByteBuffer.wrap(log), Layout.LOG_OFFSET);
        }
        try (FileSystem fs = open(img, Map.of("clientWrites", "true"))) {
            assertEquals("client", Files.getFileStore(fs.getPath("/")).getAttribute("famfs:role"));
            assertFalse(fs.isReadOnly(), "its files can be written");
            Path f = fs.getPath("/d/hand-off");
            assertTrue(Files.isWritable(f));
            assertFalse(Files.isWritable(fs.getPath("/d")), "a client makes no entries in a directory");
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.WRITE)) {
                assertEquals(5, ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3, 4, 5}), 10));
                assertThrows(FamfsRuleException.class, () -> ch.write(ByteBuffer.wrap(new byte[2]), ch.size() - 1),
                        "never past the end");
            }
            try (OutputStream out = Files.newOutputStream(f, StandardOpenOption.WRITE)) {
                out.write(new byte[] {9, 9});
            }
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 4096, 4096);
                m.put(7, (byte) 42);
                m.force();
            }
            assertEquals(3 * 4096 + 5, Files.size(f), "never grown");
            assertEquals(2, logEntries(fs), "no entry appended");
            // what only the master does stays refused
            assertThrows(ReadOnlyFileSystemException.class, () -> Files.createDirectory(fs.getPath("/new")));
            assertThrows(ReadOnlyFileSystemException.class, () -> Files.write(fs.getPath("/d/new"), new byte[1]));
            assertThrows(FamfsRuleException.class, () -> Files.newOutputStream(f), "TRUNCATE_EXISTING");
            assertThrows(FamfsRuleException.class, () -> Files.newOutputStream(f, StandardOpenOption.APPEND));
            assertThrows(ReadOnlyFileSystemException.class, () -> Files.delete(f));
        }
        try (FileSystem fs = open(img, Map.of())) {
            byte[] b = Files.readAllBytes(fs.getPath("/d/hand-off"));
            assertArrayEquals(new byte[] {9, 9, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 0}, java.util.Arrays.copyOf(b,
                    16));
            assertEquals(42, b[4096 + 7]);
            assertTrue(FamfsFsck.check(fs).isClean());
        }
        try (FileChannel raw = FileChannel.open(img)) {
            byte[] now = new byte[log.length];
            raw.read(ByteBuffer.wrap(now), Layout.LOG_OFFSET);
            assertArrayEquals(log, now, "the log is untouched, byte for byte");
        }
    }

    @Test
    void offByDefault() throws Exception {
        Path img = image();
        try (FileSystem fs = open(img, Map.of())) {
            assertTrue(fs.isReadOnly());
            assertThrows(ReadOnlyFileSystemException.class, () -> FileChannel.open(fs.getPath("/d/hand-off"),
                    StandardOpenOption.WRITE));
            assertThrows(AccessDeniedException.class, () -> fs.provider().checkAccess(fs.getPath("/d/hand-off"),
                    java.nio.file.AccessMode.WRITE));
            try (FileChannel ch = FileChannel.open(fs.getPath("/d/hand-off"))) {
                assertThrows(NonWritableChannelException.class, () -> ch.map(FileChannel.MapMode.READ_WRITE, 0, 1));
            }
        }
        try (FileSystem fs = open(img, Map.of("clientWrites", "false"))) {
            assertTrue(fs.isReadOnly());
        }
    }

    @Test
    void contradictionsAreRefused() throws Exception {
        Path img = image();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> open(img,
                Map.of("clientWrites", "true", "accessMode", "readOnly")));
        assertTrue(e.getMessage().contains("clientWrites") && e.getMessage().contains("readOnly"), e.getMessage());
        for (String bad : new String[] {"1", "yes", "", "TRUE "}) {
            IllegalArgumentException b = assertThrows(IllegalArgumentException.class, () -> open(img,
                    Map.of("clientWrites", bad)));
            assertTrue(b.getMessage().contains("'clientWrites'"), b.getMessage());
        }
        // on the master the key changes nothing: it writes anyway
        try (FamfsFileSystem fs = (FamfsFileSystem) FileSystems.newFileSystem(URI.create("famfs:" + img),
                Map.of("systemUuid", MASTER, "clientWrites", "true"))) {
            assertFalse(fs.isReadOnly());
            Files.createDirectory(fs.getPath("/by-master"));
        }
    }

    @Test
    @org.junit.jupiter.api.Timeout(value = 10, unit = java.util.concurrent.TimeUnit.MINUTES) // a hang fails
    void clientWritesRacingClose() throws Exception {
        Path img = image();
        for (int round = 0; round < Integer.getInteger("famfs.liveRaces.rounds", 20); round++) {
            FileSystem fs = open(img, Map.of("clientWrites", "true"));
            java.util.concurrent.atomic.AtomicReference<Throwable> failure = new java.util.concurrent.atomic
                    .AtomicReference<>();
            Thread writer = new Thread(() -> {
                try (FileChannel ch = FileChannel.open(fs.getPath("/d/hand-off"), StandardOpenOption.WRITE,
                        StandardOpenOption.READ)) {
                    for (long i = 0; ; i++) {
                        ch.write(ByteBuffer.wrap(new byte[] {(byte) i, (byte) (i >> 8)}), (i * 2) % 4096);
                        if (i % 50 == 0) {
                            ch.map(FileChannel.MapMode.READ_WRITE, 0, 4096).put(0, (byte) i);
                        }
                    }
                } catch (java.nio.channels.ClosedChannelException | java.nio.file.ClosedFileSystemException e) {
                    // AsynchronousCloseException included: the ways out
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            writer.start();
            Thread.sleep(round % 5);
            fs.close();
            writer.join(60_000);
            assertFalse(writer.isAlive());
            if (failure.get() != null) {
                throw new AssertionError("round " + round, failure.get());
            }
        }
        try (FileSystem fs = open(img, Map.of())) {
            assertEquals(3 * 4096 + 5, Files.size(fs.getPath("/d/hand-off")));
            assertEquals(2, logEntries(fs));
            assertTrue(FamfsFsck.check(fs).isClean());
        }
    }

    /**
     * A device reformatted and refilled underneath (another process recreates the image: a new famfs whose first
     * file takes the unit /d/f had): neither a clientWrites client nor the master writes through its old
     * namespace. Opening /d/f for WRITE (a lookup hit, its map cached by a read) and a READ_WRITE map of a channel
     * opened before the reformat are FamfsStaleException (refreshInterval off: nothing else looked at the device),
     * and the new famfs's file keeps its bytes.
     */
    @Test
    void aDeviceReformattedUnderneathRefusesWritesInPlaceOnClientAndMaster() throws Exception {
        for (String role : new String[] {"client", "master"}) {
            Path img = tmp.resolve(role + ".img");
            try (io.github.famfs.testing.TestImage old = io.github.famfs.testing.TestImage.create(img, 64L << 20)) {
                old.mkdir("d").file("d/f", 100);
            }
            Map<String, String> env = new HashMap<>(Map.of("refreshInterval", "off"));
            env.put(role.equals("master") ? "systemUuid" : "clientWrites", role.equals("master")
                    ? io.github.famfs.testing.TestImage.MASTER.toString() : "true");
            try (FileSystem fs = open(img, env); FileChannel before = FileChannel.open(fs.getPath("/d/f"),
                    StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                assertFalse(fs.isReadOnly(), role);
                assertEquals(100, Files.readAllBytes(fs.getPath("/d/f")).length);
                try (io.github.famfs.testing.TestImage again = io.github.famfs.testing.TestImage.create(img,
                        64L << 20)) {
                    again.file("g", 100);
                }
                assertThrows(io.github.famfs.nio.FamfsStaleException.class, () -> Files.newByteChannel(
                        fs.getPath("/d/f"), StandardOpenOption.WRITE).close(), role + ": open for WRITE");
                assertThrows(io.github.famfs.nio.FamfsStaleException.class, () -> before.map(
                        FileChannel.MapMode.READ_WRITE, 0, 100), role + ": a READ_WRITE map");
            }
            try (FileSystem fs = open(img, Map.of())) {
                assertArrayEquals(io.github.famfs.testing.TestImage.patternBytes("g".hashCode(), 100),
                        Files.readAllBytes(fs.getPath("/g")), role + ": the new famfs's /g");
            }
        }
    }
}
