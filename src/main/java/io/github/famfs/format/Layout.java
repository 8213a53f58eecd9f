package io.github.famfs.format;

/** Constants of the famfs on-media format (version 48, OMF 2.2), as in famfs-format.md. */
public final class Layout {
    private Layout() {}

    public static final long SUPER_MAGIC = 0x87b282ffL;
    public static final long CURRENT_VERSION = 48;
    public static final int OMF_MAJOR = 2;
    public static final int OMF_MINOR = 2;
    public static final long LOG_MAGIC = 0x00000BADCAFEF00DL;

    /** The superblock region and the allocation unit: 2 MiB. */
    public static final long ALLOC_UNIT = 0x200000L;
    /** The other allocation unit the reference's superblock check accepts. */
    public static final long SMALL_ALLOC_UNIT = 4096L;
    public static final long SUPERBLOCK_REGION = 0x200000L;
    public static final long LOG_OFFSET = 0x200000L;
    public static final long DEFAULT_LOG_LEN = 0x800000L;
    public static final long MIN_LOG_LEN = 0x800000L;

    public static final int SUPERBLOCK_SIZE = 200;
    public static final int SUPERBLOCK_CRC_COVERS = 96;
    public static final int LOG_HEADER_SIZE = 48;
    public static final int LOG_HEADER_CRC_COVERS = 24;
    public static final int ENTRY_SIZE = 544;
    public static final int ENTRY_CRC_OFFSET = 536;

    public static final int MAX_EXTENTS = 16;
    public static final int MAX_STRIPS = 16;
    public static final int MAX_NBUCKETS = 64;
    public static final int RELPATH_FIELD = 80;
    /** Longest relative path the reference stores (byte 79 is always NUL). */
    public static final int MAX_RELPATH = 79;
    public static final int DEVNAME_LEN = 64;

    public static final int FLAGS_ALL_HOSTS_RO = 1;
    public static final int FLAGS_ALL_HOSTS_RW = 2;

    /** Index of the last usable slot of a log of the given length. */
    public static long lastIndexFor(long logLen) {
        return (logLen - LOG_HEADER_SIZE) / ENTRY_SIZE - 1;
    }

    /** Device offset of log slot {@code index}. */
    public static long entryOffset(long index) {
        return LOG_OFFSET + LOG_HEADER_SIZE + (long) ENTRY_SIZE * index;
    }
}
