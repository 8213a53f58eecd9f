package io.github.famfs.cli;

import io.github.famfs.nio.UnixAttributes;
import io.github.famfs.pcq.PcqException;
import io.github.famfs.pcq.PcqQueue;
import io.github.famfs.pcq.PcqStatus;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.TypeConversionException;

@Command(name = "pcq", sortOptions = false,
        header = "A producer/consumer queue between hosts, compatible with the reference famfs's pcq tool.",
        description = {
            "QUEUE is two famfs files, QUEUE and QUEUE.consumer (famfs-format.md §13); queues made by either tool"
                + " work with the other. Exactly one mode runs: create (-C, master only), info (-i), drain (-d),"
                + " or a producer (-p) and/or a consumer (-c) of -N messages (default 1) or for -t seconds.",
            "",
            "Output, statistics, status file and exit status are the reference's: 0 success; 1 a bad command line,"
                + " an invalid or missing queue; n (1..127) payload miscompares; 255 a message that failed its CRC"
                + " or seq check. Numbers take 0x (hex) and 0 (octal) prefixes, and -b/-n/-N a k/m/g suffix.",
            ""})
final class PcqCommand extends FamfsCommand {
    @Option(names = {"-C", "--create"}, description = "Create the queue (master only).")
    boolean create;

    @Option(names = {"-b", "--bsize"}, paramLabel = "N", converter = Number.class,
            description = "Bucket size in bytes, including the 8-byte seq and 8-byte CRC: a power of 2, at least 16.")
    long bsize;

    @Option(names = {"-n", "--nbuckets"}, paramLabel = "N", converter = Number.class,
            description = "Number of buckets (the queue holds N - 1 messages).")
    long nbuckets;

    @Option(names = {"-u", "--uid"}, paramLabel = "UID", converter = ReferenceId.class,
            description = "Owner of the consumer file (with -C; 0, a name or absent: this process's).")
    Integer uid;

    @Option(names = {"-g", "--gid"}, paramLabel = "GID", converter = ReferenceId.class,
            description = "Group of the consumer file (with -C; 0, a name or absent: this process's).")
    Integer gid;

    @Option(names = {"-p", "--producer"}, description = "Run a producer.")
    boolean producer;

    @Option(names = {"-c", "--consumer"}, description = "Run a consumer (with -p: both, as two threads).")
    boolean consumer;

    @Option(names = {"-N", "--nmessages"}, paramLabel = "N", converter = Number.class,
            description = "Messages to send and/or receive (absent or 0: one).")
    Long nmessages;

    @Option(names = {"-t", "--time"}, paramLabel = "SECONDS", converter = Number.class,
            description = "Run for this long instead of -N.")
    Long time;

    @Option(names = {"-S", "--seed"}, paramLabel = "SEED", converter = Number.class,
            description = "Payload seed: the producer fills payloads with the reference's stream, the consumer checks"
                + " them (low 32 bits; 0 or absent: zero payloads, not checked).")
    long seed;

    @Option(names = {"-s", "--status"}, paramLabel = "SECONDS", converter = Number.class,
            description = "Print a status line at this interval (0: none).")
    Long statusInterval;

    @Option(names = {"-d", "--drain"}, description = "Consume without waiting until the queue is empty.")
    boolean drain;

    @Option(names = {"-i", "--info"}, description = "Print the queue's state.")
    boolean info;

    @Option(names = {"-P", "--setperm"}, paramLabel = "p|c|b|n",
            description = "The reference's local chmod of the two files; famfs-nio has no host-local permissions to"
                + " change (who writes is the file system's access mode), so this only checks that the queue exists.")
    String setperm;

    @Option(names = {"-D", "--dontflush"}, description = "No effect (as in the reference).")
    boolean dontflush;

    @Option(names = "-w", hidden = true, description = "Accepted and ignored (as in the reference).")
    boolean ignored;

    @Option(names = {"-f", "--statusfile"}, paramLabel = "FILE", description = "Write a result number to FILE.")
    Path statusFile;

    @Option(names = "-v", description = "Verbose; repeat for more.")
    boolean[] verbose = new boolean[0];

    @Option(names = "--coherence", paramLabel = "hardware|software",
            description = "Cache coherence of the file system (default hardware; see famfs:coherence).")
    String coherence;

    @Mixin
    DeviceOption deviceOption;

    @Mixin
    SystemUuidOption uuid;

    @Parameters(paramLabel = "QUEUE", arity = "0..1", description = "DEVICE:/path, or /path with --device.")
    String name;

    /** The reference's consumer exit status on a message that failed its CRC or seq check. */
    static final int FATAL = 255;

    /**
     * The reference's exit status for a bad command line (§13.11), a number that does not parse or an unknown
     * option included (the reference prints its usage and exits 0 for an unknown option; famfs pcq does not
     * report success for a command line it did not run).
     */
    static final int BAD_COMMAND_LINE = 1;

    @Override
    int run() throws Exception {
        String bad = check();
        if (bad != null) {
            err().println("pcq: " + bad);
            return 1;
        }
        if (statusFile != null) {
            Files.write(statusFile, new byte[0]);
        }
        try (Session s = new Session(uuid.systemUuid)) {
            s.with("coherence", coherence);
            Path queue = s.path(Target.parse(name, deviceOption.device), create || producer || consumer || drain);
            if (setperm != null) {
                return setperm(queue);
            }
            if (create) {
                return create(queue);
            }
            if (info) {
                return info(queue);
            }
            if (drain) {
                return drain(queue);
            }
            return run(queue);
        }
    }

    /** The reference's checks, in its order; null when the command line is fine. */
    private String check() {
        if (info && (create || producer || consumer || drain)) {
            return "--info goes alone (not with --create, --producer, --consumer or --drain)";
        }
        if (create && (bsize == 0 || nbuckets == 0)) {
            return "--create needs --bsize and --nbuckets";
        }
        if ((uid != null || gid != null) && !create) {
            return "--uid and --gid go with --create";
        }
        if (drain && (producer || nmessages != null || time != null)) {
            return "--drain goes without --producer, --nmessages and --time";
        }
        if (time != null && nmessages != null) {
            return "--time and --nmessages do not go together";
        }
        if (name == null) {
            return "Must specify base filename";
        }
        if (setperm != null && (create || producer || consumer || drain)) {
            return "--setperm goes alone";
        }
        if (setperm != null && !List.of("p", "c", "b", "n").contains(setperm)) {
            return "--setperm takes p, c, b or n";
        }
        if (!create && !info && !drain && !producer && !consumer && setperm == null) {
            return "nothing to do: give --create, --info, --drain, --producer or --consumer";
        }
        return null;
    }

    private int setperm(Path queue) throws IOException {
        if (!Files.exists(queue)) {
            err().println("pcq: Queue file " + name + " not found");
            return 1;
        }
        warn("--setperm changes nothing on famfs-nio: the reference's chmod is host-local, and famfs-nio has no"
                + " local permissions (a client writes only when its file system is opened for client writes)");
        return 0;
    }

    private int create(Path queue) throws IOException {
        out().println("bucket_size=" + bsize);
        out().println("nbuckets=" + nbuckets);
        if (verbose.length > 0) {
            out().println("pcq_create: creating queue " + name + " / " + name + ".consumer");
            out().println("sizeof(crc)=8 bucket_size=" + bsize + " payload_size=" + (bsize - 16));
        }
        if (Long.bitCount(bsize) != 1) {
            out().println("bucket_size " + bsize + " must be a power of 2");
            return 1;
        }
        List<FileAttribute<?>> owner = new ArrayList<>();
        if (uid != null && uid != 0) {
            owner.add(UnixAttributes.uid(uid));
        }
        if (gid != null && gid != 0) {
            owner.add(UnixAttributes.gid(gid));
        }
        PcqQueue.create(queue, nbuckets, bsize, owner.toArray(FileAttribute<?>[]::new));
        out().println("pcq_create: Created queue " + name);
        return 0;
    }

    private int info(Path queue) throws IOException {
        if (!Files.exists(queue) || !Files.exists(PcqQueue.consumerPath(queue))) {
            err().println("pcq: " + name + ": pcq files not found");
            return 1;
        }
        PcqStatus st;
        try (PcqQueue q = PcqQueue.open(queue, PcqQueue.Role.READER)) {
            st = q.status();
        } catch (PcqException e) {
            if (verbose.length > 0) {
                err().println(e.getMessage());
            }
            writeStatus(-1);
            return 1;
        }
        out().println("get_queue_info: queue " + name + " contains " + st.messages() + " messages p next_seq "
                + st.producerNextSeq() + " c next_seq " + st.consumerNextSeq());
        writeStatus(st.messages());
        return 0;
    }

    private int drain(Path queue) throws IOException {
        out().println("pcq:    " + name);
        try (PcqQueue q = open(queue, PcqQueue.Role.CONSUMER)) {
            long n;
            try {
                n = q.drain();
            } catch (PcqException e) {
                return fatal(e);
            }
            out().println("pcq drain: nreceived=" + n + " nerrors=0 nempty=" + q.emptyCount() + " retries="
                    + q.retryCount());
            if (statusFile != null) {
                out().println("pcq: drained " + n + " messages from queue " + name + ", with no errors");
            }
            writeStatus(n);
        }
        return 0;
    }

    private PcqQueue open(Path queue, PcqQueue.Role role) throws IOException {
        PcqQueue q = PcqQueue.open(queue, role);
        if (verbose.length > 0) {
            out().println("pcq_open: sizeof(crc)=8");
            out().println("bucket_size=" + q.bucketSize());
            out().println("payload_size=" + q.payloadSize());
        }
        return q;
    }

    private int fatal(PcqException e) {
        err().println("pcq: " + e.getMessage());
        err().println("bad msg after " + PcqQueue.CRC_RETRIES + " retries. Cache coherency suspicious");
        return FATAL;
    }

    /** One side's counts, and whether it hit a fatal message. */
    private static final class Side {
        final AtomicLong done = new AtomicLong();
        final AtomicLong errors = new AtomicLong();
        volatile PcqException fatal;
        volatile Exception failed;
        PcqQueue queue;
    }

    private int run(Path queue) throws Exception {
        long count = nmessages == null || nmessages == 0 ? 1 : nmessages;
        byte[][] expected = new byte[1][];
        Side prod = new Side();
        Side cons = new Side();
        List<Thread> threads = new ArrayList<>();
        if (producer) {
            prod.queue = open(queue, PcqQueue.Role.PRODUCER);
            threads.add(new Thread(() -> produce(prod, count), "pcq-producer"));
        }
        if (consumer) {
            cons.queue = open(queue, PcqQueue.Role.CONSUMER);
            threads.add(new Thread(() -> consume(cons, count, expected), "pcq-consumer"));
        }
        int payload = (prod.queue != null ? prod.queue : cons.queue).payloadSize();
        expected[0] = payload(payload);
        long start = System.nanoTime();
        threads.forEach(Thread::start);
        // elapsed times, compared as nanoTime differences (no overflow for any -t or -s)
        long runFor = time == null ? Long.MAX_VALUE : nanos(time);
        long every = statusInterval == null || statusInterval == 0 ? Long.MAX_VALUE : nanos(statusInterval);
        long nextStatus = every;
        for (Thread t : threads) {
            while (t.isAlive()) {
                long elapsed = System.nanoTime() - start;
                if (elapsed >= runFor || cons.fatal != null) {
                    close(prod, cons); // -t elapsed, or a fatal get: the reference exits at once (§13.8)
                }
                if (elapsed >= nextStatus) {
                    statusLine(prod, cons);
                    nextStatus = every > Long.MAX_VALUE - nextStatus ? Long.MAX_VALUE : nextStatus + every;
                }
                long wait = Math.min(Math.min(runFor, nextStatus) - elapsed, 100_000_000L);
                t.join(Math.max(1, wait / 1_000_000L));
            }
        }
        close(prod, cons);
        for (Side side : List.of(prod, cons)) {
            if (side.failed != null) {
                throw side.failed;
            }
        }
        if (cons.fatal != null) {
            return fatal(cons.fatal);
        }
        PrintStream o = out();
        o.println("pcq:    " + name);
        o.println("pcq producer: nsent=" + prod.done + " nerrors=" + prod.errors + " nfull="
                + (prod.queue == null ? 0 : prod.queue.fullCount()));
        o.println("pcq consumer: nreceived=" + cons.done + " nerrors=" + cons.errors + " nempty="
                + (cons.queue == null ? 0 : cons.queue.emptyCount()) + " retries="
                + (cons.queue == null ? 0 : cons.queue.retryCount()));
        long errors = prod.errors.get() + cons.errors.get();
        writeStatus(errors > 0 ? -errors : prod.done.get() + cons.done.get());
        return (int) Math.min(errors, 127);
    }

    /** {@code seconds} in nanoseconds, at most Long.MAX_VALUE. */
    private static long nanos(long seconds) {
        return seconds > Long.MAX_VALUE / 1_000_000_000L ? Long.MAX_VALUE : seconds * 1_000_000_000L;
    }

    private static void close(Side... sides) {
        for (Side s : sides) {
            if (s.queue != null) {
                s.queue.close();
            }
        }
    }

    /** The reference's payload: its pseudo-random stream of {@code size} bytes for the seed, or zeros. */
    private byte[] payload(int size) {
        ByteBuffer b = ByteBuffer.allocate(size);
        if (seed != 0) {
            new Prng(seed).fill(b);
        }
        return b.array();
    }

    private void produce(Side side, long count) {
        ByteBuffer msg = ByteBuffer.wrap(payload(side.queue.payloadSize()));
        try {
            while (time != null || side.done.get() < count) {
                long index = verbose.length > 0 ? side.queue.status().producerIndex() : -1;
                long seq = side.queue.put(msg.clear());
                side.done.incrementAndGet();
                if (verbose.length > 0) {
                    out().println("pcq_producer_put: put_index=" + index + " seq=" + seq);
                }
            }
        } catch (ClosedChannelException | InterruptedException stopped) {
            // -t elapsed
        } catch (Exception e) {
            side.failed = e;
        }
    }

    private void consume(Side side, long count, byte[][] expected) {
        ByteBuffer msg = ByteBuffer.allocate(side.queue.payloadSize());
        try {
            while (time != null || side.done.get() < count) {
                long index = verbose.length > 0 ? side.queue.status().consumerIndex() : -1;
                long seq = side.queue.take(msg.clear());
                side.done.incrementAndGet();
                if (verbose.length > 0) {
                    out().println("pcq_consumer_get: bucket=" + index + " seq=" + seq);
                }
                if (seed != 0) {
                    int ofs = firstDifference(msg.array(), expected[0]);
                    if (ofs >= 0) {
                        out().println("run_consumer: miscompare seq=" + seq + " ofs=" + ofs);
                        side.errors.incrementAndGet();
                    }
                }
            }
        } catch (ClosedChannelException | InterruptedException stopped) {
            // -t elapsed
        } catch (PcqException e) {
            side.fatal = e; // the main thread then stops the producer
        } catch (Exception e) {
            side.failed = e;
        }
    }

    /** The offset of the first differing 4-byte group, as the reference's check reports it, or -1. */
    static int firstDifference(byte[] got, byte[] want) {
        for (int i = 0; i < want.length; i += 4) {
            int end = Math.min(i + 4, want.length);
            if (!java.util.Arrays.equals(got, i, end, want, i, end)) {
                return i;
            }
        }
        return -1;
    }

    private void statusLine(Side prod, Side cons) {
        String when = LocalDateTime.now().format(DateTimeFormatter.ofPattern("MM-dd HH:mm:ss", Locale.ROOT));
        out().println(when + " pcq=" + name + " prod(nsent=" + prod.done + " nfull="
                + (prod.queue == null ? 0 : prod.queue.fullCount()) + ") cons(nrcvd=" + cons.done + " nempty="
                + (cons.queue == null ? 0 : cons.queue.emptyCount()) + " nretries= "
                + (prod.errors.get() + (cons.queue == null ? 0 : cons.queue.retryCount())) + " nerrors="
                + cons.errors + ")");
    }

    private void writeStatus(long value) throws IOException {
        if (statusFile != null) {
            Files.write(statusFile, Long.toString(value).getBytes(StandardCharsets.US_ASCII));
        }
    }

    /**
     * The reference's {@code -u}/{@code -g}: strtol, so the leading decimal digits, and a name (no digits) is 0,
     * which means this process's id (§13.11; its smoke test passes {@code -u $USER}).
     */
    static final class ReferenceId implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            String s = value.trim();
            int end = 0;
            while (end < s.length() && Character.isDigit(s.charAt(end)) && s.charAt(end) < 128) {
                end++;
            }
            if (end == 0) {
                return 0;
            }
            try {
                return Integer.parseUnsignedInt(s.substring(0, end));
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not an id (0..4294967295, or a name: default)");
            }
        }
    }

    /** The reference's numbers: strtoull base 0 (0x hex, 0 octal, decimal), then one optional k/m/g suffix. */
    static final class Number implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            String s = value.trim().toLowerCase(Locale.ROOT);
            int shift = 0;
            if (!s.isEmpty() && "kmg".indexOf(s.charAt(s.length() - 1)) >= 0 && !s.startsWith("0x")) {
                shift = 10 * ("kmg".indexOf(s.charAt(s.length() - 1)) + 1);
                s = s.substring(0, s.length() - 1);
            }
            try {
                long n = s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16)
                        : s.length() > 1 && s.startsWith("0") ? Long.parseUnsignedLong(s.substring(1), 8)
                        : Long.parseUnsignedLong(s);
                if (n < 0 || n > (Long.MAX_VALUE >> shift)) {
                    throw new NumberFormatException();
                }
                return n << shift;
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a number (like 64, 0x40, 1k)");
            }
        }
    }
}
