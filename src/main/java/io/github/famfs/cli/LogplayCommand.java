package io.github.famfs.cli;

import io.github.famfs.format.AddDaxdevEntry;
import io.github.famfs.format.FileEntry;
import io.github.famfs.format.LogEntry;
import io.github.famfs.format.LogHeader;
import io.github.famfs.format.MkdirEntry;
import io.github.famfs.format.OtherEntry;
import io.github.famfs.nio.FamfsFileAttributes;
import io.github.famfs.nio.FamfsLog;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "logplay", sortOptions = false,
        header = "Play a famfs log: print its entries and what each one became.",
        description = {
            "famfs-nio has no mount to make files in: every open replays the log into the namespace that ls, cat"
                + " and the rest read. logplay shows that replay entry by entry, from --from INDEX on: played (it"
                + " made its file or directory), existed (an earlier entry holds the path; the first one wins),"
                + " skipped, or listed with an invalid map.",
            "",
            "Like the reference's logplay, it never writes the log; -n (dry run) is accepted and says so.",
            ""})
final class LogplayCommand extends FamfsCommand {
    @Option(names = {"-n", "--dry-run"}, description = "Dry run (logplay never writes anyway).")
    boolean dryRun;

    @Option(names = {"-v", "--verbose"}, description = "Print each file's map too.")
    boolean verbose;

    @Option(names = {"-F", "--from"}, paramLabel = "INDEX", defaultValue = "0",
            description = "First log index to print (default ${DEFAULT-VALUE}).")
    long from;

    @Mixin
    DeviceOption deviceOption;

    @Mixin
    SystemUuidOption uuid;

    @Parameters(paramLabel = "DEVICE", arity = "0..1", description = "The device or image (or give --device).")
    Path device;

    @Override
    int run() throws IOException {
        if (from < 0) {
            throw new FamfsCli.UsageException("--from INDEX must be 0 or more");
        }
        Path dev = DeviceArgs.device(device, deviceOption);
        try (Session s = new Session(uuid.systemUuid)) {
            FileSystem fs = s.read(dev);
            FileStore st = fs.getFileStores().iterator().next();
            LogHeader h = FamfsLog.header(fs);
            List<LogEntry> entries = FamfsLog.entries(fs, from);
            out().printf("famfs logplay %s%s: this host is a %s; log %d of %d entries used; printing from %d%n",
                    dev, dryRun ? " (dry run)" : "", st.getAttribute("famfs:role"), h.usedEntries(), h.capacity(),
                    from);
            int[] counts = printEntries(out(), fs, entries, verbose);
            long stopped = from + entries.size();
            if (stopped < h.usedEntries()) {
                out().printf("  entry %d is invalid: replay stops there (entries %d..%d are not played)%n", stopped,
                        stopped, h.usedEntries() - 1);
            }
            out().printf("%d entries: %d played, %d existed, %d skipped, %d with an invalid map; nothing was"
                    + " written%n", entries.size(), counts[0], counts[1], counts[2], counts[3]);
            return 0;
        }
    }

    /** Prints one line per entry; returns {played, existed, skipped, invalid map}. */
    static int[] printEntries(PrintStream out, FileSystem fs, List<LogEntry> entries, boolean verbose)
            throws IOException {
        Map<Long, String> problems = new HashMap<>();
        for (io.github.famfs.format.FamfsProblem p : io.github.famfs.nio.FamfsFsck.check(fs).problems()) {
            if (p.logIndex() >= 0) {
                problems.putIfAbsent(p.logIndex(), p.toString());
            }
        }
        int[] counts = new int[4];
        for (LogEntry e : entries) {
            long index = e.seqnum();
            String what;
            String rel = null;
            if (e instanceof FileEntry f) {
                rel = new String(f.relpath(), StandardCharsets.UTF_8);
                what = String.format("FILE   %s  size %d, mode %s, uid %s, gid %s, %s", rel, f.size(),
                        Units.octal(f.mode()), Integer.toUnsignedString(f.uid()), Integer.toUnsignedString(f.gid()),
                        f.map() == null ? "bad map" : Units.mapSummary(f.map()));
            } else if (e instanceof MkdirEntry m) {
                rel = new String(m.relpath(), StandardCharsets.UTF_8);
                what = String.format("MKDIR  %s  mode %s, uid %s, gid %s", rel, Units.octal(m.mode()),
                        Integer.toUnsignedString(m.uid()), Integer.toUnsignedString(m.gid()));
            } else if (e instanceof AddDaxdevEntry d) {
                what = String.format("ADD_DAXDEV  index %d, size %d, uuid %s", d.index(), d.size(), d.uuid());
            } else {
                what = String.format("TYPE %d", ((OtherEntry) e).type());
            }
            String outcome = rel == null ? "ignored" : outcome(fs, rel, index, problems, counts);
            out.printf("%6d  %s  -> %s%n", index, what, outcome);
            if (verbose && e instanceof FileEntry f && f.map() != null) {
                GetmapCommand.print(out, "        map", f.size(), f.map());
            }
        }
        return counts;
    }

    private static String outcome(FileSystem fs, String rel, long index, Map<Long, String> problems, int[] counts) {
        FamfsFileAttributes a = null;
        try {
            Path p = fs.getPath("/" + rel);
            if (!rel.isEmpty() && !rel.startsWith("/")) {
                a = Files.readAttributes(p, FamfsFileAttributes.class);
            }
        } catch (NoSuchFileException | InvalidPathException e) {
            a = null;
        } catch (IOException e) {
            a = null;
        }
        if (a != null && a.logIndex() == index) {
            if (a.mapProblem().isPresent()) {
                counts[3]++;
                return "listed, INVALID MAP: " + a.mapProblem().get();
            }
            counts[0]++;
            return "played";
        }
        String why = problems.get(index);
        if (a != null && why == null) {
            counts[1]++;
            return "existed (log entry " + a.logIndex() + " holds the path)";
        }
        counts[2]++;
        return "skipped" + (why == null ? "" : ": " + why);
    }
}
