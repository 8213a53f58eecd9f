package io.github.famfs.nio;

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

    /**
     * The UUID that {@code file} holds (the reference's format: the canonical text, then a NUL or a newline), or
     * empty with the reason in {@code why[0]}. Only a regular file is read, and only its first bytes: a FIFO there
     * would block every mount until a writer came, and a huge file would be read whole.
     */
    static Optional<UUID> fromFile(Path file, String[] why) {
        try {
            if (!Files.readAttributes(file, java.nio.file.attribute.BasicFileAttributes.class).isRegularFile()) {
                why[0] = file + " is not a regular file";
                return Optional.empty();
            }
            byte[] head;
            try (java.io.InputStream in = Files.newInputStream(file)) {
                head = in.readNBytes(64);
            }
            String text = new String(head, StandardCharsets.US_ASCII).trim();
            int end = 0;
            while (end < text.length() && end < 36 && !Character.isWhitespace(text.charAt(end))
                    && text.charAt(end) != 0) {
                end++;
            }
            return Optional.of(UUID.fromString(text.substring(0, end)));
        } catch (NoSuchFileException e) {
            why[0] = file + " does not exist";
        } catch (IOException e) {
            why[0] = "cannot read " + file + ": " + e;
        } catch (IllegalArgumentException e) {
            why[0] = file + " does not hold a UUID";
        }
        return Optional.empty();
    }
}
