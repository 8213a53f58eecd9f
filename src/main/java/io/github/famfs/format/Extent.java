package io.github.famfs.format;

/** A simple extent ({@code struct famfs_simple_extent}): {@code length} bytes at {@code offset} of device {@code devIndex}. */
public record Extent(long devIndex, long offset, long length) {
    public static final int SIZE = 24;

    public Extent(long offset, long length) {
        this(0, offset, length);
    }

    public long end() {
        return offset + length;
    }
}
