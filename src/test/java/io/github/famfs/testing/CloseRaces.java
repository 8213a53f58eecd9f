package io.github.famfs.testing;

import io.github.famfs.format.Extent;
import io.github.famfs.format.FileEntry;
import io.github.famfs.format.InterleavedMap;
import io.github.famfs.format.Layout;
import io.github.famfs.nio.FamfsFiles;
import io.github.famfs.nio.FamfsFsck;
import io.github.famfs.nio.FamfsOption;
import io.github.famfs.nio.FsckReport;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.Pipe;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Close races, run in a child JVM by {@code CloseRaceTest} (a crash or a hang then fails the test, not the build).
 * Each scenario opens famfs images in DIR, races {@code FileSystem.close()} against other threads, and checks that
 * every operation either succeeds or throws one of the documented closed-exception types, that what succeeded is
 * there and what did not is not, and that the image is fsck clean. It prints "OK …" and exits 0, or prints every
 * problem and exits 1.
 *
 * <p>Usage: CloseRaces SCENARIO DIR [ROUNDS [SEED]]; scenarios: suite, mkdir, image-write, blocked-transfer,
 * kept-buffer, map-windows, map-force, url-read, read-only.
 */
public final class CloseRaces {
    static final String MASTER = "c105e000-0000-4000-8000-0000000000c1";
    static final String CLIENT = "c105e000-0000-4000-8000-0000000000c2";
    private static final int WORKERS = 4;
    private static final long MIB = 1 << 20;

    private final List<String> problems = Collections.synchronizedList(new ArrayList<>());
    private final Path dir;
    private final long seed;

    private CloseRaces(Path dir, long seed) {
        this.dir = dir;
        this.seed = seed;
    }

    public static void main(String[] args) throws Exception {
        String scenario = args[0];
        Path dir = Path.of(args[1]);
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 1;
        long seed = args.length > 3 ? Long.parseLong(args[3]) : System.nanoTime();
        Files.createDirectories(dir);
        CloseRaces r = new CloseRaces(dir, seed);
        long t0 = System.nanoTime();
        String summary;
        try {
            summary = switch (scenario) {
                case "suite" -> r.suite(rounds);
                case "mkdir" -> r.mkdirRaces(rounds);
                case "image-write" -> r.imageWriteRaces(rounds);
                case "blocked-transfer" -> r.blockedTransfer();
                case "kept-buffer" -> r.keptBuffer();
                case "map-windows" -> r.mapWindows();
                case "map-force" -> r.mapForceRaces(rounds);
                case "url-read" -> r.urlReadRaces(rounds);
                case "read-only" -> r.readOnlyRaces(rounds);
                default -> throw new IllegalArgumentException("no scenario " + scenario);
            };
        } catch (Throwable t) {
            r.problem("scenario " + scenario + " failed", t);
            summary = "";
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        if (r.problems.isEmpty()) {
            System.out.println("OK " + scenario + ": " + summary + " (seed " + seed + ", " + ms + " ms, java "
                    + Runtime.version() + ")");
            System.out.flush();
            System.exit(0);
        }
        System.out.println("FAILED " + scenario + " (seed " + seed + ", " + ms + " ms): " + r.problems.size()
                + " problem(s)");
        synchronized (r.problems) {
            for (String p : r.problems.subList(0, Math.min(30, r.problems.size()))) {
                System.out.println("PROBLEM " + p);
            }
        }
        System.out.flush();
        System.exit(1);
    }

    // ---- helpers

    void problem(String what, Throwable t) {
        StringBuilder b = new StringBuilder(what);
        if (t != null) {
            java.io.StringWriter w = new java.io.StringWriter();
            t.printStackTrace(new java.io.PrintWriter(w));
            b.append(": ").append(w);
        }
        problems.add(b.toString());
    }

    static FileSystem format(Path img, String size) throws IOException {
        Files.deleteIfExists(img);
        return FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("create", "true", "deviceSize", size,
                "systemUuid", MASTER));
    }

    static FileSystem open(Path img, boolean readOnly) throws IOException {
        return FileSystems.newFileSystem(URI.create("famfs:" + img), readOnly
                ? Map.of("systemUuid", MASTER, "accessMode", "readOnly") : Map.of("systemUuid", MASTER));
    }

    /** Whether {@code t} (and everything suppressed in it) is a documented way to fail because of a close. */
    static boolean closedType(Throwable t) {
        boolean ok;
        if (t instanceof ClosedFileSystemException || t instanceof ClosedChannelException) {
            ok = true;
        } else if (t instanceof FileSystemException f && f.getReason() != null
                && f.getReason().startsWith("not published: its file system was closed")) {
            ok = true;
        } else if ((t instanceof UncheckedIOException || t instanceof DirectoryIteratorException)
                && t.getCause() != null) {
            ok = closedType(t.getCause());
        } else {
            ok = false;
        }
        for (Throwable s : t.getSuppressed()) {
            ok &= closedType(s);
        }
        return ok;
    }

    static byte[] pattern(int seed, long from, int length) {
        byte[] b = new byte[length];
        for (int i = 0; i < length; i++) {
            b[i] = TestImage.pattern(seed, from + i);
        }
        return b;
    }

    static void fsckClean(FileSystem fs, String when) throws IOException {
        FsckReport r = FamfsFsck.check(fs);
        if (!r.isClean()) {
            throw new IOException("fsck " + when + " is not clean: " + r.format());
        }
    }

    /** Joins {@code threads} (bounded); a thread still alive is a hang: its stack goes into the problem. */
    boolean joinAll(List<Thread> threads, long seconds, String what) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        for (Thread t : threads) {
            t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        boolean ok = true;
        for (Thread t : threads) {
            if (t.isAlive()) {
                ok = false;
                StringBuilder b = new StringBuilder(what + ": thread " + t.getName() + " hangs:");
                for (StackTraceElement e : t.getStackTrace()) {
                    b.append("\n\tat ").append(e);
                }
                problems.add(b.toString());
            }
        }
        return ok;
    }

    // ---- the suite: every kind of operation while another thread closes

    /** Seed files: name, size, pattern seed; read, mapped and transferred, never written. */
    private static final String[] SEED_NAMES = {"/seed/small", "/seed/big", "/seed/striped"};
    private static final int[] SEED_SIZES = {5000, (int) (3 * MIB + 17), (int) (6 * MIB + 5)};
    private static final long SCRATCH = 4 * MIB;

    private final class Round {
        final FileSystem fs;
        final Random rnd;
        final Path local;
        final byte[] localBytes;
        final Map<String, byte[]> published = new ConcurrentHashMap<>();
        final Set<String> notPublished = ConcurrentHashMap.newKeySet();
        final Set<String> dirsMade = ConcurrentHashMap.newKeySet();
        final Set<String> dirsRefused = ConcurrentHashMap.newKeySet();
        final List<Object[]> kept = Collections.synchronizedList(new ArrayList<>());
        final CountDownLatch closeDone = new CountDownLatch(1);
        final AtomicLong ops = new AtomicLong();
        final AtomicLong refused = new AtomicLong();

        Round(FileSystem fs, Random rnd, Path local, byte[] localBytes) {
            this.fs = fs;
            this.rnd = rnd;
            this.local = local;
            this.localBytes = localBytes;
        }
    }

    String suite(int rounds) throws Exception {
        Path img = dir.resolve("suite.img");
        Path local = dir.resolve("local.bin");
        byte[] localBytes = pattern(77, 0, (int) (300 * 1024 + 3));
        Files.write(local, localBytes);
        long totalOps = 0;
        long totalRefused = 0;
        long published = 0;
        for (int round = 0; round < rounds && problems.isEmpty(); round++) {
            Random rnd = new Random(seed * 1_000_003L + round);
            FileSystem fs = format(img, "3G");
            Files.createDirectories(fs.getPath("/seed"));
            Files.createDirectories(fs.getPath("/d"));
            Files.createDirectories(fs.getPath("/f"));
            for (int i = 0; i < SEED_NAMES.length; i++) {
                OpenOption[] opts = i == 2 ? new OpenOption[] {StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    FamfsOption.interleave(2, 2 * MIB, 2)} : new OpenOption[] {StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE};
                try (FileChannel ch = FileChannel.open(fs.getPath(SEED_NAMES[i]), opts)) {
                    ch.write(ByteBuffer.wrap(pattern(i + 1, 0, SEED_SIZES[i])));
                }
            }
            try (FileChannel ch = FileChannel.open(fs.getPath("/seed/scratch"), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, FamfsOption.size(SCRATCH))) {
                ch.write(ByteBuffer.allocate((int) SCRATCH));
            }
            Round r = new Round(fs, rnd, local, localBytes);
            runRound(r, round);
            totalOps += r.ops.get();
            totalRefused += r.refused.get();
            published += r.published.size();
            if ((round + 1) % 1000 == 0) {
                System.out.println("round " + (round + 1) + ": " + totalOps + " operations, " + published
                        + " files published, " + problems.size() + " problems");
                System.out.flush();
            }
        }
        return rounds + " rounds, " + totalOps + " operations (" + totalRefused + " refused by the close), "
                + published + " files published and checked; MemorySegment maps " + (SEGMENTS != null ? "included"
                : "not available on this runtime");
    }

    private void runRound(Round r, int round) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            int id = w;
            long wseed = r.rnd.nextLong();
            Thread t = new Thread(() -> work(r, id, new Random(wseed), start), "worker-" + round + "-" + w);
            workers.add(t);
            t.start();
        }
        int delayMicros = r.rnd.nextInt(4) == 0 ? r.rnd.nextInt(200) : r.rnd.nextInt(30_000);
        boolean twoClosers = r.rnd.nextInt(4) == 0;
        List<Thread> closers = new ArrayList<>();
        for (int c = 0; c < (twoClosers ? 2 : 1); c++) {
            Thread t = new Thread(() -> {
                try {
                    start.await();
                    TimeUnit.MICROSECONDS.sleep(delayMicros);
                    r.fs.close();
                    if (r.fs.isOpen()) {
                        problem("round " + round + ": close returned but the file system says it is open", null);
                    }
                } catch (Throwable t2) {
                    problem("round " + round + ": close threw", t2);
                }
            }, "closer-" + round + "-" + c);
            closers.add(t);
            t.start();
        }
        start.countDown();
        if (!joinAll(closers, 60, "round " + round + " close")) {
            halt();
        }
        r.closeDone.countDown();
        if (!joinAll(workers, 60, "round " + round + " workers after close")) {
            halt();
        }
        // mappings outlive their file system
        synchronized (r.kept) {
            for (Object[] k : r.kept) {
                byte[] got = k[0] instanceof ByteBuffer b ? bytes(b) : segmentBytes(k[0]);
                if (!Arrays.equals(got, (byte[]) k[1])) {
                    problems.add("round " + round + ": a mapping kept past close reads other bytes than the file");
                }
            }
        }
        try (FileSystem again = open(dir.resolve("suite.img"), true)) {
            fsckClean(again, "after round " + round);
            Set<String> files = new TreeSet<>();
            Set<String> dirs = new TreeSet<>();
            try (Stream<Path> walk = Files.walk(again.getPath("/"))) {
                for (Path p : (Iterable<Path>) walk::iterator) {
                    (Files.isDirectory(p) ? dirs : files).add(p.toString());
                }
            }
            for (Map.Entry<String, byte[]> e : r.published.entrySet()) {
                if (!files.contains(e.getKey())) {
                    problems.add("round " + round + ": " + e.getKey() + " was published (its close returned) but is"
                            + " not in the image");
                } else if (!Arrays.equals(Files.readAllBytes(again.getPath(e.getKey())), e.getValue())) {
                    problems.add("round " + round + ": " + e.getKey() + " holds other bytes than were written");
                }
            }
            for (String f : files) {
                if (!f.startsWith("/seed/") && !r.published.containsKey(f)) {
                    problems.add("round " + round + ": " + f + " is in the image but its writer was told it was not"
                            + " published" + (r.notPublished.contains(f) ? "" : " (or never heard)"));
                }
            }
            for (String d : r.dirsMade) {
                if (!dirs.contains(d)) {
                    problems.add("round " + round + ": directory " + d + " was made but is not in the image");
                }
            }
            for (String d : r.dirsRefused) {
                if (dirs.contains(d)) {
                    problems.add("round " + round + ": directory " + d + " was refused but is in the image");
                }
            }
            for (int i = 0; i < SEED_NAMES.length; i++) {
                if (!Arrays.equals(Files.readAllBytes(again.getPath(SEED_NAMES[i])), pattern(i + 1, 0,
                        SEED_SIZES[i]))) {
                    problems.add("round " + round + ": seed file " + SEED_NAMES[i] + " changed");
                }
            }
        }
    }

    private void halt() {
        System.out.println("FAILED: a thread hangs; problems so far:");
        synchronized (problems) {
            for (String p : problems) {
                System.out.println("PROBLEM " + p);
            }
        }
        System.out.flush();
        Runtime.getRuntime().halt(3);
    }

    private void work(Round r, int id, Random rnd, CountDownLatch start) {
        try {
            start.await();
        } catch (InterruptedException e) {
            return;
        }
        for (int i = 0; ; i++) {
            int op = rnd.nextInt(14);
            try {
                operation(r, op, id, i, rnd);
                r.ops.incrementAndGet();
            } catch (Throwable t) {
                r.ops.incrementAndGet();
                if (!closedType(t)) {
                    problem("operation " + op + " of worker " + id + " threw what a close race must not", t);
                    return;
                }
                if (r.fs.isOpen()) {
                    problem("operation " + op + " of worker " + id + " threw a closed exception while the file"
                            + " system is open", t);
                    return;
                }
                r.refused.incrementAndGet();
                return;
            }
            if (!r.fs.isOpen() && r.closeDone.getCount() == 0) {
                return;
            }
        }
    }

    private void operation(Round r, int op, int id, int i, Random rnd) throws Exception {
        FileSystem fs = r.fs;
        switch (op) {
            case 0 -> {
                String d = "/d/w" + id + "-" + i;
                try {
                    Files.createDirectory(fs.getPath(d));
                } catch (Throwable t) {
                    r.dirsRefused.add(d);
                    throw t;
                }
                r.dirsMade.add(d);
            }
            case 1, 2, 11 -> {
                String name = "/f/w" + id + "-" + i;
                // a stream's small writes are gathered up to 1 MiB (GatheringOutputStream): some files past that
                byte[] data = new byte[1 + rnd.nextInt(op == 2 && rnd.nextInt(4) == 0 ? 2_600_000
                        : rnd.nextBoolean() ? 5000 : 400_000)];
                rnd.nextBytes(data);
                newFile(r, name, data, op, rnd);
            }
            case 3 -> {
                String name = "/f/c" + id + "-" + i;
                boolean famfsCopy = rnd.nextBoolean();
                try {
                    if (famfsCopy) {
                        FamfsFiles.copy(r.local, fs.getPath(name));
                    } else {
                        Files.copy(r.local, fs.getPath(name));
                    }
                } catch (Throwable t) {
                    r.notPublished.add(name);
                    throw t;
                }
                r.published.put(name, r.localBytes);
            }
            case 4 -> {
                int s = rnd.nextInt(SEED_NAMES.length);
                long pos = rnd.nextInt(SEED_SIZES[s]);
                int len = (int) Math.min(SEED_SIZES[s] - pos, 1 + rnd.nextInt(300_000));
                try (FileChannel ch = FileChannel.open(fs.getPath(SEED_NAMES[s]))) {
                    ByteBuffer b = rnd.nextBoolean() ? ByteBuffer.allocateDirect(len) : ByteBuffer.allocate(len);
                    while (b.hasRemaining() && ch.read(b, pos + b.position()) > 0) {
                        // read on
                    }
                    check(bytes(b.flip()), pattern(s + 1, pos, len), "channel read of " + SEED_NAMES[s]);
                }
            }
            case 5 -> {
                int s = rnd.nextInt(SEED_NAMES.length);
                try (InputStream in = Files.newInputStream(fs.getPath(SEED_NAMES[s]))) {
                    check(in.readAllBytes(), pattern(s + 1, 0, SEED_SIZES[s]), "stream read of " + SEED_NAMES[s]);
                }
            }
            case 6 -> {
                int s = rnd.nextInt(SEED_NAMES.length);
                long pos = rnd.nextInt(SEED_SIZES[s]);
                int len = (int) Math.min(SEED_SIZES[s] - pos, 1 + rnd.nextInt(3_000_000));
                try (FileChannel ch = FileChannel.open(fs.getPath(SEED_NAMES[s]))) {
                    MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, pos, len);
                    byte[] want = pattern(s + 1, pos, len);
                    check(bytes(m), want, "map of " + SEED_NAMES[s]);
                    if (rnd.nextInt(3) == 0 && r.kept.size() < 20) {
                        r.kept.add(new Object[] {m, want});
                    }
                }
            }
            case 7 -> {
                if (SEGMENTS == null) {
                    operation(r, 6, id, i, rnd);
                    return;
                }
                int s = rnd.nextInt(SEED_NAMES.length);
                long pos = rnd.nextInt(SEED_SIZES[s]);
                int len = (int) Math.min(SEED_SIZES[s] - pos, 1 + rnd.nextInt(3_000_000));
                try (FileChannel ch = FileChannel.open(fs.getPath(SEED_NAMES[s]))) {
                    byte[] want = pattern(s + 1, pos, len);
                    boolean keep = rnd.nextInt(3) == 0 && r.kept.size() < 20;
                    Object seg = invoke(keep ? "mapAuto" : "mapConfinedBytes", ch, pos, len);
                    check(keep ? segmentBytes(seg) : (byte[]) seg, want, "segment of " + SEED_NAMES[s]);
                    if (keep) {
                        r.kept.add(new Object[] {seg, want});
                    }
                }
            }
            case 8 -> {
                int s = rnd.nextInt(SEED_NAMES.length);
                long pos = rnd.nextInt(SEED_SIZES[s]);
                int len = (int) Math.min(SEED_SIZES[s] - pos, 1 + rnd.nextInt(2_000_000));
                transferToPipe(fs, s, pos, len);
            }
            case 9 -> {
                int s = rnd.nextInt(SEED_NAMES.length);
                long pos = rnd.nextInt(SEED_SIZES[s]);
                int len = (int) Math.min(SEED_SIZES[s] - pos, 1 + rnd.nextInt(3_000_000));
                boolean blocks = rnd.nextBoolean();
                SlowTarget target = new SlowTarget(blocks ? r.closeDone : null);
                try (FileChannel ch = FileChannel.open(fs.getPath(SEED_NAMES[s]))) {
                    long n = ch.transferTo(pos, len, target);
                    check(target.bytes(), pattern(s + 1, pos, (int) n), "transferTo a slow target");
                    if (n != len) {
                        throw new IOException("transferTo a blocking target moved " + n + " of " + len + " bytes");
                    }
                }
            }
            case 10 -> {
                long pos = id * MIB + rnd.nextInt((int) MIB / 2);
                int len = 1 + rnd.nextInt((int) MIB / 2);
                byte[] data = new byte[len];
                rnd.nextBytes(data);
                try (FileChannel ch = FileChannel.open(fs.getPath("/seed/scratch"), StandardOpenOption.READ,
                        StandardOpenOption.WRITE)) {
                    long n = ch.transferFrom(new Source(data, rnd.nextBoolean()), pos, len);
                    ByteBuffer back = ByteBuffer.allocate((int) n);
                    ch.read(back, pos);
                    check(back.array(), Arrays.copyOf(data, (int) n), "transferFrom into /seed/scratch");
                }
            }
            case 12 -> {
                for (String d : new String[] {"/", "/d", "/f", "/seed"}) {
                    try (DirectoryStream<Path> ds = Files.newDirectoryStream(fs.getPath(d))) {
                        for (Path p : ds) {
                            Files.readAttributes(p, PosixFileAttributes.class);
                        }
                    }
                }
            }
            default -> {
                int s = rnd.nextInt(SEED_NAMES.length);
                PosixFileAttributes a = Files.readAttributes(fs.getPath(SEED_NAMES[s]), PosixFileAttributes.class);
                if (a.size() != SEED_SIZES[s]) {
                    throw new IOException("size of " + SEED_NAMES[s] + " reads " + a.size());
                }
                Files.getFileStore(fs.getPath("/")).getUsableSpace();
                Files.getAttribute(fs.getPath(SEED_NAMES[s]), "unix:mode");
            }
        }
    }

    /** A new file through a channel (op 1), a stream (op 2), or transferFrom a foreign channel (op 11). */
    private void newFile(Round r, String name, byte[] data, int op, Random rnd) throws Exception {
        Path p = r.fs.getPath(name);
        boolean ok = false;
        try {
            if (op == 2) {
                OutputStream out = rnd.nextBoolean() ? Files.newOutputStream(p)
                        : Files.newOutputStream(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                                FamfsOption.size(data.length));
                try (out) {
                    int at = 0;
                    while (at < data.length) {
                        int n = Math.min(data.length - at, 1 + rnd.nextInt(rnd.nextBoolean() ? 8192 : 70_000));
                        out.write(data, at, n);
                        at += n;
                    }
                }
            } else {
                try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    if (op == 11) {
                        long done = 0;
                        ReadableByteChannel src = new Source(data, rnd.nextBoolean());
                        while (done < data.length) {
                            long n = ch.transferFrom(src, done, data.length - done);
                            if (n <= 0) {
                                throw new IOException("transferFrom moved nothing at " + done);
                            }
                            done += n;
                        }
                    } else {
                        ByteBuffer b = ByteBuffer.wrap(data);
                        while (b.hasRemaining()) {
                            b.limit(Math.min(data.length, b.position() + 1 + rnd.nextInt(100_000)));
                            ch.write(b);
                            b.limit(data.length);
                        }
                    }
                }
            }
            ok = true;
        } finally {
            if (ok) {
                r.published.put(name, data);
            } else {
                r.notPublished.add(name);
            }
        }
    }

    private void transferToPipe(FileSystem fs, int s, long pos, int len) throws Exception {
        Pipe pipe = Pipe.open();
        byte[] got = new byte[len];
        int[] n = {0};
        Thread drain = new Thread(() -> {
            ByteBuffer b = ByteBuffer.wrap(got);
            try (Pipe.SourceChannel in = pipe.source()) {
                while (b.hasRemaining() && in.read(b) > 0) {
                    n[0] = b.position();
                }
                n[0] = b.position();
            } catch (IOException e) {
                // the sink closed
            }
        }, "pipe-drain");
        drain.start();
        long moved;
        try (FileChannel ch = FileChannel.open(fs.getPath(SEED_NAMES[s])); Pipe.SinkChannel sink = pipe.sink()) {
            moved = ch.transferTo(pos, len, sink);
        } finally {
            pipe.sink().close();
            drain.join(60_000);
        }
        if (moved != len || n[0] != len) {
            throw new IOException("transferTo a pipe moved " + moved + " of " + len + ", drained " + n[0]);
        }
        check(got, pattern(s + 1, pos, len), "transferTo a pipe");
    }

    /** A target that takes at most 64 KiB per write, pausing, or blocking until {@code release} at its first. */
    static final class SlowTarget implements WritableByteChannel {
        private final CountDownLatch release;
        private final java.io.ByteArrayOutputStream got = new java.io.ByteArrayOutputStream();
        private boolean blocked;

        SlowTarget(CountDownLatch release) {
            this.release = release;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            if (release != null && !blocked) {
                blocked = true;
                try {
                    release.await();
                } catch (InterruptedException e) {
                    throw new java.io.InterruptedIOException();
                }
            } else {
                Thread.yield();
            }
            int n = Math.min(src.remaining(), 65536);
            byte[] b = new byte[n];
            src.get(b);
            got.write(b, 0, n);
            return n;
        }

        byte[] bytes() {
            return got.toByteArray();
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }

    /** A foreign source channel: gives {@code data}, in small pieces when {@code trickle}. */
    static final class Source implements ReadableByteChannel {
        private final byte[] data;
        private final boolean trickle;
        private int at;

        Source(byte[] data, boolean trickle) {
            this.data = data;
            this.trickle = trickle;
        }

        @Override
        public int read(ByteBuffer dst) {
            if (at >= data.length) {
                return -1;
            }
            int n = Math.min(dst.remaining(), data.length - at);
            if (trickle) {
                n = Math.min(n, 4099);
            }
            dst.put(data, at, n);
            at += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {}
    }

    static void check(byte[] got, byte[] want, String what) throws IOException {
        if (!Arrays.equals(got, want)) {
            throw new IOException(what + ": read other bytes than the file holds (" + got.length + " vs "
                    + want.length + " bytes, first difference at " + Arrays.mismatch(got, want) + ")");
        }
    }

    static byte[] bytes(ByteBuffer b) {
        byte[] out = new byte[b.remaining()];
        b.duplicate().get(out);
        return out;
    }

    // ---- MemorySegment operations (Java 22+), through SegmentOps in src/test/java22

    private static final Class<?> SEGMENTS = segments();

    private static Class<?> segments() {
        if (Runtime.version().feature() < 22) {
            return null;
        }
        try {
            return Class.forName("io.github.famfs.testing.SegmentOps");
        } catch (ClassNotFoundException e) {
            return null;
        }
    }

    static Object invoke(String method, FileChannel ch, long pos, long len) throws Exception {
        Method m = SEGMENTS.getMethod(method, FileChannel.class, long.class, long.class);
        try {
            return m.invoke(null, ch, pos, len);
        } catch (java.lang.reflect.InvocationTargetException e) {
            if (e.getCause() instanceof Exception x) {
                throw x;
            }
            throw e;
        }
    }

    static byte[] segmentBytes(Object segment) {
        try {
            return (byte[]) SEGMENTS.getMethod("bytes", Object.class).invoke(null, segment);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---- one scenario per item of issue 9

    /** Item 9: close racing createDirectory (the log written with no access held: SIGSEGV). */
    String mkdirRaces(int rounds) throws Exception {
        Path img = dir.resolve("mkdir.img");
        long made = 0;
        for (int round = 0; round < rounds && problems.isEmpty(); round++) {
            Random rnd = new Random(seed + round);
            FileSystem fs = format(img, "64M");
            Set<String> ok = ConcurrentHashMap.newKeySet();
            Set<String> refused = ConcurrentHashMap.newKeySet();
            List<Thread> threads = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            for (int w = 0; w < 3; w++) {
                int id = w;
                Thread t = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; ; i++) {
                        String d = "/w" + id + "-" + i;
                        try {
                            Files.createDirectory(fs.getPath(d));
                            ok.add(d);
                        } catch (Throwable t2) {
                            refused.add(d);
                            if (!closedType(t2) || fs.isOpen()) {
                                problem("createDirectory " + d, t2);
                            }
                            return;
                        }
                    }
                });
                threads.add(t);
                t.start();
            }
            go.countDown();
            TimeUnit.MICROSECONDS.sleep(rnd.nextInt(3000));
            fs.close();
            if (!joinAll(threads, 60, "mkdir round " + round)) {
                halt();
            }
            try (FileSystem again = open(img, true)) {
                fsckClean(again, "after mkdir round " + round);
                for (String d : ok) {
                    if (!Files.isDirectory(again.getPath(d))) {
                        problems.add(d + " was made but is missing");
                    }
                }
                for (String d : refused) {
                    if (Files.exists(again.getPath(d))) {
                        problems.add(d + " was refused but exists");
                    }
                }
            }
            made += ok.size();
        }
        return rounds + " rounds, " + made + " directories made";
    }

    /** Item 10: close while masters write new files on an image file (Device.close held a monitor writers need). */
    String imageWriteRaces(int rounds) throws Exception {
        Path img = dir.resolve("write.img");
        long published = 0;
        for (int round = 0; round < rounds && problems.isEmpty(); round++) {
            Random rnd = new Random(seed + round);
            FileSystem fs = format(img, "1G");
            Map<String, byte[]> ok = new ConcurrentHashMap<>();
            List<Thread> threads = new ArrayList<>();
            CountDownLatch go = new CountDownLatch(1);
            for (int w = 0; w < 3; w++) {
                int id = w;
                Thread t = new Thread(() -> {
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    Random wr = new Random(id);
                    for (int i = 0; ; i++) {
                        String name = "/w" + id + "-" + i;
                        byte[] data = new byte[1 + wr.nextInt(200_000)];
                        wr.nextBytes(data);
                        try (FileChannel ch = FileChannel.open(fs.getPath(name), StandardOpenOption.CREATE_NEW,
                                StandardOpenOption.WRITE)) {
                            for (int at = 0; at < data.length; at += 512) {
                                ch.write(ByteBuffer.wrap(data, at, Math.min(512, data.length - at)));
                            }
                        } catch (Throwable t2) {
                            if (!closedType(t2) || fs.isOpen()) {
                                problem("writing " + name, t2);
                            }
                            return;
                        }
                        ok.put(name, data);
                    }
                });
                threads.add(t);
                t.start();
            }
            go.countDown();
            TimeUnit.MICROSECONDS.sleep(rnd.nextInt(5000));
            Thread closer = new Thread(() -> {
                try {
                    fs.close();
                } catch (Throwable t) {
                    problem("close", t);
                }
            });
            closer.start();
            if (!joinAll(List.of(closer), 60, "image-write round " + round + " close")) {
                halt();
            }
            if (!joinAll(threads, 60, "image-write round " + round)) {
                halt();
            }
            try (FileSystem again = open(img, true)) {
                fsckClean(again, "after image-write round " + round);
                for (Map.Entry<String, byte[]> e : ok.entrySet()) {
                    if (!Arrays.equals(Files.readAllBytes(again.getPath(e.getKey())), e.getValue())) {
                        problems.add(e.getKey() + " was published but reads other bytes");
                    }
                }
                try (Stream<Path> l = Files.list(again.getPath("/"))) {
                    long n = l.count();
                    if (n != ok.size()) {
                        problems.add("round " + round + ": " + n + " files in the image, " + ok.size() + " published");
                    }
                }
            }
            published += ok.size();
        }
        return rounds + " rounds, " + published + " files published";
    }

    /** Item 11: close while a transferTo target blocks (close hung, ignoring interrupts). */
    String blockedTransfer() throws Exception {
        StringBuilder out = new StringBuilder();
        for (String kind : new String[] {"latch", "pipe"}) {
            Path img = dir.resolve("blocked-" + kind + ".img");
            FileSystem fs = format(img, "64M");
            byte[] data = pattern(5, 0, (int) (4 * MIB));
            Files.write(fs.getPath("/big"), data);
            CountDownLatch release = new CountDownLatch(1);
            CountDownLatch entered = new CountDownLatch(1);
            Pipe pipe = Pipe.open();
            WritableByteChannel target = kind.equals("latch") ? new WritableByteChannel() {
                @Override
                public int write(ByteBuffer src) throws IOException {
                    entered.countDown();
                    try {
                        release.await();
                    } catch (InterruptedException e) {
                        throw new java.io.InterruptedIOException();
                    }
                    int n = src.remaining();
                    src.position(src.limit());
                    return n;
                }

                @Override
                public boolean isOpen() {
                    return true;
                }

                @Override
                public void close() {}
            } : pipe.sink();
            Throwable[] result = {null};
            long[] moved = {-1};
            FileChannel ch = FileChannel.open(fs.getPath("/big"));
            Thread transfer = new Thread(() -> {
                try {
                    entered.countDown();
                    moved[0] = ch.transferTo(0, data.length, target);
                } catch (Throwable t) {
                    result[0] = t;
                }
            }, "transfer");
            transfer.start();
            entered.await();
            Thread.sleep(200); // the transfer is now blocked in the target (the pipe is full at 64 KiB)
            Thread closer = new Thread(() -> {
                try {
                    fs.close();
                } catch (Throwable t) {
                    problem("close", t);
                }
            }, "closer");
            closer.start();
            closer.join(30_000);
            if (closer.isAlive()) {
                closer.interrupt();
                closer.join(10_000);
            }
            if (!joinAll(List.of(closer), 1, kind + ": close while the transferTo target blocks")) {
                halt();
            }
            release.countDown();
            Thread drain = new Thread(() -> {
                ByteBuffer b = ByteBuffer.allocate(1 << 16);
                try {
                    while (pipe.source().read(b.clear()) > 0) {
                        // drain
                    }
                } catch (IOException e) {
                    // closed
                }
            });
            drain.setDaemon(true);
            drain.start();
            if (!joinAll(List.of(transfer), 60, kind + ": the transfer after close")) {
                halt();
            }
            pipe.sink().close();
            if (result[0] == null || !closedType(result[0])) {
                problem(kind + ": transferTo after its file system closed should fail with a closed exception,"
                        + " moved " + moved[0], result[0]);
            }
            out.append(kind).append(": close returned, transferTo threw ")
                    .append(result[0] == null ? "nothing" : result[0].getClass().getSimpleName()).append("; ");
        }
        return out.toString();
    }

    /** Item 12: a transfer's other channel keeps the buffer it was given and uses it after close (SIGSEGV). */
    String keptBuffer() throws Exception {
        Path img = dir.resolve("kept.img");
        FileSystem fs = format(img, "64M");
        byte[] data = pattern(9, 0, (int) (3 * MIB));
        Files.write(fs.getPath("/f"), data);
        List<ByteBuffer> keptOut = new ArrayList<>();
        List<ByteBuffer> keptIn = new ArrayList<>();
        try (FileChannel ch = FileChannel.open(fs.getPath("/f"), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.transferTo(0, data.length, new WritableByteChannel() {
                @Override
                public int write(ByteBuffer src) {
                    keptOut.add(src.duplicate());
                    int n = src.remaining();
                    src.position(src.limit());
                    return n;
                }

                @Override
                public boolean isOpen() {
                    return true;
                }

                @Override
                public void close() {}
            });
            ch.transferFrom(new ReadableByteChannel() {
                private int left = 2 * (int) MIB;

                @Override
                public int read(ByteBuffer dst) {
                    if (left == 0) {
                        return -1;
                    }
                    keptIn.add(dst.duplicate());
                    int n = Math.min(dst.remaining(), left);
                    byte[] same = Arrays.copyOfRange(data, data.length - left, data.length - left + n);
                    dst.put(same);
                    left -= n;
                    return n;
                }

                @Override
                public boolean isOpen() {
                    return true;
                }

                @Override
                public void close() {}
            }, MIB, 2 * MIB);
        }
        fs.close();
        System.gc();
        long sum = 0;
        for (ByteBuffer b : keptOut) {
            for (int i = 0; i < b.capacity(); i += 4096) {
                sum += b.get(i);
            }
        }
        for (ByteBuffer b : keptIn) {
            for (int i = 0; i < b.capacity(); i += 4096) {
                b.put(i, (byte) 0x4a);
            }
        }
        try (FileSystem again = open(img, true)) {
            byte[] now = Files.readAllBytes(again.getPath("/f"));
            if (!Arrays.equals(now, data)) {
                problems.add("writes into buffers a transfer's channel kept changed the file (first difference at "
                        + Arrays.mismatch(now, data) + ")");
            }
        }
        return keptOut.size() + " buffers given to a target and " + keptIn.size() + " to a source were used after"
                + " close (checksum " + sum + "); the file is unchanged";
    }

    // ---- a read-only image mount (read through the JDK's maps, which the close unmaps) while it closes

    /** The read-only scenario's files: name, device offset (past 1 GiB: the JDK's second window), size. */
    private static final String[] RO_NAMES = {"/d/early", "/d/edge", "/d/e/late", "/top"};
    private static final long GIB = 1L << 30;
    /** Device offsets (the first: wherever data starts; the second: across the first GiB's end). */
    private static final long[] RO_OFFSETS = {0, GIB - 2 * MIB, GIB + 100 * MIB, GIB + 200 * MIB};
    private static final int[] RO_SIZES = {300_000, (int) (5 * MIB + 1), (int) (2 * MIB + 7), 5000};

    /**
     * Threads read a read-only mount of an image file (on every Java read through the JDK's maps of the image,
     * which its close unmaps: on Java 17-21 a read after that would be a SIGSEGV) while another thread closes it:
     * channel reads, streams, Files.readAllBytes, transferTo, directory listings with attributes, lookup misses
     * (catch-ups), refresh and a watch service. Each read gives the file's bytes or fails with a closed
     * exception; the JVM survives; the close leaves no mapping of the image.
     */
    String readOnlyRaces(int rounds) throws Exception {
        Path img = dir.resolve("read-only.img");
        Files.deleteIfExists(img);
        try (TestImage t = TestImage.create(img, 3 * GIB)) {
            t.mkdir("d").mkdir("d/e");
            for (int i = 0; i < RO_NAMES.length; i++) {
                t.skipData(Math.max(0, RO_OFFSETS[i] - t.nextDataOffset()));
                t.file(RO_NAMES[i].substring(1), RO_SIZES[i]);
            }
        }
        Random rnd = new Random(seed);
        AtomicLong ops = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        for (int round = 0; round < rounds && problems.isEmpty(); round++) {
            FileSystem fs = open(img, true);
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                long wseed = rnd.nextLong();
                int id = w;
                Thread t = new Thread(() -> {
                    Random r = new Random(wseed);
                    try {
                        go.await();
                    } catch (InterruptedException e) {
                        return;
                    }
                    for (int i = 0; ; i++) {
                        int op = r.nextInt(9);
                        try {
                            readOnlyOperation(fs, op, r);
                            ops.incrementAndGet();
                        } catch (Throwable e) {
                            // a watch service closes with its file system (the JDK's exception for that)
                            if (!closedType(e) && !(e instanceof java.nio.file.ClosedWatchServiceException)) {
                                problem("read-only operation " + op + " of worker " + id + " threw what a close"
                                        + " race must not", e);
                            } else if (fs.isOpen()) {
                                problem("read-only operation " + op + " threw a closed exception while the file"
                                        + " system is open", e);
                            }
                            refused.incrementAndGet();
                            return;
                        }
                        if (!fs.isOpen()) {
                            return;
                        }
                    }
                }, "read-only-" + round + "-" + w);
                threads.add(t);
                t.start();
            }
            go.countDown();
            int micros = rnd.nextInt(4) == 0 ? rnd.nextInt(200) : rnd.nextInt(20_000);
            TimeUnit.MICROSECONDS.sleep(micros);
            fs.close();
            if (!joinAll(threads, 60, "read-only round " + round)) {
                halt();
            }
            long left = imageMappings(img);
            if (left != 0) {
                problems.add("read-only round " + round + ": " + left + " mappings of the image left after the close");
            }
        }
        return rounds + " rounds, " + ops.get() + " reads (" + refused.get() + " refused by the close)";
    }

    private void readOnlyOperation(FileSystem fs, int op, Random rnd) throws Exception {
        int s = rnd.nextInt(RO_NAMES.length);
        Path f = fs.getPath(RO_NAMES[s]);
        int seed = RO_NAMES[s].substring(1).hashCode();
        switch (op) {
            case 0 -> {
                long pos = rnd.nextInt(RO_SIZES[s]);
                int len = (int) Math.min(RO_SIZES[s] - pos, 1 + rnd.nextInt(600_000));
                try (FileChannel ch = FileChannel.open(f)) {
                    ByteBuffer b = rnd.nextBoolean() ? ByteBuffer.allocateDirect(len) : ByteBuffer.allocate(len);
                    while (b.hasRemaining() && ch.read(b, pos + b.position()) > 0) {
                        // read on
                    }
                    check(bytes(b.flip()), pattern(seed, pos, len), "channel read of " + f);
                }
            }
            case 1 -> {
                try (InputStream in = Files.newInputStream(f)) {
                    check(in.readAllBytes(), pattern(seed, 0, RO_SIZES[s]), "stream read of " + f);
                }
            }
            case 2 -> check(Files.readAllBytes(f), pattern(seed, 0, RO_SIZES[s]), "readAllBytes of " + f);
            case 3 -> {
                for (String d : new String[] {"/", "/d", "/d/e"}) {
                    try (DirectoryStream<Path> ds = Files.newDirectoryStream(fs.getPath(d))) {
                        for (Path p : ds) {
                            Files.readAttributes(p, PosixFileAttributes.class);
                        }
                    }
                }
            }
            case 4 -> ((io.github.famfs.nio.FamfsFileSystem) fs).refresh();
            case 5 -> {
                if (Files.exists(fs.getPath("/d/missing-" + rnd.nextInt(1000)))) {
                    throw new IOException("a missing file exists");
                }
            }
            case 6 -> {
                long pos = rnd.nextInt(RO_SIZES[s]);
                int len = (int) Math.min(RO_SIZES[s] - pos, 1 + rnd.nextInt(1_000_000));
                SlowTarget target = new SlowTarget(null);
                try (FileChannel ch = FileChannel.open(f)) {
                    long n = ch.transferTo(pos, len, target);
                    check(target.bytes(), pattern(seed, pos, (int) n), "transferTo of " + f);
                }
            }
            case 7 -> {
                try (java.nio.file.WatchService ws = fs.newWatchService()) {
                    fs.getPath("/d").register(ws, java.nio.file.StandardWatchEventKinds.ENTRY_CREATE);
                    ws.poll(rnd.nextInt(3), TimeUnit.MILLISECONDS);
                }
            }
            default -> {
                if (Files.size(f) != RO_SIZES[s]) {
                    throw new IOException("size of " + f + " reads " + Files.size(f));
                }
                Files.getFileStore(fs.getPath("/")).getUsableSpace();
                Files.getAttribute(f, "unix:mode");
            }
        }
    }

    /** Mappings of {@code img} in this JVM (lines of /proc/self/maps naming it). */
    public static long imageMappings(Path img) throws IOException {
        String name = img.toRealPath().toString();
        try (Stream<String> maps = Files.lines(Path.of("/proc/self/maps"))) {
            return maps.filter(l -> l.endsWith(name) || l.endsWith(name + " (deleted)")).count();
        }
    }

    /**
     * Issue 12: threads read a famfs file through its famfs: URL (and a zip in famfs through zipfs) while the file
     * system closes: each read gives the whole file, or fails with a closed exception or an IOException saying
     * no famfs is open.
     */
    String urlReadRaces(int rounds) throws Exception {
        Path img = dir.resolve("url.img");
        byte[] data = pattern(3, 0, (int) (3 * MIB + 5));
        Random rnd = new Random(seed);
        AtomicLong whole = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        for (int round = 0; round < rounds; round++) {
            java.net.URL url;
            try (FileSystem fs = format(img, "64M")) {
                Files.write(fs.getPath("/f"), data);
            }
            FileSystem fs = open(img, true);
            url = fs.getPath("/f").toUri().toURL();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                Thread t = new Thread(() -> {
                    try {
                        go.await();
                        for (int i = 0; i < 20; i++) {
                            try (InputStream in = url.openStream()) {
                                if (!Arrays.equals(data, in.readAllBytes())) {
                                    problem("a URL read gave other bytes", null);
                                }
                                whole.incrementAndGet();
                            } catch (IOException e) {
                                if (!closedType(e) && (e.getMessage() == null
                                        || !e.getMessage().contains("no famfs is open"))) {
                                    problem("URL read during close", e);
                                }
                                refused.incrementAndGet();
                                return;
                            }
                        }
                    } catch (Throwable e) {
                        problem("URL reader", e);
                    }
                }, "url-read-" + w);
                threads.add(t);
                t.start();
            }
            go.countDown();
            Thread.sleep(rnd.nextInt(4));
            fs.close();
            joinAll(threads, 60, "url-read round " + round);
        }
        return rounds + " rounds; " + whole.get() + " whole reads, " + refused.get() + " refused by the close";
    }

    /**
     * Issue 12: threads map, write, force (msync), load and invokeCleaner maps of a file while the file system
     * closes: each map either works or fails with a closed exception; a map made before the close stays usable
     * (written and forced) after it; what a thread forced is in the image when it is opened again.
     */
    String mapForceRaces(int rounds) throws Exception {
        Path img = dir.resolve("force.img");
        Method invokeCleaner = Class.forName("sun.misc.Unsafe").getMethod("invokeCleaner", ByteBuffer.class);
        java.lang.reflect.Field theUnsafe = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
        theUnsafe.setAccessible(true);
        Object unsafe = theUnsafe.get(null);
        Random rnd = new Random(seed);
        long cleaned = 0;
        long forcedAfterClose = 0;
        for (int round = 0; round < rounds; round++) {
            try (FileSystem fs = format(img, "64M")) {
                Files.write(fs.getPath("/f"), new byte[(int) (WORKERS * MIB)]);
            }
            FileSystem fs = open(img, false);
            FileChannel ch = FileChannel.open(fs.getPath("/f"), StandardOpenOption.READ, StandardOpenOption.WRITE);
            byte[] last = new byte[WORKERS];
            List<MappedByteBuffer> kept = Collections.synchronizedList(new ArrayList<>());
            AtomicLong cleans = new AtomicLong();
            CountDownLatch go = new CountDownLatch(1);
            List<Thread> threads = new ArrayList<>();
            for (int w = 0; w < WORKERS; w++) {
                int id = w;
                Thread t = new Thread(() -> {
                    try {
                        go.await();
                        for (int i = 1; i < 200; i++) {
                            MappedByteBuffer m;
                            try {
                                m = ch.map(i % 3 == 1 ? FileChannel.MapMode.READ_ONLY : FileChannel.MapMode.READ_WRITE,
                                        id * MIB, MIB);
                            } catch (Exception e) {
                                if (!closedType(e)) {
                                    problem("map during close", e);
                                }
                                return;
                            }
                            if (m.isReadOnly()) {
                                io.github.famfs.nio.FamfsMappings.load(m);
                                invokeCleaner.invoke(unsafe, m);
                                cleans.incrementAndGet();
                            } else {
                                m.put(0, (byte) i).put((int) MIB - 1, (byte) i);
                                io.github.famfs.nio.FamfsMappings.force(m);
                                last[id] = (byte) i;
                                kept.add(m);
                            }
                        }
                    } catch (Throwable e) {
                        problem("worker " + id, e);
                    }
                }, "map-force-" + w);
                threads.add(t);
                t.start();
            }
            go.countDown();
            Thread.sleep(rnd.nextInt(6));
            fs.close();
            joinAll(threads, 60, "map-force round " + round);
            synchronized (kept) {
                for (MappedByteBuffer m : kept) {
                    m.force();
                    forcedAfterClose++;
                }
            }
            cleaned += cleans.get();
            try (FileSystem again = open(img, true)) {
                byte[] all = Files.readAllBytes(again.getPath("/f"));
                for (int id = 0; id < WORKERS; id++) {
                    if (all[(int) (id * MIB)] != last[id] || all[(int) ((id + 1) * MIB - 1)] != last[id]) {
                        problem("round " + round + ": worker " + id + " forced " + last[id] + ", image has "
                                + all[(int) (id * MIB)], null);
                    }
                }
                fsckClean(again, "after map-force round " + round);
            }
        }
        return rounds + " rounds; " + cleaned + " read-only maps released by invokeCleaner, " + forcedAfterClose
                + " forces of maps after their file system closed";
    }

    /**
     * Item 13: map a large interleaved file window after window, dropping each (as famfs verify does): more pieces
     * in total than vm.max_map_count allows must work; then, holding every window, the limit is a clear
     * IOException and the JVM goes on.
     */
    String mapWindows() throws Exception {
        Path img = dir.resolve("windows.img");
        long chunk = 2 * MIB;
        long strip = 256 * MIB;
        long size = 2 * strip;
        try (TestImage t = TestImage.create(img, 1L << 30)) {
            long base = t.nextDataOffset();
            t.entry(new FileEntry(t.nextIndex(), size, 2, 1000, 1000, 0644, "striped".getBytes(StandardCharsets.UTF_8),
                    new InterleavedMap(chunk, List.of(new Extent(base, strip), new Extent(base + strip, strip)))));
            t.fill(base, 4096, 1);
        }
        long max;
        try (InputStream in = Files.newInputStream(Path.of("/proc/sys/vm/max_map_count"))) {
            max = Long.parseLong(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
        }
        long window = 256 * MIB;
        long pieces = 0;
        int maps = 0;
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("systemUuid", CLIENT));
                FileChannel ch = FileChannel.open(fs.getPath("/striped"))) {
            while (pieces < 2 * max) {
                long pos = (maps % 2) * (size - window);
                MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, pos, window);
                if (pos == 0 && m.get(0) != TestImage.pattern(1, 0)) {
                    problems.add("window " + maps + " reads another first byte");
                }
                pieces += window / chunk;
                maps++;
            }
            String first = maps + " windows of 256 MiB (" + pieces + " pieces, vm.max_map_count " + max + ") mapped"
                    + " and dropped";
            List<MappedByteBuffer> held = new ArrayList<>();
            IOException refused = null;
            while (refused == null && held.size() < 2 * max / (window / chunk)) {
                try {
                    held.add(ch.map(FileChannel.MapMode.READ_ONLY, 0, window));
                } catch (IOException e) {
                    refused = e;
                }
            }
            if (refused == null || refused.getMessage() == null
                    || !refused.getMessage().contains("vm.max_map_count")) {
                problem("holding every window, the limit should be an IOException naming vm.max_map_count after "
                        + held.size() + " windows", refused);
            }
            int heldCount = held.size();
            held.clear();
            MappedByteBuffer again = ch.map(FileChannel.MapMode.READ_ONLY, 0, window);
            if (again.get(0) != TestImage.pattern(1, 0)) {
                problems.add("a window after the limit reads another first byte");
            }
            Thread t = new Thread(() -> { });
            t.start();
            t.join();
            return first + "; holding them, window " + (heldCount + 1) + " was refused: "
                    + (refused == null ? "-" : refused.getMessage()) + "; after dropping them mapping works again";
        }
    }
}
