package io.github.famfs.bench;

import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Map;

/**
 * The first mount of a JVM, which JMH's steady-state {@link MountBench} does not show: class loading, jnr-ffi's
 * libc binding and interpreted code included. Prints the wall time of the first three
 * {@code newFileSystem(famfs:<full-log image>) + close()} in this JVM.
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.github.famfs.bench.ColdMount</pre>
 *
 * Leaves the unpacked image in /dev/shm/famfs-bench/full-log.img (64 MiB); MountBench deletes it at its end.
 */
public final class ColdMount {
    private ColdMount() {}

    public static void main(String[] args) throws Exception {
        Path image = args.length > 0 ? Path.of(args[0]) : BenchImages.fullLogImage();
        URI uri = URI.create("famfs:" + image);
        StringBuilder out = new StringBuilder("cold mount+close of " + image + " on JDK "
                + Runtime.version() + ":");
        for (int i = 1; i <= 3; i++) {
            long t0 = System.nanoTime();
            try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of())) {
                if (!fs.isOpen()) {
                    throw new IllegalStateException("not open");
                }
            }
            long t1 = System.nanoTime();
            out.append(String.format(" #%d %.2f ms", i, (t1 - t0) / 1e6));
        }
        System.out.println(out);
    }
}
