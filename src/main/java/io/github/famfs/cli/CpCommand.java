package io.github.famfs.cli;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "cp", sortOptions = false,
        header = "Copy local files (and with -r, directory trees) into a famfs (master only).",
        description = {
            "Each file gets one allocation of its size and one FILE log entry, appended once its bytes are in.",
            "",
            "With one SOURCE file, DEST is the new file, or an existing famfs directory to copy into. With several"
                + " SOURCEs, or -r, DEST must be a directory (-r makes it when missing).",
            "",
            "SOURCEs are local files, or famfs files named DEVICE:/path (a famfs-to-famfs copy).",
            "",
            "-r copies a SOURCE directory's contents into DEST, as the reference's famfs cp -r does: DEST is made"
                + " with the source directory's mode when it is missing, and the contents go straight into DEST"
                + " (not into DEST/basename(SOURCE)). Directories keep their source modes; files keep theirs unless"
                + " -m is given.",
            "",
            "Symbolic links: famfs has none. A SOURCE given on the command line is followed (as cp does). Inside"
                + " a tree, -P (the default, as cp -r) skips every symbolic link and counts them in the summary;"
                + " -L follows them and copies what they point to (a link to nothing, or back to a directory being"
                + " copied, is an error for that entry and the copy goes on).",
            "",
            "A DEST file that already exists with exactly the source's size gets the bytes again, with no new log"
                + " entry (the reference's restart); another size is an error. Empty files are skipped (famfs has no"
                + " empty files). Out of space or a full log stop the copy; other problems are reported per file and"
                + " the copy goes on (exit status 1).",
            ""})
final class CpCommand extends FamfsCommand {
    @Option(names = {"-r", "--recursive"}, description = "Copy directories recursively.")
    boolean recursive;

    @picocli.CommandLine.ArgGroup(exclusive = true)
    Links links;

    static final class Links {
        @Option(names = {"-L", "--dereference"}, description = "Inside trees, follow symbolic links.")
        boolean follow;

        @Option(names = {"-P", "--no-dereference"},
                description = "Inside trees, skip symbolic links and count them (the default).")
        boolean skip;
    }

    @Mixin
    CreateOptions.Owner owner;

    @Mixin
    CreateOptions.Interleave interleave;

    @Mixin
    DeviceOption deviceOption;

    @Mixin
    SystemUuidOption uuid;

    @Option(names = {"-q", "--quiet"}, description = "No summary line.")
    boolean quiet;

    @Parameters(paramLabel = "SOURCE... DEST", arity = "2..*", hideParamSyntax = true,
            description = "Files or directories (local, or DEVICE:/path), then DEST: DEVICE:/path, or /path with"
                + " --device.")
    List<String> args;

    @Override
    int run() throws IOException {
        if (args.size() < 2) {
            throw new FamfsCli.UsageException("give at least one SOURCE and a DEST");
        }
        Target target = Target.parse(args.get(args.size() - 1), deviceOption.device);
        long start = System.nanoTime();
        try (Session s = new Session(uuid.systemUuid)) {
            Path dest = s.path(target, true);
            List<Path> sources = new ArrayList<>();
            for (String a : args.subList(0, args.size() - 1)) {
                // DEVICE:/path sources are famfs files (of this or another famfs); anything else is local
                Path src = deviceOption.device == null && Target.looksLikeFamfs(a) ? s.path(Target.parse(a, null),
                        false) : Path.of(a);
                if (src.getFileSystem() == dest.getFileSystem()
                        && dest.toAbsolutePath().normalize().startsWith(src.toAbsolutePath().normalize())) {
                    throw new FamfsCli.UsageException("cannot copy " + a + " into itself");
                }
                sources.add(src);
            }
            Copier c;
            boolean follow = links != null && links.follow;
            try (Progress progress = new Progress(err(), "cp", Copier.totalBytes(sources, follow))) {
                c = new Copier(owner, interleave.option(), err(), name(), progress, follow);
                copy(c, sources, dest);
            }
            if (!quiet) {
                out().printf("copied %d file%s (%s) and made %d director%s %s%s%s%n", c.files + c.recopied,
                        c.files + c.recopied == 1 ? "" : "s", Units.iec(c.bytes), c.directories,
                        c.directories == 1 ? "y" : "ies", Units.took(c.bytes, System.nanoTime() - start),
                        (c.skipped > 0 ? "; skipped " + c.skipped + " empty" : "")
                                + (c.links > 0 ? "; skipped " + c.links + " symbolic link" + (c.links == 1 ? "" : "s")
                                        + " (-L follows them)" : ""),
                        c.errors > 0 ? "; " + c.errors + " error" + (c.errors == 1 ? "" : "s") : "");
            }
            return c.errors > 0 ? FamfsCli.FAILED : 0;
        }
    }

    private void copy(Copier c, List<Path> sources, Path dest) throws IOException {
        boolean many = sources.size() > 1 || recursive;
        boolean destIsDir = Files.isDirectory(dest);
        if (many && Files.exists(dest) && !destIsDir) {
            throw new NotDirectoryException(dest + " (with several sources or -r, DEST must be a directory)");
        }
        if (many && !Files.exists(dest) && !recursive) {
            throw new NoSuchFileException(dest.toString(), null, "no such directory (with several sources DEST"
                    + " must be an existing directory)");
        }
        for (Path src : sources) {
            if (!Files.exists(src)) {
                c.errors++;
                warn(src + ": no such file or directory");
                continue;
            }
            if (Files.isDirectory(src)) {
                if (!recursive) {
                    c.errors++;
                    warn(src + ": is a directory (use -r)");
                    continue;
                }
                c.copyTree(src, dest);
            } else if (Files.isRegularFile(src)) {
                Path target = Files.isDirectory(dest) ? dest.resolve(src.getFileName().toString()) : dest;
                if (many && !Files.isDirectory(dest)) {
                    throw new NoSuchFileException(dest.toString(), null, "no such directory");
                }
                c.copyFile(src, target, Copier.permissions(src));
            } else {
                c.errors++;
                warn(new FileSystemException(src.toString(), null, "not a regular file or directory")
                        .getMessage());
            }
        }
    }
}
