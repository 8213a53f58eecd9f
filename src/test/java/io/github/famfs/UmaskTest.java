package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.nio.FamfsFileSystemProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Modes given at creation honour the process umask, as the JDK's default provider (the kernel) does: a child JVM
 * started under umask 027 creates the same files and directories in a local directory and in famfs, and their
 * modes must match.
 */
class UmaskTest {
    @TempDir
    Path tmp;

    @Test
    void modesAsTheDefaultProviderUnderAUmask() throws Exception {
        Path img = tmp.resolve("umask.img");
        Path local = Files.createDirectory(tmp.resolve("local"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", "umask 027 && exec \"$0\" -cp \"$1\" \"$2\" \"$3\" \"$4\"",
                java, System.getProperty("java.class.path"), Creator.class.getName(), img.toString(),
                local.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        List<String> lines = out.lines().filter(l -> l.startsWith("local ") || l.startsWith("famfs ")).toList();
        List<String> l = lines.stream().filter(s -> s.startsWith("local ")).map(s -> s.substring(6)).toList();
        List<String> f = lines.stream().filter(s -> s.startsWith("famfs ")).map(s -> s.substring(6)).toList();
        assertEquals(4, l.size(), out);
        assertTrue(l.contains("all-file rwxr-x---"), out);
        assertEquals(l, f, out);
        assertTrue(l.contains("default-file rw-r-----"), out);
        assertTrue(l.contains("all-dir rwxr-x---"), out);
    }

    private static void write(java.nio.channels.SeekableByteChannel ch) throws java.io.IOException {
        try (ch) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[1]));
        }
    }

    /** Run under umask 027: creates files and directories in both file systems and prints their modes. */
    public static final class Creator {
        public static void main(String[] args) throws Exception {
            try (FileSystem fs = FileSystems.newFileSystem(FamfsFileSystemProvider.uri(Path.of(args[0])),
                    Map.of("create", "true", "deviceSize", "64M", "systemUuid", LockTest.MASTER))) {
                for (Path root : List.of(Path.of(args[1]), fs.getPath("/"))) {
                    String on = root.getFileSystem() == fs ? "famfs " : "local ";
                    List<String> made = new ArrayList<>();
                    Files.write(root.resolve("default-file"), new byte[1]);
                    write(Files.newByteChannel(root.resolve("all-file"), java.util.Set.of(
                            java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE),
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx"))));
                    Files.createDirectory(root.resolve("default-dir"));
                    Files.createDirectory(root.resolve("all-dir"),
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxrwxrwx")));
                    for (String n : List.of("default-file", "all-file", "default-dir", "all-dir")) {
                        made.add(on + n + " " + PosixFilePermissions.toString(Files.getPosixFilePermissions(
                                root.resolve(n))));
                    }
                    made.forEach(System.out::println);
                }
            }
        }
    }
}
