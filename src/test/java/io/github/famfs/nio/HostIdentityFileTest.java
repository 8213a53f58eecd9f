package io.github.famfs.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The host's system UUID file as {@link HostIdentity} reads it (the host-wide /opt/famfs/system_uuid; here a file
 * of the test's own, since tests never write that one): the reference's format is read, and anything else gives an
 * empty answer with the reason, never a hang on a FIFO or a read of a huge file.
 */
class HostIdentityFileTest {
    private static final String ID = "5ca1e000-0000-4000-8000-0000000001d5";

    @TempDir
    Path dir;

    private static Optional<UUID> read(Path file, String[] why) {
        return assertTimeoutPreemptively(Duration.ofSeconds(20), () -> HostIdentity.fromFile(file, why));
    }

    private static void refused(Path file, String reason) {
        String[] why = new String[1];
        assertEquals(Optional.empty(), read(file, why), file.toString());
        assertEquals(file + " " + reason, why[0]);
    }

    @Test
    void theReferenceFormatIsRead() throws Exception {
        for (String text : new String[] {ID + "\0", ID + "\n", ID, "  " + ID + "\0\0\0"}) {
            Path f = Files.write(dir.resolve("ok"), text.getBytes(StandardCharsets.US_ASCII));
            assertEquals(Optional.of(UUID.fromString(ID)), read(f, new String[1]), text);
        }
    }

    @Test
    void hostileFilesAreRefusedWithTheReason() throws Exception {
        refused(dir.resolve("absent"), "does not exist");
        refused(Files.createSymbolicLink(dir.resolve("dangling"), dir.resolve("nowhere")), "does not exist");
        refused(Files.createDirectory(dir.resolve("a-directory")), "is not a regular file");
        refused(Files.write(dir.resolve("empty"), new byte[0]), "does not hold a UUID");
        refused(Files.writeString(dir.resolve("garbage"), "not a uuid at all\n"), "does not hold a UUID");
        refused(Files.write(dir.resolve("binary"), new byte[] {(byte) 0xff, 0, 1, 2}), "does not hold a UUID");
        // a FIFO: opening it for reading would block until a writer came (every mount of the host with it)
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
        refused(fifo, "is not a regular file");
        // a huge (sparse) file that starts with a UUID: read from its first bytes, not whole
        Path huge = dir.resolve("huge");
        try (RandomAccessFile r = new RandomAccessFile(huge.toFile(), "rw")) {
            r.write((ID + "\0").getBytes(StandardCharsets.US_ASCII));
            r.setLength(64L << 30);
        }
        assertEquals(Optional.of(UUID.fromString(ID)), read(huge, new String[1]));
        // a file that cannot be read (as a user other than root)
        Path locked = Files.writeString(dir.resolve("locked"), ID);
        Files.setPosixFilePermissions(locked, java.util.Set.of());
        String[] why = new String[1];
        Optional<UUID> got = read(locked, why);
        if (got.isEmpty()) {
            assertTrue(why[0].startsWith("cannot read " + locked + ": "), why[0]);
        } // root reads it anyway
    }
}
