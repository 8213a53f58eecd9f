package io.github.famfs.nio;

import io.github.famfs.format.Uuids;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;

/**
 * This host's famfs system UUID, which decides the role: the host whose UUID is in the superblock is the master.
 * Read from the env, or from {@code /opt/famfs/system_uuid} as the reference reads it (the first 36
 * non-blank characters); the library never creates the file.
 */
public final class HostIdentity {
    public static final Path SYSTEM_UUID_FILE = Path.of("/opt/famfs/system_uuid");

    private HostIdentity() {}

    /**
     * The UUID for formatting: the env's, else the file's. Without one, formatting fails naming the
     * {@code systemUuid} env key: a library never creates the host-wide file (the CLI's {@code mkfs
     * --init-system-uuid} does, when its user asks, through {@link #createSystemUuidFile}).
     */
    static UUID systemUuidForFormat(Environment env, Path device) throws IOException {
        String[] why = {null};
        Optional<UUID> known = systemUuid(env, why);
        if (known.isPresent()) {
            return known.get();
        }
        throw new java.nio.file.FileSystemException(device.toString(), null, "formatting needs this host's famfs"
                + " system UUID (it becomes the master) and none is known: " + why[0] + "; pass the env key '"
                + Environment.SYSTEM_UUID + "' (or give the host one in " + SYSTEM_UUID_FILE + ")");
    }

    /**
     * Creates {@link #SYSTEM_UUID_FILE} with a new random UUID, as the reference's mkfs writes it (directory 0755,
     * file 0444, the canonical text and a NUL); refuses when the file exists. Only on an explicit request.
     */
    public static UUID createSystemUuidFile() throws IOException {
        UUID fresh = UUID.randomUUID();
        Files.createDirectories(SYSTEM_UUID_FILE.getParent());
        Files.write(SYSTEM_UUID_FILE, (fresh + "\0").getBytes(StandardCharsets.US_ASCII),
                java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
        Files.setPosixFilePermissions(SYSTEM_UUID_FILE,
                java.nio.file.attribute.PosixFilePermissions.fromString("r--r--r--"));
        return fresh;
    }

    /** This host's system UUID from {@link #SYSTEM_UUID_FILE}, or empty when it has none. */
    public static Optional<UUID> fromHostFile() {
        return systemUuid(new Environment(Optional.empty(), Optional.empty(), false, false, Optional.empty(),
                io.github.famfs.format.Layout.DEFAULT_LOG_LEN, Optional.empty(), LiveOptions.DEFAULT,
                Environment.Coherence.HARDWARE), new String[1]);
    }

    /** The UUID, or empty (this host is then a client) with the reason in {@code why[0]}. */
    static Optional<UUID> systemUuid(Environment env, String[] why) {
        if (env.systemUuid().isPresent()) {
            return env.systemUuid();
        }
        return fromFile(SYSTEM_UUID_FILE, why);
    }

    /** Leading white space read past before the UUID (the reference's fscanf skips any amount; we bound it). */
    private static final int MAX_LEADING_SPACE = 4096;

    /**
     * The UUID that {@code file} holds, read as the reference reads it ({@code fscanf("%36s")}, then
     * {@code uuid_parse}): C white space skipped, then at most 36 characters, which must be a canonical UUID
     * (8-4-4-4-12 hex digits, either case); or empty with the reason in {@code why[0]}. Only a regular file is
     * read, and only its first few KiB: a FIFO there would block every mount until a writer came, and a huge file
     * would be read whole. (A FIFO swapped in between the look and the open can still block that open: Java opens
     * nothing non-blocking; it is then refused, never read.)
     */
    static Optional<UUID> fromFile(Path file, String[] why) {
        try {
            if (!Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).isRegularFile()) {
                why[0] = file + " is not a regular file";
                return Optional.empty();
            }
            java.nio.ByteBuffer head = java.nio.ByteBuffer.allocate(MAX_LEADING_SPACE + 36);
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file)) {
                try {
                    ch.position(0); // a FIFO or socket put there since the look has no position
                } catch (IOException e) {
                    why[0] = file + " is not a regular file";
                    return Optional.empty();
                }
                while (head.hasRemaining() && ch.read(head) >= 0) {
                    // the first bytes only
                }
            }
            Optional<UUID> id = Uuids.parseCanonical(firstWord(head.array(), head.position()));
            if (id.isEmpty()) {
                why[0] = file + " does not hold a UUID";
            }
            return id;
        } catch (NoSuchFileException e) {
            why[0] = file + " does not exist";
        } catch (IOException e) {
            why[0] = "cannot read " + file + ": " + e;
        }
        return Optional.empty();
    }

    /** fscanf's {@code %36s}: C white space skipped, then up to 36 bytes to the next white space (a NUL ends it). */
    private static String firstWord(byte[] b, int length) {
        int i = 0;
        while (i < length && isCSpace(b[i])) {
            i++;
        }
        int start = i;
        while (i < length && i - start < 36 && !isCSpace(b[i]) && b[i] != 0) {
            i++;
        }
        return new String(b, start, i - start, StandardCharsets.ISO_8859_1);
    }

    private static boolean isCSpace(byte c) {
        return c == ' ' || c == '\t' || c == '\n' || c == 0x0b || c == '\f' || c == '\r';
    }
}
