package io.github.famfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.testing.BuiltJars;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The README's first command, as a user runs it: {@code bin/famfs quickstart} in its own process. Runs after
 * {@code package} (maven-failsafe), against the CLI jar just built; FAMFS_NO_BUILD keeps the launcher from starting a
 * second Maven inside this build.
 */
class QuickstartIT {
    @Test
    void binFamfsQuickstart() throws Exception {
        Path project = Path.of(System.getProperty("famfs.project", ".")).toAbsolutePath();
        Path launcher = project.resolve("bin/famfs");
        Assumptions.assumeTrue(bash() != null, "no bash on this host: skipping the bin/famfs quickstart test");
        BuiltJars.cli();

        ProcessBuilder pb = new ProcessBuilder(bash(), launcher.toString(), "quickstart");
        pb.environment().put("FAMFS_NO_BUILD", "1");
        pb.redirectErrorStream(true);
        pb.directory(Files.createTempDirectory("famfs-quickstart-it").toFile());
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] bytes = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "bin/famfs quickstart did not finish in 2 minutes");
        String out = new String(bytes, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        assertTrue(QuickstartTest.SHA_LINE.matcher(out).find(), "no checksum line in:\n" + out);
        assertTrue(out.contains("[7/7]") && out.contains("Done in"), out);
        assertTrue(out.lines().noneMatch(l -> l.startsWith("famfs cp:")) && !out.contains("not copied"),
                "the default tree copies without an error:\n" + out);
        Files.deleteIfExists(pb.directory().toPath());
    }

    private static String bash() throws IOException {
        for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
            Path b = Path.of(d, "bash");
            if (Files.isExecutable(b)) {
                return b.toString();
            }
        }
        return null;
    }
}
