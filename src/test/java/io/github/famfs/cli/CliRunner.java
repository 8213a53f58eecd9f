package io.github.famfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** Runs famfs command lines in this JVM with captured stdout and stderr. */
final class CliRunner {
    private CliRunner() {}

    record Result(String[] args, int status, byte[] stdout, String err) {
        String out() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            return "famfs " + String.join(" ", args) + " -> exit " + status + "\n--- stdout:\n" + out()
                    + "--- stderr:\n" + err;
        }

        Result ok() {
            assertEquals(0, status, this::toString);
            return this;
        }

        /** Exit status {@code expected}, and one line on stderr (no stack trace) that holds {@code text}. */
        Result fails(int expected, String text) {
            assertEquals(expected, status, this::toString);
            String e = err.strip();
            assertFalse(e.isEmpty(), this::toString);
            assertEquals(1, e.lines().count(), () -> "the error must be one line: " + this);
            assertFalse(e.contains("\tat "), () -> "no stack trace without --debug: " + this);
            assertTrue(e.toLowerCase().contains(text.toLowerCase()), () -> "stderr should say '" + text + "': " + this);
            assertTrue(e.startsWith("famfs"), () -> "stderr should name the command: " + this);
            return this;
        }
    }

    static Result famfs(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream po = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream pe = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = FamfsCli.run(po, pe, args);
        }
        return new Result(Arrays.copyOf(args, args.length), status, out.toByteArray(),
                err.toString(StandardCharsets.UTF_8));
    }
}
