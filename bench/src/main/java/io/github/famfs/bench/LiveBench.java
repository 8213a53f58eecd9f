package io.github.famfs.bench;

import io.github.famfs.nio.FamfsFileSystem;
import io.github.famfs.nio.FamfsRefresh;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;

/**
 * Live sharing (issue 10), measured side by side in rounds inside one JVM (not JMH: one side of the latency runs
 * in another process). Prints min / median / max of each side and the ratios.
 *
 * <ol>
 *   <li><b>refresh vs reopen</b>: a client on a log of 15,000 entries catches up with 1,000 new ones by
 *       {@code refresh()}, against opening the file system anew (what a client without refresh would do). The
 *       master and the clients use hard links of one image file (one famfs file system per path in a JVM), so all
 *       see the same bytes. Rounds alternate which side goes first; each round appends 1,000 more entries (log
 *       16 MiB: 15,000 + 1,000 per round).
 *   <li><b>publish-to-visible latency between two processes</b>: a child JVM (the master) publishes files
 *       {@value #PUBLISHED} times, {@value #PAUSE_MS} ms apart, and prints {@code System.nanoTime()} (CLOCK_MONOTONIC,
 *       comparable between processes of a host) when each close returned; this JVM (a client) notes when it sees
 *       each: by lookups that miss (automatic refresh) and by a WatchService, at the default interval (100ms) and
 *       the smallest ({@code 0}: every miss refreshes; the watch poller polls every 1 ms).
 * </ol>
 *
 * <pre>java --enable-native-access=ALL-UNNAMED -cp bench/target/benchmarks.jar io.github.famfs.bench.LiveBench [DIR [ROUNDS]]</pre>
 *
 * DIR defaults to /dev/shm/famfs-bench-live (deleted at the end), ROUNDS to 11.
 */
public final class LiveBench {
    private LiveBench() {}

    static final String MASTER = "00112233-4455-6677-8899-aabbccddeeff";
    static final String CLIENT = "99999999-8888-7777-6666-555555555555";
    static final int PUBLISHED = 40;
    static final int PAUSE_MS = 37;

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("publish")) {
            publish(Path.of(args[1]));
            return;
        }
        Path dir = Path.of(args.length > 0 ? args[0] : "/dev/shm/famfs-bench-live");
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 11;
        Files.createDirectories(dir);
        try {
            System.out.println("# JDK " + Runtime.version() + ", " + Runtime.getRuntime().availableProcessors()
                    + " CPUs, images in " + dir);
            refreshVsReopen(dir, rounds);
            latency(dir);
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : (Iterable<Path>) s::iterator) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static FileSystem open(Path img, Map<String, String> env) throws Exception {
        return FileSystems.newFileSystem(URI.create("famfs:" + img), env);
    }

    // ---- 1. refresh of 1,000 new entries vs a full reopen

    private static void refreshVsReopen(Path dir, int rounds) throws Exception {
        Path img = dir.resolve("log.img");
        Path clientLink = dir.resolve("log-client.img");
        Path reopenLink = dir.resolve("log-reopen.img");
        Files.deleteIfExists(img);
        ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
        try (FileSystem master = open(img, Map.of("create", "true", "deviceSize", "256M", "logLength", "16M",
                "systemUuid", MASTER))) {
            Files.deleteIfExists(clientLink);
            Files.deleteIfExists(reopenLink);
            Files.createLink(clientLink, img);
            Files.createLink(reopenLink, img);
            int made = 0;
            for (; made < 15_000; made++) {
                Files.createDirectory(master.getPath("/d" + made));
            }
            long[][] refresh = new long[2][rounds];
            long[][] reopen = new long[2][rounds];
            long decoded = 0;
            try (FamfsFileSystem client = (FamfsFileSystem) open(clientLink, Map.of("systemUuid", CLIENT,
                    "refreshInterval", "off"))) {
                for (int r = 0; r < rounds + 1; r++) { // round 0 warms up, not counted
                    for (int i = 0; i < 1000; i++) {
                        Files.createDirectory(master.getPath("/d" + made++));
                    }
                    for (int side = 0; side < 2; side++) {
                        boolean doRefresh = (side == 0) == (r % 2 == 0);
                        long c0 = cpu.getCurrentThreadCpuTime();
                        long t0 = System.nanoTime();
                        if (doRefresh) {
                            FamfsRefresh f = client.refresh();
                            long t1 = System.nanoTime();
                            long c1 = cpu.getCurrentThreadCpuTime();
                            if (f.newEntries() != 1000 || f.added().size() != 1000) {
                                throw new IllegalStateException("refresh replayed " + f);
                            }
                            if (r > 0) {
                                refresh[0][r - 1] = t1 - t0;
                                refresh[1][r - 1] = c1 - c0;
                                decoded = f.entriesDecoded();
                            }
                        } else {
                            FileSystem again = open(reopenLink, Map.of("systemUuid", CLIENT));
                            long t1 = System.nanoTime();
                            long c1 = cpu.getCurrentThreadCpuTime();
                            if (!Files.isDirectory(again.getPath("/d" + (made - 1)))) {
                                throw new IllegalStateException("the reopened file system misses /d" + (made - 1));
                            }
                            again.close();
                            if (r > 0) {
                                reopen[0][r - 1] = t1 - t0;
                                reopen[1][r - 1] = c1 - c0;
                            }
                        }
                    }
                }
            }
            System.out.println("## catching up 1,000 new entries on a log of 15,000+ entries (" + rounds
                    + " rounds, 15,000 to " + (made - 1000) + " entries before the 1,000; refresh decoded "
                    + decoded + " entries)");
            row("refresh()", refresh[0], refresh[1]);
            row("reopen (newFileSystem)", reopen[0], reopen[1]);
            System.out.printf("ratio (reopen / refresh): wall %.1fx, CPU %.1fx (medians)%n",
                    (double) median(reopen[0]) / median(refresh[0]), (double) median(reopen[1]) / median(refresh[1]));
        }
    }

    private static long median(long[] v) {
        long[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static void row(String what, long[] wall, long[] cpu) {
        long[] s = wall.clone();
        Arrays.sort(s);
        System.out.printf("%-24s wall min %8.3f ms  median %8.3f ms  max %8.3f ms; CPU median %8.3f ms%n", what,
                s[0] / 1e6, median(wall) / 1e6, s[s.length - 1] / 1e6, median(cpu) / 1e6);
    }

    // ---- 2. publish-to-visible latency between two processes

    /** The child: the master, publishing /p/f0.. and printing when each close returned. */
    private static void publish(Path img) throws Exception {
        try (FileSystem fs = open(img, Map.of("systemUuid", MASTER))) {
            System.out.println("READY");
            System.out.flush();
            Thread.sleep(500);
            for (int i = 0; i < PUBLISHED; i++) {
                Files.write(fs.getPath("/p/f" + i), new byte[] {(byte) i});
                long t = System.nanoTime();
                System.out.println("P " + i + " " + t);
                System.out.flush();
                Thread.sleep(PAUSE_MS);
            }
        }
    }

    private static void latency(Path dir) throws Exception {
        System.out.println("## publish-to-visible latency between two processes (" + PUBLISHED + " files, "
                + PAUSE_MS + " ms apart; ms)");
        for (String interval : List.of("100ms", "0")) {
            for (String mode : List.of("lookup", "watch")) {
                Path img = dir.resolve("lat.img");
                Files.deleteIfExists(img);
                try (FileSystem m = open(img, Map.of("create", "true", "deviceSize", "256M", "systemUuid", MASTER))) {
                    Files.createDirectory(m.getPath("/p"));
                }
                long[] seen = new long[PUBLISHED];
                long[] published = new long[PUBLISHED];
                long c0;
                long c1;
                try (FileSystem fs = open(img, Map.of("systemUuid", CLIENT, "refreshInterval", interval))) {
                    Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java")
                            .toString(), "--enable-native-access=ALL-UNNAMED", "-cp",
                            System.getProperty("java.class.path"), LiveBench.class.getName(), "publish", img.toString())
                            .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                    BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
                            StandardCharsets.UTF_8));
                    if (!"READY".equals(out.readLine())) {
                        throw new IllegalStateException("the publisher did not start");
                    }
                    Thread reader = new Thread(() -> {
                        try {
                            for (String l; (l = out.readLine()) != null; ) {
                                String[] w = l.split(" ");
                                published[Integer.parseInt(w[1])] = Long.parseLong(w[2]);
                            }
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    });
                    reader.start();
                    ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
                    c0 = cpu.getCurrentThreadCpuTime();
                    if (mode.equals("lookup")) {
                        for (int i = 0; i < PUBLISHED; i++) {
                            Path p = fs.getPath("/p/f" + i);
                            while (!Files.exists(p)) {
                                LockSupport.parkNanos(50_000);
                            }
                            seen[i] = System.nanoTime();
                        }
                    } else {
                        try (WatchService ws = fs.newWatchService()) {
                            fs.getPath("/p").register(ws, StandardWatchEventKinds.ENTRY_CREATE);
                            for (int n = 0; n < PUBLISHED; ) {
                                WatchKey k = ws.take();
                                long t = System.nanoTime();
                                for (WatchEvent<?> e : k.pollEvents()) {
                                    seen[Integer.parseInt(e.context().toString().substring(1))] = t;
                                    n++;
                                }
                                k.reset();
                            }
                        }
                    }
                    c1 = cpu.getCurrentThreadCpuTime();
                    child.waitFor();
                    reader.join();
                }
                double[] ms = new double[PUBLISHED];
                for (int i = 0; i < PUBLISHED; i++) {
                    ms[i] = (seen[i] - published[i]) / 1e6;
                }
                Arrays.sort(ms);
                System.out.printf("%-7s refreshInterval=%-5s min %7.2f  median %7.2f  p90 %7.2f  max %7.2f;"
                        + " following thread CPU %.0f ms%n", mode, interval, ms[0], ms[PUBLISHED / 2],
                        ms[PUBLISHED * 9 / 10], ms[PUBLISHED - 1], (c1 - c0) / 1e6);
            }
        }
    }
}
