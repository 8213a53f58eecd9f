package io.github.famfs.cli;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileAttribute;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "mkdir", sortOptions = false,
        header = "Make directories in a famfs (master only).",
        description = {
            "Appends one MKDIR log entry per directory made. Without -p the directory must not exist and its parent"
                + " must; with -p every missing level is made, top down, with the same mode and ids, and an existing"
                + " directory is fine.",
            ""})
final class MkdirCommand extends FamfsCommand {
    @Option(names = {"-p", "--parents"}, description = "Make missing parents too; no error if it exists.")
    boolean parents;

    @Mixin
    CreateOptions.Owner owner;

    @Mixin
    DeviceOption deviceOption;

    @Mixin
    SystemUuidOption uuid;

    @Parameters(paramLabel = "PATH", arity = "1..*",
            description = "DEVICE:/dir, or /dir with --device. Mode default 0755.")
    List<String> paths;

    @Override
    int run() throws IOException {
        try (Session s = new Session(uuid.systemUuid)) {
            return forEachArgument(paths, arg -> {
                Path dir = s.path(Target.parse(arg, deviceOption.device), true);
                FileAttribute<?>[] attrs = owner.attributes(owner.mode == null ? 0755 : owner.mode);
                if (!parents) {
                    Files.createDirectory(dir, attrs);
                    return;
                }
                makeParents(dir, attrs);
            });
        }
    }

    /** mkdir -p: find the deepest existing level (a directory), then make the rest top down. */
    static void makeParents(Path dir, FileAttribute<?>[] attrs) throws IOException {
        Path abs = dir.toAbsolutePath().normalize();
        Deque<Path> missing = new ArrayDeque<>();
        Path p = abs;
        while (p != null && !Files.exists(p)) {
            missing.push(p);
            p = p.getParent();
        }
        if (p != null && !Files.isDirectory(p)) {
            throw new FileAlreadyExistsException(p.toString(), null, "exists and is not a directory");
        }
        if (p == null) {
            throw new NoSuchFileException(abs.toString());
        }
        while (!missing.isEmpty()) {
            Files.createDirectory(missing.pop(), attrs);
        }
    }
}
