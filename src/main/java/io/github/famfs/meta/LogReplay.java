package io.github.famfs.meta;

import io.github.famfs.alloc.AllocationBitmap;
import io.github.famfs.format.AddDaxdevEntry;
import io.github.famfs.format.Extent;
import io.github.famfs.format.FamfsProblem;
import io.github.famfs.format.FileEntry;
import io.github.famfs.format.FileMap;
import io.github.famfs.format.FormatException;
import io.github.famfs.format.Layout;
import io.github.famfs.format.LogEntry;
import io.github.famfs.format.LogHeader;
import io.github.famfs.format.MkdirEntry;
import io.github.famfs.format.RelPath;
import io.github.famfs.format.Superblock;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Replays a famfs log into a {@link Namespace}, following the reference's logplay (seqnum and CRC per entry,
 * stop at the first invalid entry, first entry for a path wins, parents must exist, ADD_DAXDEV recorded,
 * other types skipped) and stricter where the reference is unsafe: every map is checked against the device
 * (alignment, bounds, clear of superblock and log, covering the file size, counts) and cross-linked
 * allocation units are caught. Problems are collected, never dropped.
 *
 * <p>Each entry is copied out of shared memory before it is validated and decoded, so a concurrent writer
 * cannot change it between the check and the use.
 */
public final class LogReplay {
    /** How many cross-links get the owner of the shared units named (naming one rescans the log). */
    private static final int NAMED_COLLISIONS = 16;

    private static final String CROSS_LINKED = "cross-linked";

    private final Superblock sb;
    private final ByteBuffer log;
    private final long deviceLimit;
    private final AllocationBitmap bitmap;
    private final DirNode root;
    private final Namespace namespace;
    private final byte[] copy = new byte[Layout.ENTRY_SIZE];
    private final ByteBuffer entry = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
    private final PathCheck paths = new PathCheck();
    /** Of the entry being replayed: its path's length and where its last name starts (see parentFor). */
    private int pathLen;
    private int nameAt;
    /** The hash of that last name under the seed of its parent's table, {@link #hashSeed} (0: no table yet). */
    private int nameHash;
    private long hashSeed;
    /** The parent directory found for the last entry, and its path (the log's bytes, without the last slash). */
    private final byte[] lastParentPath = new byte[Layout.RELPATH_FIELD];
    private int lastParentLen = -1;
    private DirNode lastParent;
    private long files;
    private long dirs;
    private long fileBytes;
    private long collisions;
    private int namedCollisions;
    private long replayed;
    private long badEntry = -1;
    private boolean clampReported;
    /** Entries decoded since this replayer was made (the open's replay, every catch-up, cross-link naming). */
    private long decoded;
    private volatile Listener listener;

    /**
     * Told of every node that replay adds after {@link #listen} (a master's own appends and other processes'
     * alike), in log order, by the thread that runs {@link #catchUp} (so under its caller's lock). Must be quick
     * and must not call back into this replayer.
     */
    @FunctionalInterface
    public interface Listener {
        /** {@code node} was added to {@code parent} by the entry for {@code relpath} (no leading slash). */
        void added(String relpath, DirNode parent, Node node);
    }

    /** Sets the one listener (null for none). */
    public void listen(Listener l) {
        listener = l;
    }

    /** How many log entries this replayer decoded so far: what a catch-up costs is the growth of this count. */
    public long entriesDecoded() {
        return decoded;
    }
    private final CacheMaintenance caches;
    private long retried;

    private LogReplay(Superblock sb, ByteBuffer log, long deviceLimit, CacheMaintenance caches) {
        this.caches = caches;
        this.sb = sb;
        this.log = log.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.deviceLimit = deviceLimit;
        this.bitmap = new AllocationBitmap(deviceLimit, sb.allocUnit());
        this.root = new DirNode(new byte[0], 0755, 0, 0, Node.NO_ENTRY);
        this.namespace = new Namespace(sb, root, deviceLimit);
    }

    /**
     * Bytes of device that extents may use: the lesser of the superblock's {@code dd_size} (a u64 outside every
     * CRC) and the real device's size, so nothing read from the device sizes anything past the real device.
     */
    public static long deviceLimit(Superblock sb, long realDeviceSize) {
        return Long.compareUnsigned(sb.deviceSize(), realDeviceSize) < 0 ? sb.deviceSize() : realDeviceSize;
    }

    /** The outcome: the namespace, and the allocation bitmap built along the way (for a master's allocator). */
    public record Result(Namespace namespace, AllocationBitmap bitmap, LogReplay replayer) {}

    /**
     * Replays the log.
     *
     * @param sb          a validated superblock
     * @param log         the log's bytes ({@code sb.logLen()} of them, from device offset 0x200000)
     * @param realDeviceSize bytes of the real device (an image file's size, or sysfs's for a DAX device); what
     *                       extents may use is the lesser of it and the superblock's {@code dd_size}
     * @throws FormatException when the log header is invalid, or the device is too small or too large to serve
     */
    public static Result replay(Superblock sb, ByteBuffer log, long realDeviceSize) throws FormatException {
        return replay(sb, log, realDeviceSize, CacheMaintenance.FENCES);
    }

    /**
     * Replays the log with the reference's cache maintenance (famfs-format.md §8.3): the header and the entries
     * not yet replayed are invalidated before they are read, and an entry that fails its CRC or seqnum is
     * invalidated and read once more before replay stops there (its bytes may arrive after the header's).
     */
    public static Result replay(Superblock sb, ByteBuffer log, long realDeviceSize, CacheMaintenance caches)
            throws FormatException {
        long limit = deviceLimit(sb, realDeviceSize);
        if (limit < sb.dataStart()) {
            throw new FormatException("the device holds " + Long.toUnsignedString(realDeviceSize)
                    + " bytes and the superblock says " + Long.toUnsignedString(sb.deviceSize())
                    + ", fewer than the superblock and log take (" + sb.dataStart() + ")");
        }
        long units = AllocationBitmap.unitsFor(limit, sb.allocUnit());
        if (units < 0 || units > AllocationBitmap.MAX_UNITS) {
            throw new FormatException("a device of " + limit + " bytes in " + sb.allocUnit() + "-byte allocation"
                    + " units needs " + units + " units, more than famfs-nio tracks (" + AllocationBitmap.MAX_UNITS
                    + ")");
        }
        LogReplay r = new LogReplay(sb, log, limit, caches);
        if (realDeviceSize != sb.deviceSize()) {
            r.problem(FamfsProblem.Kind.DEVICE, -1, null, "the device holds " + realDeviceSize
                    + " bytes but the superblock says " + Long.toUnsignedString(sb.deviceSize()) + " (dd_size): "
                    + (limit == realDeviceSize ? "files with data past byte " + limit + " are not served"
                            : "only its first " + limit + " bytes are used"));
        }
        r.bitmap.mark(0, sb.dataStart());
        r.catchUp();
        return new Result(r.namespace, r.bitmap, r);
    }

    /**
     * Replays the entries appended since the last call (by this process or another), as at open. Callers
     * serialise calls (a master does it under its log lock).
     *
     * @return the number of entries now replayed
     */
    public long catchUp() throws FormatException {
        caches.invalidate(log, 0, Layout.LOG_HEADER_SIZE);
        LogHeader header = LogHeader.decode(log);
        header.validate(log, sb.logLen());
        long used = header.usedEntries();
        String clamp = header.nextIndexProblem();
        if (clamp != null && !clampReported) {
            clampReported = true;
            problem(FamfsProblem.Kind.DEVICE, -1, null, clamp);
        }
        // An entry found bad by an earlier call is read again: on a log another host is appending, a bad entry is
        // most often one whose bytes had not arrived yet (its problem is reported once, not on every call).
        long reportedBad = badEntry;
        badEntry = -1;
        if (replayed < used) {
            caches.invalidate(log, Layout.LOG_HEADER_SIZE + Layout.ENTRY_SIZE * (int) replayed,
                    Layout.ENTRY_SIZE * (int) (used - replayed));
        }
        while (replayed < used) {
            int i = (int) replayed;
            try {
                readChecked(i);
            } catch (FormatException e) {
                badEntry = i;
                if (i == reportedBad) {
                    break;
                }
                problem(FamfsProblem.Kind.BAD_ENTRY, i, null, e.getMessage() + "; replay stops here, as the reference's does: entries " + i
                        + ".." + (used - 1) + " are not served");
                break;
            }
            decoded++;
            apply(i);
            replayed++;
        }
        namespace.update(header, replayed, new Namespace.Stats(files, dirs, fileBytes, bitmap.unit(),
                bitmap.bits(), bitmap.usedUnits(), bitmap.freeUnits(), collisions));
        return replayed;
    }

    /**
     * Copies entry {@code i} out and checks it; on a failure, invalidates it and tries once more, as the reference
     * does: the header that counts an entry may reach this host before the entry's bytes.
     */
    private void readChecked(int i) throws FormatException {
        int at = Layout.LOG_HEADER_SIZE + Layout.ENTRY_SIZE * i;
        log.get(at, copy);
        try {
            LogEntry.check(entry, i);
        } catch (FormatException first) {
            retried++;
            caches.invalidate(log, at, Layout.ENTRY_SIZE);
            log.get(at, copy);
            LogEntry.check(entry, i);
        }
    }

    /** Entries that failed their first check and were read again after an invalidate. */
    public long retried() {
        return retried;
    }

    /** The first invalid entry, where replay stopped, or -1. */
    public long badEntry() {
        return badEntry;
    }

    public long replayed() {
        return replayed;
    }

    private void problem(FamfsProblem.Kind kind, long index, String path, String message) {
        namespace.addProblem(new FamfsProblem(kind, index, path, message));
    }

    private void apply(int index) {
        int type = entry.getInt(LogEntry.OFF_TYPE);
        if (type == LogEntry.TYPE_FILE) {
            addFile(index);
        } else if (type == LogEntry.TYPE_MKDIR) {
            addDirectory(index);
        } else if (LogEntry.decode(entry) instanceof AddDaxdevEntry d) {
            namespace.addDaxdev(d);
        } else {
            String what = type == LogEntry.TYPE_DELETE ? "DELETE (reserved, never written by famfs)"
                    : "unknown type " + Integer.toUnsignedString(type);
            problem(FamfsProblem.Kind.SKIPPED, index, null, "entry of " + what + " skipped");
        }
    }

    /**
     * The parent directory for the entry's path (the relative path at {@code at}, {@code len} bytes, in the
     * entry's copy, whose parent's path is its first {@code parentLen} bytes), or null after reporting why there is
     * none. Walks the path's bytes: nothing is allocated.
     */
    private DirNode parentOf(int index, int at, int len, int parentLen) {
        if (parentLen == lastParentLen && Node.sameBytes(copy, at, lastParentPath, 0, parentLen)) {
            return lastParent; // entries come in runs under one directory: no walk (directories never change)
        }
        DirNode dir = walkParent(index, at, len);
        if (dir != null) {
            System.arraycopy(copy, at, lastParentPath, 0, parentLen);
            lastParentLen = parentLen;
            lastParent = dir;
        }
        return dir;
    }

    private DirNode walkParent(int index, int at, int len) {
        DirNode dir = root;
        int start = at;
        for (int slash = indexOfSlash(start, at + len); slash >= 0; slash = indexOfSlash(start, at + len)) {
            Node n = dir.child(copy, start, slash - start);
            if (!(n instanceof DirNode d)) {
                problem(FamfsProblem.Kind.SKIPPED, index, pathString(at, len), "parent directory "
                        + pathString(at, slash - at) + (n == null ? " does not exist" : " is a file")
                        + "; entry skipped");
                return null;
            }
            dir = d;
            start = slash + 1;
        }
        return dir;
    }

    private int indexOfSlash(int from, int end) {
        for (int i = from; i < end; i++) {
            if (copy[i] == '/') {
                return i;
            }
        }
        return -1;
    }

    private String pathString(int at, int len) {
        return new String(copy, at, len, StandardCharsets.UTF_8);
    }

    /**
     * The directory that gets the entry whose relative path is at {@code at} (its 80-byte field), or null after
     * reporting why the entry is skipped: a bad path, a missing parent, or a name already taken (the first entry
     * for a path wins). Leaves the path's length in {@link #pathLen} and its last name's start in
     * {@link #nameAt}. Allocates nothing for a valid path.
     */
    private DirNode parentFor(int index, int at) {
        int len = 0;
        while (len < Layout.RELPATH_FIELD && copy[at + len] != 0) {
            len++;
        }
        pathLen = len;
        int name;
        if (paths.isValid(copy, at, len)) {
            name = paths.lastName();
        } else {
            try {
                RelPath.decode(java.util.Arrays.copyOfRange(copy, at, at + len));
            } catch (FormatException e) {
                problem(FamfsProblem.Kind.SKIPPED, index, null, e.getMessage() + "; entry skipped");
                return null;
            }
            name = at + len; // not reached (both checks refuse the same paths); kept whole if it were
            while (name > at && copy[name - 1] != '/') {
                name--;
            }
        }
        DirNode parent = parentOf(index, at, len, Math.max(0, name - at - 1));
        if (parent == null) {
            return null;
        }
        nameAt = name;
        ChildTable t = parent.table();
        Node existing;
        if (t == null) {
            hashSeed = 0;
            existing = null;
        } else {
            hashSeed = t.seed();
            nameHash = t.hashOf(copy, name, at + len - name);
            existing = t.get(copy, name, at + len - name, nameHash);
        }
        if (existing != null) {
            problem(FamfsProblem.Kind.SKIPPED, index, pathString(at, len), (existing.isDirectory() ? "directory"
                    : "file") + " already made by log entry " + existing.logIndex() + "; the first entry stands");
            return null;
        }
        return parent;
    }

    /** The last name of the path {@link #parentFor} checked, copied out of the entry: a node's one array. */
    private byte[] newName(int at) {
        return java.util.Arrays.copyOfRange(copy, nameAt, at + pathLen);
    }

    private void addDirectory(int index) {
        int at = MkdirEntry.OFF_RELPATH;
        DirNode parent = parentFor(index, at);
        if (parent != null) {
            DirNode d = new DirNode(newName(at), entry.getInt(MkdirEntry.OFF_MODE), entry.getInt(MkdirEntry.OFF_UID),
                    entry.getInt(MkdirEntry.OFF_GID), index);
            parent.add(d, hashSeed, nameHash);
            dirs++;
            tell(parent, at, d);
        }
    }

    private void addFile(int index) {
        int at = FileEntry.OFF_RELPATH;
        DirNode parent = parentFor(index, at);
        if (parent == null) {
            claimSkipped(index);
            return;
        }
        long size = entry.getLong(FileEntry.OFF_SIZE);
        String mapProblem = checkMap(index, size);
        if (mapProblem != null) {
            problem(mapProblem.startsWith(CROSS_LINKED) ? FamfsProblem.Kind.CROSS_LINK : FamfsProblem.Kind.INVALID_MAP,
                    index, pathString(at, pathLen), "file is listed but not served: " + mapProblem);
        } else {
            fileBytes += size;
        }
        FileNode node = new FileNode(newName(at), entry.getInt(FileEntry.OFF_MODE), entry.getInt(FileEntry.OFF_UID),
                entry.getInt(FileEntry.OFF_GID), index, size, entry.getInt(FileEntry.OFF_FLAGS), mapProblem);
        parent.add(node, hashSeed, nameHash);
        files++;
        tell(parent, at, node);
    }

    /** Tells the listener, if any, of {@code node} (its path is the entry's, at {@code at}). */
    private void tell(DirNode parent, int at, Node node) {
        Listener l = listener;
        if (l != null) {
            l.added(pathString(at, pathLen), parent, node);
        }
    }

    /** Validates the map and claims its units; returns why the file cannot be served, or null. */
    private String checkMap(int index, long size) {
        FileMap map = null;
        String invalid;
        try {
            map = FileMap.decode(entry);
            invalid = null;
        } catch (FormatException e) {
            invalid = e.getMessage();
        }
        invalid = invalid != null ? invalid
                : size < 0 ? "size " + Long.toUnsignedString(size) + " is not a file size" : null;
        if (invalid == null) {
            try {
                map.validate(size, sb.dataStart(), deviceLimit, sb.allocUnit());
            } catch (FormatException e) {
                invalid = e.getMessage();
            }
        }
        if (invalid != null) {
            claimSkipped(index);
            return invalid;
        }
        long shared = 0;
        Extent firstShared = null;
        java.util.List<Extent> extents = map.extents();
        for (int k = 0, n = extents.size(); k < n; k++) { // no iterator: nothing allocated when not compiled
            Extent e = extents.get(k);
            if (firstShared == null && bitmap.anySet(e.offset(), e.length())) {
                firstShared = e;
            }
            shared += bitmap.mark(e.offset(), e.length());
        }
        if (shared == 0) {
            return null;
        }
        collisions += shared;
        return String.format(CROSS_LINKED + ": %d allocation unit(s) from device offset 0x%x already belong to %s",
                shared, firstShared.offset(), ownerOf(index, firstShared));
    }

    /**
     * Claims the units of a FILE entry that is not served (skipped for its path, or with an invalid map), as the
     * reference's bitmap builder does for every FILE entry: what lies inside the device, rounded outward to
     * whole units, so a master never hands them out again.
     */
    private void claimSkipped(int index) {
        long shared = 0;
        Extent firstShared = null;
        for (Extent e : FileMap.claimedExtents(entry)) {
            long s = bitmap.markInside(e.offset(), e.length());
            if (s > 0 && firstShared == null) {
                firstShared = e;
            }
            shared += s;
        }
        if (shared > 0) {
            collisions += shared;
            String p = pathString(FileEntry.OFF_RELPATH, RelPath.length(entry, FileEntry.OFF_RELPATH));
            problem(FamfsProblem.Kind.CROSS_LINK, index, null, String.format(CROSS_LINKED
                    + ": unserved entry \"%s\" claims %d allocation unit(s) from device offset 0x%x that already"
                    + " belong to %s", p, shared, firstShared.offset(), ownerOf(index, firstShared)));
        }
    }

    /** Whether {@code a} and {@code b} share an allocation unit inside the device (u64 values, never overflows). */
    private boolean shareUnit(Extent a, Extent b) {
        long[] ra = bitmap.unitsInside(a.offset(), a.length());
        long[] rb = bitmap.unitsInside(b.offset(), b.length());
        return ra != null && rb != null && ra[0] < rb[1] && rb[0] < ra[1];
    }

    /**
     * Names the earlier FILE entry (served or not) that claims units of {@code e} (bounded: a hostile log cannot
     * make this quadratic).
     */
    private String ownerOf(int before, Extent e) {
        if (namedCollisions >= NAMED_COLLISIONS) {
            return "an earlier file";
        }
        namedCollisions++;
        if (Long.compareUnsigned(e.offset(), sb.dataStart()) < 0) {
            return "the superblock and log";
        }
        byte[] other = new byte[Layout.ENTRY_SIZE];
        ByteBuffer otherEntry = ByteBuffer.wrap(other).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < before; i++) {
            log.get(Layout.LOG_HEADER_SIZE + Layout.ENTRY_SIZE * i, other);
            decoded++;
            if (LogEntry.decode(otherEntry) instanceof FileEntry o) {
                for (Extent x : FileMap.claimedExtents(otherEntry)) {
                    if (shareUnit(x, e)) {
                        String p = new String(o.relpath(), java.nio.charset.StandardCharsets.UTF_8);
                        return "\"" + p + "\" (log entry " + i + ")";
                    }
                }
            }
        }
        return "an earlier file";
    }
}
