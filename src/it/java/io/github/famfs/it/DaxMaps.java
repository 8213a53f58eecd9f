package io.github.famfs.it;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What this process has of a DAX device, as the kernel sees it: the device's mappings in /proc/self/maps and the
 * access mode of its open descriptors in /proc/self/fdinfo. Read through streams: procfs files report size 0.
 */
public final class DaxMaps {
    private DaxMaps() {}

    /** One line of /proc/self/maps naming the device. */
    public record Mapping(long start, long end, String perms, long offset, String line) {
        public boolean writable() {
            return perms.charAt(1) == 'w';
        }

        public boolean shared() {
            return perms.charAt(3) == 's';
        }

        /** Null when the mapping starts, ends and maps from multiples of {@code align}; else what is wrong. */
        public String misalignment(long align) {
            List<String> bad = new ArrayList<>();
            if (start % align != 0) {
                bad.add("start");
            }
            if (end % align != 0) {
                bad.add("end");
            }
            if (offset % align != 0) {
                bad.add("offset");
            }
            return bad.isEmpty() ? null : String.join("+", bad) + " not a multiple of " + align;
        }
    }

    static String read(Path p) throws IOException {
        try (InputStream in = Files.newInputStream(p)) {
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    /** The device's mappings now. */
    public static List<Mapping> mappings(String device) throws IOException {
        List<Mapping> l = new ArrayList<>();
        for (String line : read(Path.of("/proc/self/maps")).split("\n")) {
            String[] f = line.trim().split("\\s+", 6);
            if (f.length < 6 || !f[5].equals(device)) {
                continue;
            }
            int dash = f[0].indexOf('-');
            l.add(new Mapping(Long.parseUnsignedLong(f[0].substring(0, dash), 16),
                    Long.parseUnsignedLong(f[0].substring(dash + 1), 16), f[1], Long.parseUnsignedLong(f[2], 16),
                    line));
        }
        return l;
    }

    /**
     * Checks every mapping of the device: aligned to {@code align}, shared, and writable only if {@code mayWrite}.
     * Returns a summary; throws naming the first bad line.
     */
    public static String checkAligned(String device, long align, boolean mayWrite, int atLeast)
            throws IOException, Checks.Failure {
        List<Mapping> maps = mappings(device);
        if (maps.size() < atLeast) {
            throw new Checks.Failure("expected at least " + atLeast + " mappings of " + device + " in /proc/self/maps,"
                    + " found " + maps.size());
        }
        long bytes = 0;
        int writable = 0;
        for (Mapping m : maps) {
            String bad = m.misalignment(align);
            if (bad != null) {
                throw new Checks.Failure("misaligned mapping of " + device + " (" + bad + "): " + m.line());
            }
            if (!m.shared()) {
                throw new Checks.Failure("private mapping of " + device + ": " + m.line());
            }
            if (m.writable()) {
                if (!mayWrite) {
                    throw new Checks.Failure("writable mapping of " + device + " in a read-only process: " + m.line());
                }
                writable++;
            }
            bytes += m.end() - m.start();
        }
        return maps.size() + " mappings of " + device + " (" + writable + " writable, " + bytes / (1 << 20)
                + " MiB), all " + align + "-aligned in start, end and offset, all shared; e.g. '"
                + maps.get(maps.size() - 1).line().replaceAll("\\s+", " ") + "'";
    }

    /**
     * The access modes (O_RDONLY 0, O_WRONLY 1, O_RDWR 2) of this process's open descriptors of {@code device},
     * from the flags in /proc/self/fdinfo.
     */
    public static List<Integer> accessModes(String device) throws IOException {
        List<Integer> modes = new ArrayList<>();
        try (var fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                Path target;
                try {
                    target = Files.readSymbolicLink(fd);
                } catch (IOException gone) {
                    continue;
                }
                if (!target.toString().equals(device)) {
                    continue;
                }
                for (String line : read(Path.of("/proc/self/fdinfo", fd.getFileName().toString())).split("\n")) {
                    if (line.startsWith("flags:")) {
                        modes.add(Integer.parseInt(line.substring(6).trim(), 8) & 3);
                    }
                }
            }
        }
        return modes;
    }
}
