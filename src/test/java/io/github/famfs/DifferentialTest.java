package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.nio.FamfsFileSystemProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One list of operations and misuses, run side by side on a temporary directory of the JDK's default file system
 * and on a famfs image (as its master), comparing what each did: the exception type, or success and the result.
 * Where famfs differs by its own rules (it never deletes, moves, truncates, grows or empties a file, and never
 * rewrites an entry's owner, group or mode) the case names the rule and asserts famfs's exception instead.
 *
 * <p>Every case works in a fixture: {@code fx/f} (a file "hello"), {@code fx/d} (a directory) with {@code fx/d/g}
 * (a file "x"). The JDK's fixture is made again after each case; famfs's never changes (in-place writes write the
 * bytes that are there), and what a case makes has a name of its own.
 */
class DifferentialTest {
    private static final String MASTER = "d1ff0000-0000-4000-8000-000000000001";
    private static final byte[] HELLO = "hello".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    @TempDir
    static Path tmp;
    static FileSystem famfs;
    static Path jdkRoot;
    static Path famRoot;

    /** A famfs rule that makes famfs differ from the JDK, and the exception it gives instead. */
    enum Rule {
        NO_TRUNCATE("famfs files are never truncated or grown (TRUNCATE_EXISTING, APPEND, truncate to less)"),
        NO_DELETE("famfs never deletes (delete, REPLACE_EXISTING)"),
        NO_MOVE("famfs never moves or renames"),
        NO_METADATA_CHANGE("famfs never rewrites an entry's owner, group or mode"),
        NO_EMPTY_FILE("famfs cannot hold an empty file");

        final String why;

        Rule(String why) {
            this.why = why;
        }
    }

    interface Op {
        Object run(Path root, String fresh) throws Exception;
    }

    record Case(String name, Op op, Rule rule, String famfsOutcome, boolean statThroughFile) {
        Case(String name, Op op, Rule rule, String famfsOutcome) {
            this(name, op, rule, famfsOutcome, false);
        }
    }

    /**
     * stat(2) and access(2) of a name under a file fail with ENOTDIR. JDK 25 reports that as NoSuchFileException
     * (so {@code Files.notExists} is true); JDK 17 as a plain FileSystemException (notExists false). famfs follows
     * JDK 25 (NoSuchFileException is a FileSystemException too), so on older JDKs their answer is read as JDK 25's.
     */
    private static String asJdk25(String jdk) {
        if (Runtime.version().feature() >= 25) {
            return jdk;
        }
        return jdk.equals("java.nio.file.FileSystemException") ? "java.nio.file.NoSuchFileException"
                : jdk.equals("ok false") ? "ok true" : jdk;
    }

    private final List<Case> cases = new ArrayList<>();

    private void same(String name, Op op) {
        cases.add(new Case(name, op, null, null));
    }

    private void rule(String name, Rule rule, String famfsOutcome, Op op) {
        cases.add(new Case(name, op, rule, famfsOutcome));
    }

    @BeforeAll
    static void open() throws IOException {
        jdkRoot = Files.createDirectories(tmp.resolve("jdk"));
        Path img = tmp.resolve("diff.img");
        famfs = FileSystems.newFileSystem(FamfsFileSystemProvider.uri(img),
                Map.of("create", "true", "deviceSize", "2G", "systemUuid", MASTER));
        famRoot = famfs.getPath("/");
        fixture(famRoot);
        fixture(jdkRoot);
    }

    @AfterAll
    static void close() throws IOException {
        famfs.close();
    }

    private static void fixture(Path root) throws IOException {
        Path fx = root.resolve("fx");
        if (Files.exists(fx) && fx.getFileSystem() == FileSystems.getDefault()) {
            try (Stream<Path> s = Files.walk(fx)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
        Files.createDirectory(fx);
        Files.write(fx.resolve("f"), HELLO);
        Files.createDirectory(fx.resolve("d"));
        Files.write(fx.resolve("d/g"), new byte[] {'x'});
    }

    private static String outcome(Op op, Path root, String fresh) {
        try {
            Object r = op.run(root, fresh);
            return r == null ? "ok" : "ok " + r;
        } catch (Throwable t) {
            return t.getClass().getName();
        }
    }

    // ---- the operations

    private static Path f(Path root) {
        return root.resolve("fx/f");
    }

    private static Path d(Path root) {
        return root.resolve("fx/d");
    }

    /** Uses a channel as its options allow: writes the byte that is there (or "h" in a new file), or reads one. */
    private static Object use(SeekableByteChannel ch, boolean writes) throws IOException {
        try (ch) {
            if (writes) {
                return ch.write(ByteBuffer.wrap(new byte[] {'h'}));
            }
            return ch.read(ByteBuffer.allocate(1));
        }
    }

    private static final StandardOpenOption[] OPEN = {StandardOpenOption.READ, StandardOpenOption.WRITE,
        StandardOpenOption.APPEND, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.CREATE,
        StandardOpenOption.CREATE_NEW};

    private static Set<OpenOption> subset(int mask) {
        Set<OpenOption> s = new LinkedHashSet<>();
        for (int i = 0; i < OPEN.length; i++) {
            if ((mask & (1 << i)) != 0) {
                s.add(OPEN[i]);
            }
        }
        return s;
    }

    /** The rule famfs applies where the JDK would truncate or append to an existing file. */
    private static Rule openRule(Set<OpenOption> o, boolean existingFile) {
        boolean write = o.contains(StandardOpenOption.WRITE) || o.contains(StandardOpenOption.APPEND);
        boolean read = o.contains(StandardOpenOption.READ) || !write;
        boolean append = o.contains(StandardOpenOption.APPEND);
        boolean trunc = o.contains(StandardOpenOption.TRUNCATE_EXISTING);
        if (!existingFile || !write || (read && append) || (append && trunc)
                || o.contains(StandardOpenOption.CREATE_NEW)) {
            return null;
        }
        return trunc || append ? Rule.NO_TRUNCATE : null;
    }

    private void openCases() {
        String[] targets = {"file", "absent", "dir", "under-file"};
        for (int mask = 0; mask < 1 << OPEN.length; mask++) {
            Set<OpenOption> o = subset(mask);
            boolean writes = o.contains(StandardOpenOption.WRITE) || o.contains(StandardOpenOption.APPEND);
            for (String target : targets) {
                boolean file = target.equals("file");
                Op byteChannel = (root, fresh) -> use(Files.newByteChannel(target(root, target, fresh), o), writes);
                Op fileChannel = (root, fresh) -> use(FileChannel.open(target(root, target, fresh), o), writes);
                add("newByteChannel " + o + " " + target, openRule(o, file), byteChannel);
                add("FileChannel.open " + o + " " + target, openRule(o, file), fileChannel);
                OpenOption[] arr = o.toArray(new OpenOption[0]);
                Set<OpenOption> asOutput = new LinkedHashSet<>(o);
                if (asOutput.isEmpty()) {
                    asOutput.addAll(List.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING));
                }
                asOutput.add(StandardOpenOption.WRITE);
                Rule outRule = o.contains(StandardOpenOption.READ) ? null : openRule(asOutput, file);
                add("newOutputStream " + o + " " + target, outRule, (root, fresh) -> {
                    try (OutputStream out = Files.newOutputStream(target(root, target, fresh), arr)) {
                        out.write('h');
                    }
                    return null;
                });
                add("newInputStream " + o + " " + target, null, (root, fresh) -> {
                    try (InputStream in = Files.newInputStream(target(root, target, fresh), arr)) {
                        return in.read();
                    }
                });
            }
        }
    }

    private void add(String name, Rule rule, Op op) {
        if (rule == null) {
            same(name, op);
        } else {
            rule(name, rule, famfsRule(), op);
        }
    }

    private static String famfsRule() {
        return io.github.famfs.nio.FamfsRuleException.class.getName();
    }

    private static Path target(Path root, String target, String fresh) {
        switch (target) {
            case "file":
                return f(root);
            case "absent":
                return root.resolve(fresh);
            case "dir":
                return d(root);
            default:
                return f(root).resolve("x");
        }
    }

    /** A channel of each kind: read-only and write-only on the existing file, write-only on a new one. */
    private static SeekableByteChannel channel(Path root, String fresh, String kind) throws IOException {
        switch (kind) {
            case "read-only":
                return FileChannel.open(f(root), StandardOpenOption.READ);
            case "write-only":
                return FileChannel.open(f(root), StandardOpenOption.WRITE);
            default: {
                FileChannel ch = FileChannel.open(root.resolve(fresh), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
                ch.write(ByteBuffer.wrap(new byte[] {'h'}));
                return ch;
            }
        }
    }

    interface ChannelOp {
        Object run(FileChannel ch) throws Exception;
    }

    private void channelCases() {
        Map<String, ChannelOp> ops = new java.util.LinkedHashMap<>();
        ops.put("read", ch -> ch.read(ByteBuffer.allocate(2)));
        ops.put("read empty", ch -> ch.read(ByteBuffer.allocate(0)));
        ops.put("read read-only buffer", ch -> ch.read(ByteBuffer.allocate(2).asReadOnlyBuffer()));
        ops.put("read at -1", ch -> ch.read(ByteBuffer.allocate(2), -1));
        ops.put("read at 1", ch -> ch.read(ByteBuffer.allocate(2), 1));
        ops.put("read at end", ch -> ch.read(ByteBuffer.allocate(2), 100));
        ops.put("scattering read", ch -> ch.read(new ByteBuffer[] {ByteBuffer.allocate(2), ByteBuffer.allocate(2)}));
        ops.put("scattering read of empty buffers", ch -> ch.read(new ByteBuffer[] {ByteBuffer.allocate(0)}));
        ops.put("scattering read of no buffers", ch -> ch.read(new ByteBuffer[0]));
        ops.put("scattering read out of range", ch -> ch.read(new ByteBuffer[] {ByteBuffer.allocate(1)}, 1, 1));
        ops.put("write", ch -> ch.write(ByteBuffer.wrap(new byte[] {'h'})));
        ops.put("write empty", ch -> ch.write(ByteBuffer.allocate(0)));
        ops.put("write at -1", ch -> ch.write(ByteBuffer.wrap(new byte[] {'h'}), -1));
        ops.put("gathering write", ch -> ch.write(new ByteBuffer[] {ByteBuffer.wrap(new byte[] {'h'})}));
        ops.put("gathering write of no buffers", ch -> ch.write(new ByteBuffer[0]));
        ops.put("gathering write out of range", ch -> ch.write(new ByteBuffer[0], 0, 1));
        ops.put("position", FileChannel::position);
        ops.put("position(-1)", ch -> ch.position(-1).position());
        ops.put("position(3)", ch -> ch.position(3).position());
        ops.put("size", FileChannel::size);
        ops.put("truncate(-1)", ch -> ch.truncate(-1).size());
        ops.put("truncate(100)", ch -> ch.truncate(100).size());
        ops.put("force", ch -> {
            ch.force(true);
            return null;
        });
        ops.put("transferTo(-1)", ch -> ch.transferTo(-1, 1, java.nio.channels.Channels.newChannel(
                java.io.OutputStream.nullOutputStream())));
        ops.put("transferTo", ch -> ch.transferTo(0, 1, java.nio.channels.Channels.newChannel(
                java.io.OutputStream.nullOutputStream())));
        ops.put("transferFrom(-1)", ch -> ch.transferFrom(java.nio.channels.Channels.newChannel(
                new java.io.ByteArrayInputStream(new byte[] {'h'})), -1, 1));
        ops.put("map READ_ONLY", ch -> ch.map(FileChannel.MapMode.READ_ONLY, 0, 1).get(0));
        ops.put("map READ_ONLY at -1", ch -> ch.map(FileChannel.MapMode.READ_ONLY, -1, 1));
        ops.put("map READ_WRITE", ch -> ch.map(FileChannel.MapMode.READ_WRITE, 0, 1).get(0));
        ops.put("lock", ch -> {
            ch.lock().release();
            return null;
        });
        for (String kind : new String[] {"read-only", "write-only", "new"}) {
            for (boolean closed : new boolean[] {false, true}) {
                for (Map.Entry<String, ChannelOp> e : ops.entrySet()) {
                    String name = kind + (closed ? " closed " : " open ") + "channel: " + e.getKey();
                    Rule rule = null;
                    String famfsOutcome = null;
                    if (!closed && kind.equals("write-only") && e.getKey().equals("truncate(-1)")) {
                        rule = null;
                    }
                    if (!closed && e.getKey().equals("lock")) {
                        continue; // famfs has no byte-range locks (UnsupportedOperationException); not compared
                    }
                    if (!closed && kind.equals("new") && (e.getKey().startsWith("map") || e.getKey().equals("force")
                            || e.getKey().equals("transferTo"))) {
                        continue; // a file being made has no device mapping to give until it is published
                    }
                    Op op = (root, fresh) -> {
                        FileChannel ch = (FileChannel) channel(root, fresh, kind);
                        try {
                            if (closed) {
                                ch.close();
                            }
                            return e.getValue().run(ch);
                        } finally {
                            ch.close();
                        }
                    };
                    if (rule == null) {
                        same(name, op);
                    } else {
                        rule(name, rule, famfsOutcome, op);
                    }
                }
            }
        }
        rule("write-only channel: truncate(0)", Rule.NO_TRUNCATE, famfsRule(), (root, fresh) -> {
            try (FileChannel ch = FileChannel.open(f(root), StandardOpenOption.WRITE)) {
                return ch.truncate(0).size();
            }
        });
        rule("DELETE_ON_CLOSE", Rule.NO_DELETE, famfsRule(), (root, fresh) -> {
            try (SeekableByteChannel ch = Files.newByteChannel(f(root), StandardOpenOption.READ,
                    StandardOpenOption.DELETE_ON_CLOSE)) {
                return ch.size();
            }
        });
        rule("new file closed with nothing written", Rule.NO_EMPTY_FILE, IOException.class.getName(),
                (root, fresh) -> {
                    Files.newByteChannel(root.resolve(fresh), StandardOpenOption.CREATE_NEW,
                            StandardOpenOption.WRITE).close();
                    return null;
                });
    }

    private void copyMoveDeleteCases() {
        same("copy file", (root, fresh) -> {
            Files.copy(f(root), root.resolve(fresh));
            return new String(Files.readAllBytes(root.resolve(fresh)));
        });
        same("copy file COPY_ATTRIBUTES", (root, fresh) -> {
            Files.copy(f(root), root.resolve(fresh), StandardCopyOption.COPY_ATTRIBUTES);
            return Files.size(root.resolve(fresh));
        });
        same("copy file REPLACE_EXISTING to a new name", (root, fresh) -> {
            Files.copy(f(root), root.resolve(fresh), StandardCopyOption.REPLACE_EXISTING);
            return Files.size(root.resolve(fresh));
        });
        same("copy file onto itself", (root, fresh) -> {
            Files.copy(f(root), f(root));
            return Files.size(f(root));
        });
        same("copy file onto itself by another name", (root, fresh) -> {
            Files.copy(f(root), root.resolve("fx/d/../f"));
            return Files.size(f(root));
        });
        same("copy directory", (root, fresh) -> {
            Files.copy(d(root), root.resolve(fresh));
            try (Stream<Path> s = Files.list(root.resolve(fresh))) {
                return Files.isDirectory(root.resolve(fresh)) + " " + s.count();
            }
        });
        same("copy directory COPY_ATTRIBUTES", (root, fresh) -> {
            Files.copy(d(root), root.resolve(fresh), StandardCopyOption.COPY_ATTRIBUTES);
            return Files.isDirectory(root.resolve(fresh));
        });
        same("copy absent", (root, fresh) -> Files.copy(root.resolve("nope"), root.resolve(fresh)));
        same("copy onto existing file", (root, fresh) -> Files.copy(d(root).resolve("g"), f(root)));
        same("copy onto existing directory", (root, fresh) -> Files.copy(f(root), d(root)));
        same("copy into missing parent", (root, fresh) -> Files.copy(f(root), root.resolve("nope/x")));
        same("copy under a file", (root, fresh) -> Files.copy(f(root), f(root).resolve("x")));
        same("copy ATOMIC_MOVE", (root, fresh) -> Files.copy(f(root), root.resolve(fresh),
                StandardCopyOption.ATOMIC_MOVE));
        rule("copy REPLACE_EXISTING onto a file", Rule.NO_DELETE, famfsRule(),
                (root, fresh) -> Files.copy(d(root).resolve("g"), f(root), StandardCopyOption.REPLACE_EXISTING));
        rule("copy REPLACE_EXISTING onto a directory", Rule.NO_DELETE, famfsRule(),
                (root, fresh) -> Files.copy(f(root), d(root), StandardCopyOption.REPLACE_EXISTING));
        rule("move file", Rule.NO_MOVE, famfsRule(), (root, fresh) -> Files.move(f(root),
                root.resolve(fresh)));
        rule("move directory", Rule.NO_MOVE, famfsRule(), (root, fresh) -> Files.move(d(root),
                root.resolve(fresh)));
        same("move onto itself", (root, fresh) -> Files.move(f(root), f(root)).equals(f(root)));
        same("move absent", (root, fresh) -> Files.move(root.resolve("nope"), root.resolve(fresh)));
        rule("delete file", Rule.NO_DELETE, famfsRule(), (root, fresh) -> {
            Files.delete(f(root));
            return null;
        });
        rule("delete non-empty directory", Rule.NO_DELETE, famfsRule(), (root, fresh) -> {
            Files.delete(d(root));
            return null;
        });
        same("delete absent", (root, fresh) -> {
            Files.delete(root.resolve("nope"));
            return null;
        });
        same("deleteIfExists absent", (root, fresh) -> Files.deleteIfExists(root.resolve("nope")));
        same("delete under a file", (root, fresh) -> {
            Files.delete(f(root).resolve("x"));
            return null;
        });
    }

    private void createCases() {
        same("createDirectory new", (root, fresh) -> Files.isDirectory(Files.createDirectory(root.resolve(fresh))));
        same("createDirectory on a file", (root, fresh) -> Files.createDirectory(f(root)));
        same("createDirectory on a directory", (root, fresh) -> Files.createDirectory(d(root)));
        same("createDirectory missing parent", (root, fresh) -> Files.createDirectory(root.resolve("nope/x")));
        same("createDirectory under a file", (root, fresh) -> Files.createDirectory(f(root).resolve("x")));
        same("createDirectory through file/..", (root, fresh) -> Files.createDirectory(
                f(root).resolve("../" + fresh)));
        same("createDirectory through missing/..", (root, fresh) -> Files.createDirectory(
                root.resolve("nope/../" + fresh)));
        same("createDirectories new", (root, fresh) -> Files.isDirectory(Files.createDirectories(
                root.resolve(fresh + "/a/b"))));
        same("createDirectories existing directory", (root, fresh) -> Files.isDirectory(Files.createDirectories(
                d(root))));
        same("createDirectories on a file", (root, fresh) -> Files.createDirectories(f(root)));
        same("createDirectories under a file", (root, fresh) -> Files.createDirectories(f(root).resolve("x/y")));
        same("createFile absent", (root, fresh) -> {
            Path p = root.resolve(fresh);
            try (SeekableByteChannel ch = Files.newByteChannel(p, StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(HELLO));
            }
            return Files.size(p);
        });
        same("createFile existing", (root, fresh) -> Files.createFile(f(root)));
        same("createSymbolicLink", (root, fresh) -> {
            try {
                return Files.createSymbolicLink(root.resolve(fresh), f(root));
            } catch (UnsupportedOperationException e) {
                throw new SkipThis();
            }
        });
    }

    /** Marks an operation famfs does not offer at all (links): the JDK's result is not compared. */
    static final class SkipThis extends RuntimeException {
        private static final long serialVersionUID = 1L;
    }

    private void pathCases() {
        String[][] pairs = {{"/a/b", "/a/b/c"}, {"/a/b", "/a/x"}, {"a/b", "a/b/c"}, {"/a", "b"}, {"a", "/b"},
            {"", "a"}, {"a", ""}, {"/", "/"}, {"a/../b", "./c"}, {"/a/./b/../c", "d/.."}, {"..", "a"},
            {"/a/b/", "/a/b"}, {"a//b", "a/b"}};
        for (String[] pq : pairs) {
            String p = pq[0];
            String q = pq[1];
            same("resolve " + p + " " + q, (root, fresh) -> path(root, p).resolve(path(root, q)).toString());
            same("resolveSibling " + p + " " + q, (root, fresh) -> path(root, p).resolveSibling(path(root, q))
                    .toString());
            same("relativize " + p + " " + q, (root, fresh) -> path(root, p).relativize(path(root, q)).toString());
            same("startsWith " + p + " " + q, (root, fresh) -> path(root, p).startsWith(path(root, q)));
            same("endsWith " + p + " " + q, (root, fresh) -> path(root, p).endsWith(path(root, q)));
            same("startsWith(String) " + p + " " + q, (root, fresh) -> path(root, p).startsWith(q));
            same("compareTo sign " + p + " " + q, (root, fresh) -> Integer.signum(path(root, p)
                    .compareTo(path(root, q))));
            same("equals " + p + " " + q, (root, fresh) -> path(root, p).equals(path(root, q)));
        }
        for (String p : new String[] {"/", "", "a", "/a/b", "a/./b/..", "../..", "/..", "/a/../.."}) {
            same("normalize " + p, (root, fresh) -> path(root, p).normalize().toString());
            same("getParent " + p, (root, fresh) -> String.valueOf(path(root, p).getParent()));
            same("getRoot " + p, (root, fresh) -> String.valueOf(path(root, p).getRoot()));
            same("getFileName " + p, (root, fresh) -> String.valueOf(path(root, p).getFileName()));
            same("getNameCount " + p, (root, fresh) -> path(root, p).getNameCount());
            same("isAbsolute " + p, (root, fresh) -> path(root, p).isAbsolute());
            for (int i : new int[] {-1, 0, 1, 5}) {
                same("getName(" + i + ") " + p, (root, fresh) -> path(root, p).getName(i).toString());
            }
            for (int[] r : new int[][] {{0, 1}, {1, 1}, {1, 0}, {-1, 1}, {0, 9}}) {
                same("subpath(" + r[0] + "," + r[1] + ") " + p, (root, fresh) -> path(root, p)
                        .subpath(r[0], r[1]).toString());
            }
            same("iterator " + p, (root, fresh) -> {
                List<String> names = new ArrayList<>();
                path(root, p).forEach(n -> names.add(n.toString()));
                return names;
            });
        }
        same("getPath with NUL", (root, fresh) -> path(root, "a\0b"));
        same("resolve null", (root, fresh) -> path(root, "a").resolve((Path) null));
        same("relativize other provider", (root, fresh) -> path(root, "/a").relativize(
                root.getFileSystem() == FileSystems.getDefault() ? famRoot : jdkRoot));
    }

    private static Path path(Path root, String p) {
        return root.getFileSystem().getPath(p);
    }

    private void attributeCases() {
        interface NoSuchView extends FileAttributeView {}
        interface NoSuchAttributes extends BasicFileAttributes {}
        FileTime t = FileTime.fromMillis(1_000_000);
        same("readAttributes basic:size", (root, fresh) -> Files.readAttributes(f(root), "basic:size"));
        same("readAttributes size,isDirectory", (root, fresh) -> new TreeMap<>(Files.readAttributes(f(root),
                "size,isDirectory,isRegularFile")));
        same("readAttributes unknown view", (root, fresh) -> Files.readAttributes(f(root), "nosuch:*"));
        same("readAttributes unknown view, absent", (root, fresh) -> Files.readAttributes(root.resolve("nope"),
                "nosuch:*"));
        same("readAttributes unknown attribute", (root, fresh) -> Files.readAttributes(f(root), "basic:nosuch"));
        same("readAttributes unknown attribute, absent", (root, fresh) -> Files.readAttributes(
                root.resolve("nope"), "basic:nosuch"));
        same("readAttributes posix:permissions,owner", (root, fresh) -> Files.readAttributes(f(root),
                "posix:permissions,owner").keySet().stream().sorted().toList());
        same("readAttributes unix:uid,gid,mode", (root, fresh) -> new TreeMap<>(Files.readAttributes(f(root),
                "unix:uid,gid")).keySet());
        same("readAttributes absent", (root, fresh) -> Files.readAttributes(root.resolve("nope"), "*"));
        same("readAttributes unknown class", (root, fresh) -> Files.readAttributes(f(root),
                NoSuchAttributes.class));
        same("getFileAttributeView unknown class", (root, fresh) -> String.valueOf(Files.getFileAttributeView(
                f(root), NoSuchView.class)));
        same("getAttribute basic:isDirectory", (root, fresh) -> Files.getAttribute(d(root), "basic:isDirectory"));
        same("setAttribute basic:lastModifiedTime", (root, fresh) -> Files.setAttribute(f(root),
                "basic:lastModifiedTime", t) != null);
        same("setAttribute lastAccessTime", (root, fresh) -> Files.setAttribute(f(root), "lastAccessTime", t)
                != null);
        same("setAttribute lastModifiedTime of a wrong type", (root, fresh) -> Files.setAttribute(f(root),
                "basic:lastModifiedTime", "yesterday"));
        same("setAttribute unknown view", (root, fresh) -> Files.setAttribute(f(root), "nosuch:x", 1));
        same("setAttribute unknown attribute", (root, fresh) -> Files.setAttribute(f(root), "basic:nosuch", 1));
        same("setAttribute read-only attribute", (root, fresh) -> Files.setAttribute(f(root), "basic:size", 1L));
        same("setAttribute absent", (root, fresh) -> Files.setAttribute(root.resolve("nope"),
                "basic:lastModifiedTime", t));
        same("setAttribute posix:permissions of a wrong type", (root, fresh) -> Files.setAttribute(f(root),
                "posix:permissions", 7));
        same("setLastModifiedTime", (root, fresh) -> Files.setLastModifiedTime(f(root), t) != null);
        same("setTimes", (root, fresh) -> {
            Files.getFileAttributeView(f(root), java.nio.file.attribute.BasicFileAttributeView.class)
                    .setTimes(t, t, t);
            return null;
        });
        rule("setAttribute posix:permissions", Rule.NO_METADATA_CHANGE, famfsRule(),
                (root, fresh) -> Files.setAttribute(f(root), "posix:permissions",
                        PosixFilePermissions.fromString("rw-r--r--")));
        rule("setPosixFilePermissions", Rule.NO_METADATA_CHANGE, famfsRule(),
                (root, fresh) -> Files.setPosixFilePermissions(f(root), PosixFilePermissions.fromString("rw-r--r--")));
        rule("setAttribute unix:mode", Rule.NO_METADATA_CHANGE, famfsRule(),
                (root, fresh) -> Files.setAttribute(f(root), "unix:mode", 0644));
        rule("setOwner to the same owner", Rule.NO_METADATA_CHANGE, famfsRule(),
                (root, fresh) -> Files.setOwner(f(root), Files.getOwner(f(root))));
    }

    private void directoryStreamCases() {
        same("list directory", (root, fresh) -> {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(d(root))) {
                List<String> names = new ArrayList<>();
                ds.forEach(p -> names.add(p.getFileName().toString()));
                return names;
            }
        });
        same("list with a glob", (root, fresh) -> {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(root.resolve("fx"), "[d-f]")) {
                List<String> names = new ArrayList<>();
                ds.forEach(p -> names.add(p.getFileName().toString()));
                names.sort(null);
                return names;
            }
        });
        same("iterator twice", (root, fresh) -> {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(d(root))) {
                ds.iterator();
                return ds.iterator();
            }
        });
        same("iterator after close", (root, fresh) -> {
            DirectoryStream<Path> ds = Files.newDirectoryStream(d(root));
            ds.close();
            return ds.iterator();
        });
        same("hasNext after close", (root, fresh) -> {
            DirectoryStream<Path> ds = Files.newDirectoryStream(d(root));
            Iterator<Path> it = ds.iterator();
            ds.close();
            return it.hasNext();
        });
        same("hasNext, close, next", (root, fresh) -> {
            DirectoryStream<Path> ds = Files.newDirectoryStream(root.resolve("fx"));
            Iterator<Path> it = ds.iterator();
            it.next();
            ds.close();
            return it.hasNext() + " " + it.next();
        });
        same("close twice", (root, fresh) -> {
            DirectoryStream<Path> ds = Files.newDirectoryStream(d(root));
            ds.close();
            ds.close();
            return null;
        });
        same("newDirectoryStream of a file", (root, fresh) -> Files.newDirectoryStream(f(root)));
        same("newDirectoryStream absent", (root, fresh) -> Files.newDirectoryStream(root.resolve("nope")));
        same("newDirectoryStream file/..", (root, fresh) -> Files.newDirectoryStream(f(root).resolve("..")));
        same("newDirectoryStream file/x", (root, fresh) -> Files.newDirectoryStream(f(root).resolve("x")));
        same("newDirectoryStream d/..", (root, fresh) -> {
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(d(root).resolve(".."))) {
                List<String> names = new ArrayList<>();
                ds.forEach(p -> names.add(p.getFileName().toString()));
                names.sort(null);
                return names;
            }
        });
    }

    private void stat(boolean throughFile, String name, Op op) {
        cases.add(new Case(name, op, null, null, throughFile));
    }

    private void lookupCases() {
        for (String p : new String[] {"fx/f/x", "fx/f/..", "fx/f/.", "fx/d/..", "fx/d/.", "fx/nope/..",
            "fx/d/../f", "fx/f/../d", "fx/d/g/..", "fx/../fx/d/g", "fx/./f"}) {
            same("exists " + p, (root, fresh) -> Files.exists(root.resolve(p)));
            boolean throughFile = p.startsWith("fx/f/") || p.startsWith("fx/d/g/");
            stat(throughFile, "notExists " + p, (root, fresh) -> Files.notExists(root.resolve(p)));
            same("isDirectory " + p, (root, fresh) -> Files.isDirectory(root.resolve(p)));
            same("isRegularFile " + p, (root, fresh) -> Files.isRegularFile(root.resolve(p)));
            stat(throughFile, "size " + p, (root, fresh) -> Files.isDirectory(root.resolve(p)) ? "dir"
                    : Files.size(root.resolve(p)));
            stat(throughFile, "readAttributes " + p, (root, fresh) -> Files.readAttributes(root.resolve(p),
                    BasicFileAttributes.class).isDirectory());
            stat(throughFile, "checkAccess " + p, (root, fresh) -> {
                root.getFileSystem().provider().checkAccess(root.resolve(p));
                return null;
            });
            same("toRealPath " + p, (root, fresh) -> root.relativize(root.resolve(p).toRealPath()).toString());
            same("newByteChannel " + p, (root, fresh) -> {
                try (SeekableByteChannel ch = Files.newByteChannel(root.resolve(p))) {
                    return ch.read(ByteBuffer.allocate(1));
                }
            });
            same("isSameFile fx/f " + p, (root, fresh) -> Files.isSameFile(f(root), root.resolve(p)));
        }
    }

    @Test
    void famfsDoesWhatTheDefaultProviderDoes() throws Exception {
        openCases();
        channelCases();
        copyMoveDeleteCases();
        createCases();
        pathCases();
        attributeCases();
        directoryStreamCases();
        lookupCases();
        List<String> differences = new ArrayList<>();
        Map<Rule, Integer> byRule = new java.util.EnumMap<>(Rule.class);
        int compared = 0;
        for (int i = 0; i < cases.size(); i++) {
            Case c = cases.get(i);
            String fresh = "n" + i;
            String jdk = outcome(c.op(), jdkRoot, fresh);
            if (c.statThroughFile()) {
                jdk = asJdk25(jdk);
            }
            fixture(jdkRoot);
            String fam = outcome(c.op(), famRoot, fresh);
            if (jdk.equals(SkipThis.class.getName()) || fam.equals(SkipThis.class.getName())) {
                continue;
            }
            if (c.rule() != null) {
                byRule.merge(c.rule(), 1, Integer::sum);
                if (!fam.equals(c.famfsOutcome())) {
                    differences.add(c.name() + ": famfs rule " + c.rule() + " (" + c.rule().why + ") wants "
                            + c.famfsOutcome() + ", famfs gave " + fam + " (JDK: " + jdk + ")");
                }
            } else {
                compared++;
                if (!jdk.equals(fam)) {
                    differences.add(c.name() + ": JDK " + jdk + ", famfs " + fam);
                }
            }
        }
        System.out.println("DifferentialTest: " + cases.size() + " cases, " + compared + " compared with the JDK, "
                + byRule + " by famfs rule");
        assertTrue(compared > 900, "cases compared: " + compared);
        assertEquals(EnumSet.allOf(Rule.class), EnumSet.copyOf(byRule.keySet()), "every rule is exercised");
        assertEquals("", String.join("\n", differences), differences.size() + " difference(s) in "
                + cases.size() + " cases");
    }
}
