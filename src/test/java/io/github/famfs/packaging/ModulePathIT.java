package io.github.famfs.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.format.Extent;
import io.github.famfs.format.FileEntry;
import io.github.famfs.format.SimpleMap;
import io.github.famfs.testing.BuiltJars;
import io.github.famfs.testing.TestImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar as a module (famfs-nio and jnr-ffi on the module path, as a modular application puts them): the
 * provider is found next to the JDK's zipfs, libc binds (through the FFM API on Java 22+; through jnr-ffi, whose
 * generated class implements the binding from its own loader, on 17 and, when asked, on 22+), famfs's exceptions can be caught by type (their package is exported), and the CLI runs with
 * picocli on the module path. Each run is a child JVM of the JDK running the tests.
 */
class ModulePathIT {
    private static final long MIB = 1L << 20;

    @TempDir
    Path tmp;

    private Path image;
    private String modulePath;

    @BeforeEach
    void image() throws Exception {
        Path jar = BuiltJars.library();
        modulePath = jar + File.pathSeparator + System.getProperty("famfs.runtime.classpath", "");
        image = tmp.resolve("module.img");
        try (TestImage t = TestImage.create(image, 64 * MIB)) {
            t.file("data.bin", 4321);
            // a file whose extent lies past the end of the device: opening it is refused
            t.entry(new FileEntry(t.nextIndex(), 4096, 2, 1000, 1000, 0644,
                    "bad-map.bin".getBytes(StandardCharsets.UTF_8), new SimpleMap(List.of(new Extent(128 * MIB,
                    2 * MIB)))));
        }
    }

    @Test
    void libraryAndCliOnTheModulePath() throws Exception {
        String testClasses = Path.of(ModulePathProbe.class.getProtectionDomain().getCodeSource().getLocation()
                .toURI()).toString();
        String out = java("--module-path", modulePath, "--add-modules", "io.github.famfs.nio", "-cp", testClasses,
                ModulePathProbe.class.getName(), tmp.resolve("notes.zip").toString(), image.toString(),
                TestImage.MASTER.toString());
        assertTrue(out.contains("famfs module: io.github.famfs.nio, named true; this class's: unnamed module"), out);
        assertTrue(out.contains("providers: jar jdk.zipfs, famfs io.github.famfs.nio"), out);
        assertTrue(out.contains("zip: [/docs/note.txt 4100]"), out);
        assertTrue(out.contains("famfs: [/bad-map.bin 4096, /data.bin 4321, /from-zip.txt 4100]"), out);
        assertTrue(out.contains("mapped /from-zip.txt: 4100 bytes, same as the zip's: true"), out);
        assertTrue(out.contains("caught OutOfSpaceException: out of space"), out);
        assertTrue(out.contains("caught InvalidFileMapException: /bad-map.bin: famfs file map is invalid"), out);
        assertNoWarnings(out);

        String picocli = System.getProperty("famfs.picocli.classpath", "");
        assertFalse(picocli.isEmpty(), "famfs.picocli.classpath is not set (run through failsafe)");
        String ls = java("--module-path", modulePath + File.pathSeparator + picocli, "--add-modules", "info.picocli",
                "-m", "io.github.famfs.nio/io.github.famfs.cli.FamfsCli", "ls", "-l", image + ":/");
        assertTrue(ls.matches("(?s).*-rw-r--r-- .* 4321 .*data\\.bin\n.*"), ls);
        assertTrue(ls.matches("(?s).*-rw-r--r-- .* 4100 .*from-zip\\.txt\n.*"), ls);
        assertNoWarnings(ls);
        if (Runtime.version().feature() >= 22) {
            // the same through jnr-ffi (which Java 22+ binds only when asked): its generated class reaches the
            // opened binding package from its own loader
            String jnr = java("-Dfamfs.native=jnr", "--module-path", modulePath + File.pathSeparator + picocli,
                    "--add-modules", "info.picocli", "-m", "io.github.famfs.nio/io.github.famfs.cli.FamfsCli", "ls",
                    "-l", image + ":/");
            assertEquals(ls, jnr);
        }
    }

    /** Runs the JDK running the tests with {@code args}; its output, after checking that it exited with 0. */
    private String java(String... args) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        if (Runtime.version().feature() >= 22) {
            // as the README says for the module path: famfs-nio binds libc (FFM) and makes segments; jnr-ffi's
            // jffi loads its stub when jnr-ffi binds libc
            command.add("--enable-native-access=org.jnrproject.jffi,io.github.famfs.nio");
        }
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish: " + command);
        assertEquals(0, p.exitValue(), command + "\n" + out);
        return out;
    }

    /** No warning from the JVM about native access (famfs's own warnings name the file with the bad map). */
    private static void assertNoWarnings(String out) {
        assertFalse(out.contains("restricted method") || out.contains("native access"), out);
    }
}
