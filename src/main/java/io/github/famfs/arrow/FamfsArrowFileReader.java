package io.github.famfs.arrow;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.arrow.flatbuf.Footer;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.apache.arrow.vector.ipc.message.ArrowFooter;
import org.apache.arrow.vector.types.pojo.Schema;

/**
 * An Arrow IPC file on famfs, read in place: {@link FamfsArrow#openFile} makes it. The vectors it loads hold the
 * file's own memory (slices of one read-only mapping of the file) instead of copies; see {@link FamfsArrow} for
 * the lifetime of that mapping. Batches are read in order by {@link #loadNextBatch()}, or any one of them by
 * {@link #loadRecordBatch(int)}. Not thread-safe, like Arrow's own readers.
 */
public final class FamfsArrowFileReader extends FamfsArrowReader {
    private static final byte[] MAGIC = "ARROW1".getBytes(StandardCharsets.US_ASCII);
    /** Magic, padding to 8, footer length, magic. */
    private static final int MIN_SIZE = 8 + 4 + MAGIC.length;

    private final ArrowFooter footer;
    private final long footerStart;
    private int next;
    private long bytesRead;

    private FamfsArrowFileReader(MappedIpc ipc, ArrowFooter footer, long footerStart, BufferAllocator allocator,
            CompressionCodec.Factory codecs, boolean decompress) {
        super(ipc, allocator, codecs, decompress);
        this.footer = footer;
        this.footerStart = footerStart;
    }

    /** Reads and checks the footer; the caller releases {@code ipc} when this throws. */
    static FamfsArrowFileReader open(MappedIpc ipc, BufferAllocator allocator, CompressionCodec.Factory codecs,
            boolean decompress) throws FamfsArrowException {
        long size = ipc.size;
        if (size < MIN_SIZE || !magicAt(ipc, 0) || !magicAt(ipc, size - MAGIC.length)) {
            throw ipc.bad("not an Arrow IPC file: it " + (size < MIN_SIZE ? "has only " + size + " bytes" : "does not"
                    + " start and end with ARROW1") + " (an Arrow IPC stream is read by FamfsArrow.openStream)");
        }
        int footerLength = ipc.intAt(size - MAGIC.length - 4);
        long footerStart = size - MAGIC.length - 4 - footerLength;
        if (footerLength <= 0 || footerStart < 8) {
            throw ipc.bad("truncated or garbled footer: its length " + Integer.toUnsignedString(footerLength)
                    + " does not fit in the file (" + size + " bytes)");
        }
        ArrowFooter footer;
        try {
            footer = new ArrowFooter(Footer.getRootAsFooter(ipc.view(footerStart, footerLength)));
        } catch (RuntimeException | StackOverflowError e) {
            throw ipc.bad("garbled footer (" + footerLength + " bytes at offset " + footerStart + ")", e);
        }
        if (footer.getSchema() == null) {
            throw ipc.bad("garbled footer: it holds no schema");
        }
        checkBlocks(ipc, footer.getDictionaries(), "dictionary batch", footerStart);
        checkBlocks(ipc, footer.getRecordBatches(), "record batch", footerStart);
        return new FamfsArrowFileReader(ipc, footer, footerStart, allocator, codecs, decompress);
    }

    private static boolean magicAt(MappedIpc ipc, long offset) {
        for (int i = 0; i < MAGIC.length; i++) {
            if (ipc.byteAt(offset + i) != MAGIC[i]) {
                return false;
            }
        }
        return true;
    }

    private static void checkBlocks(MappedIpc ipc, List<ArrowBlock> blocks, String what, long footerStart)
            throws FamfsArrowException {
        for (int i = 0; i < blocks.size(); i++) {
            ArrowBlock b = blocks.get(i);
            long off = b.getOffset();
            long meta = b.getMetadataLength();
            long body = b.getBodyLength();
            if (off < 8 || meta <= 0 || body < 0 || off > footerStart - meta || body > footerStart - off - meta) {
                throw ipc.bad(what + " " + i + ": its block (offset " + off + ", metadata " + meta + " bytes, body "
                        + body + " bytes) lies outside the file's data (which ends at the footer, offset "
                        + footerStart + ")");
            }
        }
    }

    /** The record batches' blocks, as the footer lists them. */
    public List<ArrowBlock> getRecordBlocks() {
        return footer.getRecordBatches();
    }

    /** The dictionary batches' blocks, as the footer lists them. */
    public List<ArrowBlock> getDictionaryBlocks() {
        return footer.getDictionaries();
    }

    /** The footer's custom metadata. */
    public java.util.Map<String, String> getMetaData() {
        return footer.getMetaData();
    }

    @Override
    protected Schema readSchema() {
        return footer.getSchema();
    }

    @Override
    void loadDictionaries() throws IOException {
        List<ArrowBlock> blocks = footer.getDictionaries();
        for (int i = 0; i < blocks.size(); i++) {
            String what = "dictionary batch " + i;
            MappedIpc.Msg m = message(blocks.get(i), what);
            load(ipc.dictionaryBatch(m, decompress, what), what);
            bytesRead += blocks.get(i).getMetadataLength() + blocks.get(i).getBodyLength();
        }
    }

    private MappedIpc.Msg message(ArrowBlock b, String what) throws FamfsArrowException {
        MappedIpc.Msg m = ipc.message(b.getOffset(), b.getOffset() + b.getMetadataLength() + b.getBodyLength(), what);
        if (m == null || m.bodyStart() != b.getOffset() + b.getMetadataLength() || m.bodyLength() != b.getBodyLength()) {
            throw ipc.bad(what + ": the footer's block (offset " + b.getOffset() + ", metadata "
                    + b.getMetadataLength() + " bytes, body " + b.getBodyLength() + " bytes) does not match the message"
                    + " there" + (m == null ? " (an end-of-stream marker)" : " (body " + m.bodyLength()
                    + " bytes at offset " + m.bodyStart() + ")"));
        }
        return m;
    }

    @Override
    public boolean loadNextBatch() throws IOException {
        prepareLoadNextBatch();
        if (next >= footer.getRecordBatches().size()) {
            return false;
        }
        load(next++);
        return true;
    }

    /** Loads record batch {@code index} (of {@link #getRecordBlocks()}) into the root. */
    public void loadRecordBatch(int index) throws IOException {
        prepareLoadNextBatch();
        if (index < 0 || index >= footer.getRecordBatches().size()) {
            throw new IndexOutOfBoundsException("record batch " + index + " of " + footer.getRecordBatches().size());
        }
        load(index);
        next = index + 1;
    }

    private void load(int index) throws IOException {
        String what = "record batch " + index;
        ArrowBlock b = footer.getRecordBatches().get(index);
        load(ipc.recordBatch(message(b, what), decompress, what), what);
        bytesRead += b.getMetadataLength() + b.getBodyLength();
    }

    @Override
    public long bytesRead() {
        return bytesRead;
    }

    @Override
    public String toString() {
        return "FamfsArrowFileReader[" + ipc.subject + ", " + footer.getRecordBatches().size() + " batches, footer at "
                + footerStart + "]";
    }
}
