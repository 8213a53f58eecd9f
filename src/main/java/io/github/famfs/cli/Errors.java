package io.github.famfs.cli;

import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.InvalidPathException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.ReadOnlyFileSystemException;

/** One line that names the problem, for any exception a command can end with. */
final class Errors {
    private Errors() {}

    static String describe(Throwable e) {
        while ((e instanceof UncheckedIOException || e.getClass() == RuntimeException.class)
                && e.getCause() != null) {
            e = e.getCause();
        }
        return FamfsCli.oneLine(text(e));
    }

    private static String text(Throwable e) {
        if (e instanceof FileSystemException f) {
            StringBuilder sb = new StringBuilder();
            if (f.getFile() != null) {
                sb.append(f.getFile());
            }
            if (f.getOtherFile() != null) {
                sb.append(" -> ").append(f.getOtherFile());
            }
            String reason = f.getReason();
            if (reason == null) {
                reason = defaultReason(f);
            }
            if (sb.length() > 0) {
                sb.append(": ");
            }
            return sb.append(reason).toString();
        }
        if (e instanceof ReadOnlyFileSystemException) {
            return "the famfs is read-only here (this host is a client, or the device is not writable)";
        }
        if (e instanceof InvalidPathException ip) {
            return "bad famfs path '" + ip.getInput() + "': " + ip.getReason();
        }
        if (e instanceof FileSystemAlreadyExistsException) {
            return "the device is already open in this process: " + e.getMessage();
        }
        if (e instanceof OutOfMemoryError) {
            return "out of Java heap memory (" + e.getMessage() + ")";
        }
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            return e.getClass().getSimpleName();
        }
        if (e instanceof java.io.IOException || e instanceof IllegalArgumentException
                || e instanceof UnsupportedOperationException || e instanceof IllegalStateException) {
            return m;
        }
        return e.getClass().getSimpleName() + ": " + m;
    }

    private static String defaultReason(FileSystemException f) {
        if (f instanceof NoSuchFileException) {
            return "no such file or directory";
        }
        if (f instanceof FileAlreadyExistsException) {
            return "already exists";
        }
        if (f instanceof NotDirectoryException) {
            return "not a directory";
        }
        if (f instanceof DirectoryNotEmptyException) {
            return "directory not empty";
        }
        if (f instanceof AccessDeniedException) {
            return "permission denied";
        }
        return f.getClass().getSimpleName();
    }
}
