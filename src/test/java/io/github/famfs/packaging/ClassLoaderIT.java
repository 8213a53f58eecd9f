package io.github.famfs.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.testing.BuiltJars;
import io.github.famfs.testing.TestImage;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * famfs-nio loaded by a class loader other than the system one (as mvn exec:java does): the JDK's
 * {@code FileSystems.newFileSystem(URI, env)} does not find the provider (the README says so and gives the forms
 * that work); {@code newFileSystem(uri, env, loader)} and {@code Famfs.open} do.
 */
class ClassLoaderIT {
    @TempDir
    Path tmp;

    @Test
    void openFromAnotherClassLoader() throws Exception {
        Path jar = BuiltJars.library();
        Path img = tmp.resolve("loader.img");
        try (TestImage t = TestImage.create(img, 64L << 20)) {
            t.file("data.bin", 4321);
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String testClasses = Path.of(LoaderProbe.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        String libraryPath = jar + File.pathSeparator + System.getProperty("famfs.runtime.classpath", "");
        ProcessBuilder pb = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-cp", testClasses,
                LoaderProbe.class.getName(), libraryPath, img.toString(), TestImage.MASTER.toString());
        if (Runtime.version().feature() < 22) {
            pb.command().remove(1);
        }
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe did not finish");
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("newFileSystem(uri, env): ProviderNotFoundException"), out);
        assertTrue(out.contains("newFileSystem(uri, env, loader): [/data.bin]"), out);
        assertTrue(out.contains("Famfs.open(device, env): [/data.bin]"), out);
        assertTrue(out.contains("!/data.bin): 4321 bytes"), out);
    }
}
