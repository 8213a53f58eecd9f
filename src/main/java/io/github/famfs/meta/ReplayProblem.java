package io.github.famfs.meta;

/**
 * Something replay found wrong and did not serve: a bad entry, a skipped entry, an invalid map.
 *
 * @param logIndex the entry's slot, or -1 for the log as a whole
 * @param path     the entry's path when it has one, else null
 * @param message  what is wrong, and what replay did about it
 */
public record ReplayProblem(long logIndex, String path, String message) {
    @Override
    public String toString() {
        return (logIndex < 0 ? "log" : "log entry " + logIndex) + (path == null ? "" : " (" + path + ")") + ": "
                + message;
    }
}
