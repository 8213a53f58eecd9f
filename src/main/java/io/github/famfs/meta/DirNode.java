package io.github.famfs.meta;

import java.util.ArrayList;
import java.util.List;

/**
 * A directory: its children by name, in a {@link ChildTable}. Like the log, it only grows: replay (and a master's
 * appends, replayed the same way) add children; nothing is ever removed or replaced, so readers need no lock. A
 * lookup probes about two slots of the table, however many children the directory has.
 */
public final class DirNode extends Node {
    private volatile ChildTable children;

    DirNode(byte[] name, int mode, int uid, int gid, int logIndex) {
        super(name, mode, uid, gid, logIndex);
    }

    public Node child(String name) {
        ChildTable t = children;
        return t == null ? null : t.get(name);
    }

    /** The child named by the UTF-8 bytes {@code name[off, off+len)}, or null. */
    Node child(byte[] name, int off, int len) {
        ChildTable t = children;
        return t == null ? null : t.get(name, off, len);
    }

    /** The children now (a snapshot, in no particular order). */
    public List<Node> children() {
        ChildTable t = children;
        if (t == null) {
            return List.of();
        }
        List<Node> out = new ArrayList<>(t.count());
        for (int i = 0, n = t.capacity(); i < n; i++) {
            Node c = t.slot(i);
            if (c != null) {
                out.add(c);
            }
        }
        return out;
    }

    /** The names of the children now, sorted as strings. */
    public String[] childNames() {
        List<Node> c = children();
        String[] names = new String[c.size()];
        for (int i = 0; i < names.length; i++) {
            names[i] = c.get(i).name();
        }
        java.util.Arrays.sort(names);
        return names;
    }

    public int size() {
        ChildTable t = children;
        return t == null ? 0 : t.count();
    }

    /** Slots looked at to find (or miss) {@code name}: about two at any size; for tests that count work. */
    int probes(String name) {
        ChildTable t = children;
        return t == null ? 0 : (int) (t.locate(name) >>> 32);
    }

    /** Names hashed by replay to add this directory's children (for tests that count work). */
    int namesHashed() {
        ChildTable t = children;
        return t == null ? 0 : t.hashes();
    }

    /** The table of children now, or null while there are none (for replay, the one writer). */
    ChildTable table() {
        return children;
    }

    /** Adds a child whose name is not taken (the caller, replay, checked it). */
    void add(Node node) {
        add(node, 0, 0);
    }

    /**
     * As {@link #add(Node)}, with the name's hash under seed {@code hashSeed} known (see
     * {@link ChildTable#add(Node, long, int)}; seeds are odd, so 0 is none).
     */
    void add(Node node, long hashSeed, int hash) {
        ChildTable t = children;
        ChildTable after = (t == null ? ChildTable.empty() : t).add(node, hashSeed, hash);
        if (after != t) {
            children = after;
        }
    }

    @Override
    public boolean isDirectory() {
        return true;
    }
}
