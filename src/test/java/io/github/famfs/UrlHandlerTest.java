package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** famfs: URLs: path.toUri().toURL(), URLClassLoader over a jar stored in famfs, and hostile URLs. */
class UrlHandlerTest {
    static final String MASTER = "c105e000-0000-4000-8000-0000000000c1";
    private static final String GREETING = "a resource read through a famfs: URL\n";

    @TempDir
    Path tmp;

    static FileSystem create(Path img) throws IOException {
        return FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("create", "true", "deviceSize", "64M",
                "systemUuid", MASTER));
    }

    /** A jar holding class p.Hello (made here with ASM; its toString says hello) and the resource p/greeting.txt. */
    static byte[] helloJar() throws IOException {
        ClassWriter cw = new ClassWriter(ClassWriter.COMPUTE_FRAMES | ClassWriter.COMPUTE_MAXS);
        cw.visit(Opcodes.V17, Opcodes.ACC_PUBLIC | Opcodes.ACC_SUPER, "p/Hello", null, "java/lang/Object", null);
        MethodVisitor init = cw.visitMethod(Opcodes.ACC_PUBLIC, "<init>", "()V", null, null);
        init.visitCode();
        init.visitVarInsn(Opcodes.ALOAD, 0);
        init.visitMethodInsn(Opcodes.INVOKESPECIAL, "java/lang/Object", "<init>", "()V", false);
        init.visitInsn(Opcodes.RETURN);
        init.visitMaxs(0, 0);
        init.visitEnd();
        MethodVisitor ts = cw.visitMethod(Opcodes.ACC_PUBLIC, "toString", "()Ljava/lang/String;", null, null);
        ts.visitCode();
        ts.visitLdcInsn("hello from famfs");
        ts.visitInsn(Opcodes.ARETURN);
        ts.visitMaxs(0, 0);
        ts.visitEnd();
        cw.visitEnd();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (JarOutputStream jar = new JarOutputStream(bytes)) {
            jar.putNextEntry(new JarEntry("p/Hello.class"));
            jar.write(cw.toByteArray());
            jar.putNextEntry(new JarEntry("p/greeting.txt"));
            jar.write(GREETING.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    @Test
    void aUrlClassLoaderLoadsClassesAndResourcesFromAJarInFamfs() throws Exception {
        byte[] jar = helloJar();
        Path img = tmp.resolve("a!b.img");
        try (FileSystem fs = create(img)) {
            Files.createDirectory(fs.getPath("/lib"));
            Path stored = fs.getPath("/lib/hello!.jar");
            Files.write(stored, jar);
            URL url = stored.toUri().toURL();
            // the device path as one encoded segment, then the path in famfs: no "!/" for jar: to split at
            assertEquals("famfs:/" + img.toString().replace("/", "%2F").replace("!", "%21") + "/lib/hello%21.jar",
                    url.toString());
            assertEquals(stored, Path.of(url.toURI()), "the URL names the same file");
            // the older URL form (separator "!%2F") and the URI form are read, and rewritten to the URL form
            URL old = new URL("famfs:" + img.toString().replace("!", "%21") + "!%2Flib/hello%21.jar");
            assertEquals(url.toString(), old.toString());
            assertEquals(stored, Path.of(URI.create("famfs:" + img.toString().replace("!", "%21")
                    + "!%2Flib/hello%21.jar")));
            assertEquals(url.toString(), stored.toUri().toURL().toString());
            // a relative URL resolves in the device; one that climbs above its root names no open famfs
            assertEquals(fs.getPath("/lib/other.jar"), Path.of(new URL(url, "other.jar").toURI()));
            assertEquals(fs.getPath("/x"), Path.of(new URL(url, "../x").toURI()));
            URL above = new URL(url, "../../x");
            assertThrows(java.io.IOException.class, () -> above.openStream().close(), above.toString());
            assertEquals(stored, Path.of(stored.toUri()));
            try (InputStream in = url.openStream()) {
                assertArrayEquals(jar, in.readAllBytes());
            }
            assertEquals(jar.length, url.openConnection().getContentLengthLong());
            URL inJar = new URL("jar:" + url + "!/p/greeting.txt");
            try (InputStream in = inJar.openStream()) {
                assertEquals(GREETING, new String(in.readAllBytes(), StandardCharsets.UTF_8), inJar.toString());
            }
            try (URLClassLoader loader = new URLClassLoader(new URL[] {url}, null)) {
                Class<?> hello = loader.loadClass("p.Hello");
                assertEquals(loader, hello.getClassLoader());
                assertEquals("hello from famfs", hello.getConstructor().newInstance().toString());
                try (InputStream in = loader.getResourceAsStream("p/greeting.txt")) {
                    assertEquals(GREETING, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
                URL resource = loader.getResource("p/greeting.txt");
                assertTrue(resource.toString().startsWith("jar:famfs:"), resource.toString());
                assertThrows(ClassNotFoundException.class, () -> loader.loadClass("p.Missing"));
            }
            Path classes = fs.getPath("/classes/p");
            Files.createDirectories(classes);
            // a directory's URI ends with '/', as the default provider's, and names the same path again
            assertTrue(classes.toUri().toString().endsWith("/p/"), classes.toUri().toString());
            assertEquals(classes, Path.of(classes.toUri()));
            assertEquals(classes, Path.of(classes.toUri().toURL().toURI()));
            assertEquals(fs.getPath("/"), Path.of(fs.getPath("/").toUri().toURL().toURI()));
            Files.write(classes.resolve("greeting.txt"), GREETING.getBytes(StandardCharsets.UTF_8));
            try (URLClassLoader dirLoader = new URLClassLoader(new URL[] {fs.getPath("/classes").toUri().toURL()}, null)) {
                try (InputStream in = dirLoader.getResourceAsStream("p/greeting.txt")) {
                    assertEquals(GREETING, new String(in.readAllBytes(), StandardCharsets.UTF_8), "directory URL");
                }
            }
        }
    }

    @Test
    void hostileUrlsAreClearIoExceptions() throws Exception {
        Path img = tmp.resolve("h.img");
        URL missing;
        URL present;
        try (FileSystem fs = create(img)) {
            Files.write(fs.getPath("/f"), new byte[] {1, 2, 3});
            missing = fs.getPath("/no/such.jar").toUri().toURL();
            present = fs.getPath("/f").toUri().toURL();
            URL m = missing;
            FileNotFoundException e = assertThrows(FileNotFoundException.class, () -> m.openStream());
            assertTrue(e.getMessage().contains("/no/such.jar"), e.getMessage());
            URL dir = fs.getPath("/").toUri().toURL();
            assertThrows(FileNotFoundException.class, () -> dir.openStream());
            // the default provider: a missing file: URL is a FileNotFoundException too
            assertThrows(FileNotFoundException.class, () -> tmp.resolve("absent").toUri().toURL().openStream());
            try (URLClassLoader loader = new URLClassLoader(new URL[] {missing}, null)) {
                assertThrows(ClassNotFoundException.class, () -> loader.loadClass("p.Hello"));
            }
            try (InputStream in = present.openStream()) {
                assertArrayEquals(new byte[] {1, 2, 3}, in.readAllBytes());
            }
        }
        URL p = present;
        IOException closed = assertThrows(IOException.class, () -> p.openStream());
        assertTrue(closed.getMessage().contains("no famfs is open"), closed.getMessage());
        assertThrows(MalformedURLException.class, () -> new URL("famfs://somehost/dev/dax0.0!/f"));
        for (String bad : List.of("famfs:relative!/f", "famfs:/x!/%zz")) {
            IOException ex = assertThrows(IOException.class, () -> new URL(bad).openStream(), bad);
            assertFalse(ex.getMessage().isEmpty());
        }
    }
}
