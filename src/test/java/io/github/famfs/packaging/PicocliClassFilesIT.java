package io.github.famfs.packaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.testing.BuiltJars;
import io.github.famfs.testing.TestImage;
import java.io.DataInputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * picocli in the CLI jar: the build (src/build/java, Java8ClassFiles) rewrites its Java 5 class files (version 49,
 * which no CDS archive or AOT cache holds) as Java 8 ones with computed stack-map frames. Every picocli class in
 * the built jar is a version 50+ class file that loads and passes the verifier; a start-up archive recorded from
 * {@code famfs ls} (an AOT cache on JDK 25, a dynamic CDS archive on 17) then holds every picocli class that
 * {@code ls} loads; and the tool refuses, naming the entry and leaving the jar as it was, a class file it cannot
 * read or whose frames it cannot compute.
 */
class PicocliClassFilesIT {
    private static final String TOOL = "io.github.famfs.build.Java8ClassFiles";

    @TempDir
    Path tmp;

    private static Path cliJar() {
        return BuiltJars.cli();
    }

    private static int major(byte[] classFile) throws IOException {
        DataInputStream d = new DataInputStream(new java.io.ByteArrayInputStream(classFile));
        assertEquals(0xCAFEBABE, d.readInt());
        d.readUnsignedShort();
        return d.readUnsignedShort();
    }

    /** The picocli class files in {@code jar}: binary name to bytes. */
    private static Map<String, byte[]> picocliClasses(Path jar) throws IOException {
        Map<String, byte[]> classes = new TreeMap<>();
        try (JarFile jf = new JarFile(jar.toFile())) {
            for (JarEntry e : Collections.list(jf.entries())) {
                if (e.getName().startsWith("picocli/") && e.getName().endsWith(".class")) {
                    try (InputStream in = jf.getInputStream(e)) {
                        classes.put(e.getName().replace('/', '.').substring(0, e.getName().length() - 6),
                                in.readAllBytes());
                    }
                }
            }
        }
        return classes;
    }

    /**
     * Every picocli class file in the CLI jar is version 50 or newer, and loads, links (the verifier checks its
     * frames, as it does for every loader but the boot one: a class without them fails) and initializes in a fresh class loader over the
     * jar; failures are reported by class name.
     */
    @Test
    void everyPicocliClassIsAVersion50PlusClassFileThatVerifies() throws Exception {
        // the control: this JVM verifies classes of such a loader (a version-52 class without its frames fails)
        Path control = jar("control.jar", Map.of("picocli/NoFrames.class", withoutFrames("picocli/NoFrames")));
        try (URLClassLoader loader = new URLClassLoader(new URL[] {control.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            assertThrows(VerifyError.class, () -> Class.forName("picocli.NoFrames", true, loader));
        }
        Path jar = cliJar();
        Map<String, byte[]> classes = picocliClasses(jar);
        assertTrue(classes.size() > 150, "too few picocli classes in " + jar + ": " + classes.size());
        List<String> old = new ArrayList<>();
        for (Map.Entry<String, byte[]> c : classes.entrySet()) {
            if (major(c.getValue()) < 50) {
                old.add(c.getKey() + " " + major(c.getValue()));
            }
        }
        assertEquals(List.of(), old, "picocli class files older than version 50 (no archive holds them)");
        try (JarFile jf = new JarFile(jar.toFile())) {
            ZipEntry notice = jf.getEntry("META-INF/picocli-class-files.txt");
            assertNotNull(notice, "the notice of the rewrite");
            String text = new String(jf.getInputStream(notice).readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(text.contains("Java 8 class files") && text.contains("Apache License 2.0"), text);
        }

        List<String> failed = new ArrayList<>();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            for (String name : classes.keySet()) {
                try {
                    Class<?> c = Class.forName(name, true, loader);
                    assertEquals(loader, c.getClassLoader(), name);
                } catch (LinkageError e) {
                    failed.add(name + ": " + e);
                }
            }
        }
        assertEquals(List.of(), failed, "picocli classes that do not load, verify or initialize");
    }

    private record Run(int status, String out) {}

    private static Run java(Path javaHome, Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(javaHome.resolve("bin/java").toString()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "did not finish: " + cmd);
        return new Run(p.exitValue(), out);
    }

    private static int feature(Path javaHome) throws IOException {
        String release = Files.readString(javaHome.resolve("release"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("JAVA_VERSION=\"(\\d+)").matcher(release);
        assertTrue(m.find(), release);
        return Integer.parseInt(m.group(1));
    }

    /**
     * A start-up archive recorded from {@code famfs ls} of a small image (as bin/famfs records one, from a run of
     * the CLI jar) holds picocli: a run with it loads every picocli class from the archive ("shared objects
     * file" in -Xlog:class+load), none from the jar.
     */
    private void picocliFromTheArchive(Path javaHome) throws Exception {
        Path img = tmp.resolve("small.img");
        try (TestImage t = TestImage.create(img, 64L << 20)) {
            t.mkdir("docs").file("docs/a.txt", 100).file("b.bin", 5000);
        }
        String jar = cliJar().toString();
        String target = img + ":/";
        String[] ls = {"-jar", jar, "ls", target};
        List<String> use = new ArrayList<>();
        boolean aot = feature(javaHome) >= 25;
        if (aot) {
            assertEquals(0, java(javaHome, tmp, concat(List.of("-XX:AOTMode=record", "-XX:AOTConfiguration=ls.conf"),
                    ls)).status());
            Run create = java(javaHome, tmp, concat(List.of("-XX:AOTMode=create", "-XX:AOTConfiguration=ls.conf",
                    "-XX:AOTCache=ls.aot"), ls));
            assertEquals(0, create.status(), create.out());
            use.add("-XX:AOTCache=ls.aot");
        } else {
            Run record = java(javaHome, tmp, concat(List.of("-XX:ArchiveClassesAtExit=ls.jsa"), ls));
            assertEquals(0, record.status(), record.out());
            use.add("-XX:SharedArchiveFile=ls.jsa");
        }
        use.add("-Xlog:class+load=info:file=load.txt");
        use.add("-Xlog:cds=off");
        if (aot) {
            use.add("-Xlog:aot=off");
        }
        Run run = java(javaHome, tmp, concat(use, ls));
        assertEquals(0, run.status(), run.out());
        assertEquals("b.bin\ndocs/\n", run.out(), "ls through the archive");

        List<String> fromJar = new ArrayList<>();
        int fromArchive = 0;
        boolean objectShared = false;
        for (String line : Files.readAllLines(tmp.resolve("load.txt"))) {
            // [0.012s][info][class,load] picocli.CommandLine source: shared objects file (top)
            int at = line.indexOf("[class,load] ");
            if (at < 0) {
                continue;
            }
            String what = line.substring(at + "[class,load] ".length());
            boolean shared = what.contains(" source: shared objects file");
            objectShared |= what.startsWith("java.lang.Object ") && shared;
            if (what.startsWith("picocli.")) {
                if (shared) {
                    fromArchive++;
                } else {
                    fromJar.add(what);
                }
            }
        }
        assertTrue(objectShared, "the run did not use a shared archive at all (java.lang.Object not from it)");
        assertEquals(List.of(), fromJar, "picocli classes loaded from the jar, not the archive");
        assertTrue(fromArchive > 100, "too few picocli classes from the archive: " + fromArchive);
    }

    private static String[] concat(List<String> first, String... then) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(then));
        return all.toArray(String[]::new);
    }

    @Test
    void picocliComesFromTheArchiveOnTheJdkRunningTheTests() throws Exception {
        picocliFromTheArchive(Path.of(System.getProperty("java.home")));
    }

    @Test
    void picocliComesFromTheAotCacheOnJdk25() throws Exception {
        Path jdk = Path.of(System.getProperty("famfs.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64"));
        Assumptions.assumeTrue(Files.isExecutable(jdk.resolve("bin/java")), "no JDK 25 at " + jdk
                + " (-Dfamfs.jdk25): skipping the AOT-cache check");
        picocliFromTheArchive(jdk);
    }

    // ------------------------------------------------------------------------------------ the tool itself

    /** A version-49 class {@code name} with the (static) methods {@code body} adds, and no constructor. */
    private static byte[] java5Class(String name, java.util.function.Consumer<ClassWriter> body) {
        return classFile(Opcodes.V1_5, name, body);
    }

    /** A class of that version, with no stack-map frames (ASM computes only the maximums). */
    private static byte[] classFile(int version, String name, java.util.function.Consumer<ClassWriter> body) {
        ClassWriter w = new ClassWriter(ClassWriter.COMPUTE_MAXS);
        w.visit(version, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, name, null, "java/lang/Object", null);
        body.accept(w);
        w.visitEnd();
        return w.toByteArray();
    }

    /** A version-49 class with {@link #pick}. */
    private static byte[] branching(String name) {
        return java5Class(name, PicocliClassFilesIT::pick);
    }

    /** {@link #branching}'s class as version 52, without the frames version 52 requires. */
    private static byte[] withoutFrames(String name) {
        return classFile(Opcodes.V1_8, name, PicocliClassFilesIT::pick);
    }

    /** {@code static String pick(boolean b) { return b ? "yes" : "no"; }}: a branch, so frames are needed. */
    private static void pick(ClassWriter w) {
        MethodVisitor m = w.visitMethod(Opcodes.ACC_PUBLIC | Opcodes.ACC_STATIC, "pick", "(Z)Ljava/lang/String;",
                null, null);
        m.visitCode();
        Label no = new Label();
        Label end = new Label();
        m.visitVarInsn(Opcodes.ILOAD, 0);
        m.visitJumpInsn(Opcodes.IFEQ, no);
        m.visitLdcInsn("yes");
        m.visitJumpInsn(Opcodes.GOTO, end);
        m.visitLabel(no);
        m.visitLdcInsn("no");
        m.visitLabel(end);
        m.visitInsn(Opcodes.ARETURN);
        m.visitMaxs(0, 0);
        m.visitEnd();
    }

    /** A jar of {@code entries} (name to bytes, in that order), with entry times a minute apart. */
    private Path jar(String file, Map<String, byte[]> entries) throws IOException {
        Path jar = tmp.resolve(file);
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(jar))) {
            long time = 1_700_000_000_000L;
            for (Map.Entry<String, byte[]> e : entries.entrySet()) {
                ZipEntry entry = new ZipEntry(e.getKey());
                entry.setTime(time += 60_000);
                z.putNextEntry(entry);
                z.write(e.getValue());
                z.closeEntry();
            }
        }
        return jar;
    }

    /** The tool on {@code jar}, in a JVM of its own (as Maven's exec:java calls its main). */
    private static Run tool(Path jar) throws Exception {
        Path classes = Path.of(System.getProperty("famfs.build.classes", "target/build-classes"));
        assertTrue(Files.isRegularFile(classes.resolve(TOOL.replace('.', '/') + ".class")),
                "the build tool is not compiled: " + classes);
        String asm = Path.of(ClassWriter.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        return java(Path.of(System.getProperty("java.home")), jar.getParent(), "-Dfamfs.build.verbose=true", "-cp",
                classes + File.pathSeparator + asm, TOOL, jar.toString(), "picocli/", "META-INF/notice.txt",
                "rewritten");
    }

    /** Files in tmp besides the jars the test made (the tool's temporary file must be gone). */
    private List<String> tmpFiles() throws IOException {
        try (Stream<Path> s = Files.list(tmp)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    /**
     * The tool on a jar like the shaded one: its version-49 class under picocli/ becomes a version-52 class that
     * verifies and runs; the class outside picocli/ and every other entry keep their bytes, order and times; the
     * notice comes last. A second run leaves the jar as it is.
     */
    @Test
    void theToolRewritesOnlyOldClassesUnderThePrefix() throws Exception {
        Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        entries.put("META-INF/MANIFEST.MF", "Manifest-Version: 1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        entries.put("other/Old.class", branching("other/Old"));
        entries.put("picocli/", new byte[0]);
        entries.put("picocli/Pick.class", branching("picocli/Pick"));
        entries.put("picocli/readme.txt", "text".getBytes(StandardCharsets.US_ASCII));
        Path jar = jar("ok.jar", entries);
        List<ZipEntry> before;
        try (JarFile jf = new JarFile(jar.toFile())) {
            before = Collections.list(jf.entries()).stream().map(e -> (ZipEntry) e).toList();
        }

        Run run = tool(jar);
        assertEquals(0, run.status(), run.out());
        assertTrue(run.out().contains("1 class files under picocli/"), run.out());
        try (JarFile jf = new JarFile(jar.toFile())) {
            List<JarEntry> after = Collections.list(jf.entries());
            assertEquals(before.size() + 1, after.size());
            for (int i = 0; i < before.size(); i++) {
                assertEquals(before.get(i).getName(), after.get(i).getName());
                assertEquals(before.get(i).getTimeLocal(), after.get(i).getTimeLocal(), after.get(i).getName());
                byte[] bytes = jf.getInputStream(after.get(i)).readAllBytes();
                if (after.get(i).getName().equals("picocli/Pick.class")) {
                    assertEquals(52, major(bytes));
                    assertNotEquals(entries.get("picocli/Pick.class").length, bytes.length);
                } else {
                    assertArrayEquals(entries.get(after.get(i).getName()), bytes, after.get(i).getName());
                }
            }
            assertEquals("META-INF/notice.txt", after.get(before.size()).getName());
            assertEquals("rewritten\n", new String(jf.getInputStream(after.get(before.size())).readAllBytes(),
                    StandardCharsets.UTF_8));
        }
        try (URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, null)) {
            Class<?> pick = Class.forName("picocli.Pick", true, loader); // verified: a version 52 class has frames
            assertEquals("yes", pick.getMethod("pick", boolean.class).invoke(null, true));
            assertEquals("no", pick.getMethod("pick", boolean.class).invoke(null, false));
        }

        byte[] once = Files.readAllBytes(jar);
        Run again = tool(jar);
        assertEquals(0, again.status(), again.out());
        assertTrue(again.out().contains(" 0 class files"), again.out());
        assertArrayEquals(once, Files.readAllBytes(jar));
        assertEquals(List.of("ok.jar"), tmpFiles());
    }

    /** Hostile class files: the tool exits non-zero naming the entry and why, and the jar is left as it was. */
    private void refused(String bad, byte[] classFile, String why) throws Exception {
        Map<String, byte[]> entries = new java.util.LinkedHashMap<>();
        entries.put("picocli/Pick.class", branching("picocli/Pick"));
        entries.put(bad, classFile);
        entries.put("picocli/Z.class", branching("picocli/Z"));
        Path jar = jar("bad.jar", entries);
        byte[] before = Files.readAllBytes(jar);
        Run run = tool(jar);
        assertNotEquals(0, run.status(), run.out());
        assertTrue(run.out().contains("cannot rewrite " + bad) && run.out().contains(why), run.out());
        assertArrayEquals(before, Files.readAllBytes(jar), "the jar changed");
        assertEquals(List.of("bad.jar"), tmpFiles(), "files left behind");
    }

    @Test
    void theToolRefusesATruncatedClassFile() throws Exception {
        byte[] whole = branching("picocli/Cut");
        refused("picocli/Cut.class", java.util.Arrays.copyOf(whole, 40), "picocli/Cut.class in ");
    }

    @Test
    void theToolRefusesAnEntryThatIsNoClassFile() throws Exception {
        refused("picocli/Text.class", "not a class".getBytes(StandardCharsets.US_ASCII), "not a class file");
    }

    /** Frames that need a type missing from the jar: the common superclass of two absent classes at a merge. */
    @Test
    void theToolRefusesAClassWhoseFramesItCannotCompute() throws Exception {
        byte[] merge = java5Class("picocli/Merge", w -> {
            MethodVisitor m = w.visitMethod(Opcodes.ACC_STATIC, "either", "(Z)Ljava/lang/Object;", null, null);
            m.visitCode();
            Label second = new Label();
            Label end = new Label();
            m.visitVarInsn(Opcodes.ILOAD, 0);
            m.visitJumpInsn(Opcodes.IFEQ, second);
            m.visitTypeInsn(Opcodes.NEW, "picocli/Absent1");
            m.visitInsn(Opcodes.DUP);
            m.visitMethodInsn(Opcodes.INVOKESPECIAL, "picocli/Absent1", "<init>", "()V", false);
            m.visitJumpInsn(Opcodes.GOTO, end);
            m.visitLabel(second);
            m.visitTypeInsn(Opcodes.NEW, "picocli/Absent2");
            m.visitInsn(Opcodes.DUP);
            m.visitMethodInsn(Opcodes.INVOKESPECIAL, "picocli/Absent2", "<init>", "()V", false);
            m.visitLabel(end);
            m.visitInsn(Opcodes.ARETURN);
            m.visitMaxs(0, 0);
            m.visitEnd();
        });
        refused("picocli/Merge.class", merge, "picocli/Absent");
    }

    /** jsr/ret (subroutines), which Java 5 class files may hold and Java 6+ ones may not. */
    @Test
    void theToolRefusesASubroutine() throws Exception {
        byte[] jsr = java5Class("picocli/Jsr", w -> {
            MethodVisitor m = w.visitMethod(Opcodes.ACC_STATIC, "sub", "()V", null, null);
            m.visitCode();
            Label sub = new Label();
            m.visitJumpInsn(Opcodes.JSR, sub);
            m.visitInsn(Opcodes.RETURN);
            m.visitLabel(sub);
            m.visitVarInsn(Opcodes.ASTORE, 0);
            m.visitVarInsn(Opcodes.RET, 0);
            m.visitMaxs(0, 0);
            m.visitEnd();
        });
        refused("picocli/Jsr.class", jsr, "subroutine (jsr)");
    }
}
