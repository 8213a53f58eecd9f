package io.github.famfs.memory;

/**
 * The library's logger ({@code io.github.famfs}), made on its first use: getting a {@code System.Logger} starts the
 * JDK's logging (java.util.logging reads its configuration), which a mount that logs nothing need not pay for.
 */
public final class LibraryLog {
    private LibraryLog() {}

    private static final class Holder {
        static final System.Logger LOG = System.getLogger("io.github.famfs");
    }

    /** The logger {@code io.github.famfs}. */
    public static System.Logger get() {
        return Holder.LOG;
    }
}
