package io.github.famfs.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The jars the build made, for the integration tests that run them: Maven's failsafe passes their paths as the
 * system properties {@code famfs.jar} and {@code famfs.cli.jar}. A test fails, naming the path, when one is missing.
 */
public final class BuiltJars {
    private BuiltJars() {}

    /** The library jar (the multi-release, modular jar users depend on). */
    public static Path library() {
        return built("famfs.jar", "target/missing.jar", "the library jar");
    }

    /** The CLI jar (the library with picocli, run by bin/famfs). */
    public static Path cli() {
        return built("famfs.cli.jar", "target/missing-cli.jar", "the CLI jar");
    }

    private static Path built(String property, String absent, String what) {
        Path jar = Path.of(System.getProperty(property, absent));
        assertTrue(Files.isRegularFile(jar), what + " is not built: " + jar);
        return jar;
    }
}
