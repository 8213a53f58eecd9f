package io.github.famfs.cli;

import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(name = "cat", sortOptions = false,
        header = "Write famfs files to standard output.",
        description = {"The bytes go from the device's memory straight to stdout.", ""})
final class CatCommand extends FamfsCommand {
    @Mixin
    DeviceOption deviceOption;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "DEVICE:/path, or /path with --device.")
    List<String> files;

    @Override
    int run() throws IOException {
        WritableByteChannel sink = Channels.newChannel(out());
        try (Session s = new Session(null)) {
            return forEachArgument(files, f -> {
                Path p = s.path(Target.parse(f, deviceOption.device), false);
                if (Files.isDirectory(p)) {
                    throw new FileSystemException(p.toString(), null, "is a directory");
                }
                try (FileChannel ch = FileChannel.open(p)) {
                    long size = ch.size();
                    long done = 0;
                    while (done < size) {
                        long n = ch.transferTo(done, size - done, sink);
                        if (n <= 0) {
                            throw new IOException("stdout took no more bytes");
                        }
                        done += n;
                    }
                }
            });
        } finally {
            out().flush();
        }
    }
}
