package io.github.famfs.nio;

import io.github.famfs.alloc.Allocator;
import io.github.famfs.format.FamfsProblem;
import io.github.famfs.format.FileMap;
import io.github.famfs.format.FormatException;
import io.github.famfs.format.InterleaveParams;
import io.github.famfs.format.Layout;
import io.github.famfs.format.Superblock;
import io.github.famfs.memory.CacheLines;
import io.github.famfs.memory.Device;
import io.github.famfs.memory.DeviceInfo;
import io.github.famfs.memory.LibraryLog;
import io.github.famfs.memory.Lifecycle;
import io.github.famfs.meta.DirNode;
import io.github.famfs.meta.FileNode;
import io.github.famfs.meta.LogReplay;
import io.github.famfs.meta.LogWriter;
import io.github.famfs.meta.Namespace;
import io.github.famfs.meta.Node;
import io.github.famfs.nio.Environment.AccessMode;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.AccessDeniedException;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.nio.file.PathMatcher;
import java.nio.file.WatchService;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * A famfs opened on a DAX device or image file: the device mapped once, the log replayed into a namespace that
 * only grows, and the operations of the provider served from them. The namespace follows the log: {@link #refresh()},
 * lookups that miss (env key {@code refreshInterval}) and watch services ({@link #newWatchService()}) replay what
 * other processes and hosts appended since. The host whose system UUID is the superblock's is the master; every
 * other host is a client and gets a read-only file system (with {@code clientWrites=true}, one whose existing
 * files it may write in place).
 */
public final class FamfsFileSystem extends FileSystem {
    static final Set<String> VIEWS = Set.of("basic", "owner", "posix", "unix", "famfs");
    private static final int LOGGED_PROBLEMS = 20;

    private final FamfsFileSystemProvider provider;
    private final DeviceInfo info;
    private final Device device;
    /**
     * The replayed namespace, and the master's writer (which holds the replay): both dropped once the file system
     * is closed, so that a Path kept after the close (it references its file system, as the JDK's paths do)
     * keeps none of the namespace reachable. Read through {@link #namespace()} and {@link #writer()}.
     */
    private volatile Namespace namespace;
    private final Superblock superblock;
    private final long deviceLimit;
    /** The counts of the last replay, kept when the namespace is released (for the file store's free space). */
    private volatile Namespace.Stats closedStats;
    private final ByteBuffer log;
    private final boolean master;
    private final boolean readOnly;
    private final FileTime openTime = FileTime.from(Instant.now());
    private final FamfsPath root;
    private final FamfsFileStore store;
    /** Where channels, pending files and every use of the device register; see {@link #close()}. */
    private final Lifecycle lifecycle;
    private volatile FamfsMaster writer;
    private final InterleaveParams defaultInterleave;
    private final FamfsFileLocks fileLocks = new FamfsFileLocks();
    /** Whether existing files may be written in place: a read-write master, or a client with clientWrites. */
    private final boolean filesWritable;
    private final Refresher refresher;

    static {
        // the library's packages above nio (pcq) find a file system's lifecycle through memory's Lifecycle.of
        Lifecycle.lookup(o -> o instanceof FamfsFileSystem fs ? fs.lifecycle : null);
    }

    private FamfsFileSystem(FamfsFileSystemProvider provider, DeviceInfo info, Device device, Namespace namespace,
            ByteBuffer log, boolean master, boolean readOnly, FamfsMaster writer, InterleaveParams interleave,
            LogFollower follower, LiveOptions live) {
        this.writer = writer;
        this.defaultInterleave = interleave;
        this.provider = provider;
        this.info = info;
        this.device = device;
        this.namespace = namespace;
        this.superblock = namespace.superblock();
        this.deviceLimit = namespace.deviceLimit();
        this.log = log;
        this.master = master;
        this.readOnly = readOnly;
        this.root = FamfsPath.of(this, true, List.of());
        this.store = new FamfsFileStore(this);
        this.lifecycle = device.lifecycle();
        this.filesWritable = !readOnly || live.clientWrites() && device.isWritable();
        this.refresher = new Refresher(this, device, follower, live);
    }

    /** Opens, validates and replays the famfs on {@code info}'s device (formatting it first when asked). */
    static FamfsFileSystem open(FamfsFileSystemProvider provider, DeviceInfo info, Environment env)
            throws IOException {
        env.checkInterleave(info.size()); // before anything is formatted
        if (env.create()) {
            Formatting.formatIfNeeded(info, env);
        }
        if (env.coherence() == Environment.Coherence.SOFTWARE && !CacheLines.isAvailable()) {
            throw new IOException(info.path() + ": coherence=software needs famfs-nio's native cache-line helper,"
                    + " which did not load (" + CacheLines.failure() + "); use coherence=hardware on cache-coherent"
                    + " memory");
        }
        String[] why = {null};
        Optional<UUID> host = HostIdentity.systemUuid(env, why);
        if (info.size() < Layout.SUPERBLOCK_SIZE) {
            throw new NotFamfsException(info.path() + " holds " + info.size() + " bytes, too few for a famfs"
                    + " superblock", null);
        }
        // The read-only mapping that reads the superblock is kept as the device of a read-only file system;
        // only a read-write one needs a second, writable mapping.
        Device probe = Device.open(info, false);
        Superblock sb;
        AccessMode mode;
        boolean master;
        try {
            sb = readSuperblock(probe);
            master = host.isPresent() && host.get().equals(sb.systemUuid());
            mode = env.accessMode().orElse(
                    master && Files.isWritable(info.realPath()) ? AccessMode.READ_WRITE : AccessMode.READ_ONLY);
            if (mode == AccessMode.READ_WRITE && !master) {
                throw new AccessDeniedException(info.path().toString(), null, "accessMode readWrite refused: this host"
                        + " is a famfs client (its system UUID is " + host.map(UUID::toString).orElse("unknown, " + why[0])
                        + "; the master's, in the superblock, is " + sb.systemUuid() + "); a client's famfs is read-only");
            }
            if (env.live().clientWrites() && !master && !Files.isWritable(info.realPath())) {
                throw new AccessDeniedException(info.path().toString(), null, "clientWrites refused: the device is"
                        + " not writable by this process");
            }
            if (mode == AccessMode.READ_WRITE && !Files.isWritable(info.realPath())) {
                throw new AccessDeniedException(info.path().toString(), null, "accessMode readWrite refused: the device"
                        + " is not writable by this process");
            }
            if (info.size() < sb.dataStart()) {
                throw new FormatException("device " + info.path() + " is truncated: it holds " + info.size()
                        + " bytes but its superblock and log take " + sb.dataStart());
            }
            if (sb.logLen() > Integer.MAX_VALUE) {
                throw new FormatException("log length " + sb.logLen() + " is beyond what famfs-nio reads (2 GiB)");
            }
        } catch (IOException | RuntimeException e) {
            probe.close();
            throw e;
        }
        Device device = probe;
        boolean clientWrites = env.live().clientWrites() && !master;
        if (mode == AccessMode.READ_WRITE || clientWrites) {
            probe.close();
            device = Device.open(info, true);
        }
        device.maintainData(env.coherence() == Environment.Coherence.SOFTWARE);
        try {
            device.acquire();
            LogReplay.Result result;
            ByteBuffer log;
            LogFollower follower;
            try {
                Superblock again = readSuperblock(device);
                if (!again.equals(sb)) {
                    throw new FormatException("the superblock of " + info.path() + " changed while it was opened");
                }
                log = device.slice(Layout.LOG_OFFSET, (int) sb.logLen());
                try {
                    result = LogReplay.replay(sb, log, info.size(), device.cacheMaintenance());
                } catch (FormatException e) {
                    throw new FormatException(info.path() + ": " + e.getMessage());
                }
                follower = new LogFollower(device, result.replayer());
            } finally {
                device.release();
            }
            FamfsMaster writer = null;
            if (mode == AccessMode.READ_WRITE) {
                writer = new FamfsMaster(device, follower, new LogWriter(log, device.cacheMaintenance()),
                        new Allocator(result.bitmap(), result.namespace().deviceLimit()));
            }
            FamfsFileSystem fs = new FamfsFileSystem(provider, info, device, result.namespace(), log, master,
                    mode == AccessMode.READ_ONLY, writer, env.interleave().orElse(null), follower, env.live());
            fs.reportProblems();
            return fs;
        } catch (IOException | RuntimeException e) {
            device.close();
            throw e;
        }
    }

    private static Superblock readSuperblock(Device device) throws IOException {
        device.acquire();
        try {
            ByteBuffer raw = ByteBuffer.allocate(Layout.SUPERBLOCK_SIZE);
            device.invalidateCaches(0, Layout.SUPERBLOCK_SIZE);
            device.copyTo(0, raw, Layout.SUPERBLOCK_SIZE);
            raw.flip();
            Superblock sb = Superblock.decode(raw);
            if (!sb.hasMagic()) {
                String m = String.format("%s holds no famfs: superblock magic 0x%x (expected 0x%x)",
                        device.info().path(), sb.magic(), Layout.SUPER_MAGIC);
                throw new NotFamfsException(m, null);
            }
            try {
                sb.validate(raw);
            } catch (FormatException e) {
                throw new FormatException(device.info().path() + ": " + e.getMessage());
            }
            return sb;
        } finally {
            device.release();
        }
    }

    private void reportProblems() {
        List<FamfsProblem> problems = namespace().problems();
        if (problems.isEmpty()) {
            return;
        }
        LibraryLog.get().log(System.Logger.Level.WARNING,
                "famfs {0}: {1} replay problem(s)", info.path(), problems.size());
        for (int i = 0; i < Math.min(problems.size(), LOGGED_PROBLEMS); i++) {
            LibraryLog.get().log(System.Logger.Level.WARNING, "famfs {0}: {1}", info.path(), problems.get(i));
        }
        if (problems.size() > LOGGED_PROBLEMS) {
            LibraryLog.get().log(System.Logger.Level.WARNING, "famfs {0}: and {1} more (see the file store attribute"
                    + " famfs:problems)", info.path(), problems.size() - LOGGED_PROBLEMS);
        }
    }

    // ---- state shared with the provider, paths, channels and attributes

    /** The namespace; {@link ClosedFileSystemException} once the file system is closed and it was released. */
    Namespace namespace() {
        Namespace ns = namespace;
        if (ns == null) {
            throw new ClosedFileSystemException();
        }
        return ns;
    }

    /** Device bytes that extents may use (see {@link Namespace#deviceLimit}); known after the close too. */
    long deviceLimit() {
        return deviceLimit;
    }

    DeviceInfo deviceInfo() {
        return info;
    }

    /** The identity of the device file this file system opened (see {@link Device#fileKey}). */
    Object deviceKey() throws IOException {
        return device.fileKey();
    }

    /** The device's real path: the file system's identity within this JVM. */
    Path devicePath() {
        return info.realPath();
    }

    boolean isMaster() {
        return master;
    }

    FileTime openTime() {
        return openTime;
    }

    UUID superblockUuid() {
        return superblock.uuid();
    }

    /** The byte-range locks of this file system's channels. */
    FamfsFileLocks fileLocks() {
        return fileLocks;
    }

    FamfsPath root() {
        return root;
    }

    /** Throws {@link ClosedFileSystemException} once closing has begun. */
    void ensureOpen() {
        lifecycle.checkOpen();
    }

    Lifecycle lifecycle() {
        return lifecycle;
    }

    void checkWritable() {
        ensureOpen();
        if (readOnly) {
            throw new java.nio.file.ReadOnlyFileSystemException();
        }
    }

    /**
     * For opening an existing file for writing in place: a read-write master's, or (env {@code clientWrites}) a
     * client's file system; else ReadOnlyFileSystemException.
     */
    void checkFilesWritable() {
        ensureOpen();
        if (!filesWritable) {
            throw new java.nio.file.ReadOnlyFileSystemException();
        }
    }

    /**
     * The node at {@code path} (any path of this file system), or null. Names are looked up one by one as Linux
     * does: ".." of a directory is its parent, and a name under a file finds nothing ({@code /file/..} is
     * ENOTDIR, not the root).
     */
    Node lookup(FamfsPath path) throws IOException {
        return walk(path, null);
    }

    /**
     * {@link #walkNow}; when it finds nothing, catches up with the log first (at most once per refresh interval,
     * see {@link Refresher#onMiss}) and walks again.
     */
    private Node walk(FamfsPath path, boolean[] underFile) throws IOException {
        Node n = walkNow(path, underFile);
        if (n == null && refresher.onMiss()) {
            if (underFile != null) {
                underFile[0] = false;
            }
            n = walkNow(path, underFile);
        }
        return n;
    }

    private Node walkNow(FamfsPath path, boolean[] underFile) throws IOException {
        ensureOpen();
        refresher.checkNotStale();
        String[] names = path.toAbsolutePath().names();
        Node n = namespace().root();
        for (int i = 0; i < names.length; i++) {
            if (!(n instanceof DirNode d)) {
                if (underFile != null) {
                    underFile[0] = true;
                }
                return null;
            }
            String name = names[i];
            if (name.equals(".") || name.equals("..")) {
                return walkDots(names, underFile);
            }
            n = d.child(name);
            if (n == null) {
                return null;
            }
        }
        return n;
    }

    /** The slow path of {@link #walk}, for names with "." or "..": keeps the directories walked through. */
    private Node walkDots(String[] names, boolean[] underFile) {
        java.util.ArrayDeque<DirNode> parents = new java.util.ArrayDeque<>();
        Node n = namespace().root();
        for (String name : names) {
            if (!(n instanceof DirNode d)) {
                if (underFile != null) {
                    underFile[0] = true;
                }
                return null;
            }
            if (name.equals(".")) {
                continue;
            }
            if (name.equals("..")) {
                n = parents.isEmpty() ? d : parents.pop();
                continue;
            }
            parents.push(d);
            n = d.child(name);
            if (n == null) {
                return null;
            }
        }
        return n;
    }

    /** The node at {@code path}: NoSuchFileException, or (a name under a file) "Not a directory" as Linux says. */
    Node existing(FamfsPath path) throws IOException {
        boolean[] underFile = {false};
        Node n = walk(path, underFile);
        if (n == null) {
            if (underFile[0]) {
                throw new java.nio.file.FileSystemException(path.toString(), null, "Not a directory");
            }
            throw new NoSuchFileException(path.toString());
        }
        return n;
    }

    /**
     * The node at {@code path} for its attributes or access: a name under a file is NoSuchFileException ("Not a
     * directory"), as stat(2) and access(2) through the JDK report it since JDK 25 (JDK 17 reports a plain
     * FileSystemException; NoSuchFileException is one too).
     */
    Node stat(FamfsPath path) throws IOException {
        boolean[] underFile = {false};
        Node n = walk(path, underFile);
        if (n == null) {
            throw new NoSuchFileException(path.toString(), null, underFile[0] ? "Not a directory" : null);
        }
        return n;
    }

    DirNode directory(FamfsPath path) throws IOException {
        boolean[] underFile = {false};
        Node n = walk(path, underFile);
        if (n == null && !underFile[0]) {
            throw new NoSuchFileException(path.toString());
        }
        if (!(n instanceof DirNode d)) {
            throw new NotDirectoryException(path.toString());
        }
        return d;
    }

    interface LogReader<T> {
        T read(ByteBuffer log) throws IOException;
    }

    /** Runs {@code reader} over the device's log bytes (read-only view) while the device cannot close. */
    <T> T readLog(LogReader<T> reader) throws IOException {
        refresher.checkNotStale();
        device.acquire();
        try {
            return reader.read(log.asReadOnlyBuffer().order(java.nio.ByteOrder.LITTLE_ENDIAN));
        } finally {
            device.release();
        }
    }

    FileMap fileMap(FileNode file, FamfsPath path) throws IOException {
        return fileMap(file, path, false);
    }

    /**
     * The map of {@code file}; {@code forWrite}: the map that writes in place may use (a channel opened for
     * writing, a READ_WRITE map), after checking that the device still holds this famfs (its image size,
     * superblock, log header and last replayed entry, as a refresh does first) and reading the file's entry again,
     * so that no cached map sends bytes into a device that another process reformatted and filled since
     * (FamfsStaleException then). A writable channel opened before such a reformat is not checked again per write.
     */
    FileMap fileMap(FileNode file, FamfsPath path, boolean forWrite) throws IOException {
        refresher.checkNotStale();
        if (forWrite) {
            refresher.checkSameFamfs();
        } else {
            FileMap cached = Namespace.cachedFileMap(file, path.toString());
            if (cached != null) {
                return cached; // decoded and checked before: no log read, so no entry on the device
            }
        }
        device.acquire();
        try {
            return namespace().fileMap(file, log, path.toString(), forWrite);
        } finally {
            device.release();
        }
    }

    /** The file store attribute {@code famfs:coherence}: the mode and the instructions it uses. */
    String coherence() {
        String how = CacheLines.describe();
        if (device.maintainsData()) {
            return "software: metadata and file data; " + how;
        }
        return device.maintainsCaches() ? "hardware: metadata only (file data left to the memory system); " + how
                : "hardware: an image file, memory of this host and coherent: fences only; " + how;
    }

    /**
     * Writes back ({@code flush}) or invalidates the CPU cache lines of bytes {@code [position, position+length)}
     * of the file at {@code path}, over every device range that holds them (see {@link FamfsCaches}).
     */
    void maintainCaches(FamfsPath path, long position, long length, boolean flush) throws IOException {
        Node n = existing(path);
        if (n.isDirectory()) {
            throw new java.nio.file.FileSystemException(path.toString(), null, "is a directory");
        }
        FileNode f = (FileNode) n;
        if (position < 0 || length < 0 || position > f.size() - length) {
            throw new IndexOutOfBoundsException("range [" + position + ", " + (position + length) + ") is outside "
                    + path + " (" + f.size() + " bytes)");
        }
        FileMap map = fileMap(f, path);
        device.acquire();
        try {
            map.visit(position, length, (fo, devOff, len) -> {
                if (flush) {
                    device.flushCaches(devOff, len);
                } else {
                    device.invalidateCaches(devOff, len);
                }
            });
        } finally {
            device.release();
        }
    }

    /** Opens a channel on an existing file (the options were checked by the provider). */
    /** A channel over the file {@code n}, the node that a lookup of {@code path} found (nodes are never replaced). */
    FamfsFileChannel openChannel(FamfsPath path, Node n, boolean readable, boolean writable) throws IOException {
        if (n.isDirectory()) {
            throw new java.nio.file.FileSystemException(path.toString(), null, "is a directory");
        }
        FileNode f = (FileNode) n;
        FamfsFileChannel ch = ChannelFactory.create(this, path, f, fileMap(f, path, writable), device, readable,
                writable);
        try {
            lifecycle.register(ch, ch::closeWithFileSystem);
        } catch (ClosedFileSystemException e) {
            ch.close();
            throw e;
        }
        return ch;
    }

    void channelClosed(FamfsFileChannel ch) {
        lifecycle.unregister(ch);
    }

    void checkAccess(FamfsPath path, java.nio.file.AccessMode... modes) throws IOException {
        Node n = stat(path);
        for (java.nio.file.AccessMode m : modes) {
            if (m == java.nio.file.AccessMode.WRITE && (readOnly && (!filesWritable || n.isDirectory()))) {
                throw new AccessDeniedException(path.toString(), null, filesWritable
                        ? "a famfs client writes existing files in place only (clientWrites); only the master makes"
                        + " entries in directories" : "read-only famfs" + (master ? "" : " (this host is a client)"));
            }
            if (m == java.nio.file.AccessMode.EXECUTE && (n.mode() & 0111) == 0) {
                throw new AccessDeniedException(path.toString(), null, "no execute permission (mode "
                        + Integer.toOctalString(n.mode()) + ")");
            }
        }
    }

    /**
     * The URI of {@code absolute}; as the JDK's default provider, with a trailing '/' when it is an existing
     * directory (looked up now; a closed file system, or a path that cannot be looked up, gets none).
     */
    URI toUri(FamfsPath absolute) {
        String inner = absolute.toString();
        if (!inner.endsWith("/")) {
            try {
                if (lookup(absolute) instanceof DirNode) {
                    inner += "/";
                }
            } catch (IOException | RuntimeException notLookedUp) {
                // no trailing '/': the URI still names the path
            }
        }
        return FamfsFileSystemProvider.uri(devicePath().toString(), inner);
    }

    // ---- the master's operations

    private FamfsMaster writer() {
        checkWritable();
        FamfsMaster w = writer;
        if (w == null) {
            throw new ClosedFileSystemException();
        }
        return w;
    }

    /**
     * Registers a file being made; when the file system closes first, {@code a} is discarded (nothing published;
     * its channel's close then throws, see {@link NewFileChannel}).
     *
     * @throws ClosedFileSystemException when closing has begun
     */
    void pendingStarted(NewFileChannel.Allocation a) {
        lifecycle.register(a, a::discardWithFileSystem);
    }

    void pendingFinished(NewFileChannel.Allocation a) {
        lifecycle.unregister(a);
    }

    /** Longest relative path famfs-nio writes (the reference stores 79 bytes and asserts below that). */
    static final int MAX_WRITTEN_RELPATH = 78;

    /**
     * Checks that {@code path} can be made now: not the root, parent an existing directory, name free, and a
     * relative path famfs can store. Returns that relative path.
     */
    String checkCanCreate(FamfsPath path) throws IOException {
        FamfsPath given = path.toAbsolutePath().getParent();
        boolean[] underFile = {false};
        Node parentAsGiven = given == null ? namespace().root() : walk(given, underFile);
        if (parentAsGiven != null && !parentAsGiven.isDirectory() || underFile[0]) {
            throw new java.nio.file.FileSystemException(path.toString(), null, "Not a directory: parent " + given
                    + " is not a directory");
        }
        if (parentAsGiven == null) {
            throw new NoSuchFileException(path.toString(), null, "parent directory " + given + " does not exist");
        }
        FamfsPath abs = path.toAbsolutePath().normalize();
        if (abs.getNameCount() == 0) {
            throw new java.nio.file.FileAlreadyExistsException(path.toString(), null, "the root always exists");
        }
        if (lookup(abs) != null) {
            throw new java.nio.file.FileAlreadyExistsException(path.toString());
        }
        FamfsPath parent = abs.getParent();
        Node p = lookup(parent);
        if (p == null) {
            throw new NoSuchFileException(path.toString(), null, "parent directory " + parent + " does not exist");
        }
        if (!p.isDirectory()) {
            throw new java.nio.file.FileSystemException(path.toString(), null, "parent " + parent
                    + " is not a directory");
        }
        String rel = abs.toString().substring(1);
        int bytes = PathNames.utf8(rel).length;
        if (bytes > MAX_WRITTEN_RELPATH) {
            throw new java.nio.file.FileSystemException(path.toString(), null, "famfs paths are at most "
                    + MAX_WRITTEN_RELPATH + " bytes (the log stores them in 80); this one is " + bytes);
        }
        return rel;
    }

    void createDirectory(FamfsPath path, java.nio.file.attribute.FileAttribute<?>... attrs) throws IOException {
        FamfsMaster m = writer();
        CreateAttributes a = CreateAttributes.parse(attrs, 0777, m.defaultUid(), m.defaultGid(), m.umask());
        m.withLog(() -> {
            String rel = checkCanCreate(path);
            m.checkNotReserved(rel, path);
            m.append(new io.github.famfs.format.MkdirEntry(0, a.uid(), a.gid(), a.mode(), PathNames.utf8(rel)));
            return null;
        });
    }

    /** A channel that makes a new file, published when it is closed. */
    NewFileChannel newFile(FamfsPath path, boolean readable, long fixedSize, InterleaveParams interleave,
            boolean contiguous, java.nio.file.attribute.FileAttribute<?>... attrs) throws IOException {
        FamfsMaster m = writer();
        CreateAttributes a = CreateAttributes.parse(attrs, 0666, m.defaultUid(), m.defaultGid(), m.umask());
        InterleaveParams il = contiguous ? null : interleave != null ? interleave : defaultInterleave;
        if (il != null) {
            il.validate(deviceLimit);
        }
        String[] rel = {null};
        // the check, the name and the lease (the flock, kept until the file is published) in one step, so that
        // no other process can make the same name in between; the channel takes both over
        FamfsMaster.Reservation name = m.withLog(() -> {
            rel[0] = checkCanCreate(path);
            return m.reserveAndLease(rel[0], path);
        });
        return new NewFileChannel(this, m, device, path.toAbsolutePath().normalize(), rel[0], a, il, fixedSize,
                readable, name);
    }

    // ---- java.nio.file.FileSystem

    @Override
    public FamfsFileSystemProvider provider() {
        return provider;
    }

    /**
     * Closes the file system through its {@link Lifecycle}: new operations fail (file-system calls with
     * {@link ClosedFileSystemException}, channel operations with {@code AsynchronousCloseException}), the ones
     * running finish (none waits on code outside famfs-nio while it holds the device), then the open channels are
     * closed, files being made whose channels or streams were not closed are discarded (nothing half-written is
     * ever published; closing such a channel later throws), written bytes of an image file are synced, and the
     * device is unmapped. Idempotent; callable from any thread, and every call returns once the close is
     * complete. Buffers and segments made by {@code FileChannel.map} are separate mappings and stay valid until
     * they are unreachable (or their arena closes).
     */
    @Override
    public void close() throws IOException {
        if (lifecycle.isClosing()) {
            lifecycle.close(null);
            return;
        }
        provider.unregister(this);
        try {
            lifecycle.close(() -> {
                try {
                    if (filesWritable) {
                        device.sync(0, device.size());
                    }
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                } finally {
                    FamfsMaster w = writer;
                    if (w != null) {
                        w.closeLocks();
                    }
                }
            });
        } finally {
            releaseNamespace();
        }
    }

    /** Drops the namespace and the writer once the close is complete (nothing of this file system uses them now). */
    private void releaseNamespace() {
        Namespace ns = namespace;
        if (ns != null) {
            closedStats = ns.stats();
        }
        namespace = null;
        writer = null;
        refresher.release();
    }

    @Override
    public boolean isOpen() {
        return !lifecycle.isClosing();
    }

    /**
     * Whether nothing on this file system can be written: false on a read-write master, and on a client opened
     * with {@code clientWrites=true} (its existing files can be written in place, though only the master makes
     * files and directories: those operations throw ReadOnlyFileSystemException there).
     */
    @Override
    public boolean isReadOnly() {
        return !filesWritable;
    }

    @Override
    public String getSeparator() {
        return "/";
    }

    @Override
    public Iterable<Path> getRootDirectories() {
        ensureOpen();
        return List.of(root);
    }

    @Override
    public Iterable<FileStore> getFileStores() {
        ensureOpen();
        return List.of(store);
    }

    /** Free bytes: the master's allocator now, or (a client) the counts of the last replay. */
    long freeBytes() {
        FamfsMaster w = writer;
        if (w != null && !lifecycle.isClosing()) {
            return w.freeBytes();
        }
        Namespace ns = namespace;
        return ns != null ? ns.stats().freeBytes() : closedStats.freeBytes();
    }

    FamfsFileStore store() {
        ensureOpen();
        return store;
    }

    @Override
    public Set<String> supportedFileAttributeViews() {
        ensureOpen();
        return VIEWS;
    }

    @Override
    public FamfsPath getPath(String first, String... more) {
        ensureOpen();
        if (more.length == 0) {
            return FamfsPath.parse(this, first);
        }
        StringBuilder sb = new StringBuilder(first);
        for (String s : more) {
            if (!s.isEmpty()) {
                if (sb.length() > 0) {
                    sb.append('/');
                }
                sb.append(s);
            }
        }
        return FamfsPath.parse(this, sb.toString());
    }

    @Override
    public PathMatcher getPathMatcher(String syntaxAndPattern) {
        ensureOpen();
        return Globs.matcher(syntaxAndPattern);
    }

    @Override
    public UserPrincipalLookupService getUserPrincipalLookupService() {
        ensureOpen();
        return new FamfsPrincipals();
    }

    /**
     * A watch service driven by the log: directories registered with it ({@code ENTRY_CREATE}) get one event for
     * every file and directory published into them by any process or host, seen when the log is polled (every
     * {@code refreshInterval}; with {@code off}, at each {@link #refresh()}). See {@link FamfsWatchService}.
     *
     * @throws ClosedFileSystemException when this file system is closed
     */
    @Override
    public WatchService newWatchService() throws IOException {
        ensureOpen();
        return refresher.newWatchService();
    }

    Refresher refresher() {
        return refresher;
    }

    /**
     * Catches up with the log: replays the entries appended since this file system opened or last caught up (by
     * any process or host), and says what they added. It costs the new entries (plus a read of the superblock, the
     * log header and the last replayed entry, to check that the device still holds this famfs), never the whole
     * log. Lookups that miss, directory listings and watch services do this by themselves (env key
     * {@code refreshInterval}).
     *
     * @return the entries replayed before and after, and the paths of the files and directories added, in log
     *         order
     * @throws FamfsStaleException when the device was reformatted, its log went backwards or its superblock changed
     *         (and from then on, for every operation that reads the namespace)
     * @throws ClosedFileSystemException when this file system is closed
     */
    public FamfsRefresh refresh() throws IOException {
        return refresher.refresh();
    }

    @Override
    public String toString() {
        return "famfs:" + info.path() + (readOnly ? " (read-only" : " (read-write") + (master ? ", master)"
                : ", client)");
    }
}
