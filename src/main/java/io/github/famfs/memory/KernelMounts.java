package io.github.famfs.memory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Kernel famfs mounts of a device (standalone famfs, or famfs over fuse), found in /proc/self/mounts. The
 * reference CLI serialises its appends with flock(2) on {@code <mount>/.meta/.log}; a writer here takes that
 * lock too, so that it and the reference tools never append at once.
 */
public final class KernelMounts {
    /** Where the mount table is; a system property lets tests point at a fake one. */
    static final String MOUNTS_PROPERTY = "famfs.mounts";

    private KernelMounts() {}

    /** The {@code .meta/.log} files of the famfs mounts of {@code device} that exist. */
    public static List<Path> logFilesOf(Path device) throws IOException {
        Path table = Path.of(System.getProperty(MOUNTS_PROPERTY, "/proc/self/mounts"));
        if (!Files.exists(table)) {
            return List.of();
        }
        Path real = device.toRealPath();
        List<Path> logs = new ArrayList<>();
        for (String line : new String(PseudoFiles.read(table), StandardCharsets.UTF_8).split("\n")) {
            String[] f = line.split(" ");
            if (f.length < 3 || !(f[2].equals("famfs") || f[2].startsWith("fuse.famfs"))) {
                continue;
            }
            Path source = Path.of(unescape(f[0]));
            try {
                if (!Files.exists(source) || !source.toRealPath().equals(real)) {
                    continue;
                }
            } catch (IOException e) {
                continue;
            }
            Path log = Path.of(unescape(f[1]), ".meta", ".log");
            if (Files.exists(log)) {
                logs.add(log);
            }
        }
        return logs;
    }

    /** /proc/mounts writes space, tab, newline and backslash as octal escapes. */
    static String unescape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 3 < s.length() && s.substring(i + 1, i + 4).matches("[0-7]{3}")) {
                b.append((char) Integer.parseInt(s.substring(i + 1, i + 4), 8));
                i += 3;
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    /** An flock(2) held on a file, released by {@link #close()}. */
    public static final class FileLock implements AutoCloseable {
        private final int fd;
        private final Path file;
        private boolean closed;

        private FileLock(int fd, Path file) {
            this.fd = fd;
            this.file = file;
        }

        /** Opens {@code file} and takes LOCK_EX on it (blocking). */
        public static FileLock exclusive(Path file) throws IOException {
            return exclusive(file, () -> false);
        }

        /**
         * Opens {@code file} and takes LOCK_EX on it; while another process holds it this polls (LOCK_NB, backing
         * off to 5 ms) and gives up with {@link java.nio.file.ClosedFileSystemException} once {@code closing}
         * says so, so that a closing file system never waits on another process, and with
         * {@link java.nio.channels.FileLockInterruptionException} (the interrupt status set again) when the
         * waiting thread is interrupted. Either way the file is closed again.
         */
        public static FileLock exclusive(Path file, java.util.function.BooleanSupplier closing) throws IOException {
            LibcCalls c = Native.libc();
            int fd = c.open(Native.cString(file), LibcCalls.O_RDONLY | LibcCalls.O_CLOEXEC, 0);
            if (fd < 0) {
                throw Native.error("open", file);
            }
            LockWait wait = new LockWait(50_000, 5_000_000);
            while (c.flock(fd, LibcCalls.LOCK_EX | LibcCalls.LOCK_NB) != 0) {
                int errno = Native.errno();
                if (errno != EWOULDBLOCK && errno != EINTR) {
                    IOException e = Native.error("flock", file);
                    c.close(fd);
                    throw e;
                }
                if (closing.getAsBoolean()) {
                    c.close(fd);
                    throw new java.nio.file.ClosedFileSystemException();
                }
                try {
                    wait.pause();
                } catch (java.nio.channels.FileLockInterruptionException e) {
                    c.close(fd);
                    throw e;
                }
            }
            return new FileLock(fd, file);
        }

        private static final int EINTR = 4;
        private static final int EWOULDBLOCK = 11;

        /** Releases the lock and closes the file; idempotent (the descriptor is closed once). */
        @Override
        public synchronized void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            LibcCalls c = Native.libc();
            c.flock(fd, LibcCalls.LOCK_UN);
            c.close(fd);
        }

        @Override
        public String toString() {
            return "flock(" + file + ")";
        }
    }
}
