package io.github.famfs.lucene;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * One famfs file of a Lucene file name: generation 0 is the famfs file of that name; a name Lucene deleted and
 * created again (famfs never frees a name) is generation N, the famfs file {@code <name>~famfs-gen-<N>}. The
 * newest generation present is the file the name means, in every directory instance and process.
 */
record Generation(String name, int number, Path path) {
    static final String MARK = "~famfs-gen-";

    /** Generation {@code number} of {@code name} in famfs directory {@code dir}. */
    static Generation of(Path dir, String name, int number) {
        return new Generation(name, number, dir.resolve(number == 0 ? name : name + MARK + number));
    }

    /** The Lucene name and generation of famfs file {@code p} (a name of another form is generation 0). */
    static Generation of(Path p) {
        String f = p.getFileName().toString();
        int i = f.lastIndexOf(MARK);
        if (i > 0) {
            String digits = f.substring(i + MARK.length());
            if (digits.matches("[1-9][0-9]{0,8}")) {
                return new Generation(f.substring(0, i), Integer.parseInt(digits), p);
            }
        }
        return new Generation(f, 0, p);
    }

    /** The newest generation of {@code name} in {@code dir} (generation 0 when none is present). */
    static Generation newest(Path dir, String name) throws IOException {
        check(dir, name);
        Generation g = of(dir, name, 0);
        for (Generation n = g.next(); Files.exists(n.path()); n = n.next()) {
            g = n;
        }
        return g;
    }

    /** The generation after this one. */
    Generation next() throws IOException {
        if (number == 999_999_999) {
            throw new IOException("too many generations of " + path);
        }
        return of(path.getParent(), name, number + 1);
    }

    /** {@code dir.resolve(name)}, when {@code name} is a file name a Lucene directory accepts. */
    static Path check(Path dir, String name) {
        if (name.isEmpty() || name.indexOf('/') >= 0 || name.equals(".") || name.equals("..")
                || name.contains(MARK)) {
            throw new IllegalArgumentException("not a file name of this directory: \"" + name + "\""
                    + (name.contains(MARK) ? " (" + MARK + " marks famfs's generations of a name)" : ""));
        }
        return dir.resolve(name);
    }
}
