package io.github.famfs.format;

import java.nio.ByteBuffer;
import java.util.Arrays;

/** A MKDIR entry: a directory at {@code relpath}. */
public record MkdirEntry(long seqnum, int uid, int gid, int mode, byte[] relpath) implements LogEntry {
    public static final int OFF_UID = 16;
    public static final int OFF_GID = 20;
    public static final int OFF_MODE = 24;
    public static final int OFF_RELPATH = 28;

    public MkdirEntry {
        relpath = relpath.clone();
    }

    static MkdirEntry decodePayload(long seq, ByteBuffer b) {
        return new MkdirEntry(seq, b.getInt(OFF_UID), b.getInt(OFF_GID), b.getInt(OFF_MODE),
                RelPath.read(b, OFF_RELPATH));
    }

    @Override
    public int type() {
        return TYPE_MKDIR;
    }

    @Override
    public void encodePayload(ByteBuffer b) {
        b.putInt(OFF_TYPE, TYPE_MKDIR);
        b.putInt(OFF_UID, uid).putInt(OFF_GID, gid).putInt(OFF_MODE, mode);
        RelPath.write(b, OFF_RELPATH, relpath);
    }

    @Override
    public byte[] relpath() {
        return relpath.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MkdirEntry m && seqnum == m.seqnum && uid == m.uid && gid == m.gid && mode == m.mode
                && Arrays.equals(relpath, m.relpath);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(seqnum) * 31 + Arrays.hashCode(relpath);
    }
}
