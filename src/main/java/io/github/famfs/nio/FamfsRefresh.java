package io.github.famfs.nio;

import java.nio.file.Path;
import java.util.List;

/**
 * What {@link FamfsFileSystem#refresh()} did: the log entries replayed before and after it, the log entries it
 * decoded (the new ones, never the whole log; naming the owner of cross-linked units scans earlier entries, at
 * most 16 times per file system), and the paths of the files and directories the new entries added, in log order
 * (an entry that added nothing, such as a second entry for a path, is counted but names nothing; the file store's
 * {@code famfs:problems} says why).
 */
public record FamfsRefresh(long entriesBefore, long entriesAfter, long entriesDecoded, List<Path> added) {
    public FamfsRefresh {
        added = List.copyOf(added);
    }

    /** Entries this refresh replayed. */
    public long newEntries() {
        return entriesAfter - entriesBefore;
    }
}
