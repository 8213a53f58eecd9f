package io.github.famfs.arrow;

import java.io.IOException;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An Arrow IPC stream stored in a famfs file, read in place: {@link FamfsArrow#openStream} makes it. Like
 * {@link FamfsArrowFileReader}, its vectors hold the file's own memory. The stream ends at its end-of-stream
 * marker or at the end of the file. Not thread-safe, like Arrow's own readers.
 */
public final class FamfsArrowStreamReader extends FamfsArrowReader {
    private final Schema schema;
    private long position;
    private int batches;
    private int dictionaryBatches;

    private FamfsArrowStreamReader(MappedIpc ipc, Schema schema, long position, BufferAllocator allocator,
            CompressionCodec.Factory codecs, boolean decompress) {
        super(ipc, allocator, codecs, decompress);
        this.schema = schema;
        this.position = position;
    }

    /** Reads and checks the schema message; the caller releases {@code ipc} when this throws. */
    static FamfsArrowStreamReader open(MappedIpc ipc, BufferAllocator allocator, CompressionCodec.Factory codecs,
            boolean decompress) throws FamfsArrowException {
        MappedIpc.Msg m = ipc.message(0, ipc.size, "schema");
        if (m == null || m.type() != MessageHeader.Schema) {
            throw ipc.bad("not an Arrow IPC stream: it does not start with a schema message"
                    + (m == null ? "" : " (found a " + MappedIpc.typeName(m.type()) + " message)")
                    + " (an Arrow IPC file is read by FamfsArrow.openFile)");
        }
        Schema schema;
        try {
            schema = MessageSerializer.deserializeSchema(m.message());
        } catch (RuntimeException | StackOverflowError e) {
            throw ipc.bad("garbled schema message", e);
        }
        return new FamfsArrowStreamReader(ipc, schema, m.end(), allocator, codecs, decompress);
    }

    @Override
    protected Schema readSchema() {
        return schema;
    }

    @Override
    void loadDictionaries() throws IOException {
        // as Arrow's stream reader: the first dictionaries.size() messages after the schema are the dictionaries
        for (int i = 0, n = dictionaries.size(); i < n; i++) {
            MappedIpc.Msg m = nextMessage();
            if (m == null) {
                throw ipc.bad("the stream ends before dictionary batch " + i + " of " + n);
            }
            loadDictionaryAt(m);
        }
    }

    private MappedIpc.Msg nextMessage() throws FamfsArrowException {
        if (position >= ipc.size) {
            return null;
        }
        MappedIpc.Msg m = ipc.message(position, ipc.size, "message at offset " + position);
        position = m == null ? ipc.size : m.end();
        return m;
    }

    private void loadDictionaryAt(MappedIpc.Msg m) throws FamfsArrowException {
        String what = "dictionary batch " + dictionaryBatches++ + " (offset " + m.offset() + ")";
        load(ipc.dictionaryBatch(m, decompress, what), what);
    }

    @Override
    public boolean loadNextBatch() throws IOException {
        prepareLoadNextBatch();
        while (true) {
            MappedIpc.Msg m = nextMessage();
            if (m == null) {
                return false;
            }
            if (m.type() == MessageHeader.DictionaryBatch) {
                loadDictionaryAt(m);
                continue;
            }
            String what = "record batch " + batches + " (offset " + m.offset() + ")";
            load(ipc.recordBatch(m, decompress, what), what);
            batches++;
            return true;
        }
    }

    @Override
    public long bytesRead() {
        return Math.min(position, ipc.size);
    }

    @Override
    public String toString() {
        return "FamfsArrowStreamReader[" + ipc.subject + ", at offset " + position + "]";
    }
}
