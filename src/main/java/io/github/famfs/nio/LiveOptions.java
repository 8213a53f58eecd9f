package io.github.famfs.nio;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;

/**
 * The env keys of live sharing.
 *
 * <ul>
 *   <li>{@code refreshInterval}: how often a lookup that misses (exists, attributes, open, a directory listing, a
 *       watch registration) first catches up with the log, and how often a watch service polls the log's next
 *       index: a duration such as {@code 100ms}, {@code 2s}, {@code 1m} or {@code 500us} (a
 *       {@link java.time.Duration} or a number of milliseconds work too); {@code 0} refreshes on every miss;
 *       {@code off} never refreshes by itself ({@link FamfsFileSystem#refresh()} still does, and signals the watch
 *       keys). Default {@value #DEFAULT_TEXT}.
 *   <li>{@code clientWrites}: {@code true} lets a client open existing files for writing in place (channels,
 *       streams, READ_WRITE maps): files never grow and the log is never touched. Default false.
 * </ul>
 *
 * @param refreshNanos the interval in nanoseconds, or -1 for {@code off}
 */
record LiveOptions(long refreshNanos, boolean clientWrites) {
    static final String REFRESH_INTERVAL = "refreshInterval";
    static final String CLIENT_WRITES = "clientWrites";
    static final String DEFAULT_TEXT = "100ms";
    static final long DEFAULT_REFRESH_NANOS = 100_000_000L;
    static final LiveOptions DEFAULT = new LiveOptions(DEFAULT_REFRESH_NANOS, false);
    /** Longest interval accepted: a day (a longer one is surely a unit mistake). */
    private static final long MAX_NANOS = Duration.ofDays(1).toNanos();

    boolean refreshOff() {
        return refreshNanos < 0;
    }

    static LiveOptions parse(Map<String, ?> env) {
        long nanos = DEFAULT_REFRESH_NANOS;
        Object v = env.get(REFRESH_INTERVAL);
        if (v != null) {
            nanos = interval(v);
        }
        boolean writes = false;
        Object w = env.get(CLIENT_WRITES);
        if (w != null) {
            String s = w.toString();
            if (s.equalsIgnoreCase("true")) {
                writes = true;
            } else if (!s.equalsIgnoreCase("false")) {
                throw new IllegalArgumentException("famfs env key '" + CLIENT_WRITES + "' has value '" + s
                        + "' (expected true or false)");
            }
        }
        return new LiveOptions(nanos, writes);
    }

    private static long interval(Object v) {
        long nanos;
        // out-of-range values saturate to the sign's extreme, so that the refusal below names the right problem
        if (v instanceof Duration d) {
            try {
                nanos = d.toNanos();
            } catch (ArithmeticException e) {
                nanos = d.isNegative() ? Long.MIN_VALUE : Long.MAX_VALUE;
            }
        } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
            long ms = ((Number) v).longValue();
            nanos = ms > MAX_NANOS / 1_000_000 ? Long.MAX_VALUE : ms < 0 ? Long.MIN_VALUE : ms * 1_000_000;
        } else {
            String s = v.toString().trim().toLowerCase(Locale.ROOT);
            if (s.equals("off")) {
                return -1;
            }
            nanos = parse(s, v);
        }
        if (nanos < 0 || nanos > MAX_NANOS) {
            throw bad(v, nanos < 0 ? "a negative interval" : "longer than a day");
        }
        return nanos;
    }

    private static final String[][] UNITS = {{"ns", "1"}, {"us", "1000"}, {"ms", "1000000"}, {"s", "1000000000"},
        {"m", "60000000000"}, {"h", "3600000000000"}};

    /** "0", or digits then one unit (ns, us, ms, s, m, h). */
    private static long parse(String s, Object v) {
        if (s.equals("0")) {
            return 0;
        }
        int i = 0;
        while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
            i++;
        }
        String digits = s.substring(0, i);
        String unit = s.substring(i).trim();
        if (digits.isEmpty() || digits.length() > 18) {
            throw bad(v, "not a duration");
        }
        for (String[] u : UNITS) {
            if (u[0].equals(unit)) {
                long n = Long.parseLong(digits);
                long per = Long.parseLong(u[1]);
                return n > MAX_NANOS / per ? Long.MAX_VALUE : n * per;
            }
        }
        throw bad(v, unit.isEmpty() ? "a number without a unit" : "unknown unit '" + unit + "'");
    }

    private static IllegalArgumentException bad(Object v, String why) {
        return new IllegalArgumentException("famfs env key '" + REFRESH_INTERVAL + "' has value '" + v + "', " + why
                + " (expected a duration such as 100ms, 2s, 500us or 1m; 0 for every miss; or off)");
    }
}
