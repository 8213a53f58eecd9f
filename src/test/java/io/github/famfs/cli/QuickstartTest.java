package io.github.famfs.cli;

import static io.github.famfs.cli.CliRunner.famfs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** quickstart in-process: every step runs, says what it showed, and the image is left clean (with --image). */
class QuickstartTest {
    static final Pattern SHA_LINE = Pattern.compile("(?m)^sha256 [0-9a-f]{64}  /interleaved\\.bin$");

    @TempDir
    Path tmp;

    @Test
    void quickstartWithAKeptImage() throws Exception {
        Path img = tmp.resolve("qs.img");
        CliRunner.Result r = famfs("quickstart", "--image", img.toString(), "--tree",
                "src/main/java/io/github/famfs/cli").ok();
        String out = r.out();
        assertTrue(SHA_LINE.matcher(out).find(), out);
        for (int i = 1; i <= 7; i++) {
            assertTrue(out.contains("[" + i + "/7]"), out);
        }
        assertEquals(7, out.lines().filter(l -> l.startsWith("  =>")).count(), out);
        assertTrue(out.contains("the local source file's sha256 is the same"), out);
        assertTrue(out.contains("identical"), out);
        assertTrue(out.contains("this host is a famfs client"), out);
        assertTrue(out.contains("verified against seed 42"), out);
        assertFalse(out.contains("DIFFERENT"), out);
        assertTrue(Files.exists(img), "--image keeps the image");
        famfs("fsck", img.toString()).ok();
        famfs("verify", "-S", "42", "-f", img + ":/interleaved.bin").ok();
    }

    @Test
    void quickstartOnASmallImageFallsBackToOneStrip() {
        Path img = tmp.resolve("small.img");
        CliRunner.Result r = famfs("quickstart", "--size", "1G", "--image", img.toString(), "--tree",
                "src/main/resources").ok();
        assertTrue(r.out().contains("interleaved over 1 strip"), r::toString);
        assertTrue(r.out().contains("1 strip x 64M, chunk 2M"), r::toString);
        assertTrue(SHA_LINE.matcher(r.out()).find(), r::toString);
    }

    @Test
    void quickstartNeverReusesAnImage() throws Exception {
        Path img = tmp.resolve("taken.img");
        Files.writeString(img, "precious");
        famfs("quickstart", "--image", img.toString(), "--tree", "src/main/resources").fails(1, "exists");
        assertEquals("precious", Files.readString(img));
        famfs("quickstart", "--tree", tmp.resolve("nope").toString()).fails(1, "no such directory");
    }

    @Test
    void quickstartStopsWhenAStepFails() {
        // 20M: too small for the 64 MiB file; the steps before it run, then it stops, saying where
        CliRunner.Result r = famfs("quickstart", "--size", "20M", "--image", tmp.resolve("tiny.img").toString(),
                "--tree", "src/main/resources");
        assertEquals(1, r.status(), r::toString);
        assertTrue(r.out().contains("out of space"), r::toString);
        assertTrue(r.err().contains("quickstart stopped: 'famfs creat' failed"), r::toString);
    }
}
