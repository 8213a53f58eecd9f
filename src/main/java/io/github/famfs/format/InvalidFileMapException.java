package io.github.famfs.format;

import java.io.IOException;

/** Opening a file whose map is invalid: the message names the file and the problem. */
public final class InvalidFileMapException extends IOException {
    private static final long serialVersionUID = 1L;

    public InvalidFileMapException(String path, String problem) {
        super(path + ": famfs file map is invalid, refusing to serve its bytes: " + problem);
    }
}
