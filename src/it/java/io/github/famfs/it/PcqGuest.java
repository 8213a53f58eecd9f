package io.github.famfs.it;

import io.github.famfs.memory.CacheLines;
import io.github.famfs.nio.FamfsCaches;
import io.github.famfs.nio.FamfsMappings;
import io.github.famfs.nio.FamfsOwnedMapping;
import io.github.famfs.pcq.PcqQueue;
import io.github.famfs.pcq.PcqStatus;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The queue between two guests (issue 10): guest A, the master, creates pcq queues and produces into them; guest B,
 * a client opened with {@code clientWrites=true}, consumes from the same {@code /dev/dax0.0} at the same time and
 * checks every message. Once per coherence mode ({@code modes=software,hardware}), each guest opening the device
 * again with that mode:
 * <ol>
 *   <li>{@code /pcq/MODE}: {@code n} messages through {@code buckets} buckets of {@code size} bytes (so many laps of
 *       a small queue), each message {@link #length(long, int) a length} and {@link #expected(long, int) bytes}
 *       that are a function of its seq, the rest of the payload zero. The producer stops once at {@code n/4} until
 *       its status shows the queue empty (so the consumer then waits on an empty queue), the consumer once at
 *       {@code n/2} until its status shows the queue full (so the producer waits on a full one); both count it
 *       ({@code emptyCount}, {@code fullCount}). Messages/s are measured on both sides over the last 40 %.
 *   <li>{@code /pcq/MODE-ping} and {@code /pcq/MODE-pong} (4 buckets of 64 bytes): {@code rtt} round trips, A puts
 *       on ping and takes from pong, B echoes; A checks every echo and prints the median round trip.
 * </ol>
 * B prints {@link #READY} once it has opened the device; the host starts A when it sees it.
 */
final class PcqGuest {
    /** Printed by the consumer once its file system is open; the host then starts the producer. */
    static final String READY = "PCQ-CONSUMER-READY";
    private static final int PING_BUCKETS = 4;
    private static final int PING_SIZE = 64;

    interface Opener {
        FileSystem open(Map<String, ?> env) throws IOException;
    }

    private final Checks checks;
    private final Opener opener;
    private final int n;
    private final int buckets;
    private final int size;
    private final int rtt;
    private final List<String> modes;
    private final long waitMs;

    PcqGuest(Checks checks, Opener opener, Map<String, String> args) {
        this.checks = checks;
        this.opener = opener;
        this.n = Integer.parseInt(args.getOrDefault("n", "4000"));
        this.buckets = Integer.parseInt(args.getOrDefault("buckets", "8"));
        this.size = Integer.parseInt(args.getOrDefault("size", "256"));
        this.rtt = Integer.parseInt(args.getOrDefault("rtt", "300"));
        this.modes = List.of(args.getOrDefault("modes", "software,hardware").split(","));
        this.waitMs = Long.parseLong(args.getOrDefault("wait", "300")) * 1000;
        if (n / 2 + buckets >= n * 3 / 5) {
            throw new IllegalArgumentException("n=" + n + " is too small for " + buckets + " buckets");
        }
    }

    /** Byte {@code i} of message {@code seq}'s payload. */
    static byte expected(long seq, int i) {
        long x = (seq + 1) * 0x9E3779B97F4A7C15L + i * 0xBF58476D1CE4E5B9L;
        return (byte) (x >>> 56 ^ x >>> 29);
    }

    /** How many payload bytes message {@code seq} has (the rest of the bucket's payload is zero). */
    static int length(long seq, int payload) {
        return payload - (int) (seq % 17);
    }

    private static ByteBuffer message(long seq, int payload, ByteBuffer into) {
        into.clear();
        int len = length(seq, payload);
        for (int i = 0; i < len; i++) {
            into.put(expected(seq, i));
        }
        return into.flip();
    }

    /** Null when {@code got} (a whole payload) is message {@code seq}, else where it differs. */
    private static String mismatch(long seq, ByteBuffer got, int payload) {
        int len = length(seq, payload);
        for (int i = 0; i < payload; i++) {
            byte want = i < len ? expected(seq, i) : 0;
            if (got.get(i) != want) {
                return "message " + seq + ": byte " + i + " is " + got.get(i) + ", expected " + want + " (length "
                        + len + " of " + payload + ")";
            }
        }
        return null;
    }

    private Map<String, Object> env(String uuid, String mode, boolean client) {
        return client ? Map.of("systemUuid", uuid, "coherence", mode, "clientWrites", "true")
                : Map.of("systemUuid", uuid, "coherence", mode);
    }

    /** The file store's famfs:coherence: software must name the helper's instructions, not fences. */
    private String coherence(FileSystem fs, String mode, String role) throws Exception {
        String got = String.valueOf(Files.getFileStore(fs.getPath("/")).getAttribute("famfs:coherence"));
        String r = String.valueOf(Files.getFileStore(fs.getPath("/")).getAttribute("famfs:role"));
        if (!r.equals(role) || fs.isReadOnly()) {
            throw new Checks.Failure("opened as " + fs + ", role " + r + " (expected a writable " + role + ")");
        }
        boolean ok = mode.equals("software")
                ? got.startsWith("software:") && got.contains("flush=") && !got.contains("fences only")
                        && FamfsCaches.isNative()
                : got.startsWith("hardware: metadata only");
        if (!ok) {
            throw new Checks.Failure("coherence=" + mode + ": famfs:coherence says '" + got + "'");
        }
        return fs + ": famfs:coherence '" + got + "'";
    }

    private static long since(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static String rate(long count, long nanos) {
        return String.format("%d msgs/s (%d messages in %d ms)", nanos == 0 ? 0 : count * 1_000_000_000L / nanos,
                count, nanos / 1_000_000);
    }

    /** Waits until the queue's status shows {@code full} (or empty); returns the status then. */
    private PcqStatus awaitState(PcqQueue q, boolean full, long deadline) throws Exception {
        while (true) {
            PcqStatus s = q.status();
            boolean isFull = (s.producerIndex() + 1) % s.nbuckets() == s.consumerIndex();
            boolean isEmpty = s.producerIndex() == s.consumerIndex();
            if (full ? isFull : isEmpty) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                throw new Checks.Failure("the queue never became " + (full ? "full" : "empty") + ": " + s);
            }
            Thread.sleep(1);
        }
    }

    /** Ends the guest with a failed check when the other guest never comes (a blocked put or take would wait). */
    void watchdog() {
        Thread t = new Thread(() -> {
            try {
                Thread.sleep(waitMs + 60_000);
            } catch (InterruptedException e) {
                return;
            }
            checks.fail("pcq-timeout", "not done after " + (waitMs / 1000 + 60) + " s");
            checks.verdict();
            System.exit(1);
        }, "pcq-watchdog");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Under software coherence, the helper's native calls made by {@code ops} puts or gets must be at least two
     * each (a put writes back its bucket and producer_index, a get invalidates producer_index and writes back
     * consumer_index): the instructions really ran, not fences. Returns what it saw.
     */
    private static String helperCalls(String mode, long before, long ops) throws Checks.Failure {
        long calls = CacheLines.callsDone() - before;
        if (mode.equals("software") && calls < 2 * ops) {
            throw new Checks.Failure(ops + " operations made only " + calls + " native cache-line calls");
        }
        return calls + " native cache-line calls";
    }

    /**
     * The public FamfsCaches over famfs's maps of the device (FileChannel.map, FamfsOwnedMapping; read-only, the
     * bytes untouched): 1000 flushes and invalidates each run the helper without a system call (this guest's
     * strace forbids msync on the device), FamfsMappings.force too, and a flush of an owned mapping's buffer
     * after close is refused.
     */
    private static String cachesApi(Path file) throws Exception {
        long calls = CacheLines.callsDone();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            int len = (int) ch.size();
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, len);
            FamfsOwnedMapping owned = FamfsOwnedMapping.map(ch, FileChannel.MapMode.READ_ONLY, 0, len);
            ByteBuffer ob = owned.buffer();
            for (int i = 0; i < 1000; i++) {
                FamfsCaches.flush(m, 0, len);
                FamfsCaches.invalidate(ob.slice(64, len - 64), 0, 64);
            }
            FamfsMappings.force(m);
            owned.close();
            try {
                FamfsCaches.flush(ob, 0, 64);
                throw new Checks.Failure("a flush of a closed owned mapping's buffer was not refused");
            } catch (IllegalArgumentException expected) {
                // refused
            }
        }
        long done = CacheLines.callsDone() - calls;
        if (FamfsCaches.isNative() && done < 2001) {
            throw new Checks.Failure("2001 flushes and invalidates made only " + done + " native calls");
        }
        return done + " native cache-line calls over FileChannel.map and FamfsOwnedMapping of " + file
                + ", a flush after close refused";
    }

    // ---- guest A

    void producer() throws Exception {
        ByteBuffer msg = ByteBuffer.allocate(size);
        ByteBuffer back = ByteBuffer.allocate(PING_SIZE);
        for (String mode : modes) {
            try (FileSystem fs = opener.open(env(GuestMain.MASTER_UUID, mode, false))) {
                checks.check("pcq-coherence-" + mode, () -> coherence(fs, mode, "master"));
                Path q = fs.getPath("/pcq/" + mode);
                Path ping = fs.getPath("/pcq/" + mode + "-ping");
                Path pong = fs.getPath("/pcq/" + mode + "-pong");
                if (!checks.check("pcq-create-" + mode, () -> {
                    Files.createDirectories(q.getParent());
                    PcqQueue.create(ping, PING_BUCKETS, PING_SIZE);
                    PcqQueue.create(pong, PING_BUCKETS, PING_SIZE);
                    PcqQueue.create(q, buckets, size); // last: the consumer waits for this file
                    return q + " (" + buckets + " x " + size + "), " + ping + ", " + pong;
                })) {
                    return;
                }
                checks.check("caches-api-" + mode, () -> cachesApi(ping));
                long deadline = System.nanoTime() + waitMs * 1_000_000;
                try (PcqQueue p = PcqQueue.open(q, PcqQueue.Role.PRODUCER)) {
                    checks.check("pcq-produce-" + mode, () -> {
                        long t0 = System.nanoTime();
                        long calls = CacheLines.callsDone();
                        long measured = 0;
                        String emptied = null;
                        for (long seq = 0; seq < n; seq++) {
                            if (seq == n / 4) {
                                emptied = "the consumer emptied it at seq " + seq + " (" + awaitState(p, false,
                                        deadline) + ")";
                            }
                            if (seq == n * 3 / 5) {
                                measured = System.nanoTime();
                            }
                            long got = p.put(message(seq, p.payloadSize(), msg));
                            if (got != seq) {
                                throw new Checks.Failure("put " + seq + " returned seq " + got);
                            }
                        }
                        long end = System.nanoTime();
                        if (p.fullCount() == 0) {
                            throw new Checks.Failure("no put ever found the queue full");
                        }
                        return n + " messages put in " + since(t0) + " ms, " + helperCalls(mode, calls, n) + ", "
                                + n / buckets + " laps of the "
                                + buckets + "-bucket queue; full " + p.fullCount() + " times; " + emptied
                                + "; PCQ-FIGURE " + mode + " producer " + rate(n - n * 3 / 5, end - measured);
                    });
                }
                try (PcqQueue out = PcqQueue.open(ping, PcqQueue.Role.PRODUCER);
                        PcqQueue in = PcqQueue.open(pong, PcqQueue.Role.CONSUMER)) {
                    checks.check("pcq-rtt-" + mode, () -> {
                        long[] ns = new long[rtt];
                        ByteBuffer m = ByteBuffer.allocate(PING_SIZE);
                        long t0 = System.nanoTime();
                        for (int i = 0; i < rtt; i++) {
                            long s = System.nanoTime();
                            out.put(message(i, out.payloadSize(), m));
                            long got = in.take(back.clear());
                            ns[i] = System.nanoTime() - s;
                            String bad = got != i ? "echo " + i + " came back as seq " + got
                                    : mismatch(i, back, in.payloadSize());
                            if (bad != null) {
                                throw new Checks.Failure(bad);
                            }
                        }
                        long total = System.nanoTime() - t0;
                        Arrays.sort(ns);
                        return String.format("%d round trips of %d-byte messages, each echo checked; PCQ-FIGURE %s"
                                + " rtt median %d us, p10 %d us, p90 %d us, %d round trips/s", rtt, out.payloadSize(),
                                mode, ns[rtt / 2] / 1000, ns[rtt / 10] / 1000, ns[rtt * 9 / 10] / 1000,
                                rtt * 1_000_000_000L / total);
                    });
                }
            }
        }
    }

    // ---- guest B

    void consumer() throws Exception {
        boolean announced = false;
        ByteBuffer dst = ByteBuffer.allocate(size);
        for (String mode : modes) {
            try (FileSystem fs = opener.open(env(GuestMain.CLIENT_UUID, mode, true))) {
                checks.check("pcq-coherence-" + mode, () -> coherence(fs, mode, "client"));
                if (!announced) {
                    System.out.println(READY + " " + fs);
                    System.out.flush();
                    announced = true;
                }
                Path q = fs.getPath("/pcq/" + mode);
                long deadline = System.nanoTime() + waitMs * 1_000_000;
                long t0 = System.nanoTime();
                if (!checks.check("pcq-queue-seen-" + mode, () -> {
                    while (!Files.exists(q)) { // a lookup that misses refreshes (refreshInterval, 100 ms)
                        if (System.nanoTime() > deadline) {
                            throw new Checks.Failure(q + " did not appear in " + waitMs / 1000 + " s");
                        }
                        Thread.sleep(20);
                    }
                    return q + " appeared after " + since(t0) + " ms";
                })) {
                    return;
                }
                try (PcqQueue c = PcqQueue.open(q, PcqQueue.Role.CONSUMER)) {
                    checks.check("pcq-consume-" + mode, () -> {
                        long t1 = System.nanoTime();
                        long calls = CacheLines.callsDone();
                        long measured = 0;
                        String filled = null;
                        long bytes = 0;
                        for (long seq = 0; seq < n; seq++) {
                            if (seq == n / 2) {
                                filled = "the producer filled it at seq " + seq + " (" + awaitState(c, true, deadline)
                                        + ")";
                            }
                            if (seq == n * 3 / 5) {
                                measured = System.nanoTime();
                            }
                            long got = c.take(dst.clear());
                            String bad = got != seq ? "take " + seq + " returned seq " + got
                                    : mismatch(seq, dst, c.payloadSize());
                            if (bad != null) {
                                throw new Checks.Failure(bad);
                            }
                            bytes += length(seq, c.payloadSize());
                        }
                        long end = System.nanoTime();
                        if (c.emptyCount() == 0) {
                            throw new Checks.Failure("no take ever found the queue empty");
                        }
                        return n + " messages taken in " + since(t1) + " ms, " + helperCalls(mode, calls, n)
                                + ", seq, CRC and every payload byte checked ("
                                + bytes + " bytes, the zero tails too); " + c.retryCount() + " bucket rereads; empty "
                                + c.emptyCount() + " times; " + filled + "; PCQ-FIGURE " + mode + " consumer "
                                + rate(n - n * 3 / 5, end - measured);
                    });
                }
                try (PcqQueue in = PcqQueue.open(fs.getPath("/pcq/" + mode + "-ping"), PcqQueue.Role.CONSUMER);
                        PcqQueue out = PcqQueue.open(fs.getPath("/pcq/" + mode + "-pong"), PcqQueue.Role.PRODUCER)) {
                    checks.check("pcq-echo-" + mode, () -> {
                        ByteBuffer m = ByteBuffer.allocate(PING_SIZE);
                        for (int i = 0; i < rtt; i++) {
                            long got = in.take(m.clear());
                            String bad = got != i ? "ping " + i + " came as seq " + got
                                    : mismatch(i, m, in.payloadSize());
                            if (bad != null) {
                                throw new Checks.Failure(bad);
                            }
                            out.put(m.flip());
                        }
                        return rtt + " pings checked and echoed";
                    });
                }
            }
        }
    }
}
