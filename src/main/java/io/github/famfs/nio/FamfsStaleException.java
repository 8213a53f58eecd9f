package io.github.famfs.nio;

import java.nio.file.FileSystemException;

/**
 * The device no longer holds the famfs that this file system opened: another process reformatted it, its log
 * went backwards, its superblock changed, or (an image file) it was truncated, so that its mapped metadata faults.
 * Once seen (by a refresh, a lookup's automatic refresh, a watch service's poll, a master's write, or opening a
 * file for writing in place), every later operation of the file system that reads its namespace throws one of
 * these, naming what changed; the namespace already served is never mixed with the new famfs. Reopen the file
 * system.
 */
public final class FamfsStaleException extends FileSystemException {
    private static final long serialVersionUID = 1L;

    FamfsStaleException(String device, String reason) {
        super(device, null, reason);
    }

    /** A new exception (this call's stack) with the same message, caused by the first one. */
    FamfsStaleException again() {
        FamfsStaleException e = new FamfsStaleException(getFile(), getReason());
        e.initCause(this);
        return e;
    }
}
