package io.github.famfs.testing;

import java.util.Optional;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/**
 * Says on the console why a test was skipped (an assumption that did not hold, or a disabled test), not only in
 * the XML reports. Registered for every test class by JUnit's extension auto-detection (see
 * src/test/resources/junit-platform.properties and META-INF/services).
 */
public final class SkipReporter implements TestWatcher {
    @Override
    public void testAborted(ExtensionContext context, Throwable cause) {
        say(context, cause == null ? "aborted" : String.valueOf(cause.getMessage()));
    }

    @Override
    public void testDisabled(ExtensionContext context, Optional<String> reason) {
        say(context, reason.orElse("disabled"));
    }

    private static void say(ExtensionContext context, String why) {
        String name = context.getRequiredTestClass().getSimpleName() + "." + context.getDisplayName();
        System.out.println("[SKIPPED] " + name + ": " + why.replace("Assumption failed: ", ""));
    }
}
