package io.github.famfs.testing;

import io.github.famfs.nio.FamfsFileSystem;
import io.github.famfs.nio.FamfsRefresh;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A client of the live-sharing process test: opens IMAGE (refreshInterval INTERVAL), says it is ready (a file in
 * READY_DIR), then follows the master by MODE until it sees {@link LiveScript#DONE}: {@code refresh} (what
 * {@code refresh()} reports), {@code watch} (a WatchService on every directory, each new directory registered as
 * its event arrives) or {@code lookup} (plain lookups of the script's paths, in order, each retried until it
 * exists). Every file is read complete and checked the moment it is first seen; a watch key that reports a child
 * twice is a failure. Prints the namespace ("L …" lines), "FOLLOWED n VERIFIED m" and "ROUNDS r" (refreshes that
 * added something, keys taken, or lookups that waited), exits 0; or prints the problems, exits 1.
 *
 * <p>Usage: LiveFollowerMain IMAGE MODE COUNT INTERVAL READY_DIR
 */
public final class LiveFollowerMain {
    private final FamfsFileSystem fs;
    private final Set<String> seen = new LinkedHashSet<>();
    private final List<String> problems = new ArrayList<>();
    private int verified;
    /** Refreshes that added something, keys taken, or lookups that had to wait: more than one means it followed. */
    private int rounds;

    private LiveFollowerMain(FamfsFileSystem fs) {
        this.fs = fs;
    }

    public static void main(String[] args) throws Exception {
        Path image = Path.of(args[0]);
        String mode = args[1];
        int count = Integer.parseInt(args[2]);
        try (FamfsFileSystem fs = (FamfsFileSystem) FileSystems.newFileSystem(URI.create("famfs:" + image),
                Map.of("systemUuid", LiveScript.CLIENT, "refreshInterval", args[3]))) {
            LiveFollowerMain f = new LiveFollowerMain(fs);
            Files.createFile(Path.of(args[4]).resolve(mode));
            long deadline = System.nanoTime() + 240_000_000_000L;
            switch (mode) {
                case "refresh" -> f.byRefresh(deadline);
                case "watch" -> f.byWatch(deadline);
                case "lookup" -> f.byLookup(count, deadline);
                default -> throw new IllegalArgumentException(mode);
            }
            List<String> listing = LiveScript.listing(fs);
            for (String l : listing) {
                System.out.println(l);
                String p = l.split(" ")[1];
                if (!p.equals("/") && !f.seen.contains(p)) {
                    f.problems.add(p + " is in the namespace but was never seen by " + mode);
                }
            }
            if (!f.problems.isEmpty()) {
                f.problems.forEach(p -> System.out.println("PROBLEM " + p));
                System.exit(1);
            }
            System.out.println("FOLLOWED " + f.seen.size() + " VERIFIED " + f.verified);
            System.out.println("ROUNDS " + f.rounds);
        }
    }

    /** First sight of {@code p}: a file is read complete and checked now. */
    private void see(Path p) throws IOException {
        if (seen.add(p.toString()) && Files.isRegularFile(p)) {
            String problem = LiveScript.verify(p);
            if (problem != null) {
                problems.add(problem);
            }
            verified++;
        }
    }

    private static void checkTime(long deadline, String what) {
        if (System.nanoTime() > deadline) {
            throw new IllegalStateException("timed out " + what);
        }
    }

    private void byRefresh(long deadline) throws Exception {
        try (Stream<Path> all = Files.walk(fs.getPath("/"))) { // what was there at open
            for (Path p : (Iterable<Path>) all::iterator) {
                if (p.getNameCount() > 0) {
                    see(p);
                }
            }
        }
        while (!seen.contains(LiveScript.DONE)) {
            checkTime(deadline, "refreshing");
            FamfsRefresh r = fs.refresh();
            for (Path p : r.added()) {
                see(p);
            }
            rounds += r.added().isEmpty() ? 0 : 1;
            Thread.sleep(2);
        }
    }

    private final Map<WatchKey, Set<Path>> reported = new HashMap<>();

    /** Registers {@code dir} and sees what it holds already (children published before the key). */
    private void watchTree(WatchService ws, Path dir) throws IOException {
        reported.putIfAbsent(dir.register(ws, StandardWatchEventKinds.ENTRY_CREATE), new HashSet<>());
        List<Path> children = new ArrayList<>();
        try (var s = Files.newDirectoryStream(dir)) {
            s.forEach(children::add);
        }
        for (Path c : children) {
            see(c);
            if (Files.isDirectory(c)) {
                watchTree(ws, c);
            }
        }
    }

    private void byWatch(long deadline) throws Exception {
        try (WatchService ws = fs.newWatchService()) {
            watchTree(ws, fs.getPath("/"));
            boolean draining = false;
            while (true) {
                WatchKey k = draining ? ws.poll() : ws.poll(1, TimeUnit.SECONDS);
                if (k == null) {
                    if (draining) {
                        return;
                    }
                    checkTime(deadline, "watching");
                    continue;
                }
                rounds++;
                Path dir = (Path) k.watchable();
                for (WatchEvent<?> e : k.pollEvents()) {
                    if (e.kind() == StandardWatchEventKinds.OVERFLOW) {
                        problems.add("OVERFLOW on " + dir + " (the bound is far above this test's rate)");
                        continue;
                    }
                    Path child = dir.resolve((Path) e.context());
                    if (!reported.get(k).add(child) || e.count() != 1) {
                        problems.add("key of " + dir + " reported " + child + " twice");
                    }
                    see(child);
                    if (Files.isDirectory(child)) {
                        watchTree(ws, child);
                    }
                }
                if (!k.reset()) {
                    problems.add("key of " + dir + " became invalid");
                }
                draining |= seen.contains(LiveScript.DONE);
            }
        }
    }

    private void byLookup(int count, long deadline) throws Exception {
        for (int i = 0; i <= count; i++) {
            Path p = fs.getPath(i == count ? LiveScript.DONE : LiveScript.item(i).path());
            boolean waited = false;
            while (!Files.exists(p)) {
                checkTime(deadline, "looking up " + p);
                Thread.sleep(1);
                waited = true;
            }
            rounds += waited ? 1 : 0;
            see(p);
        }
    }
}
