package io.github.famfs.nio;

import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.util.Set;

/**
 * The mode, owner and group of a new file or directory, from the FileAttributes given to a create call
 * ({@code posix:permissions}, {@code unix:mode}, {@code posix:owner}, {@code posix:group}, {@code unix:uid},
 * {@code unix:gid}), with defaults: mode 0777 for directories and 0666 for files, this process's effective ids.
 * As the JDK's default provider (the kernel) does, the process's umask clears permission bits of the mode
 * (umask 022 gives the usual 0755 and 0644); {@code famfs:mode} gives a mode that is recorded as it is.
 */
record CreateAttributes(int mode, int uid, int gid) {
    /** The mode recorded exactly, the umask not applied ({@link UnixAttributes#exactMode}). */
    static final String EXACT_MODE = "famfs:mode";

    static CreateAttributes parse(FileAttribute<?>[] attrs, int defaultMode, int defaultUid, int defaultGid,
            int umask) {
        CreateAttributes a = parse(attrs, defaultMode, defaultUid, defaultGid);
        for (FileAttribute<?> x : attrs) {
            if (x.name().equals(EXACT_MODE)) {
                return a; // the mode as given, as the reference's tools record it (pcq: 0644 exactly)
            }
        }
        return new CreateAttributes(a.mode() & ~(umask & 0777), a.uid(), a.gid());
    }

    private static CreateAttributes parse(FileAttribute<?>[] attrs, int defaultMode, int defaultUid,
            int defaultGid) {
        int mode = defaultMode;
        int uid = defaultUid;
        int gid = defaultGid;
        for (FileAttribute<?> a : attrs) {
            Object v = a.value();
            switch (a.name()) {
                case "posix:permissions":
                    mode = (mode & ~0777) | bits(cast(a, Set.class));
                    break;
                case "unix:mode":
                case EXACT_MODE:
                    mode = cast(a, Integer.class) & 07777;
                    break;
                case "posix:owner":
                case "owner:owner":
                    uid = id(cast(a, UserPrincipal.class).getName(), a);
                    break;
                case "posix:group":
                    gid = id(cast(a, GroupPrincipal.class).getName(), a);
                    break;
                case "unix:uid":
                    uid = cast(a, Integer.class);
                    break;
                case "unix:gid":
                    gid = cast(a, Integer.class);
                    break;
                default:
                    throw new UnsupportedOperationException("famfs cannot set attribute '" + a.name() + "' = " + v
                            + " at creation (it records mode, owner and group)");
            }
        }
        return new CreateAttributes(mode, uid, gid);
    }

    private static <T> T cast(FileAttribute<?> a, Class<T> type) {
        if (!type.isInstance(a.value())) {
            throw new IllegalArgumentException("attribute '" + a.name() + "' has a " + a.value().getClass()
                    .getName() + ", expected " + type.getSimpleName());
        }
        return type.cast(a.value());
    }

    private static int bits(Set<?> perms) {
        int m = 0;
        PosixFilePermission[] all = PosixFilePermission.values();
        for (int i = 0; i < 9; i++) {
            if (perms.contains(all[i])) {
                m |= 0400 >> i;
            }
        }
        return m;
    }

    private static int id(String name, FileAttribute<?> a) {
        try {
            return Integer.parseUnsignedInt(name);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("attribute '" + a.name() + "' names '" + name
                    + "'; famfs owners are numeric ids (use the file system's UserPrincipalLookupService)");
        }
    }
}
