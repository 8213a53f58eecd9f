package io.github.famfs.packaging;

import io.github.famfs.format.InvalidFileMapException;
import io.github.famfs.format.OutOfSpaceException;
import io.github.famfs.nio.FamfsOption;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Run by {@link ModulePathIT} in a JVM where famfs-nio and jnr-ffi are on the module path and this class on the
 * class path (so in the unnamed module, which may use only what the module exports): next to the JDK's zipfs, it
 * makes a zip, opens it and a famfs image through {@code FileSystems.newFileSystem(Path, env)}, copies a file from
 * the one into the other, lists both, maps the copy, and catches famfs's own exceptions by their types.
 */
public final class ModulePathProbe {
    private ModulePathProbe() {}

    public static void main(String[] args) throws Exception {
        Path zip = Path.of(args[0]);
        Path image = Path.of(args[1]);
        String systemUuid = args[2];
        Module famfs = FamfsOption.class.getModule();
        System.out.println("famfs module: " + famfs.getName() + ", named " + famfs.isNamed() + "; this class's: "
                + ModulePathProbe.class.getModule());
        byte[] text = "a file from a zip, through famfs, mapped\n".repeat(100).getBytes(StandardCharsets.UTF_8);
        try (FileSystem z = FileSystems.newFileSystem(zip, Map.of("create", "true"))) {
            Files.createDirectories(z.getPath("/docs"));
            Files.write(z.getPath("/docs/note.txt"), text);
        }
        try (FileSystem z = FileSystems.newFileSystem(zip, Map.of());
                FileSystem f = FileSystems.newFileSystem(image, Map.of("systemUuid", systemUuid))) {
            System.out.println("providers: " + z.provider().getScheme() + " " + z.provider().getClass().getModule()
                    .getName() + ", " + f.provider().getScheme() + " " + f.provider().getClass().getModule().getName());
            Files.copy(z.getPath("/docs/note.txt"), f.getPath("/from-zip.txt"));
            System.out.println("zip: " + list(z.getPath("/docs")));
            System.out.println("famfs: " + list(f.getPath("/")));
            try (FileChannel ch = FileChannel.open(f.getPath("/from-zip.txt"), StandardOpenOption.READ)) {
                MappedByteBuffer map = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
                System.out.println("mapped /from-zip.txt: " + map.capacity() + " bytes, same as the zip's: "
                        + map.equals(ByteBuffer.wrap(text)));
            }
            try {
                FileChannel.open(f.getPath("/too-big"), Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                        FamfsOption.size(Files.getFileStore(f.getPath("/")).getTotalSpace()))).close();
                System.out.println("out of space: not thrown");
            } catch (OutOfSpaceException e) {
                System.out.println("caught OutOfSpaceException: " + e.getMessage());
            }
            try {
                Files.readAllBytes(f.getPath("/bad-map.bin"));
                System.out.println("invalid map: not thrown");
            } catch (InvalidFileMapException e) {
                System.out.println("caught InvalidFileMapException: " + e.getMessage());
            }
        }
    }

    private static String list(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p + " " + size(p)).sorted().toList().toString();
        }
    }

    private static String size(Path p) {
        try {
            return Files.isDirectory(p) ? "dir" : Long.toString(Files.size(p));
        } catch (Exception e) {
            return e.toString();
        }
    }
}
