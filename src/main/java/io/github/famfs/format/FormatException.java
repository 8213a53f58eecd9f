package io.github.famfs.format;

import java.io.IOException;

/** An on-media record that does not decode or validate; the message names the record, field and values. */
public class FormatException extends IOException {
    private static final long serialVersionUID = 1L;

    public FormatException(String message) {
        super(message);
    }
}
