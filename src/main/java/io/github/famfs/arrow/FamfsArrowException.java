package io.github.famfs.arrow;

import java.io.IOException;

/**
 * An Arrow IPC file or stream on famfs that cannot be read in place: malformed (a truncated or garbled footer or
 * message, a buffer that points outside its body or the file) or compressed while a zero-copy read was asked.
 * The message names the file and the batch.
 */
public class FamfsArrowException extends IOException {
    private static final long serialVersionUID = 1L;

    public FamfsArrowException(String message) {
        super(message);
    }

    public FamfsArrowException(String message, Throwable cause) {
        super(message, cause);
    }
}
