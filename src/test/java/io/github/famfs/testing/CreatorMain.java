package io.github.famfs.testing;

import java.io.OutputStream;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;

/**
 * A child process for crash and concurrency tests: opens IMAGE as master (SYSTEM_UUID), makes directory DIR and
 * COUNT files in it (forever when COUNT is -1) with sizes from SEED, each filled with its {@link #content}, and
 * prints "published NAME SIZE" after each one is closed.
 *
 * <p>Usage: CreatorMain IMAGE SYSTEM_UUID DIR COUNT SEED
 */
public final class CreatorMain {
    private CreatorMain() {}

    /** The bytes a file named {@code name} of {@code size} bytes holds. */
    public static byte[] content(String name, int size) {
        return TestImage.patternBytes(name.hashCode(), size);
    }

    public static int sizeOf(Random rnd) {
        return 1 + rnd.nextInt(rnd.nextBoolean() ? 5000 : 700_000);
    }

    public static void main(String[] args) throws Exception {
        Path image = Path.of(args[0]);
        int count = Integer.parseInt(args[3]);
        Random rnd = new Random(Long.parseLong(args[4]));
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + image), Map.of("systemUuid", args[1]))) {
            Path dir = fs.getPath("/" + args[2]);
            Files.createDirectories(dir);
            for (int i = 0; count < 0 || i < count; i++) {
                String name = args[2] + "-" + i;
                int size = sizeOf(rnd);
                byte[] data = content(name, size);
                try (OutputStream out = Files.newOutputStream(dir.resolve(name))) {
                    int at = 0;
                    while (at < size) {
                        int n = Math.min(size - at, 1 + rnd.nextInt(65536));
                        out.write(data, at, n);
                        at += n;
                    }
                }
                System.out.println("published " + name + " " + size);
                System.out.flush();
            }
        }
    }

    /** A ProcessBuilder running this class in a fresh JVM with the test class path. */
    public static ProcessBuilder process(Path image, String systemUuid, String dir, int count, long seed) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), CreatorMain.class.getName(),
                image.toString(), systemUuid, dir, Integer.toString(count), Long.toString(seed))
                .redirectErrorStream(true);
    }
}
