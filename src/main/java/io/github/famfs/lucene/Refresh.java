package io.github.famfs.lucene;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.FileSystem;

/**
 * The seam to famfs's refresh: a client's file system shows the log as it was replayed, and sees what the master
 * published since only after a refresh. When the famfs file system has a public no-argument {@code refresh()}
 * (being added to famfs-nio), a FamfsDirectory on a read-only famfs calls it before listing, so that
 * {@code DirectoryReader.openIfChanged} finds new commits; without it the listing is the one the file system
 * opened with (reopen the file system to see new commits).
 */
final class Refresh {
    private Refresh() {}

    /** Refreshes {@code fs} when it can; says whether it could. */
    static boolean refresh(FileSystem fs) throws IOException {
        Method m = method(fs.getClass());
        if (m == null) {
            return false;
        }
        try {
            m.invoke(fs);
            return true;
        } catch (InvocationTargetException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof UncheckedIOException u) {
                throw u.getCause();
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IOException(c);
        } catch (IllegalAccessException e) {
            return false;
        }
    }

    /** Whether {@code fs} can be refreshed. */
    static boolean available(FileSystem fs) {
        return method(fs.getClass()) != null;
    }

    private static Method method(Class<?> type) {
        try {
            Method m = type.getMethod("refresh");
            return m.getParameterCount() == 0 && java.lang.reflect.Modifier.isPublic(type.getModifiers()) ? m : null;
        } catch (NoSuchMethodException e) {
            return null;
        }
    }
}
