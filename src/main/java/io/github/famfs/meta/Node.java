package io.github.famfs.meta;

import java.nio.charset.StandardCharsets;

/**
 * A name in the replayed namespace: a directory or a file, with the ids and mode of its log entry. The name is
 * kept as the UTF-8 bytes the log holds (decoded once, when replay read the entry) and turned into a Java string
 * only when asked for, so a node costs a few fields and one small array.
 */
public abstract sealed class Node permits DirNode, FileNode {
    /** Log index of the root, which has no entry. */
    public static final int NO_ENTRY = -1;

    private final byte[] name;
    private final int mode;
    private final int uid;
    private final int gid;
    private final int logIndex;
    /** The hash of the name under the seed of the table that holds this node (written by that table only). */
    int tableHash;

    Node(byte[] name, int mode, int uid, int gid, int logIndex) {
        this.name = name;
        this.mode = mode & 07777;
        this.uid = uid;
        this.gid = gid;
        this.logIndex = logIndex;
    }

    /** The name (a new string at each call; the node keeps the UTF-8 bytes). */
    public String name() {
        return new String(name, StandardCharsets.UTF_8);
    }

    byte[] nameBytes() {
        return name;
    }

    /** Whether the name is the UTF-8 bytes {@code b[off, off+len)}. */
    boolean nameEquals(byte[] b, int off, int len) {
        return name.length == len && sameBytes(name, 0, b, off, len);
    }

    /**
     * Whether {@code a[ai, ai+len)} and {@code b[bi, bi+len)} hold the same bytes: a plain loop, quicker than
     * {@code Arrays.equals}'s vectorised stub for names, which are short (at most 79 bytes, most a few).
     */
    static boolean sameBytes(byte[] a, int ai, byte[] b, int bi, int len) {
        for (int k = 0; k < len; k++) {
            if (a[ai + k] != b[bi + k]) {
                return false;
            }
        }
        return true;
    }

    /** Whether the name is {@code s}, an ASCII string (callers encode other strings to UTF-8 first). */
    boolean nameEquals(String s) {
        int len = s.length();
        if (name.length != len) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (name[i] != s.charAt(i)) {
                return false;
            }
        }
        return true;
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
