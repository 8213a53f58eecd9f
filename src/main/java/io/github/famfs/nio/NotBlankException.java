package io.github.famfs.nio;

import java.nio.file.FileAlreadyExistsException;

/**
 * {@code create=true} met a device or image that holds something other than a famfs (its first bytes are not all
 * zero): formatting it would lose what it holds, so it is refused unless {@code force=true} asks for it. Through
 * {@code FileSystems.newFileSystem(Path, env)} famfs declines such a file instead, so other providers get their
 * turn.
 */
public final class NotBlankException extends FileAlreadyExistsException {
    private static final long serialVersionUID = 1L;

    NotBlankException(String file, String reason) {
        super(file, null, reason);
    }
}
