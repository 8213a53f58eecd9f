package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.nio.FamfsFsck;
import io.github.famfs.nio.FsckReport;
import io.github.famfs.testing.CreatorMain;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Writers killed with SIGKILL, and writers racing in threads and processes, leave a clean famfs. */
class CrashAndConcurrencyTest {
    private static final String MASTER = "0badc0de-0000-4000-8000-00000000f00d";
    @TempDir
    Path tmp;

    private static Path format(Path img) throws Exception {
        FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("create", "true", "deviceSize", "1G",
                "systemUuid", MASTER)).close();
        return img;
    }

    /** Every file present holds exactly its content; returns the names present. */
    private static Set<String> checkAllFiles(FileSystem fs) throws Exception {
        Set<String> names = new TreeSet<>();
        try (Stream<Path> walk = Files.walk(fs.getPath("/"))) {
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (Files.isRegularFile(p)) {
                    String name = p.getFileName().toString();
                    byte[] data = Files.readAllBytes(p);
                    assertArrayEquals(CreatorMain.content(name, data.length), data, p + " is complete");
                    names.add(name);
                }
            }
        }
        return names;
    }

    @Test
    void killedWritersLeaveOnlyCompleteFiles() throws Exception {
        Path img = format(tmp.resolve("crash.img"));
        Random rnd = new Random(2026);
        Set<String> published = new TreeSet<>();
        for (int round = 0; round < 5; round++) {
            Process p = CreatorMain.process(img, MASTER, "r" + round, -1, round).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            int wanted = 3 + rnd.nextInt(20);
            String line;
            while (published.size() < wanted + round * 3 && (line = out.readLine()) != null) {
                if (line.startsWith("published ")) {
                    published.add(line.split(" ")[1]);
                } else {
                    System.out.println("child: " + line);
                }
            }
            Thread.sleep(rnd.nextInt(40));
            p.destroyForcibly(); // SIGKILL; the JDK closes our end of its output
            p.waitFor();
            try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of())) {
                FsckReport r = FamfsFsck.check(fs);
                assertTrue(r.isClean(), "round " + round + ": " + r.format());
                Set<String> present = checkAllFiles(fs);
                assertTrue(present.containsAll(published), "every published file survives: " + published + " vs "
                        + present);
            }
        }
        assertTrue(published.size() >= 15, "the children published files: " + published.size());
    }

    @Test
    void threadsAndProcessesCreatingAtOnce() throws Exception {
        Path img = format(tmp.resolve("race.img"));
        int perWriter = 30;
        List<Process> children = new ArrayList<>();
        for (int c = 0; c < 2; c++) {
            children.add(CreatorMain.process(img, MASTER, "proc" + c, perWriter, 100 + c).start());
        }
        Set<String> expected = ConcurrentHashMap.newKeySet();
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("systemUuid", MASTER))) {
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    Random rnd = new Random(thread);
                    Path dir = fs.getPath("/thread" + thread);
                    Files.createDirectories(dir);
                    for (int i = 0; i < perWriter; i++) {
                        String name = "thread" + thread + "-" + i;
                        byte[] data = CreatorMain.content(name, CreatorMain.sizeOf(rnd));
                        try (OutputStream out = Files.newOutputStream(dir.resolve(name))) {
                            out.write(data);
                        }
                        expected.add(name);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
            pool.shutdown();
        }
        for (Process p : children) {
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, p.waitFor(), output);
            for (String line : output.split("\n")) {
                if (line.startsWith("published ")) {
                    expected.add(line.split(" ")[1]);
                }
            }
        }
        assertEquals(6 * perWriter, expected.size());
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of())) {
            FsckReport r = FamfsFsck.check(fs);
            assertTrue(r.isClean(), r.format());
            assertEquals(0, r.collisions());
            assertEquals(6 * perWriter, r.files(), "no lost or doubled entries");
            assertEquals(6, r.directories());
            assertEquals(6 * perWriter + 6, r.logEntries());
            assertEquals(new TreeSet<>(expected), checkAllFiles(fs));
        }
    }
}
