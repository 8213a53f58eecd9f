package io.github.famfs.cli;

import static io.github.famfs.cli.CliRunner.famfs;
import static io.github.famfs.cli.FamfsCliTest.MASTER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** cp -r of a real tree (the project's src/main/java), then fsck, cat of every file, get -r, and verify. */
class CopyTreeTest {
    @TempDir
    Path tmp;

    @Test
    void copyTheProjectsSourcesAndReadThemBack() throws Exception {
        Path tree = Path.of("src/main/java").toAbsolutePath();
        List<Path> files;
        try (Stream<Path> s = Files.walk(tree)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        assertTrue(files.size() > 50, "expected the project's sources under " + tree);
        String dev = tmp.resolve("famfs.img").toString();
        famfs("mkfs", "--size", "1G", "--system-uuid", MASTER, dev).ok();
        CliRunner.Result cp = famfs("cp", "-r", "--system-uuid", MASTER, tree.toString(), dev + ":/java").ok();
        assertTrue(cp.out().startsWith("copied " + files.size() + " files"), cp::toString);

        CliRunner.Result fsck = famfs("fsck", dev).ok();
        assertTrue(fsck.out().strip().endsWith("clean"), fsck::toString);
        assertTrue(fsck.out().contains(files.size() + " files"), fsck::toString);

        for (Path f : files) {
            String inFamfs = dev + ":/java/" + tree.relativize(f);
            assertArrayEquals(Files.readAllBytes(f), famfs("cat", inFamfs).ok().stdout(), inFamfs);
        }
        Path back = tmp.resolve("back");
        famfs("get", "-r", dev + ":/java", back.toString()).ok();
        try (Stream<Path> s = Files.walk(back)) {
            assertEquals(files.size(), s.filter(Files::isRegularFile).count());
        }
        for (Path f : files) {
            assertArrayEquals(Files.readAllBytes(f), Files.readAllBytes(back.resolve(tree.relativize(f))));
        }

        // and files made by creat -r verify, as the reference's famfs verify would check them
        famfs("creat", "--system-uuid", MASTER, "-s", "3000001", "-r", "-S", "12345", dev + ":/java/random").ok();
        famfs("verify", "-S", "12345", "-f", dev + ":/java/random").ok();
        famfs("fsck", dev).ok();
    }

    /** A tree with links to a file, to a directory, to nothing and back to its own root, copied with -P and -L. */
    @Test
    void symbolicLinksAreSkippedAndCountedOrFollowed() throws Exception {
        Path tree = tmp.resolve("tree");
        Files.createDirectories(tree.resolve("dir/sub"));
        Files.writeString(tree.resolve("file.txt"), "file");
        Files.writeString(tree.resolve("dir/sub/deep.txt"), "deep");
        Path outside = Files.createDirectories(tmp.resolve("outside"));
        Files.writeString(outside.resolve("o.txt"), "outside");
        Files.createSymbolicLink(tree.resolve("link-to-file"), tree.resolve("file.txt"));
        Files.createSymbolicLink(tree.resolve("link-to-outside"), outside);
        Files.createSymbolicLink(tree.resolve("dangling"), tmp.resolve("nothing-here"));
        Files.createSymbolicLink(tree.resolve("dir/loop"), tree);
        String dev = tmp.resolve("famfs.img").toString();
        famfs("mkfs", "--size", "256M", "--system-uuid", MASTER, dev).ok();

        CliRunner.Result p = famfs("cp", "-r", "--system-uuid", MASTER, tree.toString(), dev + ":/p").ok();
        assertTrue(p.out().startsWith("copied 2 files") && p.out().contains("skipped 4 symbolic links"), p::toString);
        assertTrue(p.err().isEmpty(), p::toString);
        assertEquals("dir/\nfile.txt\n", famfs("ls", dev + ":/p").ok().out());
        famfs("stat", dev + ":/p/link-to-file").fails(FamfsCli.FAILED, "no such file");

        CliRunner.Result l = famfs("cp", "-r", "-L", "--system-uuid", MASTER, tree.toString(), dev + ":/l");
        assertEquals(FamfsCli.FAILED, l.status(), l::toString);
        assertTrue(l.err().contains("dangling") && l.err().contains("a symbolic link to nothing"), l::toString);
        assertTrue(l.err().contains("loop"), l::toString);
        assertEquals(2, l.err().lines().count(), l::toString);
        assertEquals("file", new String(famfs("cat", dev + ":/l/link-to-file").ok().stdout()));
        assertEquals("outside", new String(famfs("cat", dev + ":/l/link-to-outside/o.txt").ok().stdout()));
        assertEquals("deep", new String(famfs("cat", dev + ":/l/dir/sub/deep.txt").ok().stdout()));
        famfs("fsck", dev).ok();
    }
}
