package io.github.famfs.meta;

import java.io.IOException;

/** The log has no free slot: famfs cannot make another file or directory. */
public final class LogFullException extends IOException {
    private static final long serialVersionUID = 1L;

    LogFullException(String message) {
        super(message);
    }
}
