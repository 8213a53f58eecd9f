package io.github.famfs.bench;

import io.github.famfs.pcq.PcqQueue;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * pcq between two processes against the same messages over a loopback TCP socket: messages per second one way
 * (a producer process, a consumer process) and round-trip latency (ping one way, pong back), for pcq in hardware
 * and software coherence and for TCP, measured side by side in rounds (a fresh child JVM per measurement, the
 * parent the consumer/pinger). Not JMH: two processes.
 *
 * <pre>java -cp bench/target/benchmarks.jar io.github.famfs.bench.PcqBench [ROUNDS [MESSAGES [PINGS]]]</pre>
 */
public final class PcqBench {
    private static final String MASTER = "00112233-4455-6677-8899-aabbccddeeff";
    private static final int BUCKET = 256;
    private static final int PAYLOAD = BUCKET - 16;
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private PcqBench() {}

    /** One measurement: messages/s one way, median and p99 round trip, CPU ns per message of both processes. */
    record Result(double perSecond, double rttMedianNs, double rttP99Ns, double cpuNsPerMessage) {}

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("child")) {
            child(args);
            return;
        }
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        int messages = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        int pings = args.length > 2 ? Integer.parseInt(args[2]) : 20_000;
        Path dir = Files.createTempDirectory(Path.of("/dev/shm"), "pcq-bench");
        Map<String, List<Result>> all = new LinkedHashMap<>();
        for (String mode : List.of("hardware", "software", "tcp")) {
            all.put(mode, new ArrayList<>());
        }
        for (int r = 1; r <= rounds; r++) {
            for (String mode : all.keySet()) {
                Result res = mode.equals("tcp") ? tcp(messages, pings) : pcq(dir, mode, messages, pings, r);
                all.get(mode).add(res);
                System.out.printf("round %d %-8s %,12.0f msg/s  rtt median %,8.0f ns  p99 %,8.0f ns  cpu %,6.0f ns/msg%n",
                        r, mode, res.perSecond(), res.rttMedianNs(), res.rttP99Ns(), res.cpuNsPerMessage());
            }
        }
        Result tcp = median(all.get("tcp"));
        System.out.println();
        System.out.println("median of " + rounds + " rounds (min..max), " + messages + " messages of " + PAYLOAD
                + " bytes one way, " + pings + " round trips:");
        for (Map.Entry<String, List<Result>> e : all.entrySet()) {
            List<Result> l = e.getValue();
            Result m = median(l);
            System.out.printf("%-8s %,12.0f msg/s (%,.0f..%,.0f) x%.2f of tcp;  rtt %,6.0f ns (%,.0f..%,.0f) x%.2f of"
                    + " tcp's;  cpu %,5.0f ns/msg x%.2f of tcp's%n", e.getKey(), m.perSecond(),
                    min(l, Result::perSecond), max(l, Result::perSecond), m.perSecond() / tcp.perSecond(),
                    m.rttMedianNs(), min(l, Result::rttMedianNs), max(l, Result::rttMedianNs),
                    m.rttMedianNs() / tcp.rttMedianNs(), m.cpuNsPerMessage(),
                    m.cpuNsPerMessage() / tcp.cpuNsPerMessage());
        }
        try (var s = Files.walk(dir)) {
            s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    private static double min(List<Result> l, java.util.function.ToDoubleFunction<Result> f) {
        return l.stream().mapToDouble(f).min().orElse(0);
    }

    private static double max(List<Result> l, java.util.function.ToDoubleFunction<Result> f) {
        return l.stream().mapToDouble(f).max().orElse(0);
    }

    private static Result median(List<Result> l) {
        double[][] v = new double[4][l.size()];
        for (int i = 0; i < l.size(); i++) {
            v[0][i] = l.get(i).perSecond();
            v[1][i] = l.get(i).rttMedianNs();
            v[2][i] = l.get(i).rttP99Ns();
            v[3][i] = l.get(i).cpuNsPerMessage();
        }
        for (double[] a : v) {
            Arrays.sort(a);
        }
        int m = l.size() / 2;
        return new Result(v[0][m], v[1][m], v[2][m], v[3][m]);
    }

    private static Process start(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                PcqBench.class.getName(), "child"));
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    /** The child's CPU nanoseconds of its measured part (its one line of output). */
    private static long childCpu(Process p) throws Exception {
        String line = new BufferedReader(new InputStreamReader(p.getInputStream())).readLine();
        if (p.waitFor() != 0 || line == null) {
            throw new IllegalStateException("child failed: " + p.exitValue());
        }
        return Long.parseLong(line.trim());
    }

    private static Result pcq(Path dir, String mode, int messages, int pings, int round) throws Exception {
        Path img = dir.resolve(mode + round + ".img");
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("create", "true",
                "deviceSize", "256M", "systemUuid", MASTER, "coherence", mode))) {
            for (String q : List.of("/data", "/ping", "/pong")) {
                PcqQueue.create(fs.getPath(q), 1024, BUCKET);
            }
            Process child = start("pcq", img.toString(), mode, Integer.toString(messages), Integer.toString(pings));
            try (PcqQueue data = PcqQueue.open(fs.getPath("/data"), PcqQueue.Role.CONSUMER);
                    PcqQueue ping = PcqQueue.open(fs.getPath("/ping"), PcqQueue.Role.PRODUCER);
                    PcqQueue pong = PcqQueue.open(fs.getPath("/pong"), PcqQueue.Role.CONSUMER)) {
                ByteBuffer msg = ByteBuffer.allocate(PAYLOAD);
                pong.take(msg.clear()); // the child is ready
                long cpu0 = THREADS.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                ping.put(msg.clear());
                for (int i = 0; i < messages; i++) {
                    data.take(msg.clear());
                }
                long t1 = System.nanoTime();
                long cpu1 = THREADS.getCurrentThreadCpuTime();
                long[] rtt = new long[pings];
                for (int i = 0; i < pings; i++) {
                    long s = System.nanoTime();
                    ping.put(msg.clear());
                    pong.take(msg.clear());
                    rtt[i] = System.nanoTime() - s;
                }
                long cpu = cpu1 - cpu0 + childCpu(child);
                return result(messages, t1 - t0, rtt, cpu);
            }
        }
    }

    private static Result result(int messages, long ns, long[] rtt, long cpuNs) {
        Arrays.sort(rtt);
        return new Result(messages * 1e9 / ns, rtt[rtt.length / 2], rtt[(int) (rtt.length * 0.99)],
                (double) cpuNs / messages);
    }

    private static Result tcp(int messages, int pings) throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Process child = start("tcp", Integer.toString(server.getLocalPort()), Integer.toString(messages),
                    Integer.toString(pings));
            try (Socket s = server.accept()) {
                s.setTcpNoDelay(true);
                DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(s.getInputStream(), 1 << 16));
                DataOutputStream out = new DataOutputStream(s.getOutputStream());
                byte[] msg = new byte[BUCKET];
                in.readFully(msg); // the child is ready
                long cpu0 = THREADS.getCurrentThreadCpuTime();
                long t0 = System.nanoTime();
                out.write(msg);
                out.flush();
                for (int i = 0; i < messages; i++) {
                    in.readFully(msg);
                }
                long t1 = System.nanoTime();
                long cpu1 = THREADS.getCurrentThreadCpuTime();
                long[] rtt = new long[pings];
                for (int i = 0; i < pings; i++) {
                    long st = System.nanoTime();
                    out.write(msg);
                    out.flush();
                    in.readFully(msg);
                    rtt[i] = System.nanoTime() - st;
                }
                long cpu = cpu1 - cpu0 + childCpu(child);
                return result(messages, t1 - t0, rtt, cpu);
            }
        }
    }

    /** The other process: produces MESSAGES after the go, then echoes PINGS; prints its CPU ns of the first part. */
    private static void child(String[] args) throws Exception {
        if (args[1].equals("tcp")) {
            int messages = Integer.parseInt(args[3]);
            int pings = Integer.parseInt(args[4]);
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), Integer.parseInt(args[2]))) {
                s.setTcpNoDelay(true);
                DataInputStream in = new DataInputStream(s.getInputStream());
                DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(s.getOutputStream(),
                        1 << 16));
                byte[] msg = new byte[BUCKET];
                out.write(msg);
                out.flush();
                in.readFully(msg);
                long cpu0 = THREADS.getCurrentThreadCpuTime();
                for (int i = 0; i < messages; i++) {
                    out.write(msg); // one message at a time, as a queue put: the buffer only batches the syscalls
                }
                out.flush();
                long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
                for (int i = 0; i < pings; i++) {
                    in.readFully(msg);
                    out.write(msg);
                    out.flush();
                }
                System.out.println(cpu);
            }
            return;
        }
        Path img = Path.of(args[2]);
        int messages = Integer.parseInt(args[4]);
        int pings = Integer.parseInt(args[5]);
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("systemUuid", MASTER,
                "coherence", args[3]));
                PcqQueue data = PcqQueue.open(fs.getPath("/data"), PcqQueue.Role.PRODUCER);
                PcqQueue ping = PcqQueue.open(fs.getPath("/ping"), PcqQueue.Role.CONSUMER);
                PcqQueue pong = PcqQueue.open(fs.getPath("/pong"), PcqQueue.Role.PRODUCER)) {
            ByteBuffer msg = ByteBuffer.allocate(PAYLOAD);
            pong.put(msg.clear());
            ping.take(msg.clear());
            long cpu0 = THREADS.getCurrentThreadCpuTime();
            for (int i = 0; i < messages; i++) {
                data.put(msg.clear());
            }
            long cpu = THREADS.getCurrentThreadCpuTime() - cpu0;
            for (int i = 0; i < pings; i++) {
                ping.take(msg.clear());
                pong.put(msg.clear());
            }
            System.out.println(cpu);
        }
    }
}
