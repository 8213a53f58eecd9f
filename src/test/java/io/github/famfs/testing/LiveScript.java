package io.github.famfs.testing;

import io.github.famfs.nio.FamfsOption;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * What the master of the live-sharing process test publishes, item by item (directories, simple files, files
 * interleaved over two buckets), and how its followers check what they see: every file's bytes are a function of
 * its path and size. Image: at least 3 GiB (interleaving needs 1 GiB per bucket).
 */
public final class LiveScript {
    private LiveScript() {}

    public static final String MASTER = "00112233-4455-6677-8899-aabbccddeeff";
    public static final String CLIENT = "99999999-8888-7777-6666-555555555555";
    /** Published last: once a follower sees it, everything else is in the log before it. */
    public static final String DONE = "/done";
    private static final int GROUP = 12;

    /** The i-th thing published. */
    public record Item(String path, boolean directory, boolean interleaved, int size) {}

    public static Item item(int i) {
        int group = i / GROUP;
        int k = i % GROUP;
        if (k == 0) {
            return new Item("/d" + group, true, false, 0);
        }
        if (k == GROUP / 2) {
            return new Item("/d" + group + "/sub", true, false, 0);
        }
        String parent = k > GROUP / 2 ? "/d" + group + "/sub" : "/d" + group;
        int size = 1 + (int) ((i * 2654435761L) % 300_000);
        return new Item(parent + "/f" + i, false, i % 4 == 1, size);
    }

    /** Publishes item {@code i} through {@code fs} (the master's). */
    public static void publish(FileSystem fs, int i) throws IOException {
        Item it = item(i);
        Path p = fs.getPath(it.path());
        if (it.directory()) {
            Files.createDirectory(p);
            return;
        }
        try (OutputStream out = it.interleaved()
                ? Files.newOutputStream(p, StandardOpenOption.CREATE_NEW, FamfsOption.interleave(2, 2 << 20, 2))
                : Files.newOutputStream(p, StandardOpenOption.CREATE_NEW)) {
            out.write(content(it.path(), it.size()));
        }
    }

    public static byte[] content(String path, int size) {
        return CreatorMain.content(path, size);
    }

    /**
     * Reads file {@code p} complete and checks it against the script: null when right, else the problem. Call when
     * the file is first seen: it is published, so every byte must be there.
     */
    public static String verify(Path p) throws IOException {
        String s = p.toString();
        if (s.equals(DONE)) {
            return Files.size(p) == 1 ? null : DONE + " has " + Files.size(p) + " bytes";
        }
        int i = Integer.parseInt(s.substring(s.lastIndexOf("/f") + 2));
        Item it = item(i);
        if (!it.path().equals(s)) {
            return s + " is not item " + i + " (" + it.path() + ")";
        }
        byte[] b = Files.readAllBytes(p);
        if (!Arrays.equals(b, content(s, it.size()))) {
            return s + ": read " + b.length + " bytes, not its " + it.size() + " published bytes";
        }
        return null;
    }

    /** The namespace as sorted lines "L path dir" / "L path size", for comparing processes. */
    public static List<String> listing(FileSystem fs) throws IOException {
        List<String> out = new ArrayList<>();
        try (Stream<Path> all = Files.walk(fs.getPath("/"))) {
            for (Path p : (Iterable<Path>) all::iterator) {
                out.add("L " + p + " " + (Files.isDirectory(p) ? "dir" : Long.toString(Files.size(p))));
            }
        }
        out.sort(null);
        return out;
    }
}
