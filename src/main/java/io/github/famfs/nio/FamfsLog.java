package io.github.famfs.nio;

import io.github.famfs.format.FormatException;
import io.github.famfs.format.Layout;
import io.github.famfs.format.LogEntry;
import io.github.famfs.format.LogHeader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileSystem;
import java.util.ArrayList;
import java.util.List;

/** Read access to the raw log of an open famfs (for tools: logplay, fsck -v, debugging). */
public final class FamfsLog {
    private FamfsLog() {}

    /** The log header as it is now on the device. */
    public static LogHeader header(FileSystem fileSystem) throws IOException {
        FamfsFileSystem fs = famfs(fileSystem);
        return fs.readLog(log -> LogHeader.decode(log));
    }

    /**
     * The valid entries from slot {@code from} on, as they are now on the device (including entries appended
     * since the file system was opened), stopping at the first invalid one as replay does.
     */
    public static List<LogEntry> entries(FileSystem fileSystem, long from) throws IOException {
        FamfsFileSystem fs = famfs(fileSystem);
        return fs.readLog(log -> {
            LogHeader h = LogHeader.decode(log);
            h.validate(log, log.capacity()); // the slots read below come from a header checked against the log
            List<LogEntry> out = new ArrayList<>();
            byte[] copy = new byte[Layout.ENTRY_SIZE];
            ByteBuffer e = ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN);
            for (long i = Math.max(0, from); i < h.usedEntries(); i++) {
                log.get((int) (Layout.LOG_HEADER_SIZE + Layout.ENTRY_SIZE * i), copy);
                try {
                    LogEntry.check(e, i);
                } catch (FormatException bad) {
                    break;
                }
                out.add(LogEntry.decode(e));
            }
            return out;
        });
    }

    private static FamfsFileSystem famfs(FileSystem fileSystem) {
        if (!(fileSystem instanceof FamfsFileSystem fs)) {
            throw new IllegalArgumentException(fileSystem + " is not a famfs file system");
        }
        fs.ensureOpen();
        return fs;
    }
}
