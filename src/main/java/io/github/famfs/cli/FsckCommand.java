package io.github.famfs.cli;

import io.github.famfs.nio.FamfsFsck;
import io.github.famfs.nio.FamfsLog;
import io.github.famfs.nio.FsckReport;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "fsck", sortOptions = false,
        header = "Check a famfs: superblock, log, allocation collisions, bad entries, invalid maps.",
        description = {
            "Reads the device read-only (any host may run it) and reports what the log holds, the space used, and"
                + " every problem: bad (CRC or sequence) log entries, files whose allocation units are cross-linked"
                + " with another file's, maps that lie outside the device or are otherwise invalid, and entries"
                + " that were skipped.",
            "",
            "As with the reference's famfs fsck, the exit status is the number of allocation collisions (units"
                + " that two files both claim), capped at 127. A famfs with no collision but other damage (bad log"
                + " entries, invalid maps, skipped entries, device problems: everything the report lists under NOT"
                + " clean) exits 128, so that 'famfs fsck DEVICE && ...' stops on any damage.",
            ""},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:no allocation collisions",
            "1..127:that many colliding allocation units (127 or more)",
            "128:no collision, but other damage (the report says NOT clean)",
            "2:usage error",
            "255:the device could not be checked (one line on stderr says why)"})
final class FsckCommand extends FamfsCommand {
    static final int CANNOT_CHECK = 255;
    static final int DAMAGED = 128;

    /** The reference's status (collisions, capped at 127), or {@link #DAMAGED} for any other problem. */
    static int exitStatus(FsckReport r) {
        if (r.collisions() > 0) {
            return (int) Math.min(127, r.collisions());
        }
        return r.isClean() ? 0 : DAMAGED;
    }

    @Option(names = {"-v", "--verbose"}, description = "Also list every log entry and the master/role details.")
    boolean verbose;

    @Mixin
    DeviceOption deviceOption;

    @Mixin
    SystemUuidOption uuid;

    @Parameters(paramLabel = "DEVICE", arity = "0..1", description = "The device or image (or give --device).")
    Path device;

    @Override
    int run() throws IOException {
        Path dev = DeviceArgs.device(device, deviceOption);
        try (Session s = new Session(uuid.systemUuid)) {
            FileSystem fs = s.read(dev);
            FsckReport r = FamfsFsck.check(fs);
            out().print(r.format());
            if (verbose) {
                FileStore store = fs.getFileStores().iterator().next();
                out().printf("  this host is a %s; device kind %s%n", store.getAttribute("famfs:role"),
                        store.getAttribute("famfs:deviceKind"));
                out().println("  log entries:");
                LogplayCommand.printEntries(out(), fs, FamfsLog.entries(fs, 0), true);
            }
            return exitStatus(r);
        }
    }
}
