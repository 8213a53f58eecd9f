package io.github.famfs.nio;

import io.github.famfs.format.InterleaveParams;
import io.github.famfs.format.Uuids;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The {@code env} map of {@code FileSystems.newFileSystem}: string keys, values as strings (or the natural type:
 * Boolean, Number, UUID). Unknown keys and bad values are IllegalArgumentExceptions naming them; numbers and
 * sizes are parsed exactly, and one that does not fit its range is refused, never cast.
 *
 * <ul>
 *   <li>{@code accessMode}: {@code readOnly} or {@code readWrite}. Default: readWrite on the master (when the
 *       device is writable), readOnly on a client.
 *   <li>{@code systemUuid}: this host's famfs system UUID. Default: the contents of /opt/famfs/system_uuid, as the
 *       reference reads it; without one a host is a client, and formatting fails naming this key (the library
 *       never creates the file).
 *   <li>{@code create}: {@code true} formats the device or image when it holds no data to lose (an absent or empty
 *       image file is given {@code deviceSize} bytes; otherwise the superblock and log area must be all zero); a
 *       device that holds a famfs is opened as it is, anything else is refused ({@link NotBlankException}).
 *   <li>{@code force}: with {@code create}, formats whatever is there (an existing famfs, other data: all lost).
 *   <li>{@code deviceSize}: size of an image file to create, e.g. {@code 4G}, {@code 512M} (at least 16M).
 *   <li>{@code logLength}: log length for formatting, a power of two of at least {@code 8M} (default 8M).
 *   <li>{@code nstrips}, {@code chunkSize}, {@code nbuckets}: the file-system default for new files: interleaved
 *       over nstrips strips in chunkSize chunks (default 2M) within nbuckets buckets (default nstrips).
 *   <li>{@code refreshInterval}, {@code clientWrites}: live sharing, see {@link LiveOptions}.
 *   <li>{@code coherence}: {@code hardware} (default) or {@code software}. Both do the reference's metadata cache
 *       maintenance (superblock, log header and entries invalidated before reading, entries then header written
 *       back after an append). {@code software} also writes back every byte famfs-nio writes into a file before
 *       the entry that publishes it, and invalidates before channel and stream reads; it needs the native
 *       cache-line helper and refuses to open without it. The file store attribute {@code famfs:coherence} says
 *       what is in use.
 * </ul>
 */
public record Environment(Optional<AccessMode> accessMode, Optional<UUID> systemUuid, boolean create, boolean force,
        Optional<Long> deviceSize, long logLength, Optional<InterleaveParams> interleave, LiveOptions live,
        Coherence coherence) {
    public static final String ACCESS_MODE = "accessMode";
    public static final String SYSTEM_UUID = "systemUuid";
    public static final String CREATE = "create";
    public static final String FORCE = "force";
    public static final String DEVICE_SIZE = "deviceSize";
    public static final String LOG_LENGTH = "logLength";
    public static final String NSTRIPS = "nstrips";
    public static final String CHUNK_SIZE = "chunkSize";
    public static final String NBUCKETS = "nbuckets";
    public static final String COHERENCE = "coherence";
    private static final Set<String> KNOWN = Set.of(ACCESS_MODE, SYSTEM_UUID, CREATE, FORCE, DEVICE_SIZE, LOG_LENGTH,
            NSTRIPS, CHUNK_SIZE, NBUCKETS, COHERENCE, LiveOptions.REFRESH_INTERVAL, LiveOptions.CLIENT_WRITES);

    /** Who keeps the CPU caches coherent with the shared memory for file data (see the class comment). */
    public enum Coherence {
        /** The memory system (one host, or hardware-coherent shared CXL memory): only metadata is maintained. */
        HARDWARE,
        /** famfs-nio: every data write written back, every channel/stream read invalidated first. */
        SOFTWARE;

        /** The env value: {@code hardware} or {@code software}. */
        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

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
            // the reference's uuid_parse form only: UUID.fromString also takes 1-1-1-1-1 and other scripts' digits
            uuid = Optional.of(Uuids.parseCanonical(su.toString().trim()).orElseThrow(
                    () -> new IllegalArgumentException("famfs env key 'systemUuid' has value '" + su
                            + "', not a UUID (like 00112233-4455-6677-8899-aabbccddeeff)")));
        }
        boolean create = bool(env, CREATE);
        boolean force = bool(env, FORCE);
        Optional<Long> deviceSize = Optional.ofNullable(env.get(DEVICE_SIZE)).map(v -> size(DEVICE_SIZE, v));
        long logLength = Optional.ofNullable(env.get(LOG_LENGTH)).map(v -> size(LOG_LENGTH, v))
                .orElse(io.github.famfs.format.Layout.DEFAULT_LOG_LEN);
        if (force && !create) {
            throw new IllegalArgumentException("famfs env key 'force' goes with create=true (it reformats)");
        }
        Optional<InterleaveParams> interleave = Optional.empty();
        if (env.containsKey(NSTRIPS) || env.containsKey(CHUNK_SIZE) || env.containsKey(NBUCKETS)) {
            if (!env.containsKey(NSTRIPS)) {
                throw new IllegalArgumentException("famfs env keys chunkSize/nbuckets need nstrips too");
            }
            int nstrips = count(NSTRIPS, env.get(NSTRIPS));
            long chunk = env.containsKey(CHUNK_SIZE) ? size(CHUNK_SIZE, env.get(CHUNK_SIZE))
                    : InterleaveParams.DEFAULT_CHUNK;
            int nbuckets = env.containsKey(NBUCKETS) ? count(NBUCKETS, env.get(NBUCKETS)) : nstrips;
            checkKey(CHUNK_SIZE, env.containsKey(CHUNK_SIZE) ? env.get(CHUNK_SIZE) : chunk,
                    () -> InterleaveParams.checkChunkSize(chunk));
            checkKey(NBUCKETS, env.containsKey(NBUCKETS) ? env.get(NBUCKETS) : nbuckets,
                    () -> InterleaveParams.checkNbuckets(nbuckets));
            checkKey(NSTRIPS, env.get(NSTRIPS), () -> InterleaveParams.checkNstrips(nstrips, nbuckets));
            interleave = Optional.of(new InterleaveParams(nbuckets, nstrips, chunk));
        }
        Coherence coherence = Coherence.HARDWARE;
        Object co = env.get(COHERENCE);
        if (co != null) {
            coherence = java.util.Arrays.stream(Coherence.values()).filter(c -> c.toString().equals(co.toString()))
                    .findFirst().orElseThrow(() -> new IllegalArgumentException("famfs env key 'coherence' has value '"
                            + co + "' (expected hardware or software)"));
        }
        LiveOptions live = LiveOptions.parse(env);
        if (live.clientWrites() && mode.equals(Optional.of(AccessMode.READ_ONLY))) { // on any host, before any format
            throw new IllegalArgumentException("famfs env key 'clientWrites' is true but 'accessMode' is readOnly");
        }
        return new Environment(mode, uuid, create, force, deviceSize, logLength, interleave, live, coherence);
    }

    /** Runs {@code check}; its IllegalArgumentException is rethrown naming {@code key} and its value. */
    private static void checkKey(String key, Object value, Runnable check) {
        try {
            check.run();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("famfs env key '" + key + "' has value '" + value + "': "
                    + e.getMessage(), e);
        }
    }

    /**
     * Checks the interleave keys against a device of {@code deviceSize} bytes (the rule that needs the size:
     * at least 1 GiB per bucket), naming the key; nothing to check without them.
     */
    void checkInterleave(long deviceSize) {
        interleave.ifPresent(il -> checkKey(NBUCKETS, il.nbuckets(), () -> il.checkBuckets(deviceSize)));
    }

    private static boolean bool(Map<String, ?> env, String key) {
        Object v = env.get(key);
        if (v == null) {
            return false;
        }
        String s = v.toString();
        if (s.equalsIgnoreCase("true")) {
            return true;
        }
        if (s.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException("famfs env key '" + key + "' has value '" + s + "' (expected true or"
                + " false)");
    }

    /** An int in [1, Integer.MAX_VALUE], parsed exactly: never a silent cast (4294967298 is not 2). */
    private static int count(String key, Object v) {
        long n = exact(key, v, "a number");
        if (n < 1 || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("famfs env key '" + key + "' has value '" + v + "', out of range (1 to "
                    + Integer.MAX_VALUE + ")");
        }
        return (int) n;
    }

    /** A Number of integral value that fits a long (Integer, Long, BigInteger, a whole Double...), exactly. */
    private static long exact(String key, Object v, String what) {
        try {
            if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
                return ((Number) v).longValue();
            }
            if (v instanceof Number n) {
                return new java.math.BigDecimal(n.toString()).longValueExact();
            }
            return Long.parseLong(v.toString().trim());
        } catch (ArithmeticException | NumberFormatException e) {
            throw new IllegalArgumentException("famfs env key '" + key + "' has value '" + v + "', not " + what
                    + " that fits in 64 bits");
        }
    }

    /** Parses a size: a number of bytes with an optional k, m, g or t suffix (powers of 1024). */
    public static long parseSize(String text) {
        String s = text.trim().toLowerCase(Locale.ROOT);
        if (s.endsWith("ib") || s.endsWith("b")) {
            s = s.substring(0, s.length() - (s.endsWith("ib") ? 2 : 1));
        }
        int shift = 0;
        if (!s.isEmpty()) {
            switch (s.charAt(s.length() - 1)) {
                case 'k': shift = 10; break;
                case 'm': shift = 20; break;
                case 'g': shift = 30; break;
                case 't': shift = 40; break;
                default: break;
            }
        }
        if (shift > 0) {
            s = s.substring(0, s.length() - 1);
        }
        long n = Long.parseLong(s);
        if (n < 0 || (shift > 0 && n > (Long.MAX_VALUE >> shift))) {
            throw new NumberFormatException("size out of range: " + text);
        }
        return n << shift;
    }

    private static long size(String key, Object v) {
        long n;
        if (v instanceof Number) {
            n = exact(key, v, "a size");
        } else {
            try {
                n = parseSize(v.toString());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("famfs env key '" + key + "' has value '" + v
                        + "', not a size (like 4G, 512M, 8388608) that fits in 63 bits");
            }
        }
        if (n <= 0) {
            throw new IllegalArgumentException("famfs env key '" + key + "' has value '" + v + "', not a positive"
                    + " size");
        }
        return n;
    }
}
