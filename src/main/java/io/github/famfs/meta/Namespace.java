package io.github.famfs.meta;

import io.github.famfs.format.AddDaxdevEntry;
import io.github.famfs.format.FamfsProblem;
import io.github.famfs.format.FileEntry;
import io.github.famfs.format.FileMap;
import io.github.famfs.format.FormatException;
import io.github.famfs.format.InvalidFileMapException;
import io.github.famfs.format.Layout;
import io.github.famfs.format.LogEntry;
import io.github.famfs.format.LogHeader;
import io.github.famfs.format.RelPath;
import io.github.famfs.format.Superblock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The namespace of a famfs as replayed from its log, with what replay found wrong. Like the log it only grows:
 * nodes never change once made, entries replayed later (a master's own appends, or another process's) only
 * add nodes, so readers take no lock. Lookups cost the depth of the path.
 */
public final class Namespace {
    private final Superblock superblock;
    private final DirNode root;
    private final List<FamfsProblem> problems;
    private final List<AddDaxdevEntry> daxdevs;
    private final long deviceLimit;
    private volatile LogHeader header;
    private volatile long replayedEntries;
    private volatile Stats stats;

    /**
     * Counts: files and directories served, bytes of file content, allocation units of the device (a partial
     * last unit included), those in use (superblock and log included) and the whole units free (what an
     * allocator can hand out; never negative).
     */
    public record Stats(long files, long directories, long fileBytes, long allocationUnit, long totalUnits,
            long usedUnits, long freeUnits, long collisions) {
        public long freeBytes() {
            return Math.max(0, freeUnits) * allocationUnit;
        }
    }

    Namespace(Superblock superblock, DirNode root, long deviceLimit) {
        this.superblock = superblock;
        this.root = root;
        this.problems = new java.util.concurrent.CopyOnWriteArrayList<>();
        this.daxdevs = new java.util.concurrent.CopyOnWriteArrayList<>();
        this.deviceLimit = deviceLimit;
    }

    void update(LogHeader h, long replayed, Stats s) {
        header = h;
        replayedEntries = replayed;
        stats = s;
    }

    void addProblem(FamfsProblem p) {
        problems.add(p);
    }

    void addDaxdev(AddDaxdevEntry d) {
        daxdevs.add(d);
    }

    public Superblock superblock() {
        return superblock;
    }

    public LogHeader header() {
        return header;
    }

    public DirNode root() {
        return root;
    }

    /** Everything replay found wrong, in log order. */
    public List<FamfsProblem> problems() {
        return List.copyOf(problems);
    }

    /** The ADD_DAXDEV entries, recorded but not acted on (as in the reference). */
    public List<AddDaxdevEntry> daxdevs() {
        return List.copyOf(daxdevs);
    }

    /** Entries replayed: all in use, or up to the first invalid one. */
    public long replayedEntries() {
        return replayedEntries;
    }

    /** Device bytes that extents may use: the lesser of the superblock's size and the real device's. */
    public long deviceLimit() {
        return deviceLimit;
    }

    public Stats stats() {
        return stats;
    }

    /** The node at {@code names} below the root, or null. */
    public Node lookup(Iterable<String> names) {
        Node n = root;
        for (String name : names) {
            if (!(n instanceof DirNode d)) {
                return null;
            }
            n = d.child(name);
            if (n == null) {
                return null;
            }
        }
        return n;
    }

    /**
     * The map of a file, read again from its log entry (which lives in {@code log}, the device's log bytes) on
     * first use and checked to be the entry replay accepted.
     *
     * @throws IOException naming the problem when the file has no valid map
     */
    public FileMap fileMap(FileNode file, ByteBuffer log, String pathForMessages) throws IOException {
        return fileMap(file, log, pathForMessages, false);
    }

    /**
     * The map of a file as decoded and checked by an earlier {@link #fileMap}, or null when its entry has not been
     * read yet (the log is needed then); a file with no valid map throws, naming the problem.
     */
    public static FileMap cachedFileMap(FileNode file, String pathForMessages) throws InvalidFileMapException {
        if (file.mapProblem() != null) {
            throw new InvalidFileMapException(pathForMessages, file.mapProblem());
        }
        return file.cachedMap();
    }

    /**
     * {@link #fileMap(FileNode, ByteBuffer, String)}; with {@code reread} the entry is read and checked again even
     * when the map is cached (for writes in place: their bytes must go where the entry says now), and a map that
     * changed is refused.
     */
    public FileMap fileMap(FileNode file, ByteBuffer log, String pathForMessages, boolean reread) throws IOException {
        FileMap cached = cachedFileMap(file, pathForMessages);
        if (cached != null && !reread) {
            return cached;
        }
        FileMap map;
        byte[] copy = new byte[Layout.ENTRY_SIZE];
        long at = Layout.LOG_HEADER_SIZE + (long) Layout.ENTRY_SIZE * file.logIndex();
        log.get((int) at, copy);
        ByteBuffer e = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
        try {
            LogEntry.check(e, file.logIndex());
            if (!(LogEntry.decode(e) instanceof FileEntry fe) || fe.size() != file.size() || fe.map() == null
                    || !lastName(RelPath.decode(fe.relpath())).equals(file.name())) {
                throw new FormatException("the entry is no longer the FILE entry replayed at open");
            }
            map = fe.map();
            map.validate(file.size(), superblock.dataStart(), deviceLimit, superblock.allocUnit());
            if (cached != null && !cached.equals(map)) {
                throw new FormatException("its map is no longer the one read before");
            }
        } catch (FormatException ex) {
            throw new InvalidFileMapException(pathForMessages, "log entry " + file.logIndex()
                    + " changed since the file system was opened: " + ex.getMessage());
        }
        if (cached == null) {
            file.cacheMap(map);
        }
        return map;
    }

    private static String lastName(String relpath) {
        return relpath.substring(relpath.lastIndexOf('/') + 1);
    }
}
