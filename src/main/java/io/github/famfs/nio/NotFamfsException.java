package io.github.famfs.nio;

import java.io.IOException;

/** The device or image holds no famfs at all (no superblock magic); other providers may have their turn. */
public final class NotFamfsException extends IOException {
    private static final long serialVersionUID = 1L;

    NotFamfsException(String message, Throwable cause) {
        super(message, cause);
    }
}
