package io.github.famfs.testing;

import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The master of the live-sharing process test: waits until FOLLOWERS files exist in READY_DIR (each follower makes
 * one once its file system is open), then publishes items 0..COUNT-1 of {@link LiveScript} one after another,
 * PAUSE_MS apart, then {@link LiveScript#DONE}; prints its namespace ("L …" lines) and exits 0.
 *
 * <p>Usage: LivePublisherMain IMAGE COUNT PAUSE_MS READY_DIR FOLLOWERS
 */
public final class LivePublisherMain {
    private LivePublisherMain() {}

    public static void main(String[] args) throws Exception {
        Path image = Path.of(args[0]);
        int count = Integer.parseInt(args[1]);
        long pause = Long.parseLong(args[2]);
        Path ready = Path.of(args[3]);
        int followers = Integer.parseInt(args[4]);
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (true) {
            try (var s = Files.list(ready)) {
                if (s.count() >= followers) {
                    break;
                }
            }
            if (System.nanoTime() > deadline) {
                System.out.println("followers never got ready");
                System.exit(1);
            }
            Thread.sleep(10);
        }
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + image),
                Map.of("systemUuid", LiveScript.MASTER))) {
            for (int i = 0; i < count; i++) {
                LiveScript.publish(fs, i);
                if (pause > 0) {
                    Thread.sleep(pause);
                }
            }
            Files.write(fs.getPath(LiveScript.DONE), new byte[] {1});
            for (String l : LiveScript.listing(fs)) {
                System.out.println(l);
            }
        }
        System.out.println("PUBLISHED " + count);
    }
}
