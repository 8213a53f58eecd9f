package io.github.famfs.cli;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "df", sortOptions = false,
        header = "Show a famfs's space and log use.",
        description = {"Size, allocated (superblock and log included), free, log slots used, and this host's role.",
            ""})
final class DfCommand extends FamfsCommand {
    @Mixin
    DeviceOption deviceOption;

    @Mixin
    SystemUuidOption uuid;

    @Parameters(paramLabel = "DEVICE", arity = "0..*", description = "Devices or images (or give --device).")
    List<Path> devices;

    @Override
    int run() throws IOException {
        List<Path> all = new ArrayList<>();
        if (devices != null) {
            for (Path d : devices) {
                all.add(DeviceArgs.device(d, null));
            }
        }
        if (deviceOption.device != null) {
            all.add(deviceOption.device);
        }
        if (all.isEmpty()) {
            throw new FamfsCli.UsageException("no device given (DEVICE or --device DEVICE)");
        }
        out().printf("%8s %8s %8s %5s %15s %7s %6s  %-6s  %s%n", "Size", "Used", "Avail", "Use%", "Log entries",
                "Files", "Dirs", "Role", "Device");
        try (Session s = new Session(uuid.systemUuid)) {
            for (Path d : all) {
                FileSystem fs = s.read(d);
                FileStore st = fs.getFileStores().iterator().next();
                long total = st.getTotalSpace();
                long free = st.getUnallocatedSpace();
                long used = total - free;
                out().printf("%8s %8s %8s %4d%% %15s %7s %6s  %-6s  %s%n", Units.human(total), Units.human(used),
                        Units.human(free), total == 0 ? 0 : Math.round(100.0 * used / total),
                        st.getAttribute("famfs:logEntries") + "/" + st.getAttribute("famfs:logCapacity"),
                        st.getAttribute("famfs:files"), st.getAttribute("famfs:directories"),
                        st.getAttribute("famfs:role"), d);
            }
        }
        return 0;
    }
}
