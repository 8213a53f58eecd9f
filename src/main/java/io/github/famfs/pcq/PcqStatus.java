package io.github.famfs.pcq;

/**
 * A queue's state as both headers say it now (what the reference's {@code pcq --info} reports, and more).
 *
 * @param nbuckets         buckets in the queue (it holds at most {@code nbuckets - 1} messages)
 * @param bucketSize       bytes per bucket, including the 8-byte seq and 8-byte CRC
 * @param producerIndex    the bucket the next put fills
 * @param consumerIndex    the bucket the next get reads
 * @param producerNextSeq  messages put so far (the seq of the next put)
 * @param consumerNextSeq  messages got so far (the seq the next get expects)
 */
public record PcqStatus(long nbuckets, long bucketSize, long producerIndex, long consumerIndex, long producerNextSeq,
        long consumerNextSeq) {
    /** Messages queued: {@code (producerIndex - consumerIndex) mod nbuckets}. */
    public long messages() {
        return producerIndex >= consumerIndex ? producerIndex - consumerIndex
                : producerIndex + nbuckets - consumerIndex;
    }

    public boolean isEmpty() {
        return producerIndex == consumerIndex;
    }

    public boolean isFull() {
        return (producerIndex + 1) % nbuckets == consumerIndex;
    }

    /** Bytes of payload per message: {@code bucketSize - 16}. */
    public long payloadSize() {
        return bucketSize - PcqLayout.TRAILER;
    }
}
