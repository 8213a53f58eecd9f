package io.github.famfs.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The side-by-side harness: famfs-nio and the user's alternative alternate in rounds inside one JVM, on the same
 * data after the same warm-up, so that whatever else the machine does falls on both sides of each round. Each
 * round times one sample of each side (k operations; k is chosen in the warm-up so that a sample takes about
 * {@code --sample-ms}), in the order AB then BA on the next round, by wall time and by the thread's CPU time
 * ({@code ThreadMXBean}). A round's ratio is alternative / famfs (above 1: famfs is faster); the report gives the
 * median ratio over the rounds with its spread (min, quartiles, max), for wall and CPU time, next to the machine
 * and the load average at the start and end of the pair.
 *
 * <pre>
 * java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.github.famfs.bench.SideBySide \
 *     [--rounds 15] [--warmup 5] [--sample-ms 200] [pair ...]
 * </pre>
 *
 * Pairs: see {@link Pairs}; no pair named runs them all.
 */
public final class SideBySide {
    /** One operation of a side; returns something so the JIT cannot drop it. */
    @FunctionalInterface
    public interface Op {
        Object run() throws Exception;
    }

    /** Untimed work around a side's sample (a fresh target, a deletion). */
    @FunctionalInterface
    public interface Chore {
        void run() throws Exception;

        Chore NONE = () -> { };
    }

    /** A side: what one operation is, and the untimed work before and after each operation. */
    public record Side(String what, Op op, Chore before, Chore after) {
        public Side(String what, Op op) {
            this(what, op, Chore.NONE, Chore.NONE);
        }
    }

    /** A pair: famfs-nio against its alternative, with the target for the ratio. */
    public record Pair(String name, String what, Side famfs, Side alternative, String target, AutoCloseable cleanup) {}

    /** A source of pairs by name: made lazily, since each makes its data set. */
    public interface PairMaker {
        Pair make() throws Exception;
    }

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static volatile Object sink;

    private final int rounds;
    private final int warmup;
    private final long sampleNanos;

    SideBySide(int rounds, int warmup, long sampleMillis) {
        this.rounds = rounds;
        this.warmup = warmup;
        this.sampleNanos = sampleMillis * 1_000_000;
    }

    /** Wall and CPU nanoseconds of k operations of a side (chores excluded). */
    private static long[] sample(Side s, int k) throws Exception {
        if (s.before() == Chore.NONE && s.after() == Chore.NONE) { // one reading around the k operations
            long c0 = THREADS.getCurrentThreadCpuTime();
            long w0 = System.nanoTime();
            for (int i = 0; i < k; i++) {
                sink = s.op().run();
            }
            long w1 = System.nanoTime();
            return new long[] {w1 - w0, THREADS.getCurrentThreadCpuTime() - c0};
        }
        long wall = 0;
        long cpu = 0;
        for (int i = 0; i < k; i++) {
            s.before().run();
            long c0 = THREADS.getCurrentThreadCpuTime();
            long w0 = System.nanoTime();
            sink = s.op().run();
            long w1 = System.nanoTime();
            long c1 = THREADS.getCurrentThreadCpuTime();
            s.after().run();
            wall += w1 - w0;
            cpu += c1 - c0;
        }
        return new long[] {wall, cpu};
    }

    /** Operations per sample so that one takes about the sample time (one for slow operations). */
    private int calibrate(Side s) throws Exception {
        int k = 1;
        while (true) {
            long wall = sample(s, k)[0];
            if (wall >= sampleNanos / 4 || k >= 1 << 24) {
                return resized(k, wall);
            }
            k *= 4;
        }
    }

    /** Operations per sample so that one takes about the sample time, from a sample of {@code k} that took {@code wall}. */
    private int resized(int k, long wall) {
        return (int) Math.max(1, Math.min(1 << 24, (long) k * sampleNanos / Math.max(1, wall)));
    }

    /** The measured figures of a pair. */
    record Result(Pair pair, int kFamfs, int kAlt, double[] famfsWall, double[] altWall, double[] famfsCpu,
            double[] altCpu, double[] wallRatio, double[] cpuRatio, String loadBefore, String loadAfter) {}

    Result run(Pair p) throws Exception {
        String loadBefore = loadAverage();
        int kf = calibrate(p.famfs());
        int ka = calibrate(p.alternative());
        // Calibrated on cold code, a slow operation (a mount) gets a k of one or two, and a warm-up of a few samples
        // left it in the interpreter for every round: each warm-up sample now sizes the next one from its own time.
        for (int r = 0; r < warmup; r++) {
            kf = resized(kf, sample(p.famfs(), kf)[0]);
            ka = resized(ka, sample(p.alternative(), ka)[0]);
        }
        double[] fw = new double[rounds];
        double[] aw = new double[rounds];
        double[] fc = new double[rounds];
        double[] ac = new double[rounds];
        double[] wr = new double[rounds];
        double[] cr = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long[] f;
            long[] a;
            if (r % 2 == 0) {
                f = sample(p.famfs(), kf);
                a = sample(p.alternative(), ka);
            } else {
                a = sample(p.alternative(), ka);
                f = sample(p.famfs(), kf);
            }
            fw[r] = (double) f[0] / kf;
            fc[r] = (double) f[1] / kf;
            aw[r] = (double) a[0] / ka;
            ac[r] = (double) a[1] / ka;
            wr[r] = aw[r] / fw[r];
            cr[r] = ac[r] / fc[r];
        }
        return new Result(p, kf, ka, fw, aw, fc, ac, wr, cr, loadBefore, loadAverage());
    }

    // ---- statistics and report

    static double quantile(double[] v, double q) {
        double[] s = v.clone();
        Arrays.sort(s);
        double at = q * (s.length - 1);
        int lo = (int) Math.floor(at);
        int hi = (int) Math.ceil(at);
        return s[lo] + (s[hi] - s[lo]) * (at - lo);
    }

    static String spread(double[] ratios) {
        return String.format(Locale.ROOT, "**%.2fx** (min %.2f, IQR %.2f-%.2f, max %.2f)", quantile(ratios, 0.5),
                quantile(ratios, 0), quantile(ratios, 0.25), quantile(ratios, 0.75), quantile(ratios, 1));
    }

    static String time(double nanos) {
        if (nanos >= 1e6) {
            return String.format(Locale.ROOT, "%.2f ms", nanos / 1e6);
        }
        if (nanos >= 1e3) {
            return String.format(Locale.ROOT, "%.2f us", nanos / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f ns", nanos);
    }

    static String row(Result r) {
        return String.format(Locale.ROOT, "| %s | %s / %s | %s / %s | %s | %s | %s | %s → %s |", r.pair().what(),
                time(quantile(r.famfsWall(), 0.5)), time(quantile(r.famfsCpu(), 0.5)),
                time(quantile(r.altWall(), 0.5)), time(quantile(r.altCpu(), 0.5)), spread(r.wallRatio()),
                spread(r.cpuRatio()), r.pair().target(), r.loadBefore(), r.loadAfter());
    }

    static String header() {
        return "| pair | famfs-nio wall / CPU per op (median) | alternative wall / CPU per op | ratio by wall time"
                + " | ratio by CPU time | target | load average (1 min) |\n|---|---|---|---|---|---|---|";
    }

    static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).split(" ")[0];
        } catch (Exception e) {
            return "?";
        }
    }

    /** Machine, JVM and commit, for the record. */
    static String machine() {
        String model = "?";
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    model = line.substring(line.indexOf(':') + 1).trim();
                    break;
                }
            }
        } catch (Exception e) {
            // not Linux: leave it unknown
        }
        return String.format(Locale.ROOT, "%s, %d cores visible to the JVM, %s %s (%s), max heap %d MiB", model,
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"), System.getProperty("os.arch"),
                Runtime.getRuntime().maxMemory() >> 20);
    }

    public static void main(String[] args) throws Exception {
        int rounds = 15;
        int warmup = 5;
        long sampleMs = 200;
        List<String> names = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--warmup" -> warmup = Integer.parseInt(args[++i]);
                case "--sample-ms" -> sampleMs = Long.parseLong(args[++i]);
                default -> names.add(args[i]);
            }
        }
        if (names.isEmpty()) {
            names.addAll(Pairs.ALL.keySet());
            names.add(Pairs.MOUNT_GROWTH);
        }
        System.out.println("# SideBySide: " + machine());
        System.out.println("# " + rounds + " rounds after " + warmup + " warm-up rounds, samples of about " + sampleMs
                + " ms; ratio = alternative / famfs-nio per round (above 1: famfs-nio is faster)");
        System.out.println();
        System.out.println(header());
        SideBySide h = new SideBySide(rounds, warmup, sampleMs);
        for (String name : names) {
            if (name.equals(Pairs.MOUNT_GROWTH)) {
                continue;
            }
            PairMaker maker = Pairs.ALL.get(name);
            if (maker == null) {
                throw new IllegalArgumentException("no pair " + name + "; pairs: " + Pairs.ALL.keySet() + " and "
                        + Pairs.MOUNT_GROWTH);
            }
            Pair p = maker.make();
            try {
                System.out.println(row(h.run(p)));
            } finally {
                p.cleanup().close();
            }
        }
        if (names.contains(Pairs.MOUNT_GROWTH)) {
            System.out.println();
            Pairs.mountGrowth(System.out);
        }
    }
}
