package io.github.famfs.cli;

import io.github.famfs.format.FileMap;
import io.github.famfs.format.InterleavedMap;
import io.github.famfs.nio.FamfsFileAttributes;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "getmap", sortOptions = false,
        header = "Print where a famfs file's bytes are on the device (its map).",
        description = {
            "A simple map is a list of extents, concatenated; an interleaved map stripes the file round-robin over"
                + " its strips in chunks. A file whose map is invalid is reported with the reason (exit status 1).",
            ""})
final class GetmapCommand extends FamfsCommand {
    @Mixin
    DeviceOption deviceOption;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "DEVICE:/path, or /path with --device.")
    List<String> files;

    @Override
    int run() throws IOException {
        try (Session s = new Session(null)) {
            return forEachArgument(files, f -> {
                Path p = s.path(Target.parse(f, deviceOption.device), false);
                FamfsFileAttributes a = Files.readAttributes(p, FamfsFileAttributes.class);
                if (a.isDirectory()) {
                    throw new FileSystemException(p.toString(), null, "is a directory (directories have no map)");
                }
                if (a.fileMap().isEmpty()) {
                    throw new IOException(p + ": invalid map: " + a.mapProblem().orElse("unknown"));
                }
                print(out(), p.toString(), a.size(), a.fileMap().get());
            });
        }
    }

    static void print(PrintStream out, String name, long size, FileMap map) {
        if (map instanceof InterleavedMap im) {
            out.printf("%s: size %d, interleaved map: %d strips, chunk size %s (%s), %d bytes allocated%n", name,
                    size, im.nstrips(), Units.hex(im.chunkSize()), Units.human(im.chunkSize()),
                    map.allocatedBytes());
            for (int i = 0; i < im.nstrips(); i++) {
                out.println(Units.extentLine("strip", i, im.strips().get(i)));
            }
        } else {
            int n = map.extents().size();
            out.printf("%s: size %d, simple map: %d extent%s, %d bytes allocated%n", name, size, n,
                    n == 1 ? "" : "s", map.allocatedBytes());
            for (int i = 0; i < n; i++) {
                out.println(Units.extentLine("extent", i, map.extents().get(i)));
            }
        }
    }
}
