package io.github.famfs.nio;

import java.nio.file.attribute.FileAttribute;

/**
 * The numeric attributes a famfs file or directory records at creation, as {@link FileAttribute}s for
 * {@code Files.createFile}, {@code FileChannel.open} and the like: {@code unix:mode}, {@code unix:uid},
 * {@code unix:gid} (the JDK has {@code PosixFilePermissions.asFileAttribute} for the permissions, nothing for ids).
 */
public final class UnixAttributes {
    private UnixAttributes() {}

    /** {@code unix:mode}: permission bits (less the umask, as for every new file). */
    public static FileAttribute<Integer> mode(int mode) {
        return of("unix:mode", mode);
    }

    /**
     * {@code famfs:mode}: permission bits recorded exactly, the process's umask not applied, as the reference's
     * tools that fix a mode do (pcq's 0644, famfs-format.md §13.1).
     */
    public static FileAttribute<Integer> exactMode(int mode) {
        return of(CreateAttributes.EXACT_MODE, mode);
    }

    /** {@code unix:uid}: the owner's numeric id. */
    public static FileAttribute<Integer> uid(int uid) {
        return of("unix:uid", uid);
    }

    /** {@code unix:gid}: the group's numeric id. */
    public static FileAttribute<Integer> gid(int gid) {
        return of("unix:gid", gid);
    }

    private static FileAttribute<Integer> of(String name, int value) {
        return new FileAttribute<>() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Integer value() {
                return value;
            }

            @Override
            public String toString() {
                return name + "=" + value;
            }
        };
    }
}
