package io.github.famfs.nio;

import java.nio.file.FileSystemException;

/** An operation famfs does not allow by design (files are never deleted, moved, truncated or grown). */
public final class FamfsRuleException extends FileSystemException {
    private static final long serialVersionUID = 1L;

    public FamfsRuleException(String file, String rule) {
        super(file, null, rule);
    }

    static final String NO_DELETE = "famfs never deletes: the log is append-only and files are permanent";
    static final String NO_MOVE = "famfs never moves or renames: a log entry's path is fixed";
    static final String NO_TRUNCATE = "famfs files are allocated once and never truncated or grown";
    static final String NO_METADATA_CHANGE = "famfs entries are never rewritten: owner, group, mode and times are"
            + " fixed when the file is made";
}
