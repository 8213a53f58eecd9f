package io.github.famfs.nio;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * A path in a famfs file system: an optional root and a list of names, immutable. Syntax and semantics are
 * Unix's ('/' separator, "." and ".." resolved only by {@link #normalize()}), matching jimfs in its Unix
 * configuration. famfs has no links, so {@link #toRealPath} is the normalised absolute path of an existing
 * file.
 */
public final class FamfsPath implements Path {
    private static final String[] NO_NAMES = {};
    private static final String[] EMPTY_NAME = {""};

    private final FamfsFileSystem fs;
    private final boolean absolute;
    private final String[] names;
    private String string;

    private FamfsPath(FamfsFileSystem fs, boolean absolute, String[] names) {
        this.fs = fs;
        this.absolute = absolute;
        this.names = names;
    }

    /**
     * A path of the given names. Empty names are dropped (as jimfs does), so that no path but the empty
     * path holds one; a relative path left with no names is the empty path, one empty name.
     */
    static FamfsPath of(FamfsFileSystem fs, boolean absolute, List<String> names) {
        String[] kept = names.stream().filter(n -> !n.isEmpty()).toArray(String[]::new);
        if (kept.length == 0 && !absolute) {
            return new FamfsPath(fs, false, EMPTY_NAME);
        }
        return new FamfsPath(fs, absolute, kept.length == 0 ? NO_NAMES : kept);
    }

    /** Parses a path string: '/' separates names, repeated and trailing separators are ignored. */
    static FamfsPath parse(FamfsFileSystem fs, String path) {
        PathNames.check(path);
        boolean abs = path.startsWith("/");
        List<String> names = new ArrayList<>();
        int start = 0;
        int n = path.length();
        while (start < n) {
            int slash = path.indexOf('/', start);
            int end = slash < 0 ? n : slash;
            if (end > start) {
                names.add(path.substring(start, end));
            }
            start = end + 1;
        }
        return of(fs, abs, names);
    }

    String[] names() {
        return names;
    }

    boolean isEmptyPath() {
        return !absolute && names.length == 1 && names[0].isEmpty();
    }

    @Override
    public FamfsFileSystem getFileSystem() {
        return fs;
    }

    @Override
    public boolean isAbsolute() {
        return absolute;
    }

    @Override
    public FamfsPath getRoot() {
        return absolute ? fs.root() : null;
    }

    @Override
    public FamfsPath getFileName() {
        return names.length == 0 ? null : name(names[names.length - 1]);
    }

    @Override
    public FamfsPath getParent() {
        if (names.length == 0 || (names.length == 1 && !absolute)) {
            return null;
        }
        return new FamfsPath(fs, absolute, Arrays.copyOf(names, names.length - 1));
    }

    @Override
    public int getNameCount() {
        return names.length;
    }

    @Override
    public FamfsPath getName(int index) {
        if (index < 0 || index >= names.length) {
            throw new IllegalArgumentException("index " + index + " is outside [0, " + names.length + ")");
        }
        return name(names[index]);
    }

    private FamfsPath name(String name) {
        return new FamfsPath(fs, false, new String[] {name});
    }

    @Override
    public FamfsPath subpath(int beginIndex, int endIndex) {
        if (beginIndex < 0 || endIndex > names.length || endIndex <= beginIndex) {
            throw new IllegalArgumentException("subpath(" + beginIndex + ", " + endIndex + ") of a path with "
                    + names.length + " names");
        }
        return new FamfsPath(fs, false, Arrays.copyOfRange(names, beginIndex, endIndex));
    }

    private FamfsPath check(Path other) {
        Objects.requireNonNull(other, "other");
        if (other instanceof FamfsPath p && p.fs == fs) {
            return p;
        }
        return null;
    }

    private FamfsPath checkOrThrow(Path other) {
        FamfsPath p = check(other);
        if (p == null) {
            throw new ProviderMismatchException(other + " is not a path of " + fs);
        }
        return p;
    }

    private static boolean prefixOf(String[] list, String[] prefix, boolean fromEnd) {
        if (prefix.length > list.length) {
            return false;
        }
        int shift = fromEnd ? list.length - prefix.length : 0;
        for (int i = 0; i < prefix.length; i++) {
            if (!list[shift + i].equals(prefix[i])) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean startsWith(Path other) {
        FamfsPath p = check(other);
        return p != null && p.absolute == absolute && prefixOf(names, p.names, false);
    }

    @Override
    public boolean startsWith(String other) {
        return startsWith(parse(fs, other));
    }

    @Override
    public boolean endsWith(Path other) {
        FamfsPath p = check(other);
        if (p == null) {
            return false;
        }
        if (p.absolute) {
            return compareTo(p) == 0;
        }
        return prefixOf(names, p.names, true);
    }

    @Override
    public boolean endsWith(String other) {
        return endsWith(parse(fs, other));
    }

    private boolean isNormal() {
        if (names.length == 0 || (names.length == 1 && !absolute)) {
            return true;
        }
        boolean seenName = absolute;
        for (String n : names) {
            if (n.equals("..")) {
                if (seenName) {
                    return false;
                }
            } else if (n.equals(".")) {
                return false;
            } else {
                seenName = true;
            }
        }
        return true;
    }

    @Override
    public FamfsPath normalize() {
        if (isNormal()) {
            return this;
        }
        List<String> out = new ArrayList<>(names.length);
        for (String n : names) {
            if (n.equals("..")) {
                if (!out.isEmpty() && !out.get(out.size() - 1).equals("..")) {
                    out.remove(out.size() - 1);
                } else if (!absolute) {
                    out.add(n);
                }
            } else if (!n.equals(".")) {
                out.add(n);
            }
        }
        return of(fs, absolute, out);
    }

    @Override
    public FamfsPath resolve(Path other) {
        FamfsPath p = checkOrThrow(other);
        if (isEmptyPath() || p.absolute) {
            return p;
        }
        if (p.isEmptyPath()) {
            return this;
        }
        String[] joined = Arrays.copyOf(names, names.length + p.names.length);
        System.arraycopy(p.names, 0, joined, names.length, p.names.length);
        return new FamfsPath(fs, absolute, joined);
    }

    @Override
    public FamfsPath resolve(String other) {
        return resolve(parse(fs, other));
    }

    @Override
    public FamfsPath resolveSibling(Path other) {
        FamfsPath p = checkOrThrow(other);
        if (p.absolute) {
            return p;
        }
        FamfsPath parent = getParent();
        return parent == null ? p : parent.resolve(p);
    }

    @Override
    public FamfsPath resolveSibling(String other) {
        return resolveSibling(parse(fs, other));
    }

    /**
     * As the JDK's Unix paths do: when either path holds "." or "..", both are normalised first, and a base whose
     * remaining names hold ".." cannot be relativized (IllegalArgumentException), so that
     * {@code p.resolve(p.relativize(q))} always normalises to {@code q}.
     */
    @Override
    public FamfsPath relativize(Path other) {
        FamfsPath child = checkOrThrow(other);
        if (equals(child)) {
            return of(fs, false, List.of());
        }
        if (child.absolute != absolute) {
            throw new IllegalArgumentException("cannot relativize " + other + " against " + this
                    + ": one is absolute and the other is not");
        }
        if (isEmptyPath()) {
            return child;
        }
        FamfsPath base = this;
        if (base.hasDots() || child.hasDots()) {
            base = base.normalizeAll();
            child = child.normalizeAll();
        }
        int shared = 0;
        while (shared < Math.min(base.names.length, child.names.length)
                && base.names[shared].equals(child.names[shared])) {
            shared++;
        }
        List<String> rest = Arrays.asList(child.names).subList(shared, child.names.length);
        List<String> up = Arrays.asList(base.names).subList(shared, base.names.length);
        if (up.contains("..") || up.contains(".")) {
            throw new IllegalArgumentException("Unable to compute relative path from " + this + " to " + other);
        }
        List<String> out = new ArrayList<>();
        for (String name : up) {
            if (!name.isEmpty()) {
                out.add("..");
            }
        }
        out.addAll(rest);
        return of(fs, false, out);
    }

    /** normalize(), and "." too (which normalize() keeps, as jimfs does) becomes the empty path, as in the JDK. */
    private FamfsPath normalizeAll() {
        FamfsPath n = normalize();
        return n.names.length == 1 && !n.absolute && n.names[0].equals(".") ? of(fs, false, List.of()) : n;
    }

    private boolean hasDots() {
        for (String n : names) {
            if (n.equals(".") || n.equals("..")) {
                return true;
            }
        }
        return false;
    }

    @Override
    public FamfsPath toAbsolutePath() {
        return absolute ? this : fs.root().resolve(this);
    }

    /** The normalised absolute path; the file must exist (famfs has no links to follow). */
    @Override
    public FamfsPath toRealPath(LinkOption... options) throws IOException {
        fs.existing(this);
        return toAbsolutePath().normalize();
    }

    /**
     * {@code famfs:<device>!<absolute path>}, percent-encoded where URIs need it, with a trailing '/' when the
     * path is an existing directory (as the JDK's default provider writes it). Not normalised, as the JDK's:
     * {@code /file/..} names no file, and neither does its URI ({@code Path.of(p.toUri())} equals
     * {@code p.toAbsolutePath()}).
     */
    @Override
    public URI toUri() {
        return fs.toUri(toAbsolutePath());
    }

    @Override
    public File toFile() {
        throw new UnsupportedOperationException("a famfs path has no java.io.File: " + this
                + " lives in famfs device " + fs.devicePath());
    }

    /**
     * Registers this directory with a watch service of its file system ({@link FamfsFileSystem#newWatchService()}):
     * each file or directory published into it afterwards, by any process or host, is one {@code ENTRY_CREATE}
     * event (it catches up with the log first, whatever {@code refreshInterval} says, and makes the key before any
     * other replay: what the log held before is no event). The checks are the JDK's: unsupported kinds or
     * modifiers UnsupportedOperationException (SensitivityWatchEventModifier's are accepted and ignored), a closed
     * service ClosedWatchServiceException, a file NotDirectoryException, another provider's service
     * ProviderMismatchException.
     */
    @Override
    public WatchKey register(WatchService watcher, WatchEvent.Kind<?>[] events, WatchEvent.Modifier... modifiers)
            throws java.io.IOException {
        java.util.Objects.requireNonNull(watcher, "watcher");
        if (!(watcher instanceof FamfsWatchService w) || w.fileSystem() != fs) {
            throw new java.nio.file.ProviderMismatchException("not a watch service of " + fs);
        }
        return w.register(this, events, modifiers);
    }

    @Override
    public Iterator<Path> iterator() {
        return new Iterator<>() {
            private int i;

            @Override
            public boolean hasNext() {
                return i < names.length;
            }

            @Override
            public Path next() {
                if (i >= names.length) {
                    throw new NoSuchElementException();
                }
                return getName(i++);
            }
        };
    }

    /**
     * Orders as jimfs does: absolute paths before relative ones, then name by name ({@link String#compareTo}),
     * a path before the longer paths it is a prefix of. This is not the order of the strings: "a/b" comes
     * before "a-b" here although '/' sorts after '-'. Paths of different famfs file systems are ordered by
     * their device paths first. Throws {@link ClassCastException} for a path of another provider.
     */
    @Override
    public int compareTo(Path other) {
        FamfsPath p = (FamfsPath) other;
        if (p.fs != fs) {
            int c = fs.devicePath().toString().compareTo(p.fs.devicePath().toString());
            if (c != 0) {
                return c;
            }
        }
        if (absolute != p.absolute) {
            return absolute ? -1 : 1;
        }
        return Arrays.compare(names, p.names);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FamfsPath p && p.fs == fs && p.absolute == absolute && Arrays.equals(names, p.names);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(names) * 2 + (absolute ? 1 : 0);
    }

    @Override
    public String toString() {
        String s = string;
        if (s == null) {
            s = (absolute ? "/" : "") + String.join("/", names);
            string = s;
        }
        return s;
    }
}
