package io.github.famfs.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.github.famfs.testing.TestImage;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Differential test of {@link FamfsPath}'s syntax and semantics against jimfs in its Unix configuration: for
 * the same input strings both must give the same answers. Results are compared by their {@code toString()}
 * ({@code null} stays {@code null}), exceptions by their class, {@code compareTo} by its sign. Path results
 * of an operation are themselves put through the single-path checks (one level deep), so that two results
 * that print alike but are built differently (an empty name left in, say) still show up.
 *
 * <p>{@code relativize} is compared with the JDK's own Unix paths instead: famfs follows the JDK there (paths
 * holding "." or ".." are normalised first), where jimfs gives answers that do not resolve back.
 *
 * <p>Not compared: {@code toUri}, {@code toRealPath}, {@code toFile}, {@code register} (famfs-specific) and
 * {@code toAbsolutePath} (jimfs resolves against its working directory {@code /work}, famfs against the root).
 */
class FamfsPathJimfsTest {

    /** Fixed corpus, checked one by one and crossed pairwise. */
    private static final List<String> CORPUS = List.of(
            "", "/", "//", "///", "a", "/a", "a/", "/a/", "a/b", "/a/b", "/a/b/c", "a/b/c", "a//b/", "//a//b//",
            ".", "..", "./", "../", "/.", "/..", "./a", "a/.", "a/./b", "a/../b", "../a/..", "../..", "../../a",
            "/..", "/../a", "/a/..", "/a/../..", "a/b/..", "a/b/../..", "a/b/../../..", "./..", "../.",
            "x/has space.txt", " ", "a /b", "x/ünicöde-€.bin", "/ünicöde", "日本/語", "emoji/\uD83D\uDE00",
            ".hidden", "/.hidden/..", "...", "a/...", "..a", "a..", ".a.", "b", "a/b/c/d/e", "/a/b/c/d/e",
            "c/d/e", "d/e", "e", "/a/b/c/d", "a-b", "a.b", "a/b-c", "A", "a\\b", "a:b", "~", "-", "/-",
            "a\0b", "\0");

    private static final String LONG = "a-rather-long-file-name-that-goes-on-and-on-for-a-while-0123456789.txt";

    /** Names the random generator draws from. */
    private static final String[] ALPHABET = {
        "a", "a", "b", "b", "c", ".", ".", "..", "..", "", LONG, LONG + "-2", "ab", "a.b", "ünï", "€uro",
        "日本", "\uD83D\uDE00", "x y", "-", "\u00ff", "\uFF21",
    };

    private static final long SEED = 0x5EEDFA3F5L;
    private static final int RANDOM_PAIRS = 4000;
    private static final int SHOWN = 60;

    @TempDir
    static Path tmp;

    private static FileSystem famfs;
    private static FileSystem jimfs;

    @BeforeAll
    static void openFileSystems() throws IOException {
        Path image = tmp.resolve("paths.img");
        try (TestImage t = TestImage.create(image, 16 << 20)) {
            t.mkdir("a");
        }
        famfs = FileSystems.newFileSystem(URI.create("famfs:" + image.toAbsolutePath()), Map.of());
        jimfs = Jimfs.newFileSystem(Configuration.unix());
    }

    @AfterAll
    static void closeFileSystems() throws IOException {
        try {
            if (famfs != null) {
                famfs.close();
            }
        } finally {
            if (jimfs != null) {
                jimfs.close();
            }
        }
    }

    @Test
    void famfsGivesFamfsPaths() {
        assertInstanceOf(FamfsPath.class, famfs.getPath("a/b"));
        assertEquals("/", famfs.getSeparator());
    }

    @Test
    void corpusOneByOne() {
        Diff diff = new Diff();
        for (String s : CORPUS) {
            diff.single(s, 2);
        }
        diff.assertNone(CORPUS.size() + " corpus paths");
    }

    @Test
    void corpusPairwise() {
        Diff diff = new Diff();
        for (String a : CORPUS) {
            for (String b : CORPUS) {
                diff.pair(a, b);
            }
        }
        diff.assertNone(CORPUS.size() * CORPUS.size() + " corpus pairs");
    }

    @Test
    void seededRandomPairs() {
        Random random = new Random(SEED);
        Diff diff = new Diff();
        for (int i = 0; i < RANDOM_PAIRS; i++) {
            String a = randomPath(random);
            // a related second path now and then, so that prefixes, suffixes and equal paths come up often
            String b = switch (random.nextInt(6)) {
                case 0 -> a;
                case 1 -> a + "/" + randomPath(random);
                case 2 -> a.isEmpty() ? a : prefix(a, random.nextInt(a.length() + 1));
                default -> randomPath(random);
            };
            diff.single(a, 1);
            diff.pair(a, b);
        }
        diff.assertNone(RANDOM_PAIRS + " random pairs (seed 0x" + Long.toHexString(SEED) + ")");
    }

    /**
     * The first {@code n} chars of {@code s}, never ending inside a surrogate pair: a lone surrogate is an
     * InvalidPathException in famfs, as in the JDK's default provider (UTF-8 has no form for it), where jimfs
     * takes it.
     */
    private static String prefix(String s, int n) {
        return n > 0 && n < s.length() && Character.isHighSurrogate(s.charAt(n - 1)) ? s.substring(0, n - 1)
                : s.substring(0, n);
    }

    private static String randomPath(Random random) {
        StringBuilder sb = new StringBuilder();
        if (random.nextInt(3) == 0) {
            sb.append("/".repeat(1 + random.nextInt(2)));
        }
        int names = random.nextInt(7);
        for (int i = 0; i < names; i++) {
            if (i > 0) {
                sb.append(random.nextInt(5) == 0 ? "//" : "/");
            }
            sb.append(ALPHABET[random.nextInt(ALPHABET.length)]);
        }
        if (names > 0 && random.nextInt(6) == 0) {
            sb.append('/');
        }
        return sb.toString();
    }

    // ------------------------------------------------------------------------------------------------------

    /** One answer of one implementation: a value or the class of what was thrown. */
    private record Answer(Object value, Throwable thrown) {
        String text() {
            if (thrown != null) {
                return "throws " + thrown.getClass().getName();
            }
            if (value == null) {
                return "null";
            }
            if (value instanceof Path p) {
                return "path \"" + escape(p.toString()) + "\"";
            }
            if (value instanceof String s) {
                return "\"" + escape(s) + "\"";
            }
            return value.toString();
        }
    }

    @FunctionalInterface
    private interface Op {
        Object apply() throws Exception;
    }

    /** A unary operation on a path, given also the same string as a path of the other implementation. */
    @FunctionalInterface
    private interface UnaryOp {
        Object apply(Path p, Path foreign) throws Exception;
    }

    /** A binary operation on two paths of one file system, with the string the second one came from. */
    @FunctionalInterface
    private interface BinaryOp {
        Object apply(Path p, Path q, String qs) throws Exception;
    }

    private static Answer answer(Op op) {
        try {
            return new Answer(op.apply(), null);
        } catch (Exception e) {
            return new Answer(null, e);
        }
    }

    private static List<String> strings(Iterable<? extends Path> paths) {
        List<String> out = new ArrayList<>();
        for (Path p : paths) {
            out.add(p.toString());
        }
        return out;
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c < 0x20 || c == '"' || c == '\\') {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    /** Runs operations on both implementations and collects every disagreement. */
    private static final class Diff {
        private final Set<String> mismatches = new LinkedHashSet<>();
        private long comparisons;

        /**
         * Compares two answers; returns them when both are paths (for a deeper look), else null. {@code what}
         * is built only for a mismatch: building every label up front costs more than the comparisons.
         */
        private Path[] compare(Supplier<String> what, Answer f, Answer j) {
            comparisons++;
            if (!same(f, j)) {
                mismatches.add(what.get() + ": famfs " + f.text() + ", jimfs " + j.text());
                return null;
            }
            if (f.value() instanceof Path fp && j.value() instanceof Path jp) {
                if (!(fp instanceof FamfsPath)) {
                    mismatches.add(what.get() + ": famfs answered a " + fp.getClass().getName()
                            + ", not a FamfsPath");
                    return null;
                }
                return new Path[] {fp, jp};
            }
            return null;
        }

        /** Same as comparing {@link Answer#text()}, without building the texts. */
        private static boolean same(Answer f, Answer j) {
            if (f.thrown() != null || j.thrown() != null) {
                return f.thrown() != null && j.thrown() != null && f.thrown().getClass() == j.thrown().getClass();
            }
            Object a = f.value();
            Object b = j.value();
            if (a instanceof Path || b instanceof Path) {
                return a instanceof Path && b instanceof Path && a.toString().equals(b.toString());
            }
            return a == null ? b == null : b != null && a.getClass() == b.getClass() && a.equals(b);
        }

        /** Parses s on both sides; returns {famfs, jimfs} or null when parsing failed (on both or one side). */
        private Path[] parse(String s) {
            return compare(() -> "getPath(\"" + escape(s) + "\")", answer(() -> famfs.getPath(s)),
                    answer(() -> jimfs.getPath(s)));
        }

        void single(String s, int depth) {
            Path[] pair = parse(s);
            if (pair != null) {
                single(() -> "\"" + escape(s) + "\"", pair[0], pair[1], depth);
            }
        }

        private void unary(Supplier<String> label, String op, Path fp, Path jp, UnaryOp u, int depth) {
            Supplier<String> what = () -> label.get() + "." + op;
            Path[] deeper = compare(what, answer(() -> u.apply(fp, jp)), answer(() -> u.apply(jp, fp)));
            if (deeper != null && depth > 0) {
                single(what, deeper[0], deeper[1], depth - 1);
            }
        }

        /** The checks on one path, {@code label} naming how it was obtained. */
        void single(Supplier<String> label, Path fp, Path jp, int depth) {
            unary(label, "toString()", fp, jp, (p, x) -> p.toString(), depth);
            unary(label, "isAbsolute()", fp, jp, (p, x) -> p.isAbsolute(), depth);
            unary(label, "getRoot()", fp, jp, (p, x) -> p.getRoot(), depth);
            unary(label, "getFileName()", fp, jp, (p, x) -> p.getFileName(), depth);
            unary(label, "getParent()", fp, jp, (p, x) -> p.getParent(), depth);
            unary(label, "getNameCount()", fp, jp, (p, x) -> p.getNameCount(), depth);
            unary(label, "iterator()", fp, jp, (p, x) -> strings(p), depth);
            unary(label, "normalize()", fp, jp, (p, x) -> p.normalize(), depth);
            unary(label, "normalize() is idempotent", fp, jp,
                    (p, x) -> p.normalize().normalize().equals(p.normalize()), depth);
            int n = Math.max(fp.getNameCount(), jp.getNameCount());
            for (int i = depth > 0 ? -1 : 0; i <= (depth > 0 ? n : n - 1); i++) {
                int index = i;
                unary(label, "getName(" + i + ")", fp, jp, (p, x) -> p.getName(index), depth);
            }
            // every valid subpath, and the invalid ones at the edges (all of them for paths looked at from
            // the top, two for paths that are results of other operations: exceptions are what cost time here;
            // likewise getName out of range)
            List<int[]> ranges = new ArrayList<>();
            for (int b = 0; b < n; b++) {
                for (int e = b + 1; e <= n; e++) {
                    ranges.add(new int[] {b, e});
                }
            }
            ranges.add(new int[] {-1, 1});
            ranges.add(new int[] {0, n + 1});
            if (depth > 0) {
                for (int[] r : new int[][] {{-1, -1}, {-1, 0}, {-1, n}, {0, 0}, {1, 0}, {1, 1}, {n, n},
                        {n, n + 1}, {n - 1, n - 1}, {n + 1, n + 2}, {n, n - 1}}) {
                    ranges.add(r);
                }
            }
            for (int[] r : ranges) {
                unary(label, "subpath(" + r[0] + ", " + r[1] + ")", fp, jp, (p, x) -> p.subpath(r[0], r[1]), depth);
            }
            // the names, put back together, give the same path again (relative paths only: no root)
            unary(label, "names rejoined", fp, jp, (p, x) -> {
                Path joined = p.getRoot() == null ? p.getFileSystem().getPath("") : p.getRoot();
                for (Path name : p) {
                    joined = joined.resolve(name);
                }
                return joined.equals(p) + " " + joined;
            }, depth);
            // reflexive relations
            unary(label, "equals(itself)", fp, jp, (p, x) -> p.equals(p), depth);
            unary(label, "equals(re-parsed)", fp, jp,
                    (p, x) -> p.equals(p.getFileSystem().getPath(p.toString())), depth);
            unary(label, "hashCode() == re-parsed hashCode()", fp, jp,
                    (p, x) -> p.hashCode() == p.getFileSystem().getPath(p.toString()).hashCode(), depth);
            unary(label, "compareTo(itself)", fp, jp, (p, x) -> Integer.signum(p.compareTo(p)), depth);
            unary(label, "startsWith(itself)", fp, jp, (p, x) -> p.startsWith(p), depth);
            unary(label, "endsWith(itself)", fp, jp, (p, x) -> p.endsWith(p), depth);
            unary(label, "relativize(itself)", fp, jp, (p, x) -> p.relativize(p), depth);
            unary(label, "resolve(\"\")", fp, jp, (p, x) -> p.resolve(""), depth);
            unary(label, "resolveSibling(\"\")", fp, jp, (p, x) -> p.resolveSibling(""), depth);
            if (depth == 0) {
                return;
            }
            // a path of the other provider, and null (all but the first two throw: only for paths looked at
            // from the top, not for every result of an operation)
            unary(label, "equals(foreign)", fp, jp, (p, x) -> p.equals(x), depth);
            unary(label, "equals(its string)", fp, jp, (p, x) -> p.equals(p.toString()), depth);
            unary(label, "startsWith(foreign)", fp, jp, (p, x) -> p.startsWith(x), depth);
            unary(label, "endsWith(foreign)", fp, jp, (p, x) -> p.endsWith(x), depth);
            unary(label, "resolve(foreign)", fp, jp, (p, x) -> p.resolve(x), depth);
            unary(label, "resolveSibling(foreign)", fp, jp, (p, x) -> p.resolveSibling(x), depth);
            unary(label, "relativize(foreign)", fp, jp, (p, x) -> p.relativize(x), depth);
            unary(label, "resolve(null)", fp, jp, (p, x) -> p.resolve((Path) null), depth);
            unary(label, "startsWith(null)", fp, jp, (p, x) -> p.startsWith((Path) null), depth);
            unary(label, "relativize(null)", fp, jp, (p, x) -> p.relativize(null), depth);
        }

        private void binary(String label, String op, Path[] ps, Path[] qs, String qString, BinaryOp b) {
            Path fq = qs == null ? null : qs[0];
            Path jq = qs == null ? null : qs[1];
            Supplier<String> what = () -> label + "." + op;
            Path[] deeper = compare(what, answer(() -> b.apply(ps[0], fq, qString)),
                    answer(() -> b.apply(ps[1], jq, qString)));
            if (deeper != null) {
                single(what, deeper[0], deeper[1], 0);
            }
        }

        /** The famfs path and the JDK's own path of {@code s}, or null when the JVM's encoding cannot hold it. */
        private Path[] withDefault(Path famfsPath, String s) {
            try {
                return new Path[] {famfsPath, java.nio.file.Path.of(s)};
            } catch (java.nio.file.InvalidPathException notInThisEncoding) {
                return null;
            }
        }

        /** The checks on two paths given as strings. */
        void pair(String a, String b) {
            Path[] ps = parse(a);
            if (ps == null) {
                return;
            }
            Path[] qs = parse(b);
            String label = "\"" + escape(a) + "\"";
            String bs = "\"" + escape(b) + "\"";
            // the String forms work even when b does not parse (they must then throw alike)
            binary(label, "resolve(String " + bs + ")", ps, qs, b, (p, q, s) -> p.resolve(s));
            binary(label, "resolveSibling(String " + bs + ")", ps, qs, b, (p, q, s) -> p.resolveSibling(s));
            binary(label, "startsWith(String " + bs + ")", ps, qs, b, (p, q, s) -> p.startsWith(s));
            binary(label, "endsWith(String " + bs + ")", ps, qs, b, (p, q, s) -> p.endsWith(s));
            if (qs == null) {
                return;
            }
            binary(label, "resolve(Path " + bs + ")", ps, qs, b, (p, q, s) -> p.resolve(q));
            binary(label, "resolveSibling(Path " + bs + ")", ps, qs, b, (p, q, s) -> p.resolveSibling(q));
            // relativize follows the JDK's own Unix paths, which normalise paths holding "." or ".." first (jimfs
            // does not, and gives answers that do not resolve back: "..".relativize("a") is "../a" there)
            Path[] pd = withDefault(ps[0], a);
            Path[] qd = withDefault(qs[0], b);
            if (pd != null && qd != null) {
                compare(() -> label + ".relativize(Path " + bs + ") (as the JDK)",
                        answer(() -> pd[0].relativize(qd[0])), answer(() -> pd[1].relativize(qd[1])));
                compare(() -> label + ".resolve(relativize(Path " + bs + ")) (as the JDK)",
                        answer(() -> pd[0].resolve(pd[0].relativize(qd[0])).toString()),
                        answer(() -> pd[1].resolve(pd[1].relativize(qd[1])).toString()));
            }
            binary(label, "startsWith(Path " + bs + ")", ps, qs, b, (p, q, s) -> p.startsWith(q));
            binary(label, "endsWith(Path " + bs + ")", ps, qs, b, (p, q, s) -> p.endsWith(q));
            binary(label, "compareTo(Path " + bs + ") sign", ps, qs, b,
                    (p, q, s) -> Integer.signum(p.compareTo(q)));
            binary(label, "equals(Path " + bs + ")", ps, qs, b, (p, q, s) -> p.equals(q));
            // equals, hashCode and compareTo agree with each other, within each implementation
            binary(label, "equals/hashCode/compareTo consistent with " + bs, ps, qs, b, (p, q, s) -> {
                boolean eq = p.equals(q);
                List<String> broken = new ArrayList<>();
                if (eq != q.equals(p)) {
                    broken.add("equals not symmetric");
                }
                if (eq && p.hashCode() != q.hashCode()) {
                    broken.add("equal but hash codes differ");
                }
                if (eq != (p.compareTo(q) == 0)) {
                    broken.add("equals " + eq + " but compareTo " + p.compareTo(q));
                }
                if (Integer.signum(p.compareTo(q)) != -Integer.signum(q.compareTo(p))) {
                    broken.add("compareTo not antisymmetric");
                }
                return broken.isEmpty() ? "consistent" : String.join("; ", broken);
            });
        }

        void assertNone(String what) {
            assertTrue(comparisons > 0, "nothing was compared");
            assertTrue(mismatches.isEmpty(), () -> {
                StringBuilder sb = new StringBuilder();
                sb.append(mismatches.size()).append(" mismatches between FamfsPath and jimfs (Unix) over ")
                        .append(what).append(", ").append(comparisons).append(" comparisons");
                int shown = 0;
                for (String m : mismatches) {
                    if (shown++ == SHOWN) {
                        sb.append("\n  ... and ").append(mismatches.size() - SHOWN).append(" more");
                        break;
                    }
                    sb.append("\n  ").append(m);
                }
                return sb.toString();
            });
        }
    }
}
