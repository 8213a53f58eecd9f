package io.github.famfs.meta;

/** A name in the replayed namespace: a directory or a file, with the ids and mode of its log entry. */
public abstract sealed class Node permits DirNode, FileNode {
    /** Log index of the root, which has no entry. */
    public static final int NO_ENTRY = -1;

    private final String name;
    private final int mode;
    private final int uid;
    private final int gid;
    private final int logIndex;

    Node(String name, int mode, int uid, int gid, int logIndex) {
        this.name = name;
        this.mode = mode & 07777;
        this.uid = uid;
        this.gid = gid;
        this.logIndex = logIndex;
    }

    public String name() {
        return name;
    }

    /** Permission bits (with setuid, setgid, sticky), no file-type bits. */
    public int mode() {
        return mode;
    }

    /** Owner id, an unsigned 32-bit number. */
    public int uid() {
        return uid;
    }

    public int gid() {
        return gid;
    }

    /** Index of the log entry that made this node, or {@link #NO_ENTRY} for the root. */
    public int logIndex() {
        return logIndex;
    }

    public abstract boolean isDirectory();
}
