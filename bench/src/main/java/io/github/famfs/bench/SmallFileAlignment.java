package io.github.famfs.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * Why the small-file pair's famfs side runs at one of two speeds, JVM run by JVM run: the famfs side of
 * {@code small-files} (open + read 4 KiB + close, 1000 files) into 4 KiB direct buffers that differ only in where
 * they start within a page, the buffers taken in turn round by round in one JVM, thread CPU time per operation. The
 * files' data starts on a page boundary; {@code ByteBuffer.allocateDirect} starts a buffer wherever
 * {@code malloc} puts it (16-byte aligned), so a benchmark's buffer lands on one of these offsets by chance.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.github.famfs.bench.SmallFileAlignment [rounds]</pre>
 */
public final class SmallFileAlignment {
    private static final int[] OFFSETS = {0, 8, 16, 24, 32, 48, 64, 2080};
    private static final int OPS = 100_000;

    private SmallFileAlignment() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 16;
        int warm = Math.min(4, rounds - 1);
        BenchImages.SmallFiles data = BenchImages.smallFiles(SmallFileOpenReadBench.FILES, SmallFileOpenReadBench.SIZE);
        int count = SmallFileOpenReadBench.FILES;
        try (FileSystem famfs = FileSystems.newFileSystem(URI.create("famfs:" + data.image()), Map.of())) {
            Path[] paths = new Path[count];
            for (int i = 0; i < count; i++) {
                paths[i] = famfs.getPath(data.famfsPaths().get(i));
            }
            ByteBuffer pages = ByteBuffer.allocateDirect((OFFSETS.length + 2) * 4096);
            int firstPage = (4096 - pages.alignmentOffset(0, 4096)) & 4095;
            ByteBuffer[] bufs = new ByteBuffer[OFFSETS.length];
            for (int k = 0; k < bufs.length; k++) {
                int at = firstPage + k * 4096 + OFFSETS[k];
                bufs[k] = pages.slice(at, SmallFileOpenReadBench.SIZE);
                if (bufs[k].alignmentOffset(0, 4096) != OFFSETS[k] % 4096) {
                    throw new IllegalStateException("buffer " + k + " is not at offset " + OFFSETS[k]);
                }
            }
            ThreadMXBean threads = ManagementFactory.getThreadMXBean();
            long[][] ns = new long[bufs.length][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < bufs.length; k++) {
                    long c0 = threads.getCurrentThreadCpuTime();
                    for (int i = 0; i < OPS; i++) {
                        SmallFileOpenReadBench.openRead(paths[i % count], bufs[k]);
                    }
                    ns[k][r] = (threads.getCurrentThreadCpuTime() - c0) / OPS;
                }
            }
            System.out.printf("# %s %s; %d rounds of %d operations per buffer, the first %d not counted%n",
                    System.getProperty("java.vm.name"), System.getProperty("java.version"), rounds, OPS, warm);
            System.out.println("| buffer's offset in its page | CPU per operation, median (min..max) |");
            System.out.println("|---|---|");
            for (int k = 0; k < bufs.length; k++) {
                long[] x = Arrays.copyOfRange(ns[k], warm, rounds);
                Arrays.sort(x);
                System.out.printf("| %d | %d ns (%d..%d) |%n", OFFSETS[k], x[x.length / 2], x[0], x[x.length - 1]);
            }
        }
    }
}
