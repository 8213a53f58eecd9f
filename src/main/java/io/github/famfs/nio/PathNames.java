package io.github.famfs.nio;

import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;

/**
 * famfs names as bytes: UTF-8, encoded strictly. A name that UTF-8 cannot hold (a lone UTF-16 surrogate) or
 * that holds NUL is an {@link InvalidPathException}, as the JDK's default provider answers on Linux with a UTF-8
 * {@code sun.jnu.encoding}; never a replacement character that would make two names one.
 */
final class PathNames {
    private PathNames() {}

    /** Checks that {@code path} can be a famfs path (see the class comment): one pass, no allocation. */
    static void check(String path) {
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '\0') {
                throw new InvalidPathException(path, "famfs names cannot hold NUL", i);
            }
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < path.length()
                        && Character.isLowSurrogate(path.charAt(i + 1))) {
                    i++;
                } else {
                    throw new InvalidPathException(path, "Malformed input or input contains unmappable characters"
                            + " (famfs names are UTF-8, which has no form for a lone UTF-16 surrogate)", i);
                }
            }
        }
    }

    /** The UTF-8 bytes of {@code path}, checked first, so they decode back to the same string. */
    static byte[] utf8(String path) {
        check(path);
        return path.getBytes(StandardCharsets.UTF_8);
    }
}
