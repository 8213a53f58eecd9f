package io.github.famfs.live;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.testing.ChildJvm;
import io.github.famfs.testing.LiveFollowerMain;
import io.github.famfs.testing.LivePublisherMain;
import io.github.famfs.testing.LiveScript;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 10: a master JVM publishes continuously (directories, simple and interleaved files) while three client JVMs
 * follow it, one by refresh, one by WatchService, one by plain lookups. Each reads every file complete when it
 * first sees it, and at the end each holds the master's namespace exactly.
 */
class ProcessesTest {
    private static final int COUNT = 150;
    @TempDir
    Path tmp;

    @Test
    void threeClientJvmsFollowAPublishingMaster() throws Exception {
        Path img = tmp.resolve("live.img");
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("create", "true",
                "deviceSize", "3G", "systemUuid", LiveScript.MASTER))) {
            assertTrue(fs.isOpen());
        }
        Path ready = Files.createDirectory(tmp.resolve("ready"));
        String[] modes = {"refresh", "watch", "lookup"};
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            Map<String, Future<ChildJvm.Result>> runs = new LinkedHashMap<>();
            for (String mode : modes) {
                runs.put(mode, pool.submit(() -> ChildJvm.run(LiveFollowerMain.class, 300, img.toString(), mode,
                        Integer.toString(COUNT), mode.equals("refresh") ? "off" : "10ms", ready.toString())));
            }
            runs.put("master", pool.submit(() -> ChildJvm.run(LivePublisherMain.class, 300, img.toString(),
                    Integer.toString(COUNT), "3", ready.toString(), Integer.toString(modes.length))));
            ChildJvm.Result master = runs.get("master").get();
            assertEquals(0, master.exitCode(), master.describe());
            List<String> expected = lines(master.output());
            assertTrue(master.output().contains("PUBLISHED " + COUNT), master.describe());
            long files = expected.stream().filter(l -> !l.endsWith(" dir")).count();
            assertTrue(expected.size() == COUNT + 2 && files > 100, expected.size() + " " + files);
            for (String mode : modes) {
                ChildJvm.Result r = runs.get(mode).get();
                assertEquals(0, r.exitCode(), mode + ": " + r.describe());
                assertEquals(expected, lines(r.output()), mode + " ends with the master's namespace");
                assertTrue(r.output().contains("FOLLOWED " + (COUNT + 1) + " VERIFIED " + files), mode + ": "
                        + r.describe());
                int rounds = Integer.parseInt(r.output().split("ROUNDS ")[1].strip());
                assertTrue(rounds > 5, mode + " saw the namespace grow in " + rounds + " steps: it did not follow");
                System.out.println(mode + " follower: " + rounds + " steps");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<String> lines(String output) {
        List<String> out = new ArrayList<>();
        for (String l : output.split("\n")) {
            if (l.startsWith("L ")) {
                out.add(l.strip());
            }
        }
        return out;
    }

}
