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
import io.github.famfs.format.OtherEntry;
import io.github.famfs.format.RelPath;
import io.github.famfs.format.Superblock;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

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
        this.root = new DirNode("", 0755, 0, 0, Node.NO_ENTRY);
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
        if (badEntry < 0 && replayed < used) {
            caches.invalidate(log, Layout.LOG_HEADER_SIZE + Layout.ENTRY_SIZE * (int) replayed,
                    Layout.ENTRY_SIZE * (int) (used - replayed));
        }
        while (badEntry < 0 && replayed < used) {
            int i = (int) replayed;
            try {
                readChecked(i);
            } catch (FormatException e) {
                badEntry = i;
                problem(FamfsProblem.Kind.BAD_ENTRY, i, null, e.getMessage() + "; replay stops here, as the reference's does: entries " + i
                        + ".." + (used - 1) + " are not served");
                break;
            }
            decoded++;
            apply(i, LogEntry.decode(entry));
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

    private void apply(int index, LogEntry e) {
        if (e instanceof FileEntry f) {
            addFile(index, f);
        } else if (e instanceof MkdirEntry m) {
            addDirectory(index, m);
        } else if (e instanceof AddDaxdevEntry d) {
            namespace.addDaxdev(d);
        } else {
            OtherEntry o = (OtherEntry) e;
            String what = o.type() == LogEntry.TYPE_DELETE ? "DELETE (reserved, never written by famfs)"
                    : "unknown type " + Integer.toUnsignedString(o.type());
            problem(FamfsProblem.Kind.SKIPPED, index, null, "entry of " + what + " skipped");
        }
    }

    /** The parent directory for {@code path}, or null after reporting why there is none. */
    private DirNode parentOf(int index, String path) {
        DirNode dir = root;
        int start = 0;
        for (int slash = path.indexOf('/'); slash >= 0; slash = path.indexOf('/', start)) {
            Node n = dir.child(path.substring(start, slash));
            if (!(n instanceof DirNode d)) {
                problem(FamfsProblem.Kind.SKIPPED, index, path, "parent directory " + path.substring(0, slash)
                        + (n == null ? " does not exist" : " is a file") + "; entry skipped");
                return null;
            }
            dir = d;
            start = slash + 1;
        }
        return dir;
    }

    /** Where a new entry goes: its parent directory, name and path. */
    private record Place(DirNode parent, String name, String path) {}

    /**
     * The place for an entry's path, or null after reporting why the entry is skipped: a bad path, a missing
     * parent, or a name already taken (the first entry for a path wins).
     */
    private Place placeFor(int index, byte[] raw) {
        String path;
        try {
            path = RelPath.decode(raw);
        } catch (FormatException e) {
            problem(FamfsProblem.Kind.SKIPPED, index, null, e.getMessage() + "; entry skipped");
            return null;
        }
        DirNode parent = parentOf(index, path);
        if (parent == null) {
            return null;
        }
        String name = path.substring(path.lastIndexOf('/') + 1);
        Node existing = parent.child(name);
        if (existing != null) {
            problem(FamfsProblem.Kind.SKIPPED, index, path, (existing.isDirectory() ? "directory" : "file")
                    + " already made by log entry " + existing.logIndex() + "; the first entry stands");
            return null;
        }
        return new Place(parent, name, path);
    }

    private void addDirectory(int index, MkdirEntry m) {
        Place at = placeFor(index, m.relpath());
        if (at != null) {
            DirNode d = new DirNode(at.name(), m.mode(), m.uid(), m.gid(), index);
            at.parent().add(d);
            dirs++;
            tell(at, d);
        }
    }

    private void addFile(int index, FileEntry f) {
        Place at = placeFor(index, f.relpath());
        if (at == null) {
            claimSkipped(index, f);
            return;
        }
        String mapProblem = checkMap(index, at.path(), f);
        if (mapProblem != null) {
            problem(mapProblem.startsWith(CROSS_LINKED) ? FamfsProblem.Kind.CROSS_LINK
                    : FamfsProblem.Kind.INVALID_MAP, index, at.path(), "file is listed but not served: " + mapProblem);
        } else {
            fileBytes += f.size();
        }
        FileNode node = new FileNode(at.name(), f.mode(), f.uid(), f.gid(), index, f.size(), f.flags(), mapProblem);
        at.parent().add(node);
        files++;
        tell(at, node);
    }

    private void tell(Place at, Node node) {
        Listener l = listener;
        if (l != null) {
            l.added(at.path(), at.parent(), node);
        }
    }

    /** Validates the map and claims its units; returns why the file cannot be served, or null. */
    private String checkMap(int index, String path, FileEntry f) {
        String invalid = f.map() == null ? f.mapError()
                : f.size() < 0 ? "size " + Long.toUnsignedString(f.size()) + " is not a file size" : null;
        if (invalid == null) {
            try {
                f.map().validate(f.size(), sb.dataStart(), deviceLimit, sb.allocUnit());
            } catch (FormatException e) {
                invalid = e.getMessage();
            }
        }
        if (invalid != null) {
            claimSkipped(index, f);
            return invalid;
        }
        long shared = 0;
        Extent firstShared = null;
        for (Extent e : f.map().extents()) {
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
    private void claimSkipped(int index, FileEntry f) {
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
            String p = new String(f.relpath(), java.nio.charset.StandardCharsets.UTF_8);
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
