package io.github.famfs.review;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.testing.ChildJvm;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review of GatheringOutputStream (merged from f-copy, a4684fd): the output stream of a new file on an image.
 */
class GatherReviewTest {
    private static final String MASTER = "00112233-4455-6677-8899-aabbccddeeff";
    @TempDir
    Path tmp;

    private FileSystem create(String size) throws IOException {
        return FileSystems.newFileSystem(URI.create("famfs:" + tmp.resolve("g.img")),
                Map.of("create", "true", "deviceSize", size, "systemUuid", MASTER));
    }

    /**
     * DEFECT: on the JDK's default provider (JDK 17's Channels$1 and JDK 25's ChannelOutputStream alike),
     * {@code flush()} of a closed output stream does nothing, and so does a zero-length {@code write}; a
     * GatheringOutputStream throws ClosedChannelException from both. Wrappers and frameworks that flush after the
     * stream was closed (a double close through a writer, a finally that flushes) then fail on famfs only.
     * Before a4684fd (Channels.newOutputStream) famfs behaved as the default provider. Fails every run.
     */
    @Test
    void flushAndEmptyWriteAfterCloseDoNothingAsOnTheDefaultProvider() throws IOException {
        List<String> seen = new ArrayList<>();
        Path local = tmp.resolve("local.bin");
        try (FileSystem fs = create("64M")) {
            for (Path p : new Path[] {local, fs.getPath("/f")}) {
                OutputStream out = Files.newOutputStream(p);
                out.write(new byte[] {1, 2, 3});
                out.close();
                seen.add(p.getFileSystem().provider().getScheme() + " flush: " + outcome(out::flush));
                seen.add(p.getFileSystem().provider().getScheme() + " write(b, 1, 0): "
                        + outcome(() -> out.write(new byte[4], 1, 0)));
                assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(p));
            }
        }
        assertEquals(List.of("file flush: ok", "file write(b, 1, 0): ok", "famfs flush: ok",
                "famfs write(b, 1, 0): ok"), seen);
    }

    private interface Op {
        void run() throws IOException;
    }

    private static String outcome(Op op) {
        try {
            op.run();
            return "ok";
        } catch (IOException | RuntimeException e) {
            return e.toString();
        }
    }

    /**
     * DEFECT: every open stream of a new file on an image pins a 1 MiB direct staging buffer from its first
     * one-byte write until it is closed (the pool keeps only 4 for later streams; the live ones are unbounded).
     * 200 files open at once, each given one line, need 200 MiB of direct memory: under
     * -XX:MaxDirectMemorySize=128m a write throws OutOfMemoryError ("Cannot reserve 1048576 bytes of direct
     * buffer memory"), where the default provider (and famfs before a4684fd) needs none. Run in a child JVM; fails
     * every run.
     */
    @Test
    void manyOpenStreamsDoNotExhaustDirectMemory() throws Exception {
        ChildJvm.Result r = ChildJvm.run(List.of("-Xmx256m", "-XX:MaxDirectMemorySize=128m"),
                System.getProperty("java.class.path"), ManyStreamsMain.class, 300, tmp.toString(), "200");
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.output().contains("default: 200 files ok"), r::describe);
        assertTrue(r.output().contains("famfs: 200 files ok"), r::describe);
    }

    /** Child of {@link #manyOpenStreamsDoNotExhaustDirectMemory}: DIR COUNT. */
    public static final class ManyStreamsMain {
        public static void main(String[] args) throws Exception {
            Path dir = Path.of(args[0]);
            int n = Integer.parseInt(args[1]);
            Files.createDirectories(dir.resolve("local"));
            openWriteClose(dir.resolve("local"), n, "default");
            try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + dir.resolve("m.img")),
                    Map.of("create", "true", "deviceSize", "1G", "systemUuid", MASTER))) {
                openWriteClose(fs.getPath("/"), n, "famfs");
            }
        }

        private static void openWriteClose(Path dir, int n, String what) throws IOException {
            List<OutputStream> open = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                OutputStream out = Files.newOutputStream(dir.resolve("f" + i));
                open.add(out);
                try {
                    out.write(("line of file " + i + "\n").getBytes(java.nio.charset.StandardCharsets.UTF_8));
                } catch (Throwable t) {
                    System.out.println(what + ": the write of f" + i + " (" + open.size() + " streams open) threw "
                            + t);
                    System.out.flush();
                    Runtime.getRuntime().halt(2);
                }
            }
            for (OutputStream out : open) {
                out.close();
            }
            for (int i = 0; i < n; i++) {
                if (!Files.readString(dir.resolve("f" + i)).equals("line of file " + i + "\n")) {
                    throw new AssertionError(what + ": f" + i + " holds the wrong bytes");
                }
            }
            System.out.println(what + ": " + n + " files ok");
        }
    }
}
