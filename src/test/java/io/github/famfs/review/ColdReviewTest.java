package io.github.famfs.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.cli.FamfsCli;
import io.github.famfs.memory.Native;
import io.github.famfs.testing.TestImage;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.spi.ToolProvider;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reviewer r-cold (issue 13, cold start: FFM libc binding on Java 22+, lazily made picocli subcommands, bin/famfs's
 * start-up archive, native access). Each test asserts the correct behaviour and fails on the code it was written
 * against (main at a828dd6).
 */
class ColdReviewTest {
    private static final String UUID = "c01d0000-0000-4000-8000-0000000000c1";
    private static final long MIB = 1L << 20;

    @TempDir
    Path tmp;

    // ------------------------------------------------------------------------------------------------ helpers

    private record Run(int status, String out, String err) {
        @Override
        public String toString() {
            return "exit " + status + "\n--- stdout:\n" + out + "--- stderr:\n" + err;
        }
    }

    private static Run run(List<String> cmd, Map<String, String> env, long seconds) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().remove("FAMFS_CDS");
        pb.environment().remove("FAMFS_JAVA_OPTS");
        pb.environment().putAll(env);
        Path out = Files.createTempFile("cold-review-out", ".txt");
        Path err = Files.createTempFile("cold-review-err", ".txt");
        try {
            Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            p.getOutputStream().close();
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new AssertionError("did not finish in " + seconds + " s: " + cmd);
            }
            return new Run(p.exitValue(), Files.readString(out), Files.readString(err));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    private static Path jdk25() {
        Path jdk = Path.of(System.getProperty("famfs.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"));
        Assumptions.assumeTrue(Files.isExecutable(jdk.resolve("bin/java")), "no JDK 25 at " + jdk
                + " (-Dfamfs.jdk25): the Java 22+ behaviour is checked there");
        return jdk;
    }

    /** target/classes (the library's classes, with the Java 22 layer under META-INF/versions/22). */
    private static Path classes() throws Exception {
        return Path.of(Native.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    }

    /**
     * The Java 22 layer, then the test class path (a JVM does not read the multi-release layout of a directory;
     * first, so that, as in the jar, a class of the layer wins over the base class of the same name).
     */
    private static String classPathWithJava22Layer() throws Exception {
        return classes().resolve("META-INF/versions/22") + File.pathSeparator
                + System.getProperty("java.class.path");
    }

    private static Path project() {
        return Path.of(System.getProperty("famfs.project", ".")).toAbsolutePath();
    }

    /** A copy of bin/famfs and the CLI jar in {@code dir} (so that target/famfs-cds starts empty). */
    private static Path launcherCopy(Path dir) throws Exception {
        Path jar = Optional.ofNullable(System.getProperty("famfs.cli.jar")).map(Path::of).orElseGet(() -> {
            try (Stream<Path> s = Files.list(project().resolve("target"))) {
                return s.filter(p -> p.getFileName().toString().matches("famfs-nio-.*-cli\\.jar")).findFirst()
                        .orElse(null);
            } catch (java.io.IOException e) {
                return null;
            }
        });
        Assumptions.assumeTrue(jar != null && Files.isRegularFile(jar), "the CLI jar is not built (mvn package):"
                + " bin/famfs is checked with it");
        Files.createDirectories(dir.resolve("bin"));
        Files.createDirectories(dir.resolve("target"));
        Files.copy(project().resolve("bin/famfs"), dir.resolve("bin/famfs"));
        Files.copy(jar, dir.resolve("target").resolve(jar.getFileName()));
        return dir.resolve("bin/famfs");
    }

    private static Run famfs(Path launcher, Path javaHome, Map<String, String> env, String... args)
            throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", launcher.toString()));
        cmd.addAll(List.of(args));
        Map<String, String> e = new java.util.HashMap<>(env);
        e.put("FAMFS_NO_BUILD", "1");
        e.put("JAVA_HOME", javaHome.toString());
        return run(cmd, e, 180);
    }

    private static Path javaHome() {
        return Path.of(System.getProperty("java.home"));
    }

    // ------------------------------------------------------------------------------------------------ CLI

    /**
     * {@code famfs} without a command says which commands there are: since pcq was added (and the subcommands
     * moved to the Subcommands table) the list in FamfsCli.run() misses it.
     */
    @Test
    void noCommandGivenListsEveryCommandIncludingPcq() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream o = new PrintStream(out, true, StandardCharsets.UTF_8);
                PrintStream e = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = FamfsCli.run(o, e);
        }
        String msg = err.toString(StandardCharsets.UTF_8);
        assertEquals(FamfsCli.USAGE, status, msg);
        assertTrue(msg.contains("no command given"), msg);
        for (String name : List.of("mkfs", "fsck", "mkdir", "cp", "creat", "verify", "getmap", "logplay", "ls",
                "stat", "cat", "get", "df", "pcq", "quickstart")) {
            assertTrue(msg.matches("(?s).*[ (]" + name + "[,)].*"), name + " missing from: " + msg);
        }
    }

    // ------------------------------------------------------------------------------------------------ binding

    /** Binds libc and prints which binding it got, or the failure (exit 3). */
    public static final class BindMain {
        public static void main(String[] args) {
            try {
                System.out.println("binding=" + Native.libc().name());
            } catch (java.io.IOException e) {
                System.out.println("failed: " + e.getMessage());
                System.exit(3);
            }
        }
    }

    /**
     * {@code -Dfamfs.native=} takes {@code ffm} or {@code jnr}; a typo ({@code JNR}, {@code jnr-ffi}, anything) is
     * silently the default binding, so a user who asked for jnr-ffi runs the foreign-function binding without
     * knowing. Bad input should be named (an exception, or at least a message naming the property).
     */
    @Test
    void anUnknownBindingNameIsNamedNotIgnored() throws Exception {
        List<String> cmd = List.of(javaHome().resolve("bin/java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-D" + Native.BINDING_PROPERTY + "=JNR", "-cp", classPathWithJava22Layer(),
                BindMain.class.getName());
        Run r = run(cmd, Map.of(), 120);
        assertTrue((r.out() + r.err()).contains(Native.BINDING_PROPERTY),
                "-Dfamfs.native=JNR (not a binding's name) was taken without a word: " + r);
    }

    /** Mounts an image read-only (client) and lists its root. */
    public static final class MountMain {
        public static void main(String[] args) throws Exception {
            try (FileSystem f = FileSystems.newFileSystem(Path.of(args[0]), Map.of())) {
                try (Stream<Path> s = Files.list(f.getPath("/"))) {
                    System.out.println("listed " + s.map(Path::toString).sorted().collect(Collectors.joining(",")));
                }
                // a read-only mount of an image binds libc only for a use that needs it (ColdMountTest): a map
                try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(f.getPath("/data.bin"))) {
                    System.out.println("mapped " + ch.map(java.nio.channels.FileChannel.MapMode.READ_ONLY, 0,
                            ch.size()).capacity());
                }
            }
        }
    }

    private Path smallImage() throws Exception {
        Path image = tmp.resolve("cold.img");
        try (TestImage t = TestImage.create(image, 64 * MIB)) {
            t.file("data.bin", 4321);
        }
        return image;
    }

    /**
     * The point of the FFM binding (Native's javadoc, README "mount of a 15420-entry log ... 300-450 ms with
     * jnr-ffi (still so on Java 17-21)", bench/RESULTS.md cold start): on Java 22+ a mount binds libc without
     * jnr-ffi. But every mount calls CacheLines.maintenance() (FamfsFileSystem.open, for the log replay), which
     * loads jnr-ffi and jffi's native stub to bind the cache-line helper, whatever the coherence mode: a JDK 25
     * mount loads some 270 jnr/jffi classes anyway.
     */
    @Test
    void aMountOnJava22LoadsNoJnrFfi() throws Exception {
        Path jdk = jdk25();
        Path image = smallImage();
        List<String> cmd = List.of(jdk.resolve("bin/java").toString(), "--enable-native-access=ALL-UNNAMED",
                "-Xshare:auto", "-Xlog:class+load=info:stdout", "-cp", classPathWithJava22Layer(),
                MountMain.class.getName(), image.toString());
        Run r = run(cmd, Map.of(), 120);
        assertEquals(0, r.status(), r.toString().substring(0, Math.min(4000, r.toString().length())));
        assertTrue(r.out().contains("listed /data.bin") && r.out().contains("mapped 4321"), "the mount worked");
        assertTrue(r.out().contains("io.github.famfs.memory.FfmLibcCalls"), "libc bound through the FFM API");
        List<String> jnr = r.out().lines().filter(l -> l.contains(" jnr.ffi.") || l.contains(" com.kenai.jffi."))
                .toList();
        assertEquals(List.of(), jnr.subList(0, Math.min(5, jnr.size())), jnr.size()
                + " jnr-ffi/jffi classes loaded by a mount on Java 25, where libc is bound through the FFM API");
    }

    /**
     * README ("Module path"): on Java 22+ the native-access flag is {@code --enable-native-access=io.github.famfs.nio}
     * ("add org.jnrproject.jffi when jnr-ffi binds libc: Java 17-21 or -Dfamfs.native=jnr"). Doing exactly that on
     * JDK 25, a mount prints the JDK's restricted-method warning for org.jnrproject.jffi: jnr-ffi is loaded at
     * every mount for the cache-line helper (CacheLines), so the README's flag is not enough.
     */
    @Test
    void modulePathWithTheReadmeFlagMountsWithoutWarning() throws Exception {
        Path jdk = jdk25();
        Path image = smallImage();
        // the library as the jar gives it: a multi-release modular jar of target/classes
        Path jar = tmp.resolve("famfs-nio.jar");
        Path manifest = Files.writeString(tmp.resolve("manifest.txt"), "Multi-Release: true\n");
        ToolProvider jarTool = ToolProvider.findFirst("jar").orElse(null);
        Assumptions.assumeTrue(jarTool != null, "no jar tool in this JDK");
        assertEquals(0, jarTool.run(System.out, System.err, "--create", "--file", jar.toString(), "--manifest",
                manifest.toString(), "-C", classes().toString(), "."));
        // jnr-ffi and its dependencies, from the test class path
        String deps = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> {
                    String n = Path.of(e).getFileName().toString();
                    return n.endsWith(".jar") && (n.startsWith("jnr-") || n.startsWith("jffi-")
                            || n.startsWith("asm"));
                })
                .collect(Collectors.joining(File.pathSeparator));
        assertTrue(deps.contains("jffi"), "jnr-ffi on the test class path: " + deps);
        String probe = Path.of(MountMain.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        List<String> cmd = List.of(jdk.resolve("bin/java").toString(), "--enable-native-access=io.github.famfs.nio",
                "--module-path", jar + File.pathSeparator + deps, "--add-modules", "io.github.famfs.nio", "-cp", probe,
                MountMain.class.getName(), image.toString());
        Run r = run(cmd, Map.of(), 120);
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("listed /data.bin") && r.out().contains("mapped 4321"), r.toString());
        assertFalse(r.err().contains("restricted method"), "the README's module-path flag on Java 25: " + r);
    }

    // ------------------------------------------------------------------------------------------------ bin/famfs

    /**
     * FAMFS_JAVA_OPTS=-Xshare:off (a common option when chasing a start-up problem) makes bin/famfs fail on every
     * run: the recording run adds -XX:AOTConfiguration (JDK 25: "cannot be used at the same time with -Xshare:...",
     * printed nowhere because of -XX:-DisplayVMOutput: exit 1 and no output at all) or -XX:ArchiveClassesAtExit
     * (JDK 17: "DynamicDumpSharedSpaces is unsupported when base CDS archive is not loaded"), no archive is ever
     * made, so every later run is a failing recording run again. The same with -Xshare:auto or a
     * -XX:SharedArchiveFile of the user's on JDK 25.
     */
    @Test
    void launcherRunsTheCommandWithXshareOff() throws Exception {
        List<Path> jdks = new ArrayList<>(List.of(javaHome()));
        Path j25 = Path.of(System.getProperty("famfs.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"));
        if (Files.isExecutable(j25.resolve("bin/java")) && Runtime.version().feature() != 25) {
            jdks.add(j25);
        }
        Path launcher = launcherCopy(tmp.resolve("xshare"));
        List<String> failures = new ArrayList<>();
        for (Path jdk : jdks) {
            for (int i = 0; i < 2; i++) {
                Run r = famfs(launcher, jdk, Map.of("FAMFS_JAVA_OPTS", "-Xshare:off"), "--version");
                if (r.status() != 0 || !r.out().startsWith("famfs (famfs-nio)")) {
                    failures.add(jdk + " run " + (i + 1) + ": " + r);
                }
            }
        }
        assertEquals(List.of(), failures, "FAMFS_JAVA_OPTS=-Xshare:off bin/famfs --version");
    }

    /**
     * On JDK 25 the recording (first) run passes -XX:-DisplayVMOutput to hide the line that recording prints; it
     * also hides the JVM's own fatal start-up errors: with FAMFS_JAVA_OPTS=-Xmx1k bin/famfs exits 1 printing
     * nothing, where FAMFS_CDS=0 (and plain java) print "Too small maximum heap". (Every run stays a first run,
     * since a failed one records no archive.)
     */
    @Test
    void launcherFirstRunOnJdk25ShowsTheJvmsStartUpError() throws Exception {
        Path jdk = jdk25();
        Path launcher = launcherCopy(tmp.resolve("vmout"));
        Run plain = famfs(launcher, jdk, Map.of("FAMFS_JAVA_OPTS", "-Xmx1k", "FAMFS_CDS", "0"), "--version");
        // (the JVM prints it on standard output)
        assertTrue(plain.status() != 0 && (plain.out() + plain.err()).contains("Too small maximum heap"),
                plain.toString());
        Run first = famfs(launcher, jdk, Map.of("FAMFS_JAVA_OPTS", "-Xmx1k"), "--version");
        assertEquals(plain.status(), first.status(), first.toString());
        assertTrue((first.out() + first.err()).contains("Too small maximum heap"),
                "the first run (recording the AOT cache) says why the JVM did not start: " + first);
    }

    /**
     * A Java 17 runtime made by jlink (no default CDS archive: jlink makes none unless asked) with JAVA_HOME set to
     * it: bin/famfs records a dynamic CDS archive with -XX:ArchiveClassesAtExit, which such a JVM refuses at start
     * ("DynamicDumpSharedSpaces is unsupported when base CDS archive is not loaded"); no archive is ever made, so
     * every run fails. FAMFS_CDS=0 runs fine.
     */
    @Test
    void launcherRunsOnAJava17RuntimeWithoutDefaultCdsArchive() throws Exception {
        Path jdk17 = Runtime.version().feature() < 25 ? javaHome()
                : Path.of("/usr/lib/jvm/java-17-openjdk-amd64");
        Assumptions.assumeTrue(Files.isExecutable(jdk17.resolve("bin/jlink")), "no JDK 17-24 jlink at " + jdk17);
        Path runtime = tmp.resolve("jre");
        Run jlink = run(List.of(jdk17.resolve("bin/jlink").toString(), "--add-modules",
                "java.base,java.logging,jdk.unsupported,jdk.zipfs", "--output", runtime.toString()), Map.of(), 300);
        assertEquals(0, jlink.status(), jlink.toString());
        Path launcher = launcherCopy(tmp.resolve("jlinked"));
        Run plain = famfs(launcher, runtime, Map.of("FAMFS_CDS", "0"), "--version");
        assertEquals(0, plain.status(), "the runtime runs the CLI: " + plain);
        for (int i = 0; i < 2; i++) {
            Run r = famfs(launcher, runtime, Map.of(), "--version");
            assertEquals(plain.toString(), r.toString(), "bin/famfs run " + (i + 1) + " with JAVA_HOME=" + runtime);
        }
    }

    /**
     * Stopping bin/famfs (SIGTERM, as Process.destroy(), kill, a supervisor do) stops the command: on later runs
     * bin/famfs execs the JVM, but on the first run with a JDK and jar it runs the JVM as a child to record the
     * archive, and SIGTERM ends only the shell; the JVM runs on as an orphan (here a pcq consumer waiting for
     * messages), holding the device, and when it ends it leaves its half-named archive in target/famfs-cds.
     */
    @Test
    void launcherStoppedDuringItsFirstRunStopsTheCommand() throws Exception {
        Path image = tmp.resolve("q.img");
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (PrintStream o = new PrintStream(buf, true, StandardCharsets.UTF_8)) {
            assertEquals(0, FamfsCli.run(o, o, "mkfs", "-s", "64M", "--system-uuid=" + UUID, image.toString()),
                    buf::toString);
            assertEquals(0, FamfsCli.run(o, o, "pcq", "-C", "-b", "64", "-n", "16", "--system-uuid=" + UUID,
                    image + ":/q"), buf::toString);
        }
        Path launcher = launcherCopy(tmp.resolve("first"));
        ProcessBuilder pb = new ProcessBuilder("bash", launcher.toString(), "pcq", "-c", "-N", "5",
                "--system-uuid=" + UUID, image + ":/q");
        pb.environment().remove("FAMFS_CDS");
        pb.environment().remove("FAMFS_JAVA_OPTS");
        pb.environment().put("FAMFS_NO_BUILD", "1");
        pb.environment().put("JAVA_HOME", javaHome().toString());
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD);
        Process p = pb.start();
        ProcessHandle jvm = null;
        try {
            // the consumer JVM, once started (it waits for messages that never come): a child of bin/famfs, or
            // bin/famfs itself once it has exec'd the JVM; not another JVM bin/famfs may run first (the one that
            // records the start-up archive)
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
            while (jvm == null && System.nanoTime() < until && p.isAlive()) {
                jvm = Stream.concat(Stream.of(p.toHandle()), p.toHandle().descendants())
                        .filter(h -> h.info().command().orElse("").endsWith("/java")
                                && Arrays.asList(h.info().arguments().orElse(new String[0])).contains("pcq"))
                        .findFirst().orElse(null);
                Thread.sleep(100);
            }
            assertTrue(jvm != null, "no JVM under bin/famfs");
            Thread.sleep(3000); // the JVM is up and waiting
            p.destroy(); // SIGTERM to bin/famfs
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            long grace = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (jvm.isAlive() && System.nanoTime() < grace) {
                Thread.sleep(100);
            }
            assertFalse(jvm.isAlive(), "bin/famfs was stopped (exit " + p.exitValue() + ") but its JVM (pid "
                    + jvm.pid() + ") runs on");
            Path cds = launcher.getParent().resolve("../target/famfs-cds").normalize();
            try (Stream<Path> s = Files.isDirectory(cds) ? Files.list(cds) : Stream.empty()) {
                List<String> left = s.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(".")).toList();
                assertEquals(List.of(), left, "bin/famfs's temporary files left in target/famfs-cds");
            }
        } finally {
            p.destroyForcibly();
            if (jvm != null) {
                jvm.destroyForcibly();
                jvm.onExit().get(30, TimeUnit.SECONDS);
            }
        }
    }
}
