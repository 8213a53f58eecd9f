package io.github.famfs.meta;

import io.github.famfs.format.Extent;
import io.github.famfs.format.FileEntry;
import io.github.famfs.format.Layout;
import io.github.famfs.format.LogEntry;
import io.github.famfs.format.MkdirEntry;
import io.github.famfs.format.SimpleMap;
import io.github.famfs.format.Superblock;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

/**
 * Large famfs logs made in memory, fast (a few seconds for the 493,447 entries of a full 256 MiB log): mkfs into
 * heap buffers, then entries appended by the library's own {@link LogWriter}. Files get one allocation unit
 * each, one after another, so the device is as large as they need (it is never touched: replay only checks the
 * maps against its size).
 */
final class ScaleLogs {
    /** Entries of a full 256 MiB log. */
    static final int FULL_256M = (int) (Layout.lastIndexFor(256L << 20) + 1);

    final Superblock sb;
    final ByteBuffer log;
    final LogWriter writer;
    final long deviceSize;
    private long nextUnit;

    private ScaleLogs(long logLen, long maxFiles) {
        deviceSize = Layout.LOG_OFFSET + logLen + (maxFiles + 1) * Layout.ALLOC_UNIT;
        ByteBuffer sbBytes = ByteBuffer.allocate(4096);
        log = ByteBuffer.allocate((int) logLen);
        sb = Formatter.format(sbBytes, log, deviceSize, logLen, new UUID(1, 2), "scale");
        writer = new LogWriter(log);
    }

    /** An empty log of {@code logLen} bytes on a device with room for {@code maxFiles} one-unit files. */
    static ScaleLogs empty(long logLen, long maxFiles) {
        return new ScaleLogs(logLen, maxFiles);
    }

    /** The smallest power-of-two log (at least 8 MiB) that holds {@code entries}. */
    static long logFor(long entries) {
        long len = Layout.MIN_LOG_LEN;
        while (Layout.lastIndexFor(len) + 1 < entries) {
            len *= 2;
        }
        return len;
    }

    /**
     * The usual shape: directories {@code dNNNN} at the root, each followed by up to {@code perDir - 1} files
     * {@code dNNNN/fNNNNNNN}, {@code entries} entries in all.
     */
    static ScaleLogs tree(int entries, int perDir) throws Exception {
        ScaleLogs s = empty(logFor(entries), entries);
        String dir = null;
        for (int i = 0; i < entries; i++) {
            if (i % perDir == 0) {
                dir = String.format("d%04d", i / perDir);
                s.mkdir(dir);
            } else {
                s.file(dir + "/f" + String.format("%07d", i));
            }
        }
        return s;
    }

    void mkdir(String path) throws Exception {
        writer.append(new MkdirEntry(0, 0, 0, 0755, bytes(path)));
    }

    void file(String path) throws Exception {
        file(bytes(path));
    }

    void file(byte[] path) throws Exception {
        long at = sb.dataStart() + nextUnit++ * Layout.ALLOC_UNIT;
        writer.append(new FileEntry(0, 4096, 0, 0, 0, 0644, path,
                new SimpleMap(List.of(new Extent(at, Layout.ALLOC_UNIT)))));
    }

    LogReplay.Result replay() throws Exception {
        return LogReplay.replay(sb, log, deviceSize);
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Appends {@code e} as is (a test's own entry). */
    void append(LogEntry e) throws Exception {
        writer.append(e);
    }
}
