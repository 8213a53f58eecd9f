package io.github.famfs.cli;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The run bin/famfs records its start-up archive from (not a command; {@code java -cp CLI-JAR
 * io.github.famfs.cli.ArchiveTraining}): a small run of the usual commands on a 64 MiB image in a temporary
 * directory, output discarded, so that the archive holds the classes that formatting, mounting, writing, listing and
 * reading load, whatever the user's first command was. Touches nothing outside its temporary directory (the system
 * UUID is made up for the run). Exit status 0 when every command gave the status it should, else 1.
 */
public final class ArchiveTraining {
    private ArchiveTraining() {}

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("famfs-archive-training-");
        boolean ok;
        try {
            ok = train(dir);
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        System.exit(ok ? 0 : 1);
    }

    private static boolean train(Path dir) throws IOException {
        String uuid = "--system-uuid=" + UUID.randomUUID();
        String img = dir.resolve("train.img").toString();
        Path tree = Files.createDirectories(dir.resolve("tree"));
        Files.writeString(tree.resolve("a.txt"), "famfs\n");
        Files.write(tree.resolve("b.bin"), new byte[5000]);
        String[][] runs = {
            {"mkfs", "-s", "64M", uuid, img},
            {"mkdir", uuid, img + ":/d"},
            {"creat", "-s", "3M", "-r", "-S", "7", uuid, img + ":/d/f"},
            {"cp", "-r", "-q", uuid, tree.toString(), img + ":/t"},
            {"cp", uuid, tree.resolve("a.txt").toString(), img + ":/d/a"},
            {"ls", "-l", img + ":/"},
            {"ls", "-l", img + ":/t"},
            {"stat", img + ":/d/f"},
            {"cat", img + ":/d/a"},
            {"get", "-r", img + ":/t", dir.resolve("out").toString()},
            {"getmap", img + ":/d/f"},
            {"verify", "-S", "7", "-f", img + ":/d/f"},
            {"pcq", "-C", "-b", "64", "-n", "4", uuid, img + ":/q"},
            {"pcq", "-p", "-c", "-N", "3", uuid, img + ":/q"},
            {"logplay", img},
            {"fsck", img},
            {"df", uuid, img},
            {"--help"},
        };
        boolean ok = true;
        try (PrintStream nowhere = new PrintStream(OutputStream.nullOutputStream())) {
            for (String[] run : runs) {
                ok &= FamfsCli.run(nowhere, nowhere, run) == 0;
            }
        }
        return ok;
    }
}
