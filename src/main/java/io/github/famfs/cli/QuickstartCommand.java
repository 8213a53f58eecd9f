package io.github.famfs.cli;

import io.github.famfs.nio.FamfsFileAttributes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.LongBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "quickstart", sortOptions = false,
        header = "See famfs work, with no set-up: format an image, fill it, read it as master and as client.",
        description = {
            "Formats a sparse image in a temporary directory (or --image PATH), copies a real directory tree into"
                + " it (the project's library sources, src/main, unless --tree DIR), adds an interleaved file, lists the tree,"
                + " maps a file with no copy and prints its sha256 and read throughput, then reopens the image as a"
                + " client (another system UUID) to show that the same view is there and that a client cannot"
                + " write. Each step shows the famfs command it runs and says what it showed.",
            "",
            "Nothing outside the image is touched: the system UUIDs are made up for the run (no /opt/famfs).",
            ""})
final class QuickstartCommand extends FamfsCommand {
    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;

    @Option(names = "--image", paramLabel = "PATH",
            description = "Make the image here and keep it (default: a temporary directory, removed at the end).")
    Path image;

    @Option(names = "--tree", paramLabel = "DIR",
            description = "The directory tree to copy in (default: the project's library sources, src/main, whose"
                + " paths all fit famfs's 78 bytes).")
    Path tree;

    @Option(names = "--size", paramLabel = "SIZE", converter = Converters.SizeConverter.class,
            defaultValue = "4G", description = "Image size (default ${DEFAULT-VALUE}; sparse).")
    long size;

    private static volatile long blackhole;
    private int step;
    private static final int STEPS = 7;
    private String shownImage;

    @Override
    int run() throws Exception {
        long t0 = System.nanoTime();
        Path src = tree != null ? tree : defaultTree();
        if (!Files.isDirectory(src)) {
            throw new NoSuchFileException(src.toString(), null, "no such directory to copy in (give --tree DIR)");
        }
        if (image != null && Files.exists(image, LinkOption.NOFOLLOW_LINKS)) {
            throw new java.nio.file.FileAlreadyExistsException(image.toString(), null, "exists; quickstart makes a"
                    + " new image (give a path that does not exist yet)");
        }
        Path tmp = null;
        Path img = image;
        if (img == null) {
            tmp = Files.createTempDirectory("famfs-quickstart-");
            img = tmp.resolve("famfs.img");
        }
        try {
            walkthrough(img.toAbsolutePath(), src.toAbsolutePath().normalize());
        } finally {
            if (tmp != null) {
                Files.deleteIfExists(img);
                Files.deleteIfExists(tmp);
            }
        }
        out().println();
        out().printf("Done in %.1f s.%s%n", (System.nanoTime() - t0) / 1e9, tmp != null
                ? " The temporary image is gone; 'famfs quickstart --image famfs.img' keeps one to explore with"
                    + " famfs ls, stat, cat, getmap, logplay."
                : " The image is at " + img + ".");
        return 0;
    }

    /** The tree's name in famfs: /src for the default tree (the project's src/main), else its own name. */
    private String treeName(Path src) {
        return tree == null ? "src" : src.getFileName().toString();
    }

    private static Path defaultTree() {
        String home = System.getProperty("famfs.home");
        if (home != null && Files.isDirectory(Path.of(home, "src", "main"))) {
            return Path.of(home, "src", "main");
        }
        return Path.of("src", "main");
    }

    private void walkthrough(Path img, Path src) throws Exception {
        UUID master = UUID.randomUUID();
        UUID client = UUID.randomUUID();
        String dev = img.toString();
        shownImage = dev;
        int nbuckets = (int) Math.max(1, Math.min(4, size / GIB));
        PrintStream o = out();
        o.println("famfs quickstart: a famfs in an image file, from mkfs to a second host's view.");
        o.println("  IMG=" + dev);
        o.println("  this host (the master) has system UUID " + master);
        o.println("  a second host (a client) has system UUID " + client);

        heading("Format a " + Units.iec(size) + " image (a sparse file: it takes almost no disk space)");
        must(0, "mkfs", "--size", Units.human(size), "--system-uuid", master.toString(), dev);
        said("The image holds a superblock and an empty 8 MiB log with room for 15420 files and directories."
                + " The superblock names this host's system UUID, so this host is the master: the only one that"
                + " may write.");

        heading("Copy a real directory tree into it");
        String dest = dev + ":/" + treeName(src);
        int cp = run(0, "cp", "-r", "--system-uuid", master.toString(), src.toString(), dest);
        said((cp == 0 ? "" : "(Some files were not copied; the lines above say why.) ")
                + "Each file got one allocation in whole 2 MiB units and one FILE log entry; each directory one"
                + " MKDIR entry. famfs files keep their size forever: the log is append-only.");

        String big = dev + ":/interleaved.bin";
        boolean striped = size >= GIB;
        if (striped) {
            heading("Add a 64 MiB file interleaved over " + nbuckets + " strip" + (nbuckets == 1 ? "" : "s"));
            must(0, "creat", "-s", "64M", "-N", Integer.toString(nbuckets), "-B", Integer.toString(nbuckets), "-C",
                    "2M", "-r", "-S", "42", "--system-uuid", master.toString(), big);
        } else {
            heading("Add a 64 MiB file (contiguous: interleaving wants buckets of 1 GiB, and this image is smaller)");
            must(0, "creat", "-s", "64M", "-r", "-S", "42", "--system-uuid", master.toString(), big);
        }
        must(0, "getmap", big);
        said((striped ? "The file is cut into 2 MiB chunks that rotate over its " + nbuckets + " strip(s), each in"
                + " its own " + Units.iec(size / nbuckets) + " bucket of the device."
                : "The file is one extent of 32 allocation units.")
                + " creat -r -S 42 filled it with the reference famfs's pseudo-random stream for seed 42.");

        heading("List the tree");
        must(0, "ls", "-l", dev + ":/");
        Path sample = largestFile(src);
        String sampleDir = null;
        if (sample != null) {
            sampleDir = "/" + treeName(src) + "/" + src.relativize(sample.getParent()).toString();
            sampleDir = sampleDir.endsWith("/") ? sampleDir.substring(0, sampleDir.length() - 1) : sampleDir;
            must(12, "ls", "-l", dev + ":" + sampleDir);
        }
        try (FileSystem fs = open(img, master)) {
            o.println("Every directory that holds files, as the log records them:");
            directorySummary(fs, 22);
        }
        said("Mode, owner, group and size come from the log entries; the map column says how each file lies on"
                + " the device: a small file takes one 2 MiB extent.");

        heading("Map a file (no copy) and checksum it");
        try (FileSystem fs = open(img, master)) {
            Mapped m = map(fs.getPath("/interleaved.bin"));
            o.printf("sha256 %s  /interleaved.bin%n", m.sha256);
            o.printf("  read throughput: %s through the mapping at %s (best of %d passes); sha256 at %s%n",
                    Units.iec(m.size), Units.rate(m.size, m.readNanos), m.passes, Units.rate(m.size, m.shaNanos));
            if (sample != null) {
                Path inFamfs = fs.getPath(sampleDir, sample.getFileName().toString());
                Mapped s = map(inFamfs);
                String localSha = sha256(Files.readAllBytes(sample));
                o.printf("sha256 %s  %s%n", s.sha256, inFamfs);
                o.printf("  (%s; the local source file's sha256 is %s)%n", Units.iec(s.size),
                        s.sha256.equals(localSha) ? "the same" : "DIFFERENT: " + localSha);
            }
        }
        must(0, "verify", "-S", "42", "-f", big);
        said("FileChannel.map gave one MappedByteBuffer over the device's memory" + (striped ? ", the strips"
                + " stitched into one contiguous range," : "") + " with no page cache and no copy. verify compared"
                + " every byte with the seed-42 stream.");

        heading("Reopen the image as a client (the second host's system UUID)");
        List<String> masterView;
        try (FileSystem fs = open(img, master)) {
            masterView = view(fs);
        }
        try (FileSystem fs = open(img, client)) {
            FileStore st = fs.getFileStores().iterator().next();
            List<String> clientView = view(fs);
            o.printf("client: role %s, read-only %s; %s files, %s directories, %s log entries%n",
                    st.getAttribute("famfs:role"), fs.isReadOnly(), st.getAttribute("famfs:files"),
                    st.getAttribute("famfs:directories"), st.getAttribute("famfs:logEntries"));
            o.printf("client: %d paths, each with the same type, mode, owner, size, log entry and map as the"
                    + " master's: %s%n", clientView.size(), clientView.equals(masterView) ? "identical" : "DIFFERENT");
            o.printf("sha256 %s  /interleaved.bin (read by the client)%n",
                    map(fs.getPath("/interleaved.bin")).sha256);
        }
        run(0, "mkdir", "--system-uuid", client.toString(), dev + ":/from-the-client");
        said("A client replays the same log, so it sees the same files with the same bytes. It cannot write:"
                + " only the master appends to the log, so the client's mkdir was refused (exit status 1).");

        heading("Check it");
        must(0, "fsck", dev);
        must(0, "df", "--system-uuid", master.toString(), dev);
        said("No bad log entries, no cross-linked allocations, no invalid maps: the famfs is clean.");
    }

    /** One line per directory that holds files: file count, bytes, path (at most {@code max} lines). */
    private void directorySummary(FileSystem fs, int max) throws IOException {
        List<String> lines = new ArrayList<>();
        Files.walkFileTree(fs.getPath("/"), new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                int n = 0;
                long bytes = 0;
                try (java.nio.file.DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
                    for (Path c : ds) {
                        BasicFileAttributes a = Files.readAttributes(c, BasicFileAttributes.class);
                        if (a.isRegularFile()) {
                            n++;
                            bytes += a.size();
                        }
                    }
                }
                if (n > 0) {
                    lines.add(String.format("  %4d file%s %11s  %s", n, n == 1 ? " " : "s", Units.iec(bytes), dir));
                }
                return FileVisitResult.CONTINUE;
            }
        });
        for (int i = 0; i < Math.min(max, lines.size()); i++) {
            out().println(lines.get(i));
        }
        if (lines.size() > max) {
            out().printf("  ... (%d more directories)%n", lines.size() - max);
        }
    }

    // ---- the steps' plumbing

    private void heading(String what) {
        step++;
        out().println();
        out().printf("[%d/%d] %s%n", step, STEPS, what);
    }

    private void said(String text) {
        PrintStream o = out();
        StringBuilder line = new StringBuilder("  =>");
        for (String word : text.split(" ")) {
            if (line.length() + 1 + word.length() > 100) {
                o.println(line);
                line = new StringBuilder("    ");
            }
            line.append(' ').append(word);
        }
        o.println(line);
    }

    /**
     * Runs a famfs command line in this process and shows it: "$ famfs ..." then its output (at most
     * {@code maxLines} lines when not 0) and its stderr.
     */
    private int run(int maxLines, String... args) {
        PrintStream o = out();
        StringBuilder cmd = new StringBuilder("$ famfs");
        for (String a : args) {
            cmd.append(' ').append(a.contains(" ") ? "'" + a + "'" : a);
        }
        o.println(shorten(cmd.toString()));
        ByteArrayOutputStream bout = new ByteArrayOutputStream();
        ByteArrayOutputStream berr = new ByteArrayOutputStream();
        int status;
        try (PrintStream po = new PrintStream(bout, true, StandardCharsets.UTF_8);
                PrintStream pe = new PrintStream(berr, true, StandardCharsets.UTF_8)) {
            status = new FamfsCli(po, pe).execute(args);
        }
        String[] lines = bout.toString(StandardCharsets.UTF_8).split("\n", -1);
        int n = lines.length > 0 && lines[lines.length - 1].isEmpty() ? lines.length - 1 : lines.length;
        int shown = maxLines > 0 ? Math.min(n, maxLines) : n;
        for (int i = 0; i < shown; i++) {
            o.println(shorten(lines[i]));
        }
        if (shown < n) {
            o.printf("... (%d more lines)%n", n - shown);
        }
        String e = berr.toString(StandardCharsets.UTF_8);
        if (!e.isEmpty()) {
            o.print(shorten(e));
        }
        if (status != 0) {
            o.println("(exit status " + status + ")");
        }
        return status;
    }

    /** Runs a step that the rest needs: a failure ends the quickstart. */
    private void must(int maxLines, String... args) throws IOException {
        int status = run(maxLines, args);
        if (status != 0) {
            throw new IOException("quickstart stopped: 'famfs " + args[0] + "' failed (exit status " + status
                    + "; see above)");
        }
    }

    /** The image's path as $IMG, so that the commands shown stay short. */
    private String shorten(String text) {
        return shownImage == null ? text : text.replace(shownImage, "$IMG");
    }

    /** What a zero-copy mapping of a famfs file showed. */
    private record Mapped(long size, String sha256, long readNanos, long shaNanos, int passes) {}

    private static Mapped map(Path p) throws IOException {
        try (FileChannel ch = FileChannel.open(p)) {
            long size = ch.size();
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
            int passes = 5;
            long best = Long.MAX_VALUE;
            long sink = 0;
            for (int i = 0; i < passes; i++) {
                long t = System.nanoTime();
                sink += sum(m);
                best = Math.min(best, System.nanoTime() - t);
            }
            blackhole = sink; // keeps the reads from being optimised away
            long t = System.nanoTime();
            MessageDigest md = sha();
            md.update(m.duplicate());
            String hex = HexFormat.of().formatHex(md.digest());
            return new Mapped(size, hex, best, System.nanoTime() - t, passes);
        }
    }

    private static long sum(ByteBuffer b) {
        LongBuffer l = b.duplicate().order(ByteOrder.LITTLE_ENDIAN).asLongBuffer();
        long s = 0;
        for (int i = 0, n = l.limit(); i < n; i++) {
            s += l.get(i);
        }
        for (int i = l.limit() * 8; i < b.limit(); i++) {
            s += b.get(i);
        }
        return s;
    }

    private static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(sha().digest(bytes));
    }

    /** The largest regular file under {@code dir} (famfs cannot hold empty ones), or null. */
    private static Path largestFile(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS))
                    .filter(p -> dir.relativize(p).toString().length() + dir.getFileName().toString().length() < 70)
                    .max(Comparator.comparingLong(QuickstartCommand::sizeOf)).orElse(null);
        }
    }

    private static long sizeOf(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return -1;
        }
    }

    /** Every path of a famfs with its type, mode, owner, group, size, log index and map, in order. */
    private static List<String> view(FileSystem fs) throws IOException {
        List<String> out = new ArrayList<>();
        Files.walkFileTree(fs.getPath("/"), new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                add(dir);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                add(file);
                return FileVisitResult.CONTINUE;
            }

            private void add(Path p) throws IOException {
                FamfsFileAttributes a = Files.readAttributes(p, FamfsFileAttributes.class);
                out.add(p + " " + a.isDirectory() + " " + a.mode() + " " + a.uid() + " " + a.gid() + " " + a.size()
                        + " " + a.logIndex() + " " + a.fileMap().orElse(null));
            }
        });
        return out;
    }

    /** Opens the image read-only as the host with {@code systemUuid}. */
    private static FileSystem open(Path img, UUID systemUuid) throws IOException {
        return FileSystems.newFileSystem(Session.uri(img), Session.env(false, systemUuid));
    }
}
