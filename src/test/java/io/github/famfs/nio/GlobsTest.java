package io.github.famfs.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.util.List;
import org.junit.jupiter.api.Test;

/** famfs globs answer as the default (Unix) provider's globs do, pattern by pattern, path by path. */
class GlobsTest {
    private static final List<String> PATTERNS = List.of("*", "*.txt", "**", "**/*.txt", "/a/**", "a/*/c", "?",
            "f-409?", "f-409[5-6]", "f-409[!5]", "[a-c]*", "[!a-c]*", "{a,b}", "{*.txt,*.bin}", "x/{y,z}/*",
            "\\*", "a\\?b", "[-a]", "[a-]", "[^a]", "*.{}", "{,a}", ".*", "**.bin", "a[.]b");
    private static final List<String> PATHS = List.of("a", "b", "c", "d", "a.txt", "x/y/a.txt", "/a/b/c",
            "/a", "a/b/c", "a/bb/c", "f-4095", "f-4096", "f-4097", "*", "a?b", "axb", "-", "^", "a.b", "ab",
            "x/z/q", "x/y/", ".hidden", "ü.bin", "x/has space.txt", "", "a.", "a/b.bin");

    @Test
    void sameAnswersAsTheDefaultProvider() {
        for (String pattern : PATTERNS) {
            PathMatcher jdk = FileSystems.getDefault().getPathMatcher("glob:" + pattern);
            PathMatcher ours = Globs.matcher("glob:" + pattern);
            for (String p : PATHS) {
                Path path = Path.of(p);
                boolean expected = jdk.matches(path);
                assertEquals(expected, ours.matches(path), "glob " + pattern + " on '" + p + "'");
            }
        }
    }
}
