package io.github.famfs.format;

/**
 * Something found wrong in a famfs's log and not served: what replay reports (in the file store attribute
 * {@code famfs:problems} and {@code FsckReport.problems()}).
 *
 * @param kind     what sort of problem
 * @param logIndex the entry's slot, or -1 for the log or device as a whole
 * @param path     the entry's path when it has one, else null
 * @param message  what is wrong, and what replay did about it
 */
public record FamfsProblem(Kind kind, long logIndex, String path, String message) {
    public enum Kind {
        /** An entry with a bad seqnum or CRC: replay stops there, as the reference's does. */
        BAD_ENTRY,
        /** A file whose allocation units an earlier file already holds. */
        CROSS_LINK,
        /** A file whose map is unusable: outside the device, misaligned, too short, bad counts. */
        INVALID_MAP,
        /** An entry not applied: bad path, missing parent, duplicate, unknown type. */
        SKIPPED,
        /** The log header or the device as a whole. */
        DEVICE
    }

    @Override
    public String toString() {
        return (logIndex < 0 ? "log" : "log entry " + logIndex) + (path == null ? "" : " (" + path + ")") + ": "
                + message;
    }
}
