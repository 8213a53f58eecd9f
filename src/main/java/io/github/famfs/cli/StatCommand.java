package io.github.famfs.cli;

import io.github.famfs.nio.FamfsFileAttributes;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "stat", sortOptions = false,
        header = "Print what the log says about famfs files and directories.",
        description = {"Type, size, mode, owner, group, log entry, flags and map. famfs records no times.", ""})
final class StatCommand extends FamfsCommand {
    @Mixin
    DeviceOption deviceOption;

    @Parameters(paramLabel = "PATH", arity = "1..*", description = "DEVICE:/path, or /path with --device.")
    List<String> paths;

    @Override
    int run() throws IOException {
        try (Session s = new Session(null)) {
            return forEachArgument(paths, arg -> {
                Path p = s.path(Target.parse(arg, deviceOption.device), false);
                FamfsFileAttributes a = Files.readAttributes(p, FamfsFileAttributes.class);
                out().printf("  File: %s%n", p);
                out().printf("  Type: %s%n", a.isDirectory() ? "directory" : "regular file");
                if (!a.isDirectory()) {
                    out().printf("  Size: %d (%s)   Allocated: %s%n", a.size(), Units.human(a.size()),
                            a.fileMap().map(m -> m.allocatedBytes() + " (" + Units.human(m.allocatedBytes()) + ")")
                                    .orElse("-"));
                }
                out().printf("  Mode: %s (%s)   Uid: %s   Gid: %s%n", Units.octal(a.mode()),
                        Units.modeString(a.mode(), a.isDirectory()), Integer.toUnsignedString(a.uid()),
                        Integer.toUnsignedString(a.gid()));
                out().printf("  Log entry: %s%s%n", a.logIndex() < 0 ? "none (the root)" : a.logIndex(),
                        a.isDirectory() ? "" : "   Flags: " + a.flags());
                if (!a.isDirectory()) {
                    if (a.fileMap().isPresent()) {
                        GetmapCommand.print(out(), "  Map", a.size(), a.fileMap().get());
                    } else {
                        out().printf("  Map: INVALID: %s%n", a.mapProblem().orElse("unknown"));
                    }
                }
            });
        }
    }
}
