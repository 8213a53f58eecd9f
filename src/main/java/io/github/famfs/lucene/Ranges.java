package io.github.famfs.lucene;

/** Overflow-safe range checks of the index inputs. */
final class Ranges {
    private Ranges() {}

    /** Whether {@code [pos, pos+len)} is not within {@code [0, length)} (no overflow for any pos and len). */
    static boolean outside(long pos, long len, long length) {
        return pos < 0 || len < 0 || pos > length - len;
    }
}
