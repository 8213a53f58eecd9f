package io.github.famfs.memory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads /proc and /sys files. They report a size of 0 (or a page) to stat, and some JDKs size their read by
 * it (JDK 25's Files.readString returned "6" for /proc/sys/vm/max_map_count), so read the stream to its end.
 */
final class PseudoFiles {
    private PseudoFiles() {}

    static byte[] read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readAllBytes();
        }
    }
}
