package io.github.famfs.meta;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** A directory: its children by name, in log order. Filled during replay, never changed after. */
public final class DirNode extends Node {
    private Map<String, Node> children;

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
        if (children == null) {
            children = new LinkedHashMap<>(4);
        }
        children.put(node.name(), node);
    }

    @Override
    public boolean isDirectory() {
        return true;
    }
}
