package io.github.famfs.cli;

import io.github.famfs.format.Extent;
import io.github.famfs.format.FileMap;
import io.github.famfs.format.InterleavedMap;
import java.util.Locale;

/** Sizes, modes and maps as people read them. */
final class Units {
    private Units() {}

    private static final String[] SUFFIX = {"", "K", "M", "G", "T", "P", "E"};

    /** 0, 512, 4K, 1.5M, 64M, 3.9G: powers of 1024, exact when whole, else one decimal. */
    static String human(long bytes) {
        if (bytes < 1024) {
            return Long.toString(bytes);
        }
        int unit = 0;
        double v = bytes;
        while (v >= 1024 && unit < SUFFIX.length - 1) {
            v /= 1024;
            unit++;
        }
        long whole = 1L << (10 * unit);
        if (bytes % whole == 0) {
            return (bytes / whole) + SUFFIX[unit];
        }
        return String.format(Locale.ROOT, "%.1f%s", v, SUFFIX[unit]);
    }

    /** "-rw-r--r--" or "drwxr-xr-x", with s/S and t/T for setuid, setgid and sticky. */
    static String modeString(int mode, boolean directory) {
        StringBuilder sb = new StringBuilder(directory ? "d" : "-");
        String rwx = "rwxrwxrwx";
        for (int i = 0; i < 9; i++) {
            sb.append((mode & (0400 >> i)) != 0 ? rwx.charAt(i) : '-');
        }
        special(sb, 3, (mode & 04000) != 0, 's');
        special(sb, 6, (mode & 02000) != 0, 's');
        special(sb, 9, (mode & 01000) != 0, 't');
        return sb.toString();
    }

    private static void special(StringBuilder sb, int at, boolean set, char c) {
        if (set) {
            sb.setCharAt(at, sb.charAt(at) == '-' ? Character.toUpperCase(c) : c);
        }
    }

    static String octal(int mode) {
        return String.format("%04o", mode & 07777);
    }

    /** One-word summary of a map for ls -l: "1 extent 4M", "3 extents 10M", "4 strips x 16M, chunk 2M". */
    static String mapSummary(FileMap map) {
        if (map == null) {
            return "no map";
        }
        if (map instanceof InterleavedMap im) {
            return im.nstrips() + (im.nstrips() == 1 ? " strip x " : " strips x ")
                    + human(im.strips().get(0).length()) + ", chunk " + human(im.chunkSize());
        }
        int n = map.extents().size();
        return n + (n == 1 ? " extent " : " extents ") + human(map.allocatedBytes());
    }

    /** 19 B, 356.6 KiB, 64 MiB, 3.9 GiB: for sentences and summaries. */
    static String iec(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String h = human(bytes);
        return h.substring(0, h.length() - 1) + " " + h.charAt(h.length() - 1) + "iB";
    }

    /** "in 0.31 s (1.2 GiB/s)"; the rate only when there was enough to measure. */
    static String took(long bytes, long nanos) {
        String t = String.format(Locale.ROOT, "in %.2f s", nanos / 1e9);
        return bytes >= (1L << 20) && nanos > 1_000_000 ? t + " (" + rate(bytes, nanos) + ")" : t;
    }

    static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    /** The lines of a map: one per extent or strip, with device offsets and lengths. */
    static String extentLine(String what, int index, Extent e) {
        return String.format("  %s %d: devindex %d, offset %s, length %s (%s)", what, index, e.devIndex(),
                hex(e.offset()), hex(e.length()), human(e.length()));
    }

    static String rate(long bytes, long nanos) {
        double secs = Math.max(nanos, 1) / 1e9;
        return iec((long) (bytes / secs)) + "/s";
    }
}
