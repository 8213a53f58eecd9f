package io.github.famfs.meta;

import java.util.Collection;
import java.util.Collections;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A directory: its children by name. Like the log, it only grows: replay (and a master's appends, replayed the
 * same way) add children; nothing is ever removed or replaced, so readers need no lock.
 */
public final class DirNode extends Node {
    private volatile Map<String, Node> children;

    DirNode(String name, int mode, int uid, int gid, int logIndex) {
        super(name, mode, uid, gid, logIndex);
    }

    public Node child(String name) {
        return children == null ? null : children.get(name);
    }

    public Collection<Node> children() {
        return children == null ? Collections.emptyList() : Collections.unmodifiableCollection(children.values());
    }

    public int size() {
        return children == null ? 0 : children.size();
    }

    void add(Node node) {
        Map<String, Node> c = children;
        if (c == null) {
            c = new ConcurrentHashMap<>(4);
            children = c;
        }
        c.put(node.name(), node);
    }

    @Override
    public boolean isDirectory() {
        return true;
    }
}
