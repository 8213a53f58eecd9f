package io.github.famfs.arrow;

import org.apache.arrow.memory.BufferAllocator;
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
            ValueVectorUtility.validateFull(getVectorSchemaRoot());
        } catch (RuntimeException | java.io.IOException e) {
            throw ipc.bad(what + " does not fit its schema", e);
        }
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
