package io.github.famfs.arrow;

import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.complex.FixedSizeListVector;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.MapVector;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.apache.arrow.vector.ipc.message.ArrowDictionaryBatch;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.util.ValueVectorUtility;

/**
 * An {@code ArrowReader} over a famfs file read in place ({@link FamfsArrowFileReader} for the IPC file format,
 * {@link FamfsArrowStreamReader} for the stream format): its vectors' buffers are slices of one read-only
 * mapping of the file, released as {@link FamfsArrow} describes. Not thread-safe, like Arrow's own readers.
 */
public abstract sealed class FamfsArrowReader extends ArrowReader
        permits FamfsArrowFileReader, FamfsArrowStreamReader {
    final MappedIpc ipc;
    /** Whether compressed batches are decompressed (copied) rather than refused. */
    final boolean decompress;

    FamfsArrowReader(MappedIpc ipc, BufferAllocator allocator, CompressionCodec.Factory codecs, boolean decompress) {
        super(allocator, codecs);
        this.ipc = ipc;
        this.decompress = decompress;
    }

    /** The file's size in bytes. */
    public long size() {
        return ipc.size;
    }

    /** Where the file is mapped (for tests). */
    long mappingAddress() {
        return ipc.address();
    }

    /** Loads a batch into the root and checks it whole (buffer sizes against lengths, offsets in order and in range). */
    final void load(ArrowRecordBatch batch, String what) throws FamfsArrowException {
        try {
            loadRecordBatch(batch);
            for (FieldVector v : getVectorSchemaRoot().getFieldVectors()) {
                validate(v);
            }
        } catch (RuntimeException | java.io.IOException e) {
            throw ipc.bad(what + " does not fit its schema", e);
        }
    }

    /**
     * {@code ValueVectorUtility.validateFull(v)}, except where Arrow 19's validators fail on valid vectors: they ask
     * a fixed-size list for offsets it does not have, and reject a map's type. A tree holding either is checked
     * here at those levels and the ones above them (validity and offsets buffers large enough, offsets in order
     * and within the child), and in full by Arrow below them.
     */
    private static void validate(FieldVector v) {
        if (!holdsUnvalidatable(v)) {
            ValueVectorUtility.validateFull(v);
            return;
        }
        int n = v.getValueCount();
        if (v.getNullCount() > 0 && v.getValidityBuffer().capacity() < (n + 7L) / 8) {
            throw new IllegalArgumentException(v.getName() + ": validity buffer too small for " + n + " values");
        }
        if (v instanceof ListVector list && n > 0) {
            ArrowBuf offsets = list.getOffsetBuffer();
            if (offsets.capacity() < (n + 1L) * ListVector.OFFSET_WIDTH) {
                throw new IllegalArgumentException(v.getName() + ": offset buffer too small for " + n + " values");
            }
            int previous = offsets.getInt(0);
            for (int i = 1; i <= n && previous >= 0; i++) {
                int next = offsets.getInt((long) i * ListVector.OFFSET_WIDTH);
                previous = next < previous ? -1 : next;
            }
            if (previous < 0 || previous > list.getDataVector().getValueCount()) {
                throw new IllegalArgumentException(v.getName() + ": offsets out of order or past the child's values");
            }
        } else if (v instanceof FixedSizeListVector list
                && list.getDataVector().getValueCount() < (long) list.getListSize() * n) {
            throw new IllegalArgumentException(v.getName() + ": fewer child values than " + n + " lists of "
                    + list.getListSize());
        }
        for (FieldVector child : v.getChildrenFromFields()) {
            validate(child);
        }
    }

    private static boolean holdsUnvalidatable(FieldVector v) {
        if (v instanceof FixedSizeListVector || v instanceof MapVector) {
            return true;
        }
        for (FieldVector child : v.getChildrenFromFields()) {
            if (holdsUnvalidatable(child)) {
                return true;
            }
        }
        return false;
    }

    /** Loads a dictionary batch into its dictionary. */
    final void load(ArrowDictionaryBatch batch, String what) throws FamfsArrowException {
        try {
            loadDictionary(batch);
        } catch (RuntimeException e) {
            throw ipc.bad(what + " does not fit its schema", e);
        }
    }

    @Override
    protected final void closeReadSource() {
        ipc.release();
    }
}
