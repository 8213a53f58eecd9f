package io.github.famfs.meta;

import io.github.famfs.format.FileMap;

/**
 * A file: its size and flags, and either a valid map (kept in the log, decoded on first use) or the problem
 * that makes the map unusable. A file with a problem is listed but never served.
 */
public final class FileNode extends Node {
    private final long size;
    private final int flags;
    private final String mapProblem;
    private volatile FileMap map;

    FileNode(byte[] name, int mode, int uid, int gid, int logIndex, long size, int flags, String mapProblem) {
        super(name, mode, uid, gid, logIndex);
        this.size = size;
        this.flags = flags;
        this.mapProblem = mapProblem;
    }

    public long size() {
        return size;
    }

    public int flags() {
        return flags;
    }

    /** Why this file cannot be read, or null when its map is valid. */
    public String mapProblem() {
        return mapProblem;
    }

    FileMap cachedMap() {
        return map;
    }

    void cacheMap(FileMap m) {
        map = m;
    }

    @Override
    public boolean isDirectory() {
        return false;
    }
}
