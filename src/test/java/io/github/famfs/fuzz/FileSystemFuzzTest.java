package io.github.famfs.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.famfs.format.Superblock;
import io.github.famfs.nio.FamfsFileSystemProvider;
import io.github.famfs.nio.FamfsFsck;
import io.github.famfs.nio.FamfsLog;
import io.github.famfs.nio.FsckReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The full-API fuzz target: the input becomes an image file (see {@link FuzzImage}), opened as a client and then
 * as its master through the public API, exercising everything a user can: list every directory, read every
 * attribute view and the file store's, read every file through a channel and a stream, map it, run fsck, and as
 * the master make a directory and a file. Allowed outcomes: success or an IOException; anything else (a
 * RuntimeException, an Error, a hang) is a finding. As the master, a new file never collides with anything
 * (fsck's collision count does not grow).
 *
 * <p>{@code mvn test} runs the committed corpus ({@code src/test/resources/io/github/famfs/fuzz/FileSystemFuzzTestInputs});
 * {@code JAZZER_FUZZ=1 mvn test -Dtest=FileSystemFuzzTest} fuzzes (see {@code .ci/run}).
 */
class FileSystemFuzzTest {
    private static final String CLIENT = "c11e0000-0000-4000-8000-0000000000f2";
    private static final int READ = 64 << 10;
    private static Path dir;
    private static Path img;
    private static URI uri;
    /** Kept reachable: the replay problems of a million hostile images would otherwise flood the output. */
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("io.github.famfs");
    private static java.util.logging.Level level;

    @BeforeAll
    static void image() throws IOException {
        level = QUIET.getLevel();
        QUIET.setLevel(java.util.logging.Level.OFF);
        dir = Files.createTempDirectory("famfs-fuzz");
        img = dir.resolve("fuzz.img");
        uri = FamfsFileSystemProvider.uri(img);
    }

    @AfterAll
    static void cleanUp() throws IOException {
        QUIET.setLevel(level); // the other tests of this JVM read these warnings
        Files.deleteIfExists(img);
        Files.deleteIfExists(dir);
    }

    @FuzzTest(maxDuration = "2m")
    void fileSystem(byte[] input) throws Exception {
        FuzzImage.write(input, img);
        try {
            exercise();
        } catch (IOException refused) {
            // an IOException (and its subclasses) is an allowed answer to a hostile image
        }
    }

    private static void exercise() throws IOException {
        UUID master;
        try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of("systemUuid", CLIENT))) {
            master = readEverything(fs);
        }
        if (master.toString().equals(CLIENT)) {
            return;
        }
        try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of("systemUuid", master.toString()))) {
            readEverything(fs);
            long before = FamfsFsck.check(fs).collisions();
            try {
                Files.createDirectory(fs.getPath("/fuzz-dir"));
            } catch (IOException refused) {
                // log full, a bad entry that stops writers, a name already taken, ...
            }
            try {
                Files.write(fs.getPath("/fuzz-file"), new byte[] {1, 2, 3, 4, 5});
            } catch (IOException refused) {
                // out of space, log full, ...
            }
            FsckReport after = FamfsFsck.check(fs);
            if (after.collisions() != before) {
                throw new AssertionError("fuzz oracle: the master's new entries collide: " + after);
            }
        }
    }

    /** Reads everything a client can and returns the master's system UUID. */
    private static UUID readEverything(FileSystem fs) throws IOException {
        FileStore store = Files.getFileStore(fs.getPath("/"));
        long total = store.getTotalSpace();
        long free = store.getUnallocatedSpace();
        if (free < 0 || total < 0 || free > total || store.getUsableSpace() < 0) {
            throw new AssertionError("fuzz oracle: file store figures total " + total + ", free " + free);
        }
        for (String a : new String[] {"problems", "uuid", "systemUuid", "role", "logEntries", "logCapacity",
            "files", "directories", "fileBytes", "daxdevs", "deviceKind", "alignment"}) {
            store.getAttribute("famfs:" + a);
        }
        FsckReport report = FamfsFsck.check(fs);
        report.toString();
        FamfsLog.header(fs);
        FamfsLog.entries(fs, 0);
        walk(fs.getPath("/"));
        return (UUID) store.getAttribute("famfs:systemUuid");
    }

    private static void walk(Path dir) throws IOException {
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                BasicFileAttributes basic = Files.readAttributes(p, BasicFileAttributes.class);
                Files.readAttributes(p, PosixFileAttributes.class);
                Files.readAttributes(p, "famfs:*");
                Files.readAttributes(p, "unix:*");
                if (basic.isDirectory()) {
                    walk(p);
                } else {
                    read(p, basic.size());
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    private static void read(Path p, long size) throws IOException {
        try (FileChannel ch = FileChannel.open(p)) {
            ByteBuffer b = ByteBuffer.allocate(READ);
            ch.read(b);
            b.clear();
            ch.read(b, Math.max(0, size - READ));
            long n = Math.min(size, 4L << 20);
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, n);
            if (n > 0) {
                m.get((int) (n - 1));
            }
        }
        try (InputStream in = Files.newInputStream(p)) {
            in.readNBytes(READ);
        }
    }

    static Superblock superblock(byte[] input) {
        return Superblock.decode(FuzzImage.superblock(input));
    }
}
