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
