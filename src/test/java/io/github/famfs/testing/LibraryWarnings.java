package io.github.famfs.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Captures the library's log (the "io.github.famfs" System.Logger, which goes to java.util.logging) during every
 * test instead of printing it, and fails the test at its end when a warning is left that the test did not expect:
 * a test that expects a warning asserts it ({@link #messages()}, {@link #containing(String)}, {@link
 * #assertReplayProblemsWarned}) and then forgets it ({@link #clear()}, {@link #expect(String)}); what is left at
 * the end is a warning no test expected, and a failure, not a line lost in the build output. Registered for
 * every test class by JUnit's extension auto-detection (see src/test/resources/META-INF/services), like {@link
 * SkipReporter}.
 */
public final class LibraryWarnings implements BeforeEachCallback, AfterEachCallback {
    private static final Logger LIBRARY = Logger.getLogger("io.github.famfs");
    private static final List<String> CAPTURED = new ArrayList<>();
    private static final Handler HANDLER = new Handler() {
        @Override
        public void publish(LogRecord r) {
            if (r.getLevel().intValue() >= Level.WARNING.intValue()) {
                synchronized (CAPTURED) {
                    CAPTURED.add(new java.util.logging.SimpleFormatter().formatMessage(r));
                }
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @Override
    public void beforeEach(ExtensionContext context) {
        clear();
        LIBRARY.setUseParentHandlers(false);
        LIBRARY.removeHandler(HANDLER);
        LIBRARY.addHandler(HANDLER);
    }

    /** Fails with the warnings the test left, that is logged and neither asserted nor cleared. */
    @Override
    public void afterEach(ExtensionContext context) {
        LIBRARY.removeHandler(HANDLER);
        LIBRARY.setUseParentHandlers(true);
        List<String> left = messages();
        clear();
        if (!left.isEmpty()) {
            throw new AssertionError("the library logged " + left.size() + " warning(s) the test did not expect"
                    + " (assert them, then LibraryWarnings.clear()): " + left);
        }
    }

    /**
     * Asserts that a warning containing {@code text} was logged, and forgets every warning that contains it;
     * returns those warnings (for more asserts).
     */
    public static List<String> expect(String text) {
        List<String> found = containing(text);
        org.junit.jupiter.api.Assertions.assertFalse(found.isEmpty(), "no library warning contains \"" + text
                + "\": " + messages());
        synchronized (CAPTURED) {
            CAPTURED.removeIf(m -> m.contains(text));
        }
        return found;
    }

    /** The warnings the library logged in this test so far, formatted, oldest first. */
    public static List<String> messages() {
        synchronized (CAPTURED) {
            return List.copyOf(CAPTURED);
        }
    }

    /** The warnings so far that contain {@code text}. */
    public static List<String> containing(String text) {
        return messages().stream().filter(m -> m.contains(text)).collect(Collectors.toList());
    }

    /**
     * Asserts that opening {@code device} warned of exactly its replay {@code problems} (a count, then the first
     * ones, as FamfsFileSystem logs them), or of nothing when there are none; then forgets them.
     */
    public static void assertReplayProblemsWarned(java.nio.file.Path device, List<String> problems) {
        List<String> warned = messages();
        String prefix = "famfs " + device + ": ";
        if (problems.isEmpty()) {
            org.junit.jupiter.api.Assertions.assertEquals(List.of(), warned, "a clean open warns of nothing");
        } else {
            org.junit.jupiter.api.Assertions.assertEquals(prefix + problems.size() + " replay problem(s)",
                    warned.get(0), "the count of replay problems is warned: " + warned);
            for (int i = 1; i < warned.size() && i <= problems.size(); i++) {
                if (!warned.get(i).startsWith(prefix + "and ")) {
                    org.junit.jupiter.api.Assertions.assertEquals(prefix + problems.get(i - 1), warned.get(i));
                }
            }
        }
        clear();
    }

    /** Forgets the warnings captured so far (a test that checks several opens one after another). */
    public static void clear() {
        synchronized (CAPTURED) {
            CAPTURED.clear();
        }
    }
}
