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
}
