package io.github.famfs.review;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Review of the build-time tool that rewrites picocli's Java 5 class files in the CLI jar (src/build/java,
 * io.github.famfs.build.Java8ClassFiles, 9ad5313), run as Maven runs it: its main, in a JVM of its own, on
 * target/build-classes (compiled at the compile phase, so present for surefire) and the ASM on the test class path.
 *
 * <p>Each test states what the tool promises in its Javadoc and fails where it does not hold.
 */
class PicocliRewriteReviewTest {
    private static final String TOOL = "io.github.famfs.build.Java8ClassFiles";

    @TempDir
    Path tmp;

    private record Run(int status, String out) {}

    private static Path javaBin(String tool) {
        return Path.of(System.getProperty("java.home"), "bin", tool);
    }

    private static Run run(Path dir, List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "did not finish: " + cmd);
        return new Run(p.exitValue(), out);
    }

    private static Run tool(Path jar) throws Exception {
        Path classes = Path.of(System.getProperty("famfs.build.classes", "target/build-classes")).toAbsolutePath();
        Assumptions.assumeTrue(Files.isRegularFile(classes.resolve(TOOL.replace('.', '/') + ".class")),
                "the build tool is not compiled: " + classes);
        String asm = Path.of(ClassWriter.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        return run(jar.getParent(), List.of(javaBin("java").toString(), "-cp", classes + File.pathSeparator + asm,
                TOOL, jar.toString(), "picocli/", "META-INF/notice.txt", "rewritten"));
    }

    /** {@code public static int abs(int x) { return x < 0 ? -x : x; }} in a version-49 class, no frames. */
    private static byte[] java5Class(String name) {
        ClassWriter w = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        w.visit(Opcodes.V1_5, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, name, null, "java/lang/Object", null);
        MethodVisitor abs = w.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "abs", "(I)I", null, null);
        abs.visitCode();
        Label positive = new Label();
        abs.visitVarInsn(Opcodes.ILOAD, 0);
        abs.visitJumpInsn(Opcodes.IFGE, positive); // a branch: a version-52 class needs a frame at its target
        abs.visitVarInsn(Opcodes.ILOAD, 0);
        abs.visitInsn(Opcodes.INEG);
        abs.visitInsn(Opcodes.IRETURN);
        abs.visitLabel(positive);
        abs.visitVarInsn(Opcodes.ILOAD, 0);
        abs.visitInsn(Opcodes.IRETURN);
        abs.visitMaxs(0, 0);
        abs.visitEnd();
        w.visitEnd();
        return w.toByteArray();
    }

    /**
     * The tool's put() says each entry is written "as entry like had it: same name, time, extra fields, comment and
     * method", and its class Javadoc that other entries "are copied as they are". But it reads the jar with
     * ZipInputStream, which only sees local headers: entry comments live in the central directory only, so every
     * entry comment (and the jar's own comment) is silently dropped. Severity: low (the shade plugin writes no
     * comments today); the claim is false for any jar that has them.
     */
    @Test
    void entryAndJarCommentsSurviveTheRewrite() throws Exception {
        Path jar = tmp.resolve("commented.jar");
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(jar))) {
            z.setComment("the jar's comment");
            ZipEntry cls = new ZipEntry("picocli/Pick.class");
            cls.setComment("a class entry's comment");
            z.putNextEntry(cls);
            z.write(java5Class("picocli/Pick"));
            z.closeEntry();
            ZipEntry other = new ZipEntry("other.txt");
            other.setComment("another entry's comment");
            z.putNextEntry(other);
            z.write("kept".getBytes(StandardCharsets.US_ASCII));
            z.closeEntry();
        }
        Run r = tool(jar);
        assertEquals(0, r.status(), r.out());
        List<String> lost = new ArrayList<>();
        try (ZipFile zf = new ZipFile(jar.toFile())) {
            if (!"the jar's comment".equals(zf.getComment())) {
                lost.add("jar comment -> " + zf.getComment());
            }
            if (!"a class entry's comment".equals(zf.getEntry("picocli/Pick.class").getComment())) {
                lost.add("picocli/Pick.class -> " + zf.getEntry("picocli/Pick.class").getComment());
            }
            if (!"another entry's comment".equals(zf.getEntry("other.txt").getComment())) {
                lost.add("other.txt -> " + zf.getEntry("other.txt").getComment());
            }
        }
        assertEquals(List.of(), lost, "comments the tool promised to keep");
    }

    /**
     * A signed jar (META-INF/*.SF + a signature block): the tool rewrites the signed class entries and exits 0,
     * leaving a jar whose manifest digests no longer match, so the rewritten class cannot be loaded ("SHA-256
     * digest error", a SecurityException) and {@code jarsigner -verify} fails. It should refuse such a jar (naming
     * the signature entry) and leave it as it was, as it does for the other inputs it cannot rewrite. Severity: low
     * today (the shade filter strips the dependencies' META-INF/*.SF, *.DSA and *.RSA before the tool runs),
     * higher for any other use of the tool: the failure shows only when a class is loaded, at run time.
     */
    @Test
    void aSignedJarIsRefusedNotBroken() throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(javaBin("jarsigner")) && Files.isExecutable(javaBin("keytool")),
                "no jarsigner/keytool in this JDK");
        Path dir = Files.createDirectories(tmp.resolve("content/picocli"));
        Files.write(dir.resolve("Pick.class"), java5Class("picocli/Pick"));
        Path jar = tmp.resolve("signed.jar");
        Run jarTool = run(tmp, List.of(javaBin("jar").toString(), "cf", jar.toString(), "-C",
                tmp.resolve("content").toString(), "picocli"));
        assertEquals(0, jarTool.status(), jarTool.out());
        Path ks = tmp.resolve("ks.p12");
        Run key = run(tmp, List.of(javaBin("keytool").toString(), "-genkeypair", "-keystore", ks.toString(),
                "-storetype", "PKCS12", "-storepass", "secret", "-keypass", "secret", "-alias", "k", "-dname",
                "CN=review", "-keyalg", "EC", "-validity", "2"));
        assertEquals(0, key.status(), key.out());
        Run sign = run(tmp, List.of(javaBin("jarsigner").toString(), "-keystore", ks.toString(), "-storepass",
                "secret", jar.toString(), "k"));
        assertEquals(0, sign.status(), sign.out());
        byte[] before = Files.readAllBytes(jar);

        Run r = tool(jar);
        if (r.status() != 0) { // refused: then the jar must be as it was, and the tool must say why
            assertTrue(r.out().contains("cannot rewrite") || r.out().contains("signed"), r.out());
            assertArrayEquals(before, Files.readAllBytes(jar), "a refused jar must be left as it was");
            return;
        }
        // accepted: then the result must still be usable
        Run verify = run(tmp, List.of(javaBin("jarsigner").toString(), "-verify", jar.toString()));
        String load;
        try (URLClassLoader l = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            load = String.valueOf(Class.forName("picocli.Pick", true, l).getMethod("abs", int.class)
                    .invoke(null, -7));
        } catch (SecurityException e) {
            load = e.toString();
        }
        assertEquals("7", load, "the tool exited 0 on a signed jar (" + r.out().strip()
                + ") and its class no longer loads; jarsigner -verify: " + verify.out().strip());
    }
}
