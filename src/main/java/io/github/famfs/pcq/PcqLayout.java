package io.github.famfs.pcq;

/**
 * The reference pcq's on-media layout (famfs-format.md §13.2-§13.5): the producer file's header ({@code struct
 * pcq}), the consumer file's header ({@code struct pcq_consumer}) and the buckets. Offsets are file offsets.
 */
final class PcqLayout {
    private PcqLayout() {}

    static final long PRODUCER_MAGIC = 0x0BEEBEE3L;
    static final int CONSUMER_MAGIC = 0x0BEEBEE4;

    // struct pcq (sizeof 1080)
    static final int P_MAGIC = 0;
    static final int P_NBUCKETS = 8;
    static final int P_BUCKET_SIZE = 16;
    static final int P_BUCKET_ARRAY_OFFSET = 24;
    static final int P_PRODUCER_INDEX = 32;
    static final int P_NEXT_SEQ = 1064;
    static final int P_SIZE = 1072;
    static final int PRODUCER_HEADER = 1080;

    // struct pcq_consumer (sizeof 1,048,608)
    static final int C_MAGIC = 0;
    static final int C_CONSUMER_INDEX = 8;
    static final int C_NEXT_SEQ = 1_048_592;
    static final int C_SIZE = 1_048_600;
    static final int CONSUMER_HEADER = 1_048_608;

    /** The consumer file's size, and where the bucket array starts in the producer file. */
    static final long TWO_MIB = 2L << 20;
    /** seq (u64) and CRC (u64) end every bucket. */
    static final int TRAILER = 16;
    /** The smallest bucket: a 0-byte payload, the seq and the CRC. */
    static final long MIN_BUCKET = 16;

    /** The consumer file of queue {@code name}: the name with ".consumer" appended. */
    static String consumerName(String name) {
        return name + ".consumer";
    }
}
