package io.github.famfs.bench;

import io.github.famfs.bench.SideBySide.Pair;
import io.github.famfs.bench.SideBySide.PairMaker;
import io.github.famfs.bench.SideBySide.Side;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.spi.FileSystemProvider;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** The pairs {@link SideBySide} measures, by name, and the mount-growth curve. */
final class Pairs {
    static final String MOUNT_GROWTH = "mount-growth";
    static final Map<String, PairMaker> ALL = new LinkedHashMap<>();

    static {
        ALL.put("small-files", Pairs::smallFiles);
        ALL.put("seq-read-direct", Pairs::sequentialDirect);
        ALL.put("copy-in", Pairs::copyIn);
        ALL.put("copy-in-bound", Pairs::copyInBound);
        ALL.put("mount-full-log", Pairs::mountFullLog);
    }

    private Pairs() {}

    /** Open + read 4 KiB + close, rotating through 1000 files of 4 KiB. */
    static Pair smallFiles() throws IOException {
        int count = SmallFileOpenReadBench.FILES;
        int size = SmallFileOpenReadBench.SIZE;
        BenchImages.SmallFiles data = BenchImages.smallFiles(count, size);
        FileSystem famfs = FileSystems.newFileSystem(URI.create("famfs:" + data.image()), Map.of());
        Path[] fp = new Path[count];
        Path[] jp = new Path[count];
        for (int i = 0; i < count; i++) {
            fp[i] = famfs.getPath(data.famfsPaths().get(i));
            jp[i] = data.plainPaths().get(i);
        }
        ByteBuffer buf = ByteBuffer.allocateDirect(size);
        int[] next = {0, 0};
        return new Pair("small-files", "open + read 4 KiB + close, 1000 files (famfs vs JDK on /dev/shm)",
                new Side("famfs", () -> SmallFileOpenReadBench.openRead(fp[next[0]++ % count], buf)),
                new Side("jdk", () -> SmallFileOpenReadBench.openRead(jp[next[1]++ % count], buf)), "≥ 10x", () -> {
                    famfs.close();
                });
    }

    /** Sequential FileChannel.read of a whole 1 GiB file into a 1 MiB direct buffer. */
    static Pair sequentialDirect() throws IOException {
        BenchImages.Sequential data = BenchImages.sequential();
        FileSystem famfs = FileSystems.newFileSystem(URI.create("famfs:" + data.image()), Map.of());
        FileChannel f = FileChannel.open(famfs.getPath(data.famfsPath()), StandardOpenOption.READ);
        FileChannel j = FileChannel.open(data.plain(), StandardOpenOption.READ);
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
        return new Pair("seq-read-direct", "sequential `FileChannel.read`, 1 MiB direct buffer, whole 1 GiB file",
                new Side("famfs", () -> readAll(f, buf)), new Side("jdk", () -> readAll(j, buf)), "≥ 1.5x", () -> {
                    f.close();
                    j.close();
                    famfs.close();
                });
    }

    static long readAll(FileChannel ch, ByteBuffer buf) throws IOException {
        long total = 0;
        ch.position(0);
        for (int n; (n = ch.read(buf.clear())) >= 0;) {
            total += n;
        }
        return total;
    }

    /** Files.copy of a 1 GiB /dev/shm file into a fresh famfs image, against Files.copy into /dev/shm. */
    static Pair copyIn() throws IOException {
        Path source = MasterImages.plain("copy-1g.bin", MasterImages.GIB);
        Path jdkTarget = MasterImages.DIR.resolve("copy-target.bin");
        FileSystem[] famfs = {null};
        Side f = new Side("famfs", () -> Files.copy(source, famfs[0].getPath("/copy.bin")), () -> {
            famfs[0] = FileSystems.newFileSystem(MasterImages.uri(MasterImages.freshImage("copy.img", "2G")),
                    MasterImages.master());
        }, () -> {
            famfs[0].close();
            Files.deleteIfExists(MasterImages.DIR.resolve("copy.img"));
        });
        Side j = new Side("jdk", () -> Files.copy(source, jdkTarget), () -> Files.deleteIfExists(jdkTarget),
                () -> Files.deleteIfExists(jdkTarget));
        return new Pair("copy-in", "`Files.copy(defaultFsPath, famfsPath)`, 1 GiB, image on tmpfs (vs `Files.copy`"
                + " to /dev/shm)", f, j, "≥ 0.8x", () -> {
                    Files.deleteIfExists(jdkTarget);
                    Files.deleteIfExists(MasterImages.DIR.resolve("copy.img"));
                });
    }

    /**
     * The bound of {@code copy-in} for a provider other than the JDK's own: the JDK hands a foreign target the
     * source as an {@code InputStream} and calls {@code transferTo} on it ({@code Files.copy(InputStream, Path)}),
     * which reads 8 KiB (JDK 17) or 16 KiB (JDK 21+) at a time into a heap array. Here that read, written to
     * /dev/shm through a 1 MiB {@code BufferedOutputStream} (the best a foreign target's stream can do with those
     * writes), against {@code Files.copy(Path, Path)} to /dev/shm (an in-kernel copy). No famfs-nio in it: the
     * "famfs-nio" column is the stream copy.
     */
    static Pair copyInBound() throws IOException {
        Path source = MasterImages.plain("copy-1g.bin", MasterImages.GIB);
        Path streamTarget = MasterImages.DIR.resolve("copy-stream-target.bin");
        Path jdkTarget = MasterImages.DIR.resolve("copy-target.bin");
        Side s = new Side("stream", () -> {
            try (java.io.InputStream in = Files.newInputStream(source);
                    java.io.OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(streamTarget,
                            java.nio.file.StandardOpenOption.CREATE_NEW, java.nio.file.StandardOpenOption.WRITE),
                            1 << 20)) {
                return in.transferTo(out);
            }
        }, () -> Files.deleteIfExists(streamTarget), () -> Files.deleteIfExists(streamTarget));
        Side j = new Side("jdk", () -> Files.copy(source, jdkTarget), () -> Files.deleteIfExists(jdkTarget),
                () -> Files.deleteIfExists(jdkTarget));
        return new Pair("copy-in-bound", "bound of copy-in: the source's `InputStream.transferTo` into a 1 MiB"
                + " `BufferedOutputStream` on /dev/shm (in the famfs-nio column) vs `Files.copy(Path, Path)` to"
                + " /dev/shm", s, j, "-", () -> {
                    Files.deleteIfExists(streamTarget);
                    Files.deleteIfExists(jdkTarget);
                });
    }

    /** Mount + close of the full-log reference image (15,420 entries) against zipfs open + close of the same tree. */
    static Pair mountFullLog() throws IOException {
        Path image = BenchImages.fullLogImage();
        Path zip = BenchImages.fullLogZip(image);
        URI uri = URI.create("famfs:" + image);
        FileSystemProvider zipfs = FileSystemProvider.installedProviders().stream()
                .filter(p -> p.getScheme().equals("jar")).findFirst().orElseThrow();
        return new Pair("mount-full-log", "mount + close, full-log image, 15,420 entries (vs zipfs open + close of"
                + " a zip of the same tree, a reference point)", new Side("famfs", () -> mountClose(uri)),
                new Side("zipfs", () -> {
                    try (FileSystem fs = zipfs.newFileSystem(zip, Map.of())) {
                        return fs.isReadOnly();
                    }
                }), "≤ 4 ms CPU", () -> { });
    }

    static boolean mountClose(URI uri) throws IOException {
        try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of())) {
            return fs.isReadOnly();
        }
    }

    // ---- mount cost against the number of entries

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static long usedHeap() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /**
     * Mounts generated images of 1,000 to 493,447 entries (a full 256 MiB log; directories of 1000 entries) and
     * prints, per entry, the median CPU time of a mount + close, the bytes it allocates and the heap the open file
     * system retains.
     */
    static void mountGrowth(PrintStream out) throws Exception {
        out.println("| entries | log | mount + close CPU (median of 11; min-max) | per entry | allocated per entry"
                + " | retained heap per entry | load average |");
        out.println("|---|---|---|---|---|---|---|");
        for (int n : new int[] {1000, 10_000, 100_000, ScaleImage.FULL_256M}) {
            Path image = ScaleImage.make(n, 1000);
            URI uri = URI.create("famfs:" + image);
            try {
                for (int i = 0; i < 5; i++) {
                    mountClose(uri);
                }
                double[] cpu = new double[11];
                long alloc = Long.MAX_VALUE;
                for (int i = 0; i < cpu.length; i++) {
                    long a0 = THREADS.getCurrentThreadAllocatedBytes();
                    long c0 = THREADS.getCurrentThreadCpuTime();
                    mountClose(uri);
                    cpu[i] = THREADS.getCurrentThreadCpuTime() - c0;
                    alloc = Math.min(alloc, THREADS.getCurrentThreadAllocatedBytes() - a0);
                }
                long before = usedHeap();
                long retained;
                try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of())) {
                    retained = usedHeap() - before;
                    SideBySide.sink = fs;
                }
                Arrays.sort(cpu);
                // below 100,000 entries the namespace is smaller than what full collections leave varying
                String kept = n >= 100_000 ? retained / n + " B" : "(" + retained / 1024 + " KiB in all: noise)";
                out.println(String.format(Locale.ROOT, "| %,d | %d MiB | %s (%s-%s) | %.3f us | %d B | %s | %s |", n,
                        ScaleImage.logFor(n) >> 20, SideBySide.time(cpu[5]), SideBySide.time(cpu[0]),
                        SideBySide.time(cpu[10]), cpu[5] / 1e3 / n, alloc / n, kept, SideBySide.loadAverage()));
            } finally {
                Files.deleteIfExists(image);
            }
        }
    }
}
