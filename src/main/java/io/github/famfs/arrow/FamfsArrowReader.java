package io.github.famfs.arrow;

import java.io.IOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
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
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.util.ValueVectorUtility;
import org.apache.arrow.vector.util.VectorBatchAppender;

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
    /** The dictionaries whose vector is a copy in the allocator (made for a delta batch), by id. */
    private final Set<Long> copied = new HashSet<>();

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
            check(batch, getVectorSchemaRoot().getSchema().getFields(), what);
            loadRecordBatch(batch);
            for (FieldVector v : getVectorSchemaRoot().getFieldVectors()) {
                validate(v);
            }
        } catch (RuntimeException | IOException e) {
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

    /**
     * Checks {@code batch} against {@code fields} (BatchBounds) before Arrow's loader may write into it; releases
     * the batch when it does not fit (Arrow's loader, which would have, never sees it).
     */
    private void check(ArrowRecordBatch batch, List<Field> fields, String what) throws FamfsArrowException {
        try {
            BatchBounds.check(batch, fields);
        } catch (RuntimeException e) {
            batch.close();
            throw ipc.bad(what + " cannot be read in place: " + e.getMessage(), e);
        }
    }

    /**
     * Loads a dictionary batch into its dictionary, checked as a record batch is (before and after the load). A
     * delta batch is appended by Arrow to the dictionary vector in place: that vector, so far slices of the
     * read-only mapping, is first copied into the allocator (once per dictionary; the only copy FamfsArrow makes of
     * an uncompressed file).
     */
    final void load(ArrowDictionaryBatch batch, String what) throws FamfsArrowException {
        Dictionary dictionary = dictionaries.get(batch.getDictionaryId());
        if (dictionary == null) {
            batch.close();
            throw ipc.bad(what + ": its id " + batch.getDictionaryId() + " is no dictionary of the schema");
        }
        try {
            FieldVector vector = dictionary.getVector();
            check(batch.getDictionary(), List.of(vector.getField()), what);
            if (batch.isDelta() && !copied.contains(batch.getDictionaryId())) {
                copyIntoAllocator(vector);
                copied.add(batch.getDictionaryId());
            } else if (!batch.isDelta()) {
                copied.remove(batch.getDictionaryId());
            }
            loadDictionary(batch);
            validate(vector);
        } catch (RuntimeException e) {
            batch.close();
            throw ipc.bad(what + " does not fit its schema", e);
        }
    }

    /** Replaces {@code vector}'s buffers (file memory) with copies in the allocator. */
    private void copyIntoAllocator(FieldVector vector) {
        try (FieldVector copy = vector.getField().createVector(allocator)) {
            copy.allocateNew();
            VectorBatchAppender.batchAppend(copy, vector);
            copy.makeTransferPair(vector).transfer();
        }
    }

    /**
     * Arrow's initialization (the root, empty, and the dictionaries' vectors), then {@link #loadDictionaries()}.
     * When that fails, the dictionaries loaded so far are released here: Arrow's {@code close()} releases them only
     * once initialization succeeded, and they hold references on the mapping.
     */
    @Override
    protected final void initialize() throws IOException {
        super.initialize();
        try {
            loadDictionaries();
        } catch (IOException | RuntimeException | Error e) {
            for (Dictionary d : dictionaries.values()) {
                d.getVector().close();
            }
            throw e;
        }
    }

    /** Loads the dictionaries that come before the first record batch. */
    abstract void loadDictionaries() throws IOException;

    @Override
    protected final void closeReadSource() {
        ipc.release();
    }
}
