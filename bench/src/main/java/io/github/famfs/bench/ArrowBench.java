package io.github.famfs.bench;

import io.github.famfs.arrow.FamfsArrow;
import io.github.famfs.nio.Famfs;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * FamfsArrow against the user's alternative, side by side in rounds inside one JVM (not JMH: a first batch is a
 * one-shot event): a 1 GiB frame ({@code id BIGINT, x DOUBLE}, 64 batches of 1M rows) in a famfs image on
 * /dev/shm, read in place by {@code FamfsArrow.openFile}, against the same file on /dev/shm read by Arrow's
 * {@code ArrowFileReader} over the JDK's FileChannel. Per round and side: time to first batch (open, schema,
 * first batch loaded) and a full scan (every batch, every id summed), wall and CPU time; sides alternate first.
 * Then the memory of 4 reader processes at once that each keep the whole frame loaded (every batch's vectors
 * transferred out and held): their anonymous and shared resident memory.
 *
 * <p>Usage: {@code java --add-opens=java.base/java.nio=ALL-UNNAMED --enable-native-access=ALL-UNNAMED -cp
 * bench/target/benchmarks.jar io.github.famfs.bench.ArrowBench [ROUNDS]}
 */
public final class ArrowBench {
    private static final int ROWS = 1 << 20;
    private static final int BATCHES = 64;
    private static final String MASTER = "a7707000-0000-4000-8000-0000000000b1";

    private ArrowBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("hold")) {
            hold(Path.of(args[1]), args[2].equals("famfs"));
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        Path dir = Files.createDirectories(Path.of("/dev/shm/famfs-arrow-bench"));
        Path image = dir.resolve("famfs.img");
        Path plain = dir.resolve("frame.arrow");
        Files.deleteIfExists(image);
        Files.deleteIfExists(plain);
        try (FileSystem fs = Famfs.open(image, Map.of("create", "true", "deviceSize", "2G", "systemUuid", MASTER))) {
            write(fs.getPath("/frame.arrow"));
            Files.copy(fs.getPath("/frame.arrow"), plain, StandardCopyOption.REPLACE_EXISTING);
        }
        System.out.printf("frame: %d MiB, %d batches of %d rows; %s%n", Files.size(plain) >> 20, BATCHES, ROWS,
                Runtime.version());
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        String[] names = {"famfs first batch", "jdk first batch", "famfs full scan", "jdk full scan"};
        double[][] wall = new double[4][rounds];
        double[][] cpus = new double[4][rounds];
        try (FileSystem fs = Famfs.open(image, Map.of("systemUuid", UUID.randomUUID().toString()));
                BufferAllocator allocator = new RootAllocator()) {
            Path famfsFile = fs.getPath("/frame.arrow");
            for (int r = -1; r < rounds; r++) {
                for (int k = 0; k < 2; k++) {
                    boolean famfs = (k == 0) == (r % 2 == 0);
                    for (boolean scan : new boolean[] {false, true}) {
                        long c0 = cpu.getCurrentThreadCpuTime();
                        long t0 = System.nanoTime();
                        long sum = run(famfs, famfsFile, plain, allocator, scan);
                        long t = System.nanoTime() - t0;
                        long c = cpu.getCurrentThreadCpuTime() - c0;
                        if (scan && sum != (long) BATCHES * ROWS * ((long) BATCHES * ROWS - 1) / 2) {
                            throw new IllegalStateException("wrong sum " + sum);
                        }
                        if (r >= 0) {
                            int i = (scan ? 2 : 0) + (famfs ? 0 : 1);
                            wall[i][r] = t / 1e6;
                            cpus[i][r] = c / 1e6;
                        }
                    }
                }
            }
        }
        for (int i = 0; i < 4; i++) {
            System.out.printf("%-17s wall ms: median %8.2f (min %8.2f, max %8.2f); cpu ms median %8.2f%n", names[i],
                    median(wall[i]), min(wall[i]), max(wall[i]), median(cpus[i]));
        }
        System.out.printf("ratio jdk/famfs (median wall): first batch %.1fx, full scan %.2fx; cpu: %.1fx, %.2fx%n",
                median(wall[1]) / median(wall[0]), median(wall[3]) / median(wall[2]),
                median(cpus[1]) / median(cpus[0]), median(cpus[3]) / median(cpus[2]));
        for (String mode : List.of("famfs", "jdk")) {
            List<Process> ps = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
                ps.add(new ProcessBuilder(java, "-Xmx256m", "--add-opens=java.base/java.nio=ALL-UNNAMED",
                        "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                        ArrowBench.class.getName(), "hold", mode.equals("famfs") ? image.toString()
                                : plain.toString(), mode).redirectErrorStream(true).start());
            }
            long anon = 0;
            long shared = 0;
            for (Process p : ps) {
                String out = new String(p.getInputStream().readAllBytes()).trim();
                p.waitFor();
                String[] f = out.substring(out.lastIndexOf('\n') + 1).split(" ");
                anon += Long.parseLong(f[0]);
                shared = Math.max(shared, Long.parseLong(f[1]));
            }
            System.out.printf("4 %s readers each holding the whole frame: anonymous RSS %d MiB in all, shared"
                    + " (file/shmem) RSS %d MiB each%n", mode, anon >> 20, shared >> 20);
        }
    }

    private static Schema schema() {
        return new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true)),
                Field.nullable("x", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE))));
    }

    private static void write(Path target) throws IOException {
        try (BufferAllocator allocator = new RootAllocator();
                VectorSchemaRoot root = VectorSchemaRoot.create(schema(), allocator);
                ArrowFileWriter w = FamfsArrow.newFileWriter(target, root, null)) {
            BigIntVector id = (BigIntVector) root.getVector("id");
            Float8Vector x = (Float8Vector) root.getVector("x");
            w.start();
            for (int b = 0; b < BATCHES; b++) {
                id.allocateNew(ROWS);
                x.allocateNew(ROWS);
                for (int i = 0; i < ROWS; i++) {
                    long v = (long) b * ROWS + i;
                    id.set(i, v);
                    x.set(i, v / 2.0);
                }
                root.setRowCount(ROWS);
                w.writeBatch();
            }
        }
    }

    private static long run(boolean famfs, Path famfsFile, Path plain, BufferAllocator allocator, boolean scan)
            throws IOException {
        FileChannel ch = famfs ? null : FileChannel.open(plain);
        try (ArrowReader r = famfs ? FamfsArrow.openFile(famfsFile, allocator) : new ArrowFileReader(ch, allocator)) {
            long sum = 0;
            while (r.loadNextBatch()) {
                BigIntVector id = (BigIntVector) r.getVectorSchemaRoot().getVector("id");
                if (!scan) {
                    return id.get(0);
                }
                for (int i = 0; i < id.getValueCount(); i++) {
                    sum += id.get(i);
                }
            }
            return sum;
        } finally {
            if (ch != null) {
                ch.close();
            }
        }
    }

    /** A reader process: loads every batch and keeps its vectors, then prints anonymous and shared RSS. */
    private static void hold(Path file, boolean famfs) throws Exception {
        try (BufferAllocator allocator = new RootAllocator()) {
            FileSystem fs = famfs ? Famfs.open(file, Map.of("systemUuid", UUID.randomUUID().toString())) : null;
            FileChannel ch = famfs ? null : FileChannel.open(file);
            List<FieldVector> kept = new ArrayList<>();
            try (ArrowReader r = famfs ? FamfsArrow.openFile(fs.getPath("/frame.arrow"), allocator)
                    : new ArrowFileReader(ch, allocator)) {
                while (r.loadNextBatch()) {
                    for (FieldVector v : r.getVectorSchemaRoot().getFieldVectors()) {
                        var tp = v.getTransferPair(allocator);
                        tp.transfer();
                        kept.add((FieldVector) tp.getTo());
                    }
                }
                long sum = 0;
                for (FieldVector v : kept) {
                    if (v instanceof BigIntVector id) {
                        for (int i = 0; i < id.getValueCount(); i++) {
                            sum += id.get(i);
                        }
                    }
                }
                long anon = 0;
                long shared = 0;
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("RssAnon:")) {
                        anon = Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                    } else if (line.startsWith("RssFile:") || line.startsWith("RssShmem:")) {
                        shared += Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                    }
                }
                System.out.println("sum " + sum);
                System.out.println(anon + " " + shared);
            } finally {
                kept.forEach(FieldVector::close);
                if (ch != null) {
                    ch.close();
                }
                if (fs != null) {
                    fs.close();
                }
            }
        }
    }

    private static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static double min(double[] a) {
        return Arrays.stream(a).min().orElse(0);
    }

    private static double max(double[] a) {
        return Arrays.stream(a).max().orElse(0);
    }
}
