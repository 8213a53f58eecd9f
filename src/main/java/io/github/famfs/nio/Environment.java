package io.github.famfs.nio;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The {@code env} map of {@code FileSystems.newFileSystem}: string keys, values as strings (or the natural type).
 * Unknown keys and bad values are IllegalArgumentExceptions naming them.
 *
 * <ul>
 *   <li>{@code accessMode}: {@code readOnly} or {@code readWrite}. Default: readWrite on the master (when the
 *       device is writable), readOnly on a client.
 *   <li>{@code systemUuid}: this host's famfs system UUID. Default: the contents of /opt/famfs/system_uuid, as the
 *       reference reads it; a file system opened without one is a client.
 * </ul>
 */
public record Environment(Optional<AccessMode> accessMode, Optional<UUID> systemUuid) {
    public static final String ACCESS_MODE = "accessMode";
    public static final String SYSTEM_UUID = "systemUuid";
    private static final Set<String> KNOWN = Set.of(ACCESS_MODE, SYSTEM_UUID);

    public enum AccessMode {
        READ_ONLY("readOnly"), READ_WRITE("readWrite");

        private final String text;

        AccessMode(String text) {
            this.text = text;
        }

        @Override
        public String toString() {
            return text;
        }
    }

    public static Environment parse(Map<String, ?> env) {
        if (env == null) {
            env = Map.of();
        }
        for (Object key : env.keySet()) {
            if (!(key instanceof String) || !KNOWN.contains(key)) {
                throw new IllegalArgumentException("unknown famfs env key '" + key + "' (known keys: "
                        + new TreeSet<>(KNOWN) + ")");
            }
        }
        Optional<AccessMode> mode = Optional.empty();
        Object am = env.get(ACCESS_MODE);
        if (am != null) {
            String s = am.toString();
            if (s.equals("readOnly")) {
                mode = Optional.of(AccessMode.READ_ONLY);
            } else if (s.equals("readWrite")) {
                mode = Optional.of(AccessMode.READ_WRITE);
            } else {
                throw new IllegalArgumentException("famfs env key 'accessMode' has value '" + s
                        + "' (expected readOnly or readWrite)");
            }
        }
        Optional<UUID> uuid = Optional.empty();
        Object su = env.get(SYSTEM_UUID);
        if (su instanceof UUID u) {
            uuid = Optional.of(u);
        } else if (su != null) {
            try {
                uuid = Optional.of(UUID.fromString(su.toString().trim()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("famfs env key 'systemUuid' has value '" + su
                        + "', not a UUID (like 00112233-4455-6677-8899-aabbccddeeff)");
            }
        }
        return new Environment(mode, uuid);
    }
}
