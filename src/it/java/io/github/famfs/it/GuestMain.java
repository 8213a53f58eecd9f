package io.github.famfs.it;

import io.github.famfs.nio.FamfsFileAttributes;
import io.github.famfs.nio.FamfsFiles;
import io.github.famfs.nio.FamfsFsck;
import io.github.famfs.nio.FamfsOption;
import io.github.famfs.nio.FsckReport;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardOpenOption;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;

/**
 * The guest side of the VM suite: a plain main (no JUnit: a JVM starts slowly under emulation) that runs one
 * scenario against the real device-DAX device and prints one {@code CHECK} line per check and a {@code VERDICT}
 * line (see {@link Checks}); the exit code is 0 only when nothing failed. The host test ({@code VmIT}) boots
 * the guests, runs this under strace, and parses the lines.
 *
 * <pre>
 * GuestMain master       [device=/dev/dax0.0]  format as master, write the corpus, reopen, read it every way
 * GuestMain jdk17        reopen as master, read the corpus, add the JDK 17 files
 * GuestMain live-master  pace=MS  publish the live files one by one
 * GuestMain live-client  wait=S   follow the live files with a WatchService, reading each as it is reported; refusals
 * GuestMain crafted      claimed=BYTES  open a device whose superblock claims BYTES (patched from the host)
 * GuestMain pcq-consumer n= buckets= size= rtt= modes= wait=S   consume and check pcq messages (see PcqGuest)
 * GuestMain pcq-producer (the same)   create the queues and produce
 * </pre>
 */
public final class GuestMain {
    public static final String MASTER_UUID = "a11ce000-0000-4000-8000-00000000000a";
    public static final String CLIENT_UUID = "b0b00000-0000-4000-8000-00000000000b";
    public static final String HOST_UUID = "c0ffee00-0000-4000-8000-00000000000c";
    /** Printed by the live client once it polls; the host starts the live master when it sees it. */
    public static final String POLLING = "LIVE-CLIENT-POLLING";
    /** Files the host writes into the log of the crafted device (their extents lie past the real device). */
    public static final String PAST_END = "/crafted/past-end.bin";
    public static final String STRADDLE = "/crafted/straddle.bin";

    private final Map<String, String> args;
    private final String device;
    private final Checks checks;
    private long sysfsSize;
    private long sysfsAlign;

    private GuestMain(String scenario, Map<String, String> args) {
        this.args = args;
        this.device = args.getOrDefault("device", "/dev/dax0.0");
        this.checks = new Checks(scenario, System.out);
    }

    public static void main(String[] argv) {
        if (argv.length < 1) {
            System.err.println("usage: GuestMain master|jdk17|live-master|live-client|crafted|pcq-producer"
                    + "|pcq-consumer [key=value...]");
            System.exit(2);
        }
        Map<String, String> args = new HashMap<>();
        for (int i = 1; i < argv.length; i++) {
            int eq = argv[i].indexOf('=');
            args.put(argv[i].substring(0, eq), argv[i].substring(eq + 1));
        }
        GuestMain g = new GuestMain(argv[0], args);
        try {
            g.run(argv[0]);
        } catch (Throwable t) {
            g.checks.fail("scenario-aborted", Checks.oneLine(t));
            t.printStackTrace(System.out);
        }
        System.exit(g.checks.verdict() ? 0 : 1);
    }

    private void run(String scenario) throws Exception {
        checks.check("devdax-device", this::probeDevice);
        switch (scenario) {
            case "master" -> master();
            case "jdk17" -> jdk17();
            case "live-master" -> liveMaster();
            case "live-client" -> liveClient();
            case "crafted" -> crafted();
            case "pcq-producer", "pcq-consumer" -> {
                PcqGuest q = new PcqGuest(checks, this::open, args);
                q.watchdog();
                if (scenario.equals("pcq-producer")) {
                    q.producer();
                } else {
                    q.consumer();
                }
            }
            default -> throw new IllegalArgumentException("unknown scenario " + scenario);
        }
    }

    // ---- the device as the kernel shows it

    private String probeDevice() throws Exception {
        Path dev = Path.of(device);
        BasicFileAttributes a = Files.readAttributes(dev, BasicFileAttributes.class);
        String rdev = Files.getAttribute(dev, "unix:rdev").toString();
        long r = Long.parseLong(rdev);
        long major = ((r >>> 8) & 0xfff) | ((r >>> 32) & ~0xfffL);
        long minor = (r & 0xff) | ((r >>> 12) & ~0xffL);
        Path sys = Path.of("/sys/dev/char/" + major + ":" + minor);
        sysfsSize = Long.parseLong(DaxMaps.read(sys.resolve("size")).trim());
        sysfsAlign = Long.parseLong(DaxMaps.read(sys.resolve("align")).trim());
        if (!a.isOther() || a.isRegularFile() || a.size() != 0) {
            throw new Checks.Failure(device + ": isOther " + a.isOther() + ", size " + a.size()
                    + " (expected a char device whose stat size is 0)");
        }
        return device + " is a char device " + major + ":" + minor + ", stat size 0; sysfs size " + sysfsSize
                + ", align " + sysfsAlign;
    }

    // ---- opening

    private FileSystem open(Map<String, ?> env) throws IOException {
        return FileSystems.newFileSystem(URI.create("famfs:" + device), env);
    }

    private FileSystem openMaster(boolean create) throws IOException {
        Map<String, Object> env = new HashMap<>();
        env.put("systemUuid", MASTER_UUID);
        if (create) {
            env.put("create", "true");
        }
        return open(env);
    }

    private static String role(FileSystem fs) throws IOException {
        return String.valueOf(Files.getFileStore(fs.getPath("/")).getAttribute("famfs:role"));
    }

    // ---- writing the corpus

    private void write(FileSystem fs, Corpus.Item c) throws Exception {
        Path p = fs.getPath(c.path());
        byte[] all = Corpus.bytes(c.seed(), 0, (int) c.size());
        switch (c.how()) {
            case FILES_WRITE -> Files.write(p, all);
            case COPY, INTERLEAVED_COPY -> {
                Path local = Files.createTempFile("corpus", ".bin");
                try {
                    Files.write(local, all);
                    if (c.how() == Corpus.How.COPY) {
                        FamfsFiles.copy(local, p);
                    } else {
                        FamfsFiles.copy(local, p, FamfsOption.interleave(c.nstrips(), c.chunk(), c.nbuckets()));
                    }
                } finally {
                    Files.delete(local);
                }
            }
            case CHANNEL_PIECES -> {
                try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                    int tail = 100_003;
                    long tailAt = c.size() - tail;
                    ch.write(ByteBuffer.wrap(all, (int) tailAt, tail), tailAt);   // the end first, positionally
                    int[] pieces = {1, 4095, (1 << 20) + 3, 65536, 12345};
                    int k = 0;
                    long pos = 0;
                    while (pos < tailAt) {
                        int n = (int) Math.min(pieces[k++ % pieces.length], tailAt - pos);
                        ByteBuffer b = (k % 2 == 0 ? ByteBuffer.allocateDirect(n) : ByteBuffer.allocate(n));
                        b.put(all, (int) pos, n).flip();
                        while (b.hasRemaining()) {
                            pos += ch.write(b);
                        }
                    }
                }
            }
            case INTERLEAVED_STREAM -> {
                try (OutputStream out = Files.newOutputStream(p, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, FamfsOption.interleave(c.nstrips(), c.chunk(), c.nbuckets()))) {
                    writeInPieces(out, all, (1 << 20) + 1);
                }
            }
            case STREAM -> {
                try (OutputStream out = Files.newOutputStream(p)) {
                    writeInPieces(out, all, 100_003);
                }
            }
            case TWO_STREAMS -> throw new IllegalArgumentException("TWO_STREAMS files are written in pairs");
            default -> throw new IllegalArgumentException(c.how().toString());
        }
    }

    private static void writeInPieces(OutputStream out, byte[] all, int piece) throws IOException {
        for (int pos = 0; pos < all.length; pos += piece) {
            out.write(all, pos, Math.min(piece, all.length - pos));
        }
    }

    /** Two streams written in turns: each one's next unit is taken by the other, so neither grows in place. */
    private static void writePair(FileSystem fs, Corpus.Item a, Corpus.Item b) throws IOException {
        byte[] da = Corpus.bytes(a.seed(), 0, (int) a.size());
        byte[] db = Corpus.bytes(b.seed(), 0, (int) b.size());
        int piece = (1 << 20) + 17;
        try (OutputStream oa = Files.newOutputStream(fs.getPath(a.path()));
                OutputStream ob = Files.newOutputStream(fs.getPath(b.path()))) {
            for (int pos = 0; pos < Math.max(da.length, db.length); pos += piece) {
                if (pos < da.length) {
                    oa.write(da, pos, Math.min(piece, da.length - pos));
                }
                if (pos < db.length) {
                    ob.write(db, pos, Math.min(piece, db.length - pos));
                }
            }
        }
    }

    /** Checks the map the file got: interleaved as asked, else simple (one extent for the stream pairs). */
    private static String checkMap(FileSystem fs, Corpus.Item c) throws Exception {
        Path p = fs.getPath(c.path());
        String summary = Verify.attributes(p, c);
        FamfsFileAttributes a = Files.readAttributes(p, FamfsFileAttributes.class);
        String type = (String) Files.getAttribute(p, "famfs:extentType");
        int n = a.fileMap().orElseThrow().extents().size();
        switch (c.how()) {
            case INTERLEAVED_COPY, INTERLEAVED_STREAM -> {
                if (!type.equals("interleaved") || n != c.nstrips()
                        || !Long.valueOf(c.chunk()).equals(Files.getAttribute(p, "famfs:chunkSize"))) {
                    throw new Checks.Failure(c.path() + ": " + summary + ", chunk " + Files.getAttribute(p,
                            "famfs:chunkSize") + "; expected " + c.nstrips() + " strips of " + c.chunk() + " chunks");
                }
            }
            case TWO_STREAMS -> {
                // two streams growing together still publish one extent each (the grower moves when it cannot
                // extend in place): every famfs implementation serves one, the standalone kernel at most two
                if (!type.equals("simple") || n != 1) {
                    throw new Checks.Failure(c.path() + ": " + summary + "; expected one simple extent");
                }
            }
            default -> {
                if (!type.equals("simple")) {
                    throw new Checks.Failure(c.path() + ": " + summary + "; expected a simple map");
                }
            }
        }
        return summary + " " + a.fileMap().get().extents();
    }

    private void writeAll(FileSystem fs, List<Corpus.Item> items) {
        Set<String> dirs = new TreeSet<>(Corpus.EXTRA_DIRS);
        for (Corpus.Item c : items) {
            dirs.add(c.path().substring(0, c.path().lastIndexOf('/')));
        }
        checks.check("mkdir", () -> {
            for (String d : dirs) {
                Files.createDirectories(fs.getPath(d));
            }
            for (String d : dirs) {
                if (!Files.isDirectory(fs.getPath(d))) {
                    throw new Checks.Failure(d + " is not a directory after createDirectories");
                }
            }
            return "made " + dirs;
        });
        List<Corpus.Item> pair = new ArrayList<>();
        for (Corpus.Item c : items) {
            if (c.how() == Corpus.How.TWO_STREAMS) {
                pair.add(c);
                if (pair.size() == 2) {
                    Corpus.Item a = pair.get(0);
                    Corpus.Item b = pair.get(1);
                    checks.check("write-two-streams:" + a.path() + "+" + b.path(), () -> {
                        writePair(fs, a, b);
                        return checkMap(fs, a) + "; " + checkMap(fs, b);
                    });
                    pair.clear();
                }
                continue;
            }
            checks.check("write-" + c.how().name().toLowerCase().replace('_', '-') + ":" + c.path(), () -> {
                write(fs, c);
                return checkMap(fs, c);
            });
        }
    }

    // ---- reading the corpus

    /** Every way of reading, for every item; mapped buffers and segments stay alive for the maps check. */
    private void readAll(FileSystem fs, List<Corpus.Item> items, boolean stream, boolean mayWrite) throws Exception {
        Verify v = new Verify();
        Segments segments = Segments.load();
        try {
            for (Corpus.Item c : items) {
                Path p = fs.getPath(c.path());
                checks.check("read-channel:" + c.path(), () -> Verify.attributes(p, c) + "; " + Verify.channel(p, c));
                if (stream) {
                    checks.check("read-stream:" + c.path(), () -> Verify.stream(p, c));
                }
                checks.check("read-mapped:" + c.path(), () -> v.mapped(p, c));
                if (segments != null) {
                    Segments s = segments;
                    checks.check("read-segment:" + c.path(), () -> s.check(p, c));
                }
            }
            if (segments == null) {
                checks.add(new Checks.Line(Checks.Status.SKIP, "read-segment", "Java " + Runtime.version().feature()
                        + ": MemorySegment maps need Java 22+"));
            }
            checks.check("maps-aligned", () -> DaxMaps.checkAligned(device, sysfsAlign, mayWrite,
                    1 + v.keptMappings()));
            if (segments != null) {
                int before = DaxMaps.mappings(device).size();
                segments.close();
                segments = null;
                checks.check("segments-unmapped", () -> {
                    int after = DaxMaps.mappings(device).size();
                    if (after >= before) {
                        throw new Checks.Failure("closing the arena left " + after + " mappings of " + device
                                + " (were " + before + ")");
                    }
                    return "closing the arena took the device mappings from " + before + " to " + after;
                });
            }
        } finally {
            if (segments != null) {
                segments.close();
            }
            v.release();
        }
    }

    private void fdinfo(int expected) {
        checks.check(expected == 0 ? "device-fd-readonly" : "device-fd-readwrite", () -> {
            List<Integer> modes = DaxMaps.accessModes(device);
            if (modes.isEmpty() || modes.stream().anyMatch(m -> m != expected)) {
                throw new Checks.Failure("descriptors of " + device + " have access modes " + modes + ", expected "
                        + (expected == 0 ? "O_RDONLY (0)" : "O_RDWR (2)"));
            }
            return modes.size() + " descriptor(s) of " + device + ", /proc/self/fdinfo access mode "
                    + (expected == 0 ? "O_RDONLY" : "O_RDWR");
        });
    }

    private void fsck(FileSystem fs, String name, long files, String systemUuid) {
        checks.check(name, () -> {
            FsckReport r = FamfsFsck.check(fs);
            if (!r.isClean() || r.files() != files || r.deviceSize() != sysfsSize
                    || !r.systemUuid().toString().equals(systemUuid)) {
                throw new Checks.Failure("expected a clean famfs of " + files + " files on " + sysfsSize
                        + " bytes, master " + systemUuid + ":\n" + r.format());
            }
            return "clean: " + r.files() + " files, " + r.directories() + " directories, " + r.logEntries()
                    + " log entries, device " + r.deviceSize() + " bytes, " + r.allocatedBytes() + " allocated";
        });
    }

    // ---- scenarios

    private void master() throws Exception {
        try (FileSystem fs = openMaster(true)) {
            checks.check("format", () -> {
                FsckReport r = FamfsFsck.check(fs);
                Object align = Files.getFileStore(fs.getPath("/")).getAttribute("famfs:alignment");
                if (fs.isReadOnly() || !role(fs).equals("master") || r.logEntries() != 0 || r.files() != 0
                        || r.deviceSize() != sysfsSize || !r.systemUuid().toString().equals(MASTER_UUID)
                        || !Long.valueOf(sysfsAlign).equals(align)) {
                    throw new Checks.Failure("after create=true: " + fs + ", role " + role(fs) + ", alignment "
                            + align + "\n" + r.format());
                }
                return "create=true formatted " + device + ": " + fs + ", famfs " + r.uuid() + ", device "
                        + r.deviceSize() + " bytes (from sysfs), alignment " + align + ", empty log of "
                        + r.logCapacity() + " entries";
            });
            writeAll(fs, Corpus.MASTER);
            fsck(fs, "fsck-after-writing", Corpus.MASTER.size(), MASTER_UUID);
        }
        try (FileSystem fs = openMaster(true)) {
            checks.check("reopen-master", () -> {
                if (fs.isReadOnly() || !role(fs).equals("master")) {
                    throw new Checks.Failure("reopened as " + fs);
                }
                return "create=true on a device that holds a famfs opened it as it is: " + fs + ", "
                        + Verify.listing(fs, Corpus.MASTER);
            });
            readAll(fs, Corpus.MASTER, true, true);
            fdinfo(2);
            devdaxBehaviours(fs);
            fsck(fs, "fsck-final", Corpus.MASTER.size(), MASTER_UUID);
        }
    }

    /** What device-DAX refuses (private maps, msync, misaligned maps) and how the provider avoids or reports it. */
    private void devdaxBehaviours(FileSystem fs) {
        Corpus.Item c = Corpus.MASTER.get(1);
        Path p = fs.getPath(c.path());
        checks.check("map-private-refused", () -> {
            try (FileChannel ch = FileChannel.open(p)) {
                ch.map(FileChannel.MapMode.PRIVATE, 0, 4096);
                throw new Checks.Failure("MapMode.PRIVATE was accepted");
            } catch (UnsupportedOperationException e) {
                return "UnsupportedOperationException: " + e.getMessage();
            }
        });
        checks.check("write-in-place-and-force", () -> {
            long at = 12345;
            int n = 3 << 20;
            byte[] same = Corpus.bytes(c.seed(), at, n);
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(same), at);
                ch.force(true);
                MappedByteBuffer rw = ch.map(FileChannel.MapMode.READ_WRITE, at, n);
                rw.put(0, same);
                rw.force();
                ch.force(false);
            }
            return "positional write, FileChannel.force(true), a READ_WRITE MappedByteBuffer put and force() on "
                    + c.path() + ": no error (the trace shows no msync) ; " + Verify.channel(p, c);
        });
        checks.check("map-unaligned-small", () -> {
            try (FileChannel ch = FileChannel.open(p)) {
                long at = (2L << 20) + 4097;
                MappedByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, at, 10);
                byte[] got = new byte[10];
                b.get(0, got);
                byte[] want = Corpus.bytes(c.seed(), at, 10);
                if (!java.util.Arrays.equals(got, want)) {
                    throw new Checks.Failure("10 bytes mapped at " + at + " differ");
                }
                return "10 bytes at file offset " + at + " mapped and read (the provider maps the 2 MiB-aligned"
                        + " range around them)";
            }
        });
    }

    private void jdk17() throws Exception {
        try (FileSystem fs = openMaster(false)) {
            checks.check("reopen-master", () -> {
                if (fs.isReadOnly() || !role(fs).equals("master")) {
                    throw new Checks.Failure("opened as " + fs);
                }
                return fs + ": " + Verify.listing(fs, Corpus.MASTER);
            });
            readAll(fs, Corpus.MASTER, true, true);
            writeAll(fs, Corpus.JDK17);
            List<Corpus.Item> both = new ArrayList<>(Corpus.MASTER);
            both.addAll(Corpus.JDK17);
            readAll(fs, Corpus.JDK17, true, true);
            fdinfo(2);
            fsck(fs, "fsck-final", both.size(), MASTER_UUID);
        }
    }

    private void liveMaster() throws Exception {
        long pace = Long.parseLong(args.getOrDefault("pace", "1000"));
        List<Corpus.Item> before = new ArrayList<>(Corpus.MASTER);
        before.addAll(Corpus.JDK17);
        try (FileSystem fs = openMaster(false)) {
            checks.check("open-master", () -> fs + ": " + Verify.listing(fs, before));
            checks.check("mkdir:" + Corpus.LIVE_DIR, () -> {
                Files.createDirectory(fs.getPath(Corpus.LIVE_DIR));
                return "made " + Corpus.LIVE_DIR;
            });
            long t0 = System.nanoTime();
            for (Corpus.Item c : Corpus.live()) {
                Thread.sleep(pace);
                checks.check("publish:" + c.path(), () -> {
                    write(fs, c);
                    return "published at +" + (System.nanoTime() - t0) / 1_000_000 + " ms; " + checkMap(fs, c);
                });
            }
            List<Corpus.Item> all = new ArrayList<>(before);
            all.addAll(Corpus.live());
            checks.check("listing", () -> Verify.listing(fs, all));
            fsck(fs, "fsck-final", all.size(), MASTER_UUID);
        }
    }

    /**
     * Follows the live master through a WatchService (issue 10): one open file system (refreshInterval default,
     * 100 ms), "/" registered, then the live directory as its event arrives; each live file is read, every byte,
     * the moment its event arrives. No key may report a file twice, and every live file published after the
     * live directory was registered must be reported.
     */
    private void liveClient() throws Exception {
        long waitMs = Long.parseLong(args.getOrDefault("wait", "180")) * 1000;
        Map<String, Object> env = Map.of("systemUuid", CLIENT_UUID);
        Set<String> live = new LinkedHashSet<>();
        Corpus.live().forEach(c -> live.add(c.path()));
        Set<String> verified = new LinkedHashSet<>();
        List<String> problems = new ArrayList<>();
        List<String> history = new ArrayList<>();
        long t0 = System.nanoTime();
        try (FileSystem fs = open(env); WatchService ws = fs.newWatchService()) {
            checks.check("client-opened-readonly", () -> {
                if (!fs.isReadOnly() || !role(fs).equals("client")) {
                    throw new Checks.Failure("opened as " + fs + ", role " + role(fs));
                }
                return fs + " (role " + role(fs) + ")";
            });
            Path liveDir = fs.getPath(Corpus.LIVE_DIR);
            fs.getPath("/").register(ws, StandardWatchEventKinds.ENTRY_CREATE);
            Set<String> listedAtRegistration = new TreeSet<>();
            boolean registered = false;
            if (Files.isDirectory(liveDir)) {
                registered = registerLive(ws, liveDir, listedAtRegistration);
                for (String l : listedAtRegistration) {
                    readLive(fs.getPath(l), "listed when " + Corpus.LIVE_DIR + " was registered", t0);
                    verified.add(l);
                }
            }
            System.out.println(POLLING + " " + fs);
            System.out.flush();
            while (!verified.contains(Corpus.LIVE_END)) {
                if ((System.nanoTime() - t0) / 1_000_000 > waitMs) {
                    checks.fail("live-complete", "after " + waitMs / 1000 + " s the client's watch service reported"
                            + " only " + verified + " (" + String.join(", ", history) + ")");
                    return;
                }
                WatchKey k = ws.poll(1, java.util.concurrent.TimeUnit.SECONDS);
                if (k == null) {
                    continue;
                }
                List<Path> now = new ArrayList<>();
                for (WatchEvent<?> e : k.pollEvents()) {
                    if (e.kind() == StandardWatchEventKinds.OVERFLOW) {
                        problems.add("OVERFLOW on " + k.watchable());
                        continue;
                    }
                    now.add(((Path) k.watchable()).resolve((Path) e.context()));
                }
                k.reset();
                history.add(now.size() + " at +" + (System.nanoTime() - t0) / 1_000_000 + " ms");
                for (Path p : now) {
                    String name = p.toString();
                    if (p.equals(liveDir) && !registered) {
                        registered = registerLive(ws, liveDir, listedAtRegistration);
                        for (String l : listedAtRegistration) {
                            readLive(fs.getPath(l), "listed when " + Corpus.LIVE_DIR + " was registered", t0);
                            verified.add(l);
                        }
                    } else if (live.contains(name)) {
                        if (!verified.add(name)) {
                            problems.add(name + " reported twice");
                            continue;
                        }
                        readLive(p, "reported by the watch service", t0);
                    }
                }
            }
            checks.check("live-watch", () -> {
                Set<String> missed = new TreeSet<>(live);
                missed.removeAll(verified);
                missed.removeAll(listedAtRegistration);
                if (!problems.isEmpty() || !missed.isEmpty()) {
                    throw new Checks.Failure("problems " + problems + "; never reported: " + missed);
                }
                if (history.size() < 3) {
                    throw new Checks.Failure("only " + history.size() + " keys were taken: the client did not watch"
                            + " the master publish");
                }
                return verified.size() + " live files reported once each, in " + history.size() + " keys taken ("
                        + String.join(", ", history) + "); already there when " + Corpus.LIVE_DIR
                        + " was registered: " + listedAtRegistration;
            });
            clientFinal(fs);
        }
        checks.check("client-readwrite-refused", () -> {
            try (FileSystem fs = open(Map.of("systemUuid", CLIENT_UUID, "accessMode", "readWrite"))) {
                throw new Checks.Failure("accessMode readWrite was granted to a client: " + fs);
            } catch (AccessDeniedException e) {
                if (!e.getMessage().contains(CLIENT_UUID) || !e.getMessage().contains(MASTER_UUID)) {
                    throw new Checks.Failure("the refusal does not name both system UUIDs: " + e.getMessage());
                }
                return "AccessDeniedException: " + e.getMessage();
            }
        });
    }

    private void readLive(Path p, String how, long t0) {
        Corpus.Item c = Corpus.live().stream().filter(i -> i.path().equals(p.toString())).findFirst().orElseThrow();
        checks.check("live-read:" + c.path(), () -> how + " at +" + (System.nanoTime() - t0) / 1_000_000 + " ms: "
                + Verify.channel(p, c) + "; " + new Verify().mapped(p, c));
    }

    /** Registers the live directory, then lists what it already holds (published before the key existed). */
    private static boolean registerLive(WatchService ws, Path liveDir, Set<String> listed) throws IOException {
        liveDir.register(ws, StandardWatchEventKinds.ENTRY_CREATE);
        try (var s = Files.newDirectoryStream(liveDir)) {
            for (Path p : s) {
                listed.add(p.toString());
            }
        }
        return true;
    }

    private void clientFinal(FileSystem fs) throws Exception {
        List<Corpus.Item> all = Corpus.all();
        checks.check("client-listing", () -> Verify.listing(fs, all));
        readAll(fs, all, true, false);
        fdinfo(0);
        fsck(fs, "client-fsck", all.size(), MASTER_UUID);
        Corpus.Item c = Corpus.MASTER.get(0);
        Path p = fs.getPath(c.path());
        refused("client-create-refused", () -> Files.write(fs.getPath("/data/new.bin"), new byte[] {1}));
        refused("client-mkdir-refused", () -> Files.createDirectory(fs.getPath("/newdir")));
        refused("client-write-channel-refused", () -> FileChannel.open(p, StandardOpenOption.WRITE));
        refused("client-copy-refused", () -> FamfsFiles.copy(p, fs.getPath("/data/copy.bin")));
        checks.check("client-map-readwrite-refused", () -> {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                ch.map(FileChannel.MapMode.READ_WRITE, 0, 4096);
                throw new Checks.Failure("a client mapped " + c.path() + " READ_WRITE");
            } catch (NonWritableChannelException e) {
                return "NonWritableChannelException (the channel is read-only, as is the device mapping)";
            }
        });
        checks.check("client-mapped-buffer-readonly", () -> {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                MappedByteBuffer b = ch.map(FileChannel.MapMode.READ_ONLY, 0, 4096);
                try {
                    b.put(0, (byte) 1);
                    throw new Checks.Failure("put into a client's mapped buffer was accepted");
                } catch (ReadOnlyBufferException e) {
                    return "ReadOnlyBufferException; the mapping is " + DaxMaps.mappings(device).get(0).perms();
                }
            }
        });
    }

    private void refused(String name, Callable<?> attempt) {
        checks.check(name, () -> {
            try {
                attempt.call();
                throw new Checks.Failure("a client was allowed to write");
            } catch (ReadOnlyFileSystemException | AccessDeniedException e) {
                return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            }
        });
    }

    private void crafted() throws Exception {
        long claimed = Long.parseLong(args.get("claimed"));
        Map<String, Object> env = Map.of("systemUuid", CLIENT_UUID);
        try (FileSystem fs = open(env)) {
            checks.check("crafted-problem-reported", () -> {
                @SuppressWarnings("unchecked")
                List<String> problems = (List<String>) Files.getFileStore(fs.getPath("/")).getAttribute(
                        "famfs:problems");
                String sizes = problems.stream().filter(s -> s.contains(Long.toString(sysfsSize))
                        && s.contains(Long.toString(claimed))).findFirst().orElseThrow(() -> new Checks.Failure(
                        "no problem names both the device's " + sysfsSize + " bytes and the superblock's " + claimed
                                + ": " + problems));
                return "opened " + fs + "; problem: " + sizes;
            });
            checks.check("crafted-fsck", () -> {
                FsckReport r = FamfsFsck.check(fs);
                boolean past = r.invalidMaps().stream().anyMatch(s -> s.contains(PAST_END.substring(1)));
                boolean straddle = r.invalidMaps().stream().anyMatch(s -> s.contains(STRADDLE.substring(1)));
                if (r.isClean() || r.deviceProblems().isEmpty() || !past || !straddle) {
                    throw new Checks.Failure("expected device problems and invalid maps for " + PAST_END + " and "
                            + STRADDLE + ":\n" + r.format());
                }
                return "not clean, as it should be: " + r.deviceProblems() + "; " + r.invalidMaps();
            });
            for (String bad : List.of(PAST_END, STRADDLE)) {
                checks.check("crafted-refused:" + bad, () -> {
                    Path p = fs.getPath(bad);
                    FamfsFileAttributes a = Files.readAttributes(p, FamfsFileAttributes.class);
                    if (a.mapProblem().isEmpty()) {
                        throw new Checks.Failure(bad + " has no map problem");
                    }
                    try (FileChannel ch = FileChannel.open(p)) {
                        ByteBuffer b = ByteBuffer.allocate(4096);
                        ch.read(b, 0);
                        ch.map(FileChannel.MapMode.READ_ONLY, 0, 4096).get(0);
                        throw new Checks.Failure("bytes of " + bad + " were served");
                    } catch (IOException e) {
                        return "refused, no SIGBUS: " + Checks.oneLine(e);
                    }
                });
            }
            readAll(fs, Corpus.MASTER, false, false);
        }
        try (FileSystem fs = openMaster(false)) {
            checks.check("crafted-master-allocates-within-device", () -> {
                Corpus.Item c = new Corpus.Item("/crafted/new.bin", (8L << 20) + 3, Corpus.How.FILES_WRITE, 0, 0, 0);
                write(fs, c);
                FamfsFileAttributes a = Files.readAttributes(fs.getPath(c.path()), FamfsFileAttributes.class);
                long end = a.fileMap().orElseThrow().extents().stream().mapToLong(e -> e.offset() + e.length())
                        .max().orElseThrow();
                if (end > sysfsSize) {
                    throw new Checks.Failure("the master allocated up to " + end + ", past the device's " + sysfsSize);
                }
                return fs + " wrote " + c.path() + " at " + a.fileMap().get().extents() + ", within the device's "
                        + sysfsSize + " bytes; " + Verify.channel(fs.getPath(c.path()), c);
            });
        }
    }
}
