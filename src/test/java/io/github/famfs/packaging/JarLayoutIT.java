package io.github.famfs.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.testing.BuiltJars;
import io.github.famfs.testing.TestImage;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The built jar, as a user gets it, whichever JDK ran the build: a multi-release jar whose base classes are Java
 * 17 class files and whose META-INF/versions/22 holds the MemorySegment layer; and a JDK 22+ program that maps a
 * famfs file to a MemorySegment through that jar gets one.
 */
class JarLayoutIT {
    private static final int JAVA17 = 61;
    private static final int JAVA22 = 66;

    @TempDir
    Path tmp;

    private static Path jar() {
        return BuiltJars.library();
    }

    @Test
    void multiReleaseJarHoldsBothLayers() throws IOException {
        try (JarFile jf = new JarFile(jar().toFile())) {
            assertEquals("true", jf.getManifest().getMainAttributes().getValue("Multi-Release"), "Multi-Release");
            JarEntry layer = jf.getJarEntry("META-INF/versions/22/io/github/famfs/nio/SegmentFileChannel.class");
            assertNotNull(layer, "the Java 22 layer is missing from " + jar());
            assertEquals(JAVA22, major(jf, layer), "class-file version of the Java 22 layer");
            List<String> wrong = new ArrayList<>();
            int base = 0;
            for (JarEntry e : java.util.Collections.list(jf.entries())) {
                String n = e.getName();
                if (n.endsWith(".class") && !n.startsWith("META-INF/")) {
                    base++;
                    if (major(jf, e) != JAVA17) {
                        wrong.add(n + " " + major(jf, e));
                    }
                }
            }
            assertTrue(base > 50, "too few base classes: " + base);
            assertTrue(wrong.isEmpty(), "base classes that are not Java 17 class files: " + wrong);
            assertNotNull(jf.getJarEntry("module-info.class"), "module-info.class");
            assertNotNull(jf.getJarEntry("META-INF/services/java.nio.file.spi.FileSystemProvider"), "services file");
        }
    }

    private static int major(JarFile jf, JarEntry e) throws IOException {
        try (InputStream in = jf.getInputStream(e); DataInputStream d = new DataInputStream(in)) {
            assertEquals(0xCAFEBABE, d.readInt(), e.getName());
            d.readUnsignedShort();
            return d.readUnsignedShort();
        }
    }

    /**
     * A JDK 22+ program on the built jar, with a library user's class path (jnr-ffi, no picocli): map(mode,
     * position, size, arena) gives a MemorySegment of the file.
     */
    @Test
    void segmentMappingThroughTheBuiltJar() throws Exception {
        Path jdk = Path.of(System.getProperty("famfs.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"));
        Path javaBin = jdk.resolve("bin/java");
        Assumptions.assumeTrue(Files.isExecutable(javaBin), "no JDK 22+ at " + jdk + " (-Dfamfs.jdk25): skipping the"
                + " MemorySegment check of the built jar");
        Path img = tmp.resolve("seg.img");
        try (TestImage t = TestImage.create(img, 64L << 20)) {
            t.file("data.bin", 5000);
        }
        String cp = jar() + java.io.File.pathSeparator + System.getProperty("famfs.runtime.classpath", "")
                + java.io.File.pathSeparator + Path.of(JarLayoutIT.class.getProtectionDomain().getCodeSource()
                        .getLocation().toURI());
        ProcessBuilder pb = new ProcessBuilder(javaBin.toString(), "--enable-native-access=ALL-UNNAMED", "-cp", cp,
                SegmentProbe.class.getName(), img.toString(), TestImage.MASTER.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the probe did not finish");
        String text = new String(out, StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), text);
        String sha = SegmentProbe.sha256(TestImage.patternBytes("data.bin".hashCode(), 5000));
        assertTrue(text.contains("segment of 5000 bytes, sha256 " + sha), text);
    }
}
