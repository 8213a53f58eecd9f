package io.github.famfs.format;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * A FILE entry: a file of {@code size} bytes at {@code relpath}, with its map. When the map does not decode,
 * {@code map} is null and {@code mapError} says why.
 */
public record FileEntry(long seqnum, long size, int flags, int uid, int gid, int mode, byte[] relpath, FileMap map,
        String mapError) implements LogEntry {

    public static final int OFF_SIZE = 16;
    public static final int OFF_FLAGS = 24;
    public static final int OFF_UID = 28;
    public static final int OFF_GID = 32;
    public static final int OFF_MODE = 36;
    public static final int OFF_RELPATH = 40;

    public FileEntry {
        relpath = relpath.clone();
    }

    public FileEntry(long seqnum, long size, int flags, int uid, int gid, int mode, byte[] relpath, FileMap map) {
        this(seqnum, size, flags, uid, gid, mode, relpath, map, null);
    }

    static FileEntry decodePayload(long seq, ByteBuffer b) {
        FileMap map = null;
        String error = null;
        try {
            map = FileMap.decode(b);
        } catch (FormatException e) {
            error = e.getMessage();
        }
        return new FileEntry(seq, b.getLong(OFF_SIZE), b.getInt(OFF_FLAGS), b.getInt(OFF_UID), b.getInt(OFF_GID),
                b.getInt(OFF_MODE), RelPath.read(b, OFF_RELPATH), map, error);
    }

    @Override
    public int type() {
        return TYPE_FILE;
    }

    @Override
    public void encodePayload(ByteBuffer b) {
        b.putInt(OFF_TYPE, TYPE_FILE);
        b.putLong(OFF_SIZE, size).putInt(OFF_FLAGS, flags).putInt(OFF_UID, uid).putInt(OFF_GID, gid)
                .putInt(OFF_MODE, mode);
        RelPath.write(b, OFF_RELPATH, relpath);
        map.encode(b);
    }

    @Override
    public byte[] relpath() {
        return relpath.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FileEntry f && seqnum == f.seqnum && size == f.size && flags == f.flags && uid == f.uid
                && gid == f.gid && mode == f.mode && Arrays.equals(relpath, f.relpath)
                && java.util.Objects.equals(map, f.map) && java.util.Objects.equals(mapError, f.mapError);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(seqnum) * 31 + Arrays.hashCode(relpath);
    }
}
