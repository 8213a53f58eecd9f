package io.github.famfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.testing.BuiltJars;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/famfs's start-up archive (target/famfs-cds): the first run with a JDK and jar records one and prints exactly
 * what the command prints (the JVM's own lines about archives stay silent), later runs start from it, and a changed
 * jar gets a new one in place of the old. On the JDK running the tests (dynamic CDS on 17 to 24) and on JDK 25
 * (an AOT cache), in a copy of the launcher and the CLI jar.
 */
class LauncherArchiveIT {
    @TempDir
    Path tmp;

    private record Run(int status, String out, String err) {}

    private Run famfs(Path javaHome, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("bash", tmp.resolve("bin/famfs").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("FAMFS_NO_BUILD", "1");
        pb.environment().put("JAVA_HOME", javaHome.toString());
        pb.environment().remove("FAMFS_CDS");
        pb.environment().remove("FAMFS_JAVA_OPTS");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8), new String(err, StandardCharsets.UTF_8));
    }

    private List<String> archives() throws Exception {
        try (Stream<Path> s = Files.list(tmp.resolve("target/famfs-cds"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /** bin/famfs and the CLI jar in tmp; the copy of the jar. */
    private Path copyLauncher() throws Exception {
        Path project = Path.of(System.getProperty("famfs.project", ".")).toAbsolutePath();
        Path jar = BuiltJars.cli();
        Files.createDirectories(tmp.resolve("bin"));
        Files.createDirectories(tmp.resolve("target"));
        Files.copy(project.resolve("bin/famfs"), tmp.resolve("bin/famfs"));
        Path copy = tmp.resolve("target").resolve(jar.getFileName());
        Files.copy(jar, copy);
        return copy;
    }

    private void check(Path javaHome, String extension) throws Exception {
        Path copy = copyLauncher();

        Run first = famfs(javaHome, "--version");
        assertEquals(0, first.status(), first.toString());
        assertTrue(first.out().matches("famfs \\(famfs-nio\\) [^\n]+\nJava [^\n]+\n"), first.toString());
        assertEquals("", first.err(), "the recording run prints only what the command prints");
        List<String> made = archives();
        assertEquals(1, made.size(), made.toString());
        assertTrue(made.get(0).endsWith(extension), made.toString());

        Run second = famfs(javaHome, "--version");
        assertEquals(first.out(), second.out());
        assertEquals("", second.err());
        assertEquals(made, archives());

        // a rebuilt jar (same path, another time): a new archive replaces this JDK's old one
        Files.setLastModifiedTime(copy, FileTime.fromMillis(Files.getLastModifiedTime(copy).toMillis() - 60_000));
        Run rebuilt = famfs(javaHome, "--version");
        assertEquals(first.out(), rebuilt.out());
        assertEquals("", rebuilt.err());
        List<String> now = archives();
        assertEquals(1, now.size(), now.toString());
        assertNotEquals(made, now);
        assertEquals("", famfs(javaHome, "--version").err());
    }

    /**
     * SIGTERM to bin/famfs while it records the archive (the training JVM runs, the command has not started) stops
     * the training JVM, leaves no file in target/famfs-cds and never runs the command.
     */
    @Test
    void stoppedWhileRecordingStopsTheRecording() throws Exception {
        copyLauncher();
        ProcessBuilder pb = new ProcessBuilder("bash", tmp.resolve("bin/famfs").toString(), "--version");
        pb.environment().put("FAMFS_NO_BUILD", "1");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().remove("FAMFS_CDS");
        pb.environment().remove("FAMFS_JAVA_OPTS");
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        ProcessHandle training = null;
        try {
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (training == null && p.isAlive() && System.nanoTime() < until) {
                training = p.toHandle().descendants().filter(h -> List.of(h.info().arguments()
                        .orElse(new String[0])).contains(ArchiveTraining.class.getName())).findFirst().orElse(null);
                Thread.sleep(20);
            }
            Assumptions.assumeTrue(training != null, "no training JVM seen (no start-up archive with this JDK?)");
            p.destroy();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
            assertEquals(143, p.exitValue());
            assertTrue(training.onExit().get(60, TimeUnit.SECONDS) != null);
            assertEquals(List.of(), archives(), "files left in target/famfs-cds");
        } finally {
            p.destroyForcibly();
            if (training != null) {
                training.destroyForcibly();
            }
        }
    }

    @Test
    void onTheJdkRunningTheTests() throws Exception {
        int feature = Runtime.version().feature();
        check(Path.of(System.getProperty("java.home")), feature >= 25 ? ".aot" : ".jsa");
    }

    @Test
    void onJdk25() throws Exception {
        Path jdk = Path.of(System.getProperty("famfs.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"));
        Assumptions.assumeTrue(Files.isExecutable(jdk.resolve("bin/java")), "no JDK 25 at " + jdk
                + " (-Dfamfs.jdk25): skipping the AOT-cache check");
        check(jdk, ".aot");
    }
}
