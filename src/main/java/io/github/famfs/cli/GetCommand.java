package io.github.famfs.cli;

import io.github.famfs.nio.FamfsFileAttributes;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "get", sortOptions = false,
        header = "Copy files (with -r, trees) out of a famfs to a local path.",
        description = {
            "Like cp: LOCAL is the new file, or an existing directory to copy into (LOCAL/NAME). Local files get the"
                + " famfs mode's permission bits. An existing local file is not overwritten unless -f is given.",
            ""})
final class GetCommand extends FamfsCommand {
    @Option(names = {"-r", "--recursive"}, description = "Copy directories recursively.")
    boolean recursive;

    @Option(names = {"-f", "--force"}, description = "Overwrite existing local files.")
    boolean force;

    @Mixin
    DeviceOption deviceOption;

    @Parameters(index = "0", paramLabel = "FAMFS", description = "DEVICE:/path, or /path with --device.")
    String source;

    @Parameters(index = "1", paramLabel = "LOCAL", description = "Local file or directory.")
    Path local;

    private int files;
    private long bytes;

    @Override
    int run() throws IOException {
        long start = System.nanoTime();
        try (Session s = new Session(null)) {
            Path src = s.path(Target.parse(source, deviceOption.device), false);
            FamfsFileAttributes a = Files.readAttributes(src, FamfsFileAttributes.class);
            Path name = src.getFileName();
            Path dest = Files.isDirectory(local) && name != null ? local.resolve(name.toString()) : local;
            if (a.isDirectory() && !recursive) {
                throw new FileSystemException(src.toString(), null, "is a directory (use -r)");
            }
            try (Progress progress = new Progress(err(), "get", a.isDirectory() ? -1 : a.size())) {
                if (a.isDirectory()) {
                    tree(src, dest, progress);
                } else {
                    file(src, dest, a, progress);
                }
            }
        }
        out().printf("copied %d file%s (%s) %s%n", files, files == 1 ? "" : "s", Units.iec(bytes),
                Units.took(bytes, System.nanoTime() - start));
        return 0;
    }

    private void tree(Path src, Path dest, Progress progress) throws IOException {
        if (!Files.isDirectory(dest)) {
            Files.createDirectory(dest);
        }
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(src)) {
            ds.forEach(children::add);
        }
        for (Path c : children) {
            FamfsFileAttributes a = Files.readAttributes(c, FamfsFileAttributes.class);
            Path d = dest.resolve(c.getFileName().toString());
            if (a.isDirectory()) {
                tree(c, d, progress);
            } else {
                file(c, d, a, progress);
            }
        }
    }

    private void file(Path src, Path dest, FamfsFileAttributes a, Progress progress) throws IOException {
        if (Files.exists(dest, LinkOption.NOFOLLOW_LINKS) && !force) {
            throw new FileAlreadyExistsException(dest.toString(), null, "exists (-f overwrites)");
        }
        if (dest.getParent() != null && !Files.isDirectory(dest.getParent())) {
            throw new NoSuchFileException(dest.toString(), null, "its directory does not exist");
        }
        try (FileChannel in = FileChannel.open(src);
                FileChannel out = FileChannel.open(dest, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)) {
            long size = in.size();
            long done = 0;
            while (done < size) {
                long n = in.transferTo(done, Math.min(size - done, 64L << 20), out);
                if (n <= 0) {
                    throw new IOException(dest + ": the local file system took no more bytes");
                }
                done += n;
                progress.add(n);
            }
        }
        try {
            Files.setPosixFilePermissions(dest, permissions(a.mode()));
        } catch (UnsupportedOperationException | IOException e) {
            // best effort: a local file system without POSIX permissions
        }
        files++;
        bytes += a.size();
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] all = PosixFilePermission.values();
        for (int i = 0; i < 9; i++) {
            if ((mode & (0400 >> i)) != 0) {
                set.add(all[i]);
            }
        }
        return set;
    }
}
