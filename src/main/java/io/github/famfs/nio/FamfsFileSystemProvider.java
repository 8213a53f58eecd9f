package io.github.famfs.nio;

import io.github.famfs.memory.DeviceInfo;
import io.github.famfs.meta.Node;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessMode;
import java.nio.file.CopyOption;
import java.nio.file.DirectoryStream;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.LinkOption;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.spi.FileSystemProvider;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The {@code famfs} scheme. URIs are {@code famfs:/dev/dax0.0} (or the absolute path of an image file) for a file
 * system, and {@code famfs:/dev/dax0.0!/dir/file} for a path in it. One file system per device (by real path);
 * the provider dispatches every operation to the path's file system.
 */
public final class FamfsFileSystemProvider extends FileSystemProvider {
    public static final String SCHEME = "famfs";

    private final Map<Path, FamfsFileSystem> open = new ConcurrentHashMap<>();

    @Override
    public String getScheme() {
        return SCHEME;
    }

    /**
     * The famfs URI of a device or image path: {@code famfs:/dev/dax0.0}. The device part is percent-encoded
     * where URIs need it, and its {@code !} characters too (as {@code %21}), so that the first raw {@code !/}
     * always separates the device from the path inside: {@code famfs:/images/x%21/prod.img!/dir/file}.
     */
    public static URI uri(Path device) {
        return uri(device.toAbsolutePath().toString(), null);
    }

    /** The URI of {@code inner} (an absolute famfs path, or null for the file system) on {@code device}. */
    static URI uri(String device, String inner) {
        StringBuilder raw = new StringBuilder(SCHEME).append(':').append(rawPath(device).replace("!", "%21"));
        if (inner != null) {
            raw.append('!').append(rawPath(inner));
        }
        try {
            return new URI(raw.toString());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("no famfs URI for " + device + ": " + e.getMessage(), e);
        }
    }

    /** {@code path} as the raw path of a URI: the characters URIs do not allow, and '%', percent-encoded. */
    private static String rawPath(String path) {
        try {
            return new URI(null, null, path, null).getRawPath();
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("no famfs URI for " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Decodes the percent-escapes of a raw URI path (UTF-8), and nothing else: the raw path is never parsed as a
     * URI again (that would read a leading "//name" as an authority and drop the name). A '%' not followed by two
     * hex digits, or escapes that are not UTF-8, are IllegalArgumentException.
     */
    static String decode(String rawPath) {
        if (rawPath.indexOf('%') < 0) {
            return rawPath;
        }
        StringBuilder out = new StringBuilder(rawPath.length());
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        int i = 0;
        while (i < rawPath.length()) {
            char c = rawPath.charAt(i);
            if (c != '%') {
                out.append(c);
                i++;
                continue;
            }
            bytes.reset();
            while (i < rawPath.length() && rawPath.charAt(i) == '%') {
                int hi = i + 2 < rawPath.length() ? Character.digit(rawPath.charAt(i + 1), 16) : -1;
                int lo = hi < 0 ? -1 : Character.digit(rawPath.charAt(i + 2), 16);
                if (lo < 0) {
                    throw new IllegalArgumentException("famfs URI path " + rawPath + " is malformed: '%' at index "
                            + i + " is not followed by two hex digits");
                }
                bytes.write(hi << 4 | lo);
                i += 3;
            }
            try {
                out.append(java.nio.charset.StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                        .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(bytes.toByteArray())));
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new IllegalArgumentException("famfs URI path " + rawPath + " is malformed: its percent-escapes"
                        + " are not UTF-8", e);
            }
        }
        return out.toString();
    }

    /** The device path and the path inside the file system that a famfs URI names. */
    private record Target(Path device, String inner) {}

    /**
     * Splits a famfs URI at the first raw {@code !/} (a {@code !} in the device's name is {@code %21}), then
     * decodes each side: the device is taken literally, whatever characters its name holds. The URL form (see
     * {@link FamfsURLStreamHandlerProvider}), whose first segment is the whole device path encoded ({@code
     * /%2F...}: a raw device path never starts so, its '%' being %25), splits at the end of that segment.
     */
    private static Target parse(URI uri) {
        if (!SCHEME.equalsIgnoreCase(uri.getScheme())) {
            throw new IllegalArgumentException("URI scheme of " + uri + " is not famfs");
        }
        String raw = uri.getRawPath();
        if (raw == null || !raw.startsWith("/") || uri.getRawAuthority() != null || uri.getRawQuery() != null
                || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("famfs URI " + uri + " must be famfs:/absolute/device/path"
                    + " (optionally followed by !/path/in/famfs; a '!' in the device path is written %21)");
        }
        if (raw.regionMatches(true, 0, FamfsURLStreamHandlerProvider.URL_DEVICE_START, 0, 4)) {
            int slash = raw.indexOf('/', 1);
            String dev = raw.substring(1, slash < 0 ? raw.length() : slash);
            return new Target(Path.of(decode(dev)), slash < 0 ? "/" : decode(raw.substring(slash)));
        }
        int bang = separator(raw);
        if (bang < 0) {
            String dev = raw.endsWith("!") ? raw.substring(0, raw.length() - 1) : raw;
            return new Target(Path.of(decode(dev)), "/");
        }
        return new Target(Path.of(decode(raw.substring(0, bang))), decode(raw.substring(bang + 1)));
    }

    /**
     * Where the device path ends in a raw famfs URI path: the first '!' followed by '/', or by "%2F" (how a famfs
     * URL writes the separator, see {@link FamfsURLStreamHandlerProvider}); -1 for none.
     */
    private static int separator(String raw) {
        for (int i = raw.indexOf('!'); i >= 0; i = raw.indexOf('!', i + 1)) {
            if (raw.startsWith("/", i + 1) || raw.regionMatches(true, i + 1, "%2F", 0, 3)) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public FamfsFileSystem newFileSystem(URI uri, Map<String, ?> env) throws IOException {
        Target t = parse(uri);
        Environment e = Environment.parse(env);
        Formatting.MadeImage made = e.create() ? Formatting.createImageIfAbsent(t.device(), e) : null;
        try {
            return register(FamfsDevices.probe(t.device()), e);
        } catch (IOException | RuntimeException | Error x) {
            if (made != null) {
                made.undo(x);
            }
            throw x;
        }
    }

    /**
     * Opens a famfs image file (or DAX device) named by a path of the default file system. A file that holds no
     * famfs (with {@code create=true}: one that holds something else, which famfs would not format without
     * {@code force=true}) gives UnsupportedOperationException, so that {@link FileSystems#newFileSystem(Path)}
     * can try the other providers.
     */
    @Override
    public FamfsFileSystem newFileSystem(Path path, Map<String, ?> env) throws IOException {
        if (path.getFileSystem() != FileSystems.getDefault()) {
            throw new UnsupportedOperationException("famfs devices and images are files of the default file system");
        }
        Environment e = Environment.parse(env);
        if (e.create() && e.deviceSize().isEmpty() && (!java.nio.file.Files.exists(path)
                || java.nio.file.Files.isRegularFile(path) && java.nio.file.Files.size(path) == 0)) {
            throw new UnsupportedOperationException("famfs makes an image file (or formats an empty one) only when"
                    + " given its deviceSize");
        }
        Formatting.MadeImage made = e.create() ? Formatting.createImageIfAbsent(path, e) : null;
        try {
            DeviceInfo info;
            try {
                info = DeviceInfo.probe(path);
            } catch (DeviceInfo.NotADeviceException ex) {
                throw new UnsupportedOperationException(ex.getMessage(), ex);
            }
            try {
                return register(info, e);
            } catch (NotFamfsException | NotBlankException ex) {
                throw new UnsupportedOperationException(ex.getMessage(), ex);
            }
        } catch (IOException | RuntimeException | Error x) {
            if (made != null) {
                made.undo(x);
            }
            throw x;
        }
    }

    /**
     * The famfs open in this JVM on {@code device} by any name (a hard link, another path, a name it was renamed to
     * since): the one whose device file (the file it opened) has {@code device}'s key (device and inode); null for
     * none.
     */
    FamfsFileSystem openOn(Path device) throws IOException {
        Object key = java.nio.file.Files.readAttributes(device, BasicFileAttributes.class).fileKey();
        for (FamfsFileSystem fs : open.values()) {
            try {
                if (key != null ? key.equals(fs.deviceKey()) : fs.devicePath().equals(device.toRealPath())) {
                    return fs;
                }
            } catch (IOException gone) {
                // its key cannot be read: another file
            }
        }
        return null;
    }

    private FamfsFileSystem register(DeviceInfo info, Environment env) throws IOException {
        synchronized (open) {
            if (open.containsKey(info.realPath()) || openOn(info.realPath()) != null) {
                throw new FileSystemAlreadyExistsException("famfs:" + info.realPath());
            }
            FamfsFileSystem fs = FamfsFileSystem.open(this, info, env);
            open.put(info.realPath(), fs);
            return fs;
        }
    }

    void unregister(FamfsFileSystem fs) {
        open.remove(fs.devicePath(), fs);
    }

    @Override
    public FamfsFileSystem getFileSystem(URI uri) {
        Target t = parse(uri);
        FamfsFileSystem fs = null;
        try {
            fs = open.get(t.device().toRealPath());
        } catch (IOException e) {
            // no such device: not open either
        }
        if (fs == null) {
            throw new FileSystemNotFoundException("no famfs is open on " + t.device());
        }
        return fs;
    }

    @Override
    public Path getPath(URI uri) {
        Target t = parse(uri);
        return getFileSystem(uri).getPath(t.inner());
    }

    static FamfsPath toFamfs(Path path) {
        if (path instanceof FamfsPath p) {
            return p;
        }
        throw new ProviderMismatchException(path + " is not a famfs path");
    }

    // ---- channels and streams

    /**
     * Opens a channel on an existing famfs file: for reading, or (a master's read-write file system, or a client's
     * opened with {@code clientWrites=true}) for writing in place. famfs files never grow, shrink or go away, so APPEND, TRUNCATE_EXISTING with WRITE, and
     * DELETE_ON_CLOSE are refused with the famfs rule.
     */
    @Override
    public FileChannel newFileChannel(Path path, Set<? extends OpenOption> options, FileAttribute<?>... attrs)
            throws IOException {
        FamfsPath p = toFamfs(path);
        FamfsFileSystem fs = p.getFileSystem();
        fs.ensureOpen();
        long fixedSize = -1;
        io.github.famfs.format.InterleaveParams interleave = null;
        boolean contiguous = false;
        for (OpenOption o : options) {
            if (o == null) {
                throw new NullPointerException("null open option"); // as the JDK's providers
            }
            if (o instanceof FamfsOption.Size size) {
                fixedSize = size.bytes();
            } else if (o instanceof FamfsOption.Interleave il) {
                interleave = il.params();
            } else if (o == FamfsOption.CONTIGUOUS) {
                contiguous = true;
            } else if (!(o instanceof StandardOpenOption) && o != LinkOption.NOFOLLOW_LINKS) {
                throw new UnsupportedOperationException("open option " + o + " is not supported by famfs");
            }
        }
        boolean write = options.contains(StandardOpenOption.WRITE) || options.contains(StandardOpenOption.APPEND);
        boolean read = options.contains(StandardOpenOption.READ) || !write;
        if (read && options.contains(StandardOpenOption.APPEND)) {
            throw new IllegalArgumentException("READ + APPEND not allowed");
        }
        if (options.contains(StandardOpenOption.APPEND) && options.contains(StandardOpenOption.TRUNCATE_EXISTING)) {
            throw new IllegalArgumentException("APPEND + TRUNCATE_EXISTING not allowed");
        }
        boolean createNew = options.contains(StandardOpenOption.CREATE_NEW);
        boolean create = createNew || options.contains(StandardOpenOption.CREATE);
        if (write) {
            fs.checkFilesWritable();
        }
        if (options.contains(StandardOpenOption.DELETE_ON_CLOSE)) {
            throw new FamfsRuleException(p.toString(), FamfsRuleException.NO_DELETE);
        }
        // one walk of the path for the whole open (a node, once found, stays: the namespace only grows)
        Node found = fs.lookup(p);
        boolean exists = found != null;
        if (write && createNew && exists) {
            throw new java.nio.file.FileAlreadyExistsException(p.toString());
        }
        if (write && create && !exists) {
            return fs.newFile(p, read, fixedSize, interleave, contiguous, attrs);
        }
        Node n = exists ? found : fs.existing(p); // not there: the exception that names why
        if (n.isDirectory()) {
            if (write) {
                throw new java.nio.file.FileSystemException(p.toString(), null, "Is a directory");
            }
            return DirectoryChannel.open(fs, p);
        }
        if (write && options.contains(StandardOpenOption.APPEND)) {
            throw new FamfsRuleException(p.toString(), FamfsRuleException.NO_TRUNCATE + " (APPEND writes past the end)");
        }
        if (write && options.contains(StandardOpenOption.TRUNCATE_EXISTING)) {
            throw new FamfsRuleException(p.toString(), FamfsRuleException.NO_TRUNCATE);
        }
        return fs.openChannel(p, n, read, write);
    }

    @Override
    public SeekableByteChannel newByteChannel(Path path, Set<? extends OpenOption> options,
            FileAttribute<?>... attrs) throws IOException {
        return newFileChannel(path, options, attrs);
    }

    /**
     * An asynchronous channel over the famfs channel that {@link #newFileChannel} opens with the same options: its
     * operations run on {@code executor} (or on a shared pool of daemon threads when null), as the JDK's default
     * provider runs them on its pool. APPEND is refused, as the JDK refuses it.
     */
    @Override
    public java.nio.channels.AsynchronousFileChannel newAsynchronousFileChannel(Path path,
            Set<? extends OpenOption> options, java.util.concurrent.ExecutorService executor,
            FileAttribute<?>... attrs) throws IOException {
        if (options.contains(StandardOpenOption.APPEND)) {
            throw new UnsupportedOperationException("APPEND not allowed");
        }
        // every famfs channel (a file, a new file, a directory) is a PositionalChannel
        return new FamfsAsynchronousChannel((PositionalChannel) newFileChannel(path, options, attrs), executor);
    }

    /**
     * As {@link FileSystemProvider#newOutputStream} (the same options, the same checks), except that a new file's
     * stream, like the JDK's default provider's streams, is not interruptible: an interrupt of the writing thread
     * does not close it (its channel would, as the JDK's FileChannel does). On an image file a new file's stream
     * (size not fixed) gathers small writes into 1 MiB ones ({@code GatheringOutputStream}): a failure (out of space)
     * then surfaces from the write, {@code flush} or {@code close} that sends the gathered bytes, and the file is not
     * published.
     */
    @Override
    public java.io.OutputStream newOutputStream(Path path, OpenOption... options) throws IOException {
        Set<OpenOption> opts;
        if (options.length == 0) {
            opts = Set.of(StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        } else {
            opts = new java.util.HashSet<>();
            for (OpenOption o : options) {
                if (o == StandardOpenOption.READ) {
                    throw new IllegalArgumentException("READ not allowed");
                }
                opts.add(o);
            }
            opts.add(StandardOpenOption.WRITE);
        }
        FileChannel ch = newFileChannel(path, opts);
        if (ch instanceof NewFileChannel n) {
            n.uninterruptible();
        }
        return outputStream(ch);
    }

    /**
     * A stream writing through {@code ch}: a new file's small writes gathered into large ones where each write would
     * be a system call ({@link GatheringOutputStream}).
     */
    static java.io.OutputStream outputStream(FileChannel ch) {
        if (ch instanceof NewFileChannel n && n.gathersStreamWrites()) {
            return new GatheringOutputStream(n);
        }
        return java.nio.channels.Channels.newOutputStream(ch);
    }

    @Override
    public InputStream newInputStream(Path path, OpenOption... options) throws IOException {
        for (OpenOption o : options) {
            if (o == StandardOpenOption.APPEND || o == StandardOpenOption.WRITE) {
                throw new UnsupportedOperationException("'" + o + "' not allowed for an input stream");
            }
        }
        FileChannel ch = newFileChannel(path, Set.of(options));
        return ch instanceof FamfsFileChannel f ? new FamfsInputStream(f) : java.nio.channels.Channels.newInputStream(ch);
    }

    @Override
    public DirectoryStream<Path> newDirectoryStream(Path dir, DirectoryStream.Filter<? super Path> filter)
            throws IOException {
        FamfsPath p = toFamfs(dir);
        java.util.Objects.requireNonNull(filter, "filter");
        p.getFileSystem().refresher().onMiss(); // a listing shows what was published since (once per interval)
        return new FamfsDirectoryStream(p, p.getFileSystem().directory(p), filter);
    }

    // ---- what famfs cannot do, or cannot do yet

    /** Makes a directory (one MKDIR entry); mode 0755 and this process's ids unless attributes say otherwise. */
    @Override
    public void createDirectory(Path dir, FileAttribute<?>... attrs) throws IOException {
        FamfsPath p = toFamfs(dir);
        p.getFileSystem().createDirectory(p, attrs);
    }

    @Override
    public void delete(Path path) throws IOException {
        FamfsPath p = toFamfs(path);
        p.getFileSystem().checkWritable();
        p.getFileSystem().existing(p);
        throw new FamfsRuleException(p.toString(), FamfsRuleException.NO_DELETE);
    }

    /**
     * Copies a famfs file to a new famfs path (the size is known: one allocation, one copy), or a directory as an
     * empty directory, as the JDK does. A copy onto itself does nothing; an existing target is
     * FileAlreadyExistsException, or with REPLACE_EXISTING the famfs rule (nothing is ever replaced).
     */
    @Override
    public void copy(Path source, Path target, CopyOption... options) throws IOException {
        FamfsPath s = toFamfs(source);
        FamfsPath t = toFamfs(target);
        boolean replace = false;
        boolean copyAttributes = false;
        for (CopyOption o : options) {
            if (o == java.nio.file.StandardCopyOption.REPLACE_EXISTING) {
                replace = true;
            } else if (o == java.nio.file.StandardCopyOption.COPY_ATTRIBUTES) {
                copyAttributes = true;
            } else if (o != LinkOption.NOFOLLOW_LINKS) {
                throw new UnsupportedOperationException(o == null ? "null copy option"
                        : "Unsupported copy option: " + o);
            }
        }
        t.getFileSystem().checkWritable();
        io.github.famfs.meta.Node from = s.getFileSystem().existing(s);
        if (t.getFileSystem().lookup(t) != null) {
            if (isSameFile(s, t)) {
                return;
            }
            if (!replace) {
                throw new java.nio.file.FileAlreadyExistsException(t.toString());
            }
            throw new FamfsRuleException(t.toString(), FamfsRuleException.NO_DELETE + " (REPLACE_EXISTING would"
                    + " replace it)");
        }
        if (from.isDirectory()) {
            FileAttribute<?>[] attrs = copyAttributes ? new FileAttribute<?>[] {
                java.nio.file.attribute.PosixFilePermissions.asFileAttribute(NodeAttributes.permissions(from.mode()))}
                    : new FileAttribute<?>[0];
            createDirectory(t, attrs);
            return;
        }
        FamfsFiles.copy(s, t);
    }

    @Override
    public void move(Path source, Path target, CopyOption... options) throws IOException {
        FamfsPath s = toFamfs(source);
        s.getFileSystem().checkWritable();
        s.getFileSystem().existing(s);
        if (target instanceof FamfsPath t && t.getFileSystem() == s.getFileSystem()
                && s.getFileSystem().lookup(t) != null && isSameFile(s, t)) {
            return; // a move onto itself moves nothing, as in the JDK
        }
        throw new FamfsRuleException(s.toString(), FamfsRuleException.NO_MOVE);
    }

    @Override
    public void createSymbolicLink(Path link, Path target, FileAttribute<?>... attrs) throws IOException {
        toFamfs(link).getFileSystem().checkWritable();
        throw new UnsupportedOperationException("famfs has no symbolic links: the log records files and"
                + " directories only");
    }

    @Override
    public void createLink(Path link, Path existing) throws IOException {
        toFamfs(link).getFileSystem().checkWritable();
        throw new UnsupportedOperationException("famfs has no hard links: each log entry names one path");
    }

    // ---- queries

    @Override
    public boolean isSameFile(Path path, Path path2) throws IOException {
        FamfsPath a = toFamfs(path);
        if (a.equals(path2)) {
            return true;
        }
        if (!(path2 instanceof FamfsPath b) || b.getFileSystem() != a.getFileSystem()) {
            return false;
        }
        return a.toRealPath().equals(b.toRealPath());
    }

    @Override
    public boolean isHidden(Path path) throws IOException {
        FamfsPath p = toFamfs(path);
        p.getFileSystem().existing(p);
        FamfsPath name = p.toAbsolutePath().normalize().getFileName();
        return name != null && name.toString().startsWith(".");
    }

    @Override
    public FileStore getFileStore(Path path) throws IOException {
        FamfsPath p = toFamfs(path);
        p.getFileSystem().existing(p);
        return p.getFileSystem().store();
    }

    @Override
    public void checkAccess(Path path, AccessMode... modes) throws IOException {
        FamfsPath p = toFamfs(path);
        p.getFileSystem().checkAccess(p, modes);
    }

    @Override
    @SuppressWarnings("unchecked")
    public <V extends FileAttributeView> V getFileAttributeView(Path path, Class<V> type, LinkOption... options) {
        FamfsPath p = toFamfs(path);
        if (type == BasicFileAttributeView.class || type == PosixFileAttributeView.class
                || type == FileOwnerAttributeView.class || type == FamfsFileAttributeView.class) {
            String name = type == BasicFileAttributeView.class ? "basic"
                    : type == PosixFileAttributeView.class ? "posix"
                    : type == FileOwnerAttributeView.class ? "owner" : "famfs";
            return (V) new View(p, name);
        }
        return null;
    }

    @Override
    @SuppressWarnings("unchecked")
    public <A extends BasicFileAttributes> A readAttributes(Path path, Class<A> type, LinkOption... options)
            throws IOException {
        if (type == BasicFileAttributes.class || type == PosixFileAttributes.class
                || type == FamfsFileAttributes.class) {
            return (A) attributes(toFamfs(path));
        }
        throw new UnsupportedOperationException("famfs has no attributes of " + type.getName());
    }

    private static NodeAttributes attributes(FamfsPath p) throws IOException {
        FamfsFileSystem fs = p.getFileSystem();
        return new NodeAttributes(fs, p, fs.stat(p));
    }

    @Override
    public Map<String, Object> readAttributes(Path path, String attributes, LinkOption... options)
            throws IOException {
        int colon = attributes.indexOf(':');
        String view = colon < 0 ? "basic" : attributes.substring(0, colon);
        String names = colon < 0 ? attributes : attributes.substring(colon + 1);
        FamfsPath p = toFamfs(path);
        NodeAttributes.checkNames(view, names);
        return attributes(p).toMap(view, names);
    }

    /**
     * Sets an attribute as far as famfs can: times are accepted and ignored (famfs stores none, as
     * {@link View#setTimes} does), owner, group, permissions and mode are the famfs rule (entries are never
     * rewritten). An unknown view is UnsupportedOperationException, an unknown attribute IllegalArgumentException
     * and a value of the wrong type ClassCastException, as the JDK has them.
     */
    @Override
    public void setAttribute(Path path, String attribute, Object value, LinkOption... options) throws IOException {
        FamfsPath p = toFamfs(path);
        int colon = attribute.indexOf(':');
        String view = colon < 0 ? "basic" : attribute.substring(0, colon);
        String name = colon < 0 ? attribute : attribute.substring(colon + 1);
        if (!FamfsFileSystem.VIEWS.contains(view)) {
            throw new UnsupportedOperationException("View '" + view + "' not available");
        }
        boolean times = !view.equals("owner") && (name.equals("lastModifiedTime") || name.equals("lastAccessTime")
                || name.equals("creationTime"));
        boolean posix = !view.equals("basic") && !view.equals("owner");
        boolean unix = view.equals("unix") || view.equals("famfs");
        if (times) {
            FileTime unused = (FileTime) value;
        } else if (posix && name.equals("permissions")) {
            Set<?> unused = (Set<?>) value;
        } else if ((posix || view.equals("owner")) && name.equals("owner")) {
            UserPrincipal unused = (UserPrincipal) value;
        } else if (posix && name.equals("group")) {
            GroupPrincipal unused = (GroupPrincipal) value;
        } else if (unix && (name.equals("mode") || name.equals("uid") || name.equals("gid"))) {
            Integer unused = (Integer) value;
        } else {
            throw new IllegalArgumentException("'" + view + ":" + name + "' not recognized");
        }
        p.getFileSystem().checkWritable();
        p.getFileSystem().existing(p);
        if (!times) {
            throw new FamfsRuleException(p.toString(), FamfsRuleException.NO_METADATA_CHANGE);
        }
    }

    /** The basic, owner, posix and famfs views of one path; every setter throws. */
    private static final class View implements FamfsFileAttributeView {
        private final FamfsPath path;
        private final String name;

        View(FamfsPath path, String name) {
            this.path = path;
            this.name = name;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public FamfsFileAttributes readAttributes() throws IOException {
            return attributes(path);
        }

        private void refuse() throws IOException {
            path.getFileSystem().checkWritable();
            path.getFileSystem().existing(path);
            throw new FamfsRuleException(path.toString(), FamfsRuleException.NO_METADATA_CHANGE);
        }

        /**
         * famfs stores no times (they read as the moment the file system was opened), so there is nothing to
         * set: accepted and ignored, which lets {@code Files.copy(..., COPY_ATTRIBUTES)} copy into famfs.
         */
        @Override
        public void setTimes(FileTime lastModifiedTime, FileTime lastAccessTime, FileTime createTime)
                throws IOException {
            path.getFileSystem().checkWritable();
            path.getFileSystem().existing(path);
        }

        @Override
        public void setPermissions(Set<PosixFilePermission> perms) throws IOException {
            refuse();
        }

        @Override
        public void setGroup(GroupPrincipal group) throws IOException {
            refuse();
        }

        @Override
        public UserPrincipal getOwner() throws IOException {
            return readAttributes().owner();
        }

        @Override
        public void setOwner(UserPrincipal owner) throws IOException {
            refuse();
        }
    }
}
