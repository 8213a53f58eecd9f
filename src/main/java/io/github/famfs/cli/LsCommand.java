package io.github.famfs.cli;

import io.github.famfs.nio.FamfsFileAttributes;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "ls", sortOptions = false,
        header = "List famfs directories.",
        description = {
            "Lists a directory's entries in name order (a file argument lists the file). -l shows mode, owner,"
                + " group, size and a summary of the map: \"1 extent 4M\" (simple) or \"4 strips x 16M, chunk 2M\""
                + " (interleaved).",
            ""})
final class LsCommand extends FamfsCommand {
    @Option(names = {"-l", "--long"}, description = "Long listing: mode, uid, gid, size, extents.")
    boolean longFormat;

    @Option(names = {"-R", "--recursive"}, description = "List subdirectories too.")
    boolean recursive;

    @Mixin
    DeviceOption deviceOption;

    @Parameters(paramLabel = "PATH", arity = "1..*",
            description = "DEVICE:/dir (DEVICE: for the root), or /dir with --device.")
    List<String> paths;

    @Override
    int run() throws IOException {
        try (Session s = new Session(null)) {
            boolean headers = paths.size() > 1 || recursive;
            boolean[] first = {true};
            return forEachArgument(paths, arg -> {
                Path p = s.path(Target.parse(arg, deviceOption.device), false);
                FamfsFileAttributes a = Files.readAttributes(p, FamfsFileAttributes.class);
                if (!a.isDirectory()) {
                    line(out(), a, p.toString(), longFormat);
                    return;
                }
                first[0] = list(p, headers, first[0]);
            });
        }
    }

    private boolean list(Path dir, boolean headers, boolean first) throws IOException {
        if (headers) {
            if (!first) {
                out().println();
            }
            out().println(dir + ":");
        }
        List<Path> subdirs = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path child : ds) {
                FamfsFileAttributes a = Files.readAttributes(child, FamfsFileAttributes.class);
                line(out(), a, child.getFileName().toString(), longFormat);
                if (a.isDirectory()) {
                    subdirs.add(child);
                }
            }
        }
        if (recursive) {
            for (Path d : subdirs) {
                list(d, true, false);
            }
        }
        return false;
    }

    static void line(PrintStream out, FamfsFileAttributes a, String name, boolean longFormat) {
        String shown = a.isDirectory() ? name + "/" : name;
        if (!longFormat) {
            out.println(shown);
            return;
        }
        String map = a.isDirectory() ? "-" : a.fileMap().map(Units::mapSummary)
                .orElse("INVALID MAP (" + a.mapProblem().orElse("?") + ")");
        out.printf("%s %6s %6s %12s  %-26s %s%n", Units.modeString(a.mode(), a.isDirectory()),
                Integer.toUnsignedString(a.uid()), Integer.toUnsignedString(a.gid()),
                a.isDirectory() ? "-" : Long.toString(a.size()), map, shown);
    }
}
