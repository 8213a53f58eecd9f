package io.github.famfs.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.objectweb.asm.ClassReader;
import org.objectweb.asm.ClassVisitor;
import org.objectweb.asm.ClassWriter;
import org.objectweb.asm.Label;
import org.objectweb.asm.MethodVisitor;
import org.objectweb.asm.Opcodes;

/**
 * Build-time tool (not shipped): rewrites, in place, the class files of a jar under one entry prefix whose version
 * is below 50 (Java 6) as Java 8 class files (version 52) with stack-map frames computed by ASM; nothing else in
 * them changes. Why: HotSpot's CDS archive and AOT cache never hold classes older than version 50, so picocli's
 * Java 5 class files would load from the jar, through the old verifier, on every start of the CLI.
 *
 * <p>The other entries are copied as they are, every entry keeps its place, time and extra fields, and a notice
 * entry saying what was done is added at the end (unless the jar has it). The new jar is written next to the old one and moved over it
 * only when every class was rewritten: a class file ASM cannot read, one holding subroutines (jsr/ret, which a
 * version 50+ class file cannot have) or one whose frames cannot be computed (a type it uses is missing from the
 * jar) stops the tool with a message naming the entry, and leaves the jar as it was. A jar with no such class
 * file left (rewritten already) is left as it is.
 *
 * <p>Usage: {@code Java8ClassFiles JAR PREFIX NOTICE-ENTRY NOTICE-TEXT}, e.g. {@code ... cli.jar picocli/
 * META-INF/picocli-class-files.txt "..."}.
 */
public final class Java8ClassFiles {
    private static final int OLDEST_ARCHIVABLE = Opcodes.V1_6;

    private final Path jar;
    private final String prefix;
    private final ClassLoader types;

    private Java8ClassFiles(Path jar, String prefix, ClassLoader types) {
        this.jar = jar;
        this.prefix = prefix;
        this.types = types;
    }

    /**
     * Run by Maven (exec:java, in its JVM: so no System.exit) after the shade plugin; a refusal is thrown and
     * fails the build with its message.
     */
    public static void main(String[] args) throws IOException {
        if (args.length != 4) {
            throw new IllegalArgumentException("usage: Java8ClassFiles JAR PREFIX NOTICE-ENTRY NOTICE-TEXT");
        }
        int n = rewrite(Path.of(args[0]), args[1], args[2], args[3]);
        if (Boolean.getBoolean("famfs.build.verbose")) { // quiet otherwise: Maven's -q does not silence System.out
            System.out.println("Java8ClassFiles: " + n + " class files under " + args[1] + " in " + args[0]
                    + " rewritten as Java 8 class files with computed frames");
        }
    }

    /** Rewrites {@code jar} in place; the number of class files rewritten. */
    public static int rewrite(Path jar, String prefix, String noticeEntry, String notice) throws IOException {
        Path tmp = jar.resolveSibling(jar.getFileName() + ".java8-tmp");
        // the jar's own classes, over the JDK's (not the build's class path): what the frames' types resolve to
        try (URLClassLoader types = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                ClassLoader.getPlatformClassLoader())) {
            int n = new Java8ClassFiles(jar, prefix, types).copy(tmp, noticeEntry, notice);
            if (n > 0) { // else the jar stays as it is (a second run, say)
                Files.move(tmp, jar, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            return n;
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException e) {
                // what failed before (if anything) stays the failure; a temporary file that cannot go is noted
                System.err.println("Java8ClassFiles: could not delete " + tmp + ": " + e);
            }
        }
    }

    private int copy(Path tmp, String noticeEntry, String notice) throws IOException {
        int rewritten = 0;
        ZipEntry last = null;
        boolean noticed = false;
        // the entries' bytes, times and extra fields from their local headers (as the shade plugin wrote them), and
        // the comments, which only the central directory holds, from it
        try (ZipFile central = new ZipFile(jar.toFile()); InputStream file = Files.newInputStream(jar);
                ZipInputStream in = new ZipInputStream(file); OutputStream out = Files.newOutputStream(tmp);
                ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.setComment(central.getComment());
            for (ZipEntry e; (e = in.getNextEntry()) != null; ) {
                if (isSignature(e.getName())) {
                    throw new RefusedException("cannot rewrite classes of " + jar + ": it is signed (" + e.getName()
                            + "), and rewritten classes would no longer match their signatures");
                }
                ZipEntry c = central.getEntry(e.getName());
                if (c != null) {
                    e.setComment(c.getComment());
                }
                noticed |= e.getName().equals(noticeEntry);
                byte[] bytes = in.readAllBytes();
                if (e.getName().startsWith(prefix) && e.getName().endsWith(".class") && version(e, bytes)
                        < OLDEST_ARCHIVABLE) {
                    bytes = java8(e.getName(), bytes);
                    rewritten++;
                }
                put(zip, e, bytes);
                last = e;
            }
            if (last == null) {
                throw new RefusedException(jar + " is not a jar (no entries)");
            }
            if (rewritten > 0 && !noticed) {
                ZipEntry n = new ZipEntry(noticeEntry);
                n.setTimeLocal(last.getTimeLocal());
                n.setMethod(ZipEntry.DEFLATED);
                put(zip, n, (notice + "\n").getBytes(StandardCharsets.UTF_8));
            }
        }
        return rewritten;
    }

    /** Whether {@code name} is a jar signature's file (META-INF/*.SF, *.RSA, *.DSA, *.EC, SIG-*). */
    private static boolean isSignature(String name) {
        if (!name.startsWith("META-INF/") || name.indexOf('/', "META-INF/".length()) >= 0) {
            return false;
        }
        String base = name.substring("META-INF/".length()).toUpperCase(java.util.Locale.ROOT);
        return base.endsWith(".SF") || base.endsWith(".RSA") || base.endsWith(".DSA") || base.endsWith(".EC")
                || base.startsWith("SIG-");
    }

    /**
     * {@code bytes} as entry {@code like} had it: same name, time, extra fields, comment and method (not its
     * external attributes, such as Unix mode bits, which ZipOutputStream cannot write; a jar's have none).
     */
    private static void put(ZipOutputStream zip, ZipEntry like, byte[] bytes) throws IOException {
        ZipEntry e = new ZipEntry(like.getName());
        e.setTimeLocal(like.getTimeLocal());
        if (like.getExtra() != null) {
            e.setExtra(like.getExtra());
        }
        e.setComment(like.getComment());
        e.setMethod(like.getMethod());
        if (like.getMethod() == ZipEntry.STORED) {
            CRC32 crc = new CRC32();
            crc.update(bytes);
            e.setSize(bytes.length);
            e.setCompressedSize(bytes.length);
            e.setCrc(crc.getValue());
        }
        zip.putNextEntry(e);
        zip.write(bytes);
        zip.closeEntry();
    }

    private int version(ZipEntry e, byte[] b) {
        if (b.length < 10 || (b[0] & 0xff) != 0xca || (b[1] & 0xff) != 0xfe || (b[2] & 0xff) != 0xba
                || (b[3] & 0xff) != 0xbe) {
            throw new RefusedException("cannot rewrite " + e.getName() + " in " + jar
                    + ": not a class file (no 0xCAFEBABE header)");
        }
        return (b[6] & 0xff) << 8 | (b[7] & 0xff);
    }

    private byte[] java8(String name, byte[] old) {
        try {
            ClassReader reader = new ClassReader(old);
            // not new ClassWriter(reader, ...): with the reader, ASM copies unchanged methods as they are, and
            // computes no frames for them
            ClassWriter writer = new ClassWriter(ClassWriter.COMPUTE_FRAMES) {
                @Override
                protected ClassLoader getClassLoader() {
                    return types;
                }
            };
            reader.accept(new ClassVisitor(Opcodes.ASM9, writer) {
                @Override
                public void visit(int version, int access, String cls, String signature, String superName,
                        String[] interfaces) {
                    super.visit(Opcodes.V1_8, access, cls, signature, superName, interfaces);
                }

                @Override
                public MethodVisitor visitMethod(int access, String method, String descriptor, String signature,
                        String[] exceptions) {
                    return new MethodVisitor(Opcodes.ASM9, super.visitMethod(access, method, descriptor, signature,
                            exceptions)) {
                        @Override
                        public void visitJumpInsn(int opcode, Label label) {
                            if (opcode == Opcodes.JSR) {
                                throw new RefusedException(name + ": method " + method + descriptor
                                        + " has a subroutine (jsr), which a Java 6+ class file cannot hold");
                            }
                            super.visitJumpInsn(opcode, label);
                        }

                        @Override
                        public void visitVarInsn(int opcode, int var) {
                            if (opcode == Opcodes.RET) {
                                throw new RefusedException(name + ": method " + method + descriptor
                                        + " has a subroutine (ret), which a Java 6+ class file cannot hold");
                            }
                            super.visitVarInsn(opcode, var);
                        }
                    };
                }
            }, ClassReader.SKIP_FRAMES);
            byte[] rewritten = writer.toByteArray();
            new ClassReader(rewritten).accept(new ClassVisitor(Opcodes.ASM9) {}, 0); // reads back
            return rewritten;
        } catch (RefusedException e) {
            throw new RefusedException("cannot rewrite " + e.getMessage() + " (in " + jar + ")");
        } catch (RuntimeException e) {
            // ASM: an unreadable class file (IllegalArgumentException, ArrayIndexOutOfBoundsException...), or a
            // type its frames need that is not in the jar or the JDK (TypeNotPresentException)
            throw new RefusedException("cannot rewrite " + name + " in " + jar + " as a Java 8 class file with"
                    + " computed frames: " + e, e);
        }
    }

    /** What stops the tool; the jar is left as it was. */
    static final class RefusedException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RefusedException(String message) {
            super(message);
        }

        RefusedException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
