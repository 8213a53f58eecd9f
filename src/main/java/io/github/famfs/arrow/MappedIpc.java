package io.github.famfs.arrow;

import io.github.famfs.nio.FamfsFileSystemProvider;
import io.github.famfs.nio.FamfsOwnedMapping;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.StandardOpenOption;
import java.util.Objects;
import org.apache.arrow.flatbuf.BodyCompression;
import org.apache.arrow.flatbuf.Buffer;
import org.apache.arrow.flatbuf.CompressionType;
import org.apache.arrow.flatbuf.DictionaryBatch;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.MessageHeader;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.OutOfMemoryException;
import org.apache.arrow.vector.ipc.message.ArrowDictionaryBatch;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.MessageSerializer;

/**
 * An Arrow IPC file or stream on famfs, mapped once, whole, read-only, and wrapped as one Arrow buffer (a foreign
 * allocation of the reader's allocator). Messages are parsed where they lie; record and dictionary batches are
 * slices of that buffer, so every vector buffer loaded from them is file memory and holds a reference on the one
 * mapping. Everything a message says is checked against the file before a slice is made.
 */
final class MappedIpc {
    static final int CONTINUATION = -1;

    final String subject;
    final long size;
    private final ArrowBuf whole;
    private boolean released;

    private MappedIpc(String subject, ArrowBuf whole, long size) {
        this.subject = subject;
        this.whole = whole;
        this.size = size;
    }

    static MappedIpc open(Path path, BufferAllocator allocator) throws IOException {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(allocator, "allocator");
        if (!(path.getFileSystem().provider() instanceof FamfsFileSystemProvider)) {
            throw new ProviderMismatchException(path + " is not on a famfs file system (Arrow's own ArrowFileReader"
                    + " reads other files)");
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            FamfsOwnedMapping m = FamfsOwnedMapping.map(ch, FileChannel.MapMode.READ_ONLY, 0, size);
            try {
                return new MappedIpc(path.toString(), allocator.wrapForeignAllocation(new MappedFrame(m)), size);
            } catch (OutOfMemoryException e) {
                m.close();
                throw new FamfsArrowException(path + ": its mapping (" + size + " bytes, the file's size) counts"
                        + " against allocator " + allocator.getName() + ", whose limit (" + allocator.getLimit()
                        + " bytes, " + allocator.getAllocatedMemory() + " in use) it would exceed", e);
            } catch (RuntimeException | Error e) {
                m.close();
                throw e;
            }
        }
    }

    /** Address of the file's first byte (for tests and diagnostics). */
    long address() {
        return whole.memoryAddress();
    }

    /** Gives up the reader's reference; the mapping goes when the last vector buffer of it is released too. */
    void release() {
        if (!released) {
            released = true;
            whole.getReferenceManager().release();
        }
    }

    int intAt(long offset) {
        return whole.getInt(offset);
    }

    byte byteAt(long offset) {
        return whole.getByte(offset);
    }

    /** A view (no copy) of {@code [offset, offset+length)}, which the caller has checked lies in the file. */
    ByteBuffer view(long offset, int length) {
        return whole.nioBuffer(offset, length).order(ByteOrder.LITTLE_ENDIAN);
    }

    FamfsArrowException bad(String what) {
        return new FamfsArrowException(subject + ": " + what);
    }

    FamfsArrowException bad(String what, Throwable cause) {
        return new FamfsArrowException(subject + ": " + what + " (" + cause + ")", cause);
    }

    /** A message: its metadata, and where its body lies in the file. */
    record Msg(Message message, long offset, long bodyStart, long bodyLength) {
        long end() {
            return bodyStart + bodyLength;
        }

        byte type() {
            return message.headerType();
        }
    }

    /**
     * The message at {@code offset} (with or without the continuation marker), which must end by {@code limit};
     * null for an end-of-stream marker.
     */
    Msg message(long offset, long limit, String what) throws FamfsArrowException {
        if (offset < 0 || offset > limit - 4) {
            throw bad(what + ": a message at offset " + offset + " would pass the end of its area (" + limit + ")");
        }
        long metaStart = offset + 4;
        int len = intAt(offset);
        if (len == CONTINUATION) {
            if (offset > limit - 8) {
                throw bad(what + ": the message at offset " + offset + " is cut off");
            }
            len = intAt(offset + 4);
            metaStart = offset + 8;
        }
        if (len == 0) {
            return null;
        }
        if (len < 0 || len > limit - metaStart) {
            throw bad(what + ": metadata length " + Integer.toUnsignedString(len) + " at offset " + offset
                    + " passes the end of its area (" + limit + ")");
        }
        Message m;
        long bodyLength;
        try {
            m = Message.getRootAsMessage(view(metaStart, len));
            m.headerType();
            bodyLength = m.bodyLength();
        } catch (RuntimeException e) {
            throw bad(what + ": garbled message metadata at offset " + offset, e);
        }
        long bodyStart = metaStart + len;
        if (bodyLength < 0 || bodyLength > limit - bodyStart) {
            throw bad(what + ": a body of " + bodyLength + " bytes at offset " + bodyStart
                    + " passes the end of its area (" + limit + ")");
        }
        return new Msg(m, offset, bodyStart, bodyLength);
    }

    static String typeName(byte type) {
        return type >= 0 && type < MessageHeader.names.length ? MessageHeader.names[type] : "unknown (" + type + ")";
    }

    /**
     * The record batch that {@code msg} holds, its buffers slices of the mapping.
     *
     * @param compressedAllowed whether a compressed body may be loaded (by decompressing it: a copy)
     */
    ArrowRecordBatch recordBatch(Msg msg, boolean compressedAllowed, String what) throws FamfsArrowException {
        if (msg.type() != MessageHeader.RecordBatch) {
            throw bad(what + ": expected a record batch at offset " + msg.offset() + ", found a "
                    + typeName(msg.type()) + " message");
        }
        RecordBatch rb;
        try {
            rb = (RecordBatch) msg.message().header(new RecordBatch());
        } catch (RuntimeException e) {
            throw bad(what + ": garbled record batch header", e);
        }
        if (rb == null) {
            throw bad(what + ": the record batch message has no header");
        }
        return load(rb, msg, compressedAllowed, what);
    }

    /** The dictionary batch that {@code msg} holds, its buffers slices of the mapping. */
    ArrowDictionaryBatch dictionaryBatch(Msg msg, boolean compressedAllowed, String what)
            throws FamfsArrowException {
        if (msg.type() != MessageHeader.DictionaryBatch) {
            throw bad(what + ": expected a dictionary batch at offset " + msg.offset() + ", found a "
                    + typeName(msg.type()) + " message");
        }
        DictionaryBatch db;
        RecordBatch rb;
        try {
            db = (DictionaryBatch) msg.message().header(new DictionaryBatch());
            rb = db == null ? null : db.data();
        } catch (RuntimeException e) {
            throw bad(what + ": garbled dictionary batch header", e);
        }
        if (rb == null) {
            throw bad(what + ": the dictionary batch has no data");
        }
        return new ArrowDictionaryBatch(db.id(), load(rb, msg, compressedAllowed, what), db.isDelta());
    }

    private ArrowRecordBatch load(RecordBatch rb, Msg msg, boolean compressedAllowed, String what)
            throws FamfsArrowException {
        long bodyLength = msg.bodyLength();
        try {
            BodyCompression c = rb.compression();
            if (c != null && !compressedAllowed) {
                byte codec = c.codec();
                String name = codec >= 0 && codec < CompressionType.names.length ? CompressionType.names[codec]
                        : "codec " + codec;
                throw bad(what + " is compressed (" + name + "): a compressed body cannot be read in place (zero"
                        + " copy); FamfsArrow.openFile/openStream(path, allocator, codecFactory) decompresses it into"
                        + " the allocator, which copies it");
            }
            for (int i = 0; i < rb.buffersLength(); i++) {
                Buffer b = rb.buffers(i);
                long off = b.offset();
                long len = b.length();
                if (off < 0 || len < 0 || off > bodyLength - len) {
                    throw bad(what + ": buffer " + i + " (offset " + off + ", " + len + " bytes) points outside its"
                            + " body (" + bodyLength + " bytes at file offset " + msg.bodyStart() + ")");
                }
            }
        } catch (RuntimeException e) {
            throw bad(what + ": garbled record batch header", e);
        }
        ArrowBuf body = whole.slice(msg.bodyStart(), bodyLength);
        // deserializeRecordBatch releases the body once it made the batch (whose buffers each hold their own
        // reference): give it one to release, and take it back when it fails before that
        body.getReferenceManager().retain();
        try {
            return MessageSerializer.deserializeRecordBatch(rb, body);
        } catch (IOException | RuntimeException e) {
            body.getReferenceManager().release();
            throw bad(what + ": cannot be read", e);
        }
    }
}
