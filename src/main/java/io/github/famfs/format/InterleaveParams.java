package io.github.famfs.format;

/**
 * How to stripe a file: {@code nstrips} strips, each in its own one of {@code nbuckets} equal slices of the
 * device, in chunks of {@code chunkSize} bytes. Validated as the reference validates them, with its quirks
 * closed (1 &lt;= nstrips &lt;= min(16, nbuckets)).
 */
public record InterleaveParams(int nbuckets, int nstrips, long chunkSize) {
    public static final long DEFAULT_CHUNK = Layout.ALLOC_UNIT;
    private static final long MIN_BUCKET = 1L << 30;

    /** Checks the parameters for a device of {@code deviceSize} bytes; the message names the rule broken. */
    public void validate(long deviceSize) {
        checkShape();
        checkBuckets(deviceSize);
    }

    /** The rules that hold whatever the device: chunk size, nbuckets, nstrips (in that order). */
    public void checkShape() {
        checkChunkSize(chunkSize);
        checkNbuckets(nbuckets);
        checkNstrips(nstrips, nbuckets);
    }

    /** The rule that needs the device's size: every one of the nbuckets buckets holds at least 1 GiB. */
    public void checkBuckets(long deviceSize) {
        if (deviceSize / nbuckets < MIN_BUCKET) {
            throw new IllegalArgumentException("interleave nbuckets " + nbuckets + " makes buckets of "
                    + deviceSize / nbuckets + " bytes; famfs wants at least 1 GiB per bucket");
        }
    }

    public static void checkChunkSize(long chunkSize) {
        if (chunkSize <= 0 || Long.bitCount(chunkSize) != 1 || chunkSize % Layout.ALLOC_UNIT != 0) {
            throw new IllegalArgumentException("interleave chunk size " + chunkSize
                    + " must be a power of two multiple of 2 MiB");
        }
    }

    public static void checkNbuckets(int nbuckets) {
        if (nbuckets < 1 || nbuckets > Layout.MAX_NBUCKETS) {
            throw new IllegalArgumentException("interleave nbuckets " + nbuckets + " must be 1.."
                    + Layout.MAX_NBUCKETS);
        }
    }

    public static void checkNstrips(int nstrips, int nbuckets) {
        if (nstrips < 1 || nstrips > Math.min(Layout.MAX_STRIPS, nbuckets)) {
            throw new IllegalArgumentException("interleave nstrips " + nstrips + " must be 1..min(16, nbuckets = "
                    + nbuckets + ")");
        }
    }
}
