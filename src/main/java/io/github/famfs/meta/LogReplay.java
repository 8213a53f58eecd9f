package io.github.famfs.meta;

import io.github.famfs.alloc.AllocationBitmap;
import io.github.famfs.format.AddDaxdevEntry;
import io.github.famfs.format.Extent;
import io.github.famfs.format.FamfsProblem;
import io.github.famfs.format.FileEntry;
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

    private LogReplay(Superblock sb, ByteBuffer log, long deviceLimit) {
        this.sb = sb;
        this.log = log.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.deviceLimit = deviceLimit;
        this.bitmap = new AllocationBitmap(sb.deviceSize(), sb.allocUnit());
        this.root = new DirNode("", 0755, 0, 0, Node.NO_ENTRY);
        this.namespace = new Namespace(sb, root, deviceLimit);
    }

    /** The outcome: the namespace, and the allocation bitmap built along the way (for a master's allocator). */
    public record Result(Namespace namespace, AllocationBitmap bitmap, LogReplay replayer) {}

    /**
     * Replays the log.
     *
     * @param sb          a validated superblock
     * @param log         the log's bytes ({@code sb.logLen()} of them, from device offset 0x200000)
     * @param deviceLimit bytes of device that extents may use (the lesser of the superblock's size and the real
     *                    device's)
     * @throws FormatException when the log header is invalid
     */
    public static Result replay(Superblock sb, ByteBuffer log, long deviceLimit) throws FormatException {
        LogReplay r = new LogReplay(sb, log, deviceLimit);
        if (deviceLimit < sb.deviceSize()) {
            r.problem(FamfsProblem.Kind.DEVICE, -1, null, "the device holds " + deviceLimit + " bytes but the superblock says "
                    + sb.deviceSize() + ": files with data past byte " + deviceLimit + " are not served");
        }
        r.bitmap.mark(0, Math.min(sb.dataStart(), sb.deviceSize()));
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
        LogHeader header = LogHeader.decode(log);
        header.validate(log, sb.logLen());
        long used = header.usedEntries();
        if (Long.compareUnsigned(header.nextIndex(), header.capacity()) > 0 && !clampReported) {
            clampReported = true;
            problem(FamfsProblem.Kind.DEVICE, -1, null, "log header next index " + Long.toUnsignedString(header.nextIndex())
                    + " is past the last slot " + header.lastIndex() + "; replaying " + used + " entries");
        }
        while (badEntry < 0 && replayed < used) {
            int i = (int) replayed;
            log.get(Layout.LOG_HEADER_SIZE + Layout.ENTRY_SIZE * i, copy);
            try {
                LogEntry.check(entry, i);
            } catch (FormatException e) {
                badEntry = i;
                problem(FamfsProblem.Kind.BAD_ENTRY, i, null, e.getMessage() + "; replay stops here, as the reference's does: entries " + i
                        + ".." + (used - 1) + " are not served");
                break;
            }
            apply(i, LogEntry.decode(entry));
            replayed++;
        }
        namespace.update(header, replayed, new Namespace.Stats(files, dirs, fileBytes, bitmap.unit(),
                bitmap.bits(), bitmap.usedUnits(), collisions));
        return replayed;
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
            at.parent().add(new DirNode(at.name(), m.mode(), m.uid(), m.gid(), index));
            dirs++;
        }
    }

    private void addFile(int index, FileEntry f) {
        Place at = placeFor(index, f.relpath());
        if (at == null) {
            return;
        }
        String mapProblem = checkMap(index, at.path(), f);
        if (mapProblem != null) {
            problem(mapProblem.startsWith(CROSS_LINKED) ? FamfsProblem.Kind.CROSS_LINK
                    : FamfsProblem.Kind.INVALID_MAP, index, at.path(), "file is listed but not served: " + mapProblem);
        } else {
            fileBytes += f.size();
        }
        at.parent().add(new FileNode(at.name(), f.mode(), f.uid(), f.gid(), index, f.size(), f.flags(), mapProblem));
        files++;
    }

    /** Validates the map and claims its units; returns why the file cannot be served, or null. */
    private String checkMap(int index, String path, FileEntry f) {
        if (f.map() == null) {
            return f.mapError();
        }
        if (f.size() < 0) {
            return "size " + Long.toUnsignedString(f.size()) + " is not a file size";
        }
        try {
            f.map().validate(f.size(), sb.dataStart(), deviceLimit, sb.allocUnit());
        } catch (FormatException e) {
            return e.getMessage();
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

    /** Names the earlier file that holds units of {@code e} (bounded: a hostile log cannot make this quadratic). */
    private String ownerOf(int before, Extent e) {
        if (namedCollisions >= NAMED_COLLISIONS) {
            return "an earlier file";
        }
        namedCollisions++;
        if (e.offset() < sb.dataStart()) {
            return "the superblock and log";
        }
        byte[] other = new byte[Layout.ENTRY_SIZE];
        ByteBuffer otherEntry = ByteBuffer.wrap(other).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < before; i++) {
            log.get(Layout.LOG_HEADER_SIZE + Layout.ENTRY_SIZE * i, other);
            if (LogEntry.decode(otherEntry) instanceof FileEntry o && o.map() != null) {
                for (Extent x : o.map().extents()) {
                    if (x.offset() < e.end() && e.offset() < x.end()) {
                        String p = new String(o.relpath(), java.nio.charset.StandardCharsets.UTF_8);
                        return "\"" + p + "\" (log entry " + i + ")";
                    }
                }
            }
        }
        return "an earlier file";
    }
}
