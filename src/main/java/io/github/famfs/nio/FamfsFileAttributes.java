package io.github.famfs.nio;

import io.github.famfs.format.FileMap;
import java.nio.file.attribute.PosixFileAttributes;
import java.util.Optional;

/**
 * The attributes of a famfs file or directory: POSIX ones (owner and group are the numeric ids, which are
 * cluster-wide in famfs) plus what the log entry says. Times are the moment the file system was opened: famfs
 * records none.
 */
public interface FamfsFileAttributes extends PosixFileAttributes {
    /** Index of the log entry that made this file or directory; -1 for the root. */
    int logIndex();

    /** Permission bits with setuid, setgid and sticky (no file-type bits). */
    int mode();

    /** Owner id, unsigned. */
    int uid();

    /** Group id, unsigned. */
    int gid();

    /** The file entry's flags (2 = all hosts read-write, 1 = all hosts read-only); 0 for directories. */
    int flags();

    /** The file's map; empty for directories and for files whose map is invalid. */
    Optional<FileMap> fileMap();

    /** Why the file's map is invalid (and its bytes are not served); empty when it is valid. */
    Optional<String> mapProblem();
}
