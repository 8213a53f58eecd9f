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
 * non-blank characters); reading never creates the file.
 */
final class HostIdentity {
    static final Path SYSTEM_UUID_FILE = Path.of("/opt/famfs/system_uuid");

    private HostIdentity() {}

    /**
     * The UUID for formatting: the env's, else the file's, else a new random one written to the file as the
     * reference writes it (directory 0755, file 0444, the canonical text and a NUL).
     */
    static UUID systemUuidForFormat(Environment env) throws IOException {
        String[] why = {null};
        Optional<UUID> known = systemUuid(env, why);
        if (known.isPresent()) {
            return known.get();
        }
        UUID fresh = UUID.randomUUID();
        try {
            Files.createDirectories(SYSTEM_UUID_FILE.getParent());
            Files.write(SYSTEM_UUID_FILE, (fresh + "\0").getBytes(StandardCharsets.US_ASCII),
                    java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE);
            Files.setPosixFilePermissions(SYSTEM_UUID_FILE,
                    java.nio.file.attribute.PosixFilePermissions.fromString("r--r--r--"));
        } catch (IOException e) {
            throw new IOException("formatting needs this host's famfs system UUID: " + why[0] + " and it could not"
                    + " be created (" + e + "); pass env systemUuid", e);
        }
        return fresh;
    }

    /** The UUID, or empty (this host is then a client) with the reason in {@code why[0]}. */
    static Optional<UUID> systemUuid(Environment env, String[] why) {
        if (env.systemUuid().isPresent()) {
            return env.systemUuid();
        }
        try {
            String text = new String(Files.readAllBytes(SYSTEM_UUID_FILE), StandardCharsets.US_ASCII).trim();
            int end = 0;
            while (end < text.length() && end < 36 && !Character.isWhitespace(text.charAt(end))
                    && text.charAt(end) != 0) {
                end++;
            }
            return Optional.of(UUID.fromString(text.substring(0, end)));
        } catch (NoSuchFileException e) {
            why[0] = SYSTEM_UUID_FILE + " does not exist";
        } catch (IOException e) {
            why[0] = "cannot read " + SYSTEM_UUID_FILE + ": " + e;
        } catch (IllegalArgumentException e) {
            why[0] = SYSTEM_UUID_FILE + " does not hold a UUID";
        }
        return Optional.empty();
    }
}
