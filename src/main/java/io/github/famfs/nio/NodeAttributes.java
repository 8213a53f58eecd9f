package io.github.famfs.nio;

import io.github.famfs.format.FileMap;
import io.github.famfs.format.InterleavedMap;
import io.github.famfs.meta.DirNode;
import io.github.famfs.meta.FileNode;
import io.github.famfs.meta.Node;
import java.io.IOException;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** The attributes of one node, read from the namespace snapshot (and, for the map, from its log entry). */
final class NodeAttributes implements FamfsFileAttributes {
    private static final int S_IFREG = 0100000;
    private static final int S_IFDIR = 0040000;

    private final FamfsFileSystem fs;
    private final FamfsPath path;
    private final Node node;
    private FileMap map;
    private boolean mapRead;

    NodeAttributes(FamfsFileSystem fs, FamfsPath path, Node node) {
        this.fs = fs;
        this.path = path;
        this.node = node;
    }

    @Override
    public FileTime lastModifiedTime() {
        return fs.openTime();
    }

    @Override
    public FileTime lastAccessTime() {
        return fs.openTime();
    }

    @Override
    public FileTime creationTime() {
        return fs.openTime();
    }

    @Override
    public boolean isRegularFile() {
        return !node.isDirectory();
    }

    @Override
    public boolean isDirectory() {
        return node.isDirectory();
    }

    @Override
    public boolean isSymbolicLink() {
        return false;
    }

    @Override
    public boolean isOther() {
        return false;
    }

    @Override
    public long size() {
        return node instanceof FileNode f ? f.size() : 0;
    }

    @Override
    public Object fileKey() {
        return new FileKey(fs.superblockUuid(), node.logIndex());
    }

    /** Identity of a file across opens: the file system's UUID and the log index. */
    record FileKey(java.util.UUID fileSystem, int logIndex) {}

    @Override
    public UserPrincipal owner() {
        return new FamfsPrincipals.User(node.uid());
    }

    @Override
    public GroupPrincipal group() {
        return new FamfsPrincipals.Group(node.gid());
    }

    @Override
    public Set<PosixFilePermission> permissions() {
        return permissions(node.mode());
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] all = PosixFilePermission.values(); // OWNER_READ .. OTHERS_EXECUTE
        for (int i = 0; i < 9; i++) {
            if ((mode & (0400 >> i)) != 0) {
                set.add(all[i]);
            }
        }
        return set;
    }

    @Override
    public int logIndex() {
        return node.logIndex();
    }

    @Override
    public int mode() {
        return node.mode();
    }

    @Override
    public int uid() {
        return node.uid();
    }

    @Override
    public int gid() {
        return node.gid();
    }

    @Override
    public int flags() {
        return node instanceof FileNode f ? f.flags() : 0;
    }

    @Override
    public Optional<FileMap> fileMap() {
        if (!mapRead) {
            mapRead = true;
            if (node instanceof FileNode f && f.mapProblem() == null) {
                try {
                    map = fs.fileMap(f, path);
                } catch (IOException e) {
                    map = null;
                }
            }
        }
        return Optional.ofNullable(map);
    }

    @Override
    public Optional<String> mapProblem() {
        return node instanceof FileNode f ? Optional.ofNullable(f.mapProblem()) : Optional.empty();
    }

    private static final Set<String> BASIC = Set.of("lastModifiedTime", "lastAccessTime", "creationTime", "size",
            "isRegularFile", "isDirectory", "isSymbolicLink", "isOther", "fileKey");
    private static final Set<String> POSIX = union(BASIC, Set.of("permissions", "owner", "group"));
    private static final Map<String, Set<String>> NAMES = Map.of(
            "basic", BASIC,
            "owner", Set.of("owner"),
            "posix", POSIX,
            "unix", union(POSIX, Set.of("mode", "ino", "dev", "rdev", "nlink", "uid", "gid", "ctime")),
            "famfs", union(POSIX, Set.of("logIndex", "flags", "mode", "uid", "gid", "fileMap", "extentType",
                    "extents", "nstrips", "chunkSize", "allocatedBytes", "mapProblem")));

    private static Set<String> union(Set<String> a, Set<String> b) {
        Set<String> u = new java.util.HashSet<>(a);
        u.addAll(b);
        return Set.copyOf(u);
    }

    /**
     * Checks a view and attribute names before any lookup, as the JDK does: an unknown view is
     * UnsupportedOperationException, an unknown name IllegalArgumentException.
     */
    static void checkNames(String view, String names) {
        Set<String> known = NAMES.get(view);
        if (known == null) {
            throw new UnsupportedOperationException("View '" + view + "' not available");
        }
        for (String name : names.split(",", -1)) {
            if (!name.equals("*") && !known.contains(name)) {
                throw new IllegalArgumentException("'" + name + "' not recognized (the famfs '" + view + "' view has "
                        + new java.util.TreeSet<>(known) + ")");
            }
        }
    }

    /** The attributes of {@code view} named in {@code names} ("*" for all), as Files.readAttributes wants them. */
    Map<String, Object> toMap(String view, String names) {
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("lastModifiedTime", lastModifiedTime());
        all.put("lastAccessTime", lastAccessTime());
        all.put("creationTime", creationTime());
        all.put("size", size());
        all.put("isRegularFile", isRegularFile());
        all.put("isDirectory", isDirectory());
        all.put("isSymbolicLink", false);
        all.put("isOther", false);
        all.put("fileKey", fileKey());
        switch (view) {
            case "basic":
                break;
            case "owner":
                all.clear();
                all.put("owner", owner());
                break;
            case "posix":
                putPosix(all);
                break;
            case "unix":
                putPosix(all);
                all.put("mode", (node.isDirectory() ? S_IFDIR : S_IFREG) | node.mode());
                all.put("ino", (long) node.logIndex() + 2);
                all.put("dev", fs.superblockUuid().getMostSignificantBits());
                all.put("rdev", 0L);
                all.put("nlink", node instanceof DirNode d ? 2 + countSubdirectories(d) : 1);
                all.put("uid", node.uid());
                all.put("gid", node.gid());
                all.put("ctime", fs.openTime());
                break;
            case "famfs":
                putPosix(all);
                all.put("logIndex", logIndex());
                all.put("flags", flags());
                all.put("mode", mode());
                all.put("uid", uid());
                all.put("gid", gid());
                FileMap m = fileMap().orElse(null);
                all.put("fileMap", m);
                all.put("extentType", m == null ? null : m instanceof InterleavedMap ? "interleaved" : "simple");
                all.put("extents", m == null ? null : m.extents());
                all.put("nstrips", m instanceof InterleavedMap im ? im.nstrips() : null);
                all.put("chunkSize", m instanceof InterleavedMap im ? im.chunkSize() : null);
                all.put("allocatedBytes", m == null ? null : m.allocatedBytes());
                all.put("mapProblem", mapProblem().orElse(null));
                break;
            default:
                throw new UnsupportedOperationException("famfs has no attribute view '" + view
                        + "' (it has basic, owner, posix, unix, famfs)");
        }
        if (names.equals("*")) {
            return all;
        }
        Map<String, Object> out = new LinkedHashMap<>();
        for (String name : names.split(",")) {
            if (name.equals("*")) {
                out.putAll(all);
            } else if (all.containsKey(name)) {
                out.put(name, all.get(name));
            } else {
                throw new IllegalArgumentException("'" + name + "' is not an attribute of the famfs '" + view
                        + "' view");
            }
        }
        return out;
    }

    private void putPosix(Map<String, Object> all) {
        all.put("permissions", permissions());
        all.put("owner", owner());
        all.put("group", group());
    }

    private static int countSubdirectories(DirNode d) {
        int n = 0;
        for (Node c : d.children()) {
            if (c.isDirectory()) {
                n++;
            }
        }
        return n;
    }
}
