package io.github.famfs.pcq;

import java.io.IOException;

/** A queue that is not a valid pcq, or a message that failed its CRC or sequence check. */
public class PcqException extends IOException {
    private static final long serialVersionUID = 1L;

    public PcqException(String message) {
        super(message);
    }
}
