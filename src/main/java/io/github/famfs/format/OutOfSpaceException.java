package io.github.famfs.format;

import java.io.IOException;

/** No room on the device for an allocation; the message says what was asked and what is left. */
public final class OutOfSpaceException extends IOException {
    private static final long serialVersionUID = 1L;

    public OutOfSpaceException(String message) {
        super(message);
    }
}
