package io.github.famfs.memory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Who holds a flock(2) on a file, as /proc/locks tells (the process that took it; a descriptor inherited by a
 * child is not named). For the message of a process that has waited long for the device's lock.
 */
final class FlockHolders {
    private FlockHolders() {}

    /** "pid 123 (java -jar x.jar)" for each FLOCK on {@code file}'s inode, or a sentence saying none was found. */
    static String describe(Path file) {
        try {
            long ino = ((Number) Files.getAttribute(file, "unix:ino")).longValue();
            long dev = ((Number) Files.getAttribute(file, "unix:dev")).longValue();
            long major = ((dev >>> 8) & 0xfff) | ((dev >>> 32) & ~0xfffL);
            long minor = (dev & 0xff) | ((dev >>> 12) & ~0xffL);
            String[] lines = new String(PseudoFiles.read(Path.of("/proc/locks")), StandardCharsets.US_ASCII)
                    .split("\n");
            List<String> holders = new ArrayList<>();
            for (String line : lines) {
                String[] f = line.trim().split("\\s+");
                // "1: FLOCK  ADVISORY  WRITE 12345 fd:01:1234 0 EOF" ("->" marks a waiter)
                if (f.length < 6 || !f[1].equals("FLOCK")) {
                    continue;
                }
                String[] id = f[5].split(":");
                if (id.length != 3 || Long.parseLong(id[0], 16) != major || Long.parseLong(id[1], 16) != minor
                        || Long.parseLong(id[2]) != ino) {
                    continue;
                }
                holders.add("pid " + f[4] + command(f[4]));
            }
            return holders.isEmpty() ? "/proc/locks names no holder" : "held by " + String.join(", ", holders);
        } catch (IOException | RuntimeException e) {
            return "its holder is not known (" + e + ")";
        }
    }

    private static String command(String pid) {
        try {
            byte[] b = PseudoFiles.read(Path.of("/proc", pid, "cmdline"));
            String s = new String(b, StandardCharsets.UTF_8).replace('\0', ' ').trim();
            return s.isEmpty() ? "" : " (" + (s.length() > 200 ? s.substring(0, 200) + "…" : s) + ")";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
