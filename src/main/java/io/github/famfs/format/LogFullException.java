package io.github.famfs.format;

import java.io.IOException;

/** The log has no free slot: famfs cannot make another file or directory. */
public final class LogFullException extends IOException {
    private static final long serialVersionUID = 1L;

    public LogFullException(String message) {
        super(message);
    }
}
