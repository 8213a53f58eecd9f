package io.github.famfs.lucene;

import io.github.famfs.nio.FamfsMappings.Advice;
import java.io.EOFException;
import java.io.IOException;
import java.nio.BufferUnderflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.RandomAccessInput;

/**
 * A Lucene IndexInput over one famfs mapping (a file of at most one {@link MappedFile} buffer, which most index
 * files are): reads are the buffer's own little-endian gets, the file pointer its position. Closing an input
 * drops its buffer (its clones keep theirs, as Lucene's ByteBuffersIndexInput does); the mapping itself stays
 * valid until unreachable, so no read can touch unmapped memory.
 *
 * <p>Compiled against Lucene 9: {@code readGroupVInt(long[], int)} overrides Lucene 9's protected method, and
 * {@code readGroupVInt(int[], int)}, {@code prefetch}, {@code updateIOContext} and
 * {@code readBytes(long, byte[], int, int)} carry Lucene 10's descriptors, so Lucene 10 calls them.
 */
final class SingleMappingInput extends IndexInput implements RandomAccessInput, Lucene10Reads {
    private final MappedFile file;
    /** Where this input starts in the file. */
    private final long start;
    private final int length;
    /** This input's bytes, position = file pointer; null once closed. */
    private ByteBuffer buf;

    private SingleMappingInput(String description, MappedFile file, long start, ByteBuffer buf) {
        super(description);
        this.file = file;
        this.start = start;
        this.length = buf.limit();
        this.buf = buf;
    }

    static SingleMappingInput open(String description, MappedFile file, Advice advice) {
        if (advice != Advice.NORMAL) {
            file.advise(advice, 0, file.length());
        }
        ByteBuffer b = file.chunks().get(0).duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return new SingleMappingInput(description, file, 0, b);
    }

    private ByteBuffer buf() {
        ByteBuffer b = buf;
        if (b == null) {
            throw new AlreadyClosedException("Already closed: " + this);
        }
        return b;
    }

    private EOFException eof(String what) {
        return new EOFException(what + " past the end (" + length + " bytes) of " + this);
    }

    @Override
    public void close() {
        buf = null;
    }

    @Override
    public long getFilePointer() {
        return buf().position();
    }

    @Override
    public void seek(long pos) throws IOException {
        ByteBuffer b = buf();
        if (pos < 0) {
            throw new IllegalArgumentException("seek to " + pos + " in " + this);
        }
        if (pos > length) {
            throw eof("seek to " + pos);
        }
        b.position((int) pos);
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public SingleMappingInput slice(String sliceDescription, long offset, long len) {
        ByteBuffer b = buf();
        if (Ranges.outside(offset, len, length)) {
            throw new IllegalArgumentException("slice(" + sliceDescription + ") offset=" + offset + ", length=" + len
                    + " is out of bounds: " + this);
        }
        ByteBuffer s = b.duplicate().limit((int) (offset + len)).position((int) offset).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        return new SingleMappingInput(getFullSliceDescription(sliceDescription), file, start + offset, s);
    }

    @Override
    public SingleMappingInput clone() {
        ByteBuffer b = buf();
        SingleMappingInput c = (SingleMappingInput) super.clone();
        c.buf = b.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        return c;
    }

    @Override
    public RandomAccessInput randomAccessSlice(long offset, long len) {
        return slice("randomaccess", offset, len);
    }

    /** Lucene 10: the caller will soon read bytes {@code [offset, offset+len)} of this input. */
    @Override
    public void prefetch(long offset, long len) {
        buf();
        if (Ranges.outside(offset, len, length)) {
            throw new IllegalArgumentException("prefetch offset=" + offset + ", length=" + len
                    + " is out of bounds: " + this);
        }
        file.advise(Advice.WILLNEED, start + offset, len);
    }

    /** Lucene 10: the input will now be read as {@code context} says. */
    public void updateIOContext(IOContext context) {
        file.advise(ReadHints.of(context), start, length);
    }

    @Override
    public byte readByte() throws IOException {
        try {
            return buf().get();
        } catch (BufferUnderflowException e) {
            throw eof("read");
        }
    }

    @Override
    public void readBytes(byte[] b, int offset, int len) throws IOException {
        try {
            buf().get(b, offset, len);
        } catch (BufferUnderflowException e) {
            throw eof("read of " + len + " bytes");
        }
    }

    @Override
    public short readShort() throws IOException {
        try {
            return buf().getShort();
        } catch (BufferUnderflowException e) {
            throw eof("read");
        }
    }

    @Override
    public int readInt() throws IOException {
        try {
            return buf().getInt();
        } catch (BufferUnderflowException e) {
            throw eof("read");
        }
    }

    @Override
    public long readLong() throws IOException {
        try {
            return buf().getLong();
        } catch (BufferUnderflowException e) {
            throw eof("read");
        }
    }

    @Override
    public void readLongs(long[] dst, int offset, int len) throws IOException {
        ByteBuffer b = buf();
        if (b.remaining() < 8L * len) {
            throw eof("read of " + len + " longs");
        }
        for (int i = 0; i < len; i++) {
            dst[offset + i] = b.getLong();
        }
    }

    @Override
    public void readInts(int[] dst, int offset, int len) throws IOException {
        ByteBuffer b = buf();
        if (b.remaining() < 4L * len) {
            throw eof("read of " + len + " ints");
        }
        for (int i = 0; i < len; i++) {
            dst[offset + i] = b.getInt();
        }
    }

    @Override
    public void readFloats(float[] dst, int offset, int len) throws IOException {
        ByteBuffer b = buf();
        if (b.remaining() < 4L * len) {
            throw eof("read of " + len + " floats");
        }
        for (int i = 0; i < len; i++) {
            dst[offset + i] = b.getFloat();
        }
    }

    @Override
    public void skipBytes(long numBytes) throws IOException {
        if (numBytes < 0) {
            throw new IllegalArgumentException("numBytes must be >= 0, got " + numBytes);
        }
        seek(getFilePointer() + numBytes);
    }

    /** Lucene 9: one group of four group-varint ints (as unsigned longs), read straight from the buffer. */
    @Override
    protected void readGroupVInt(long[] dst, int offset) throws IOException {
        ByteBuffer b = buf();
        int flag = readByte() & 0xFF;
        for (int k = 0; k < 4; k++) {
            dst[offset + k] = groupInt(b, (flag >>> (6 - 2 * k)) & 3) & 0xFFFFFFFFL;
        }
    }

    /** Lucene 10: one group of four group-varint ints, read straight from the buffer. */
    public void readGroupVInt(int[] dst, int offset) throws IOException {
        ByteBuffer b = buf();
        int flag = readByte() & 0xFF;
        for (int k = 0; k < 4; k++) {
            dst[offset + k] = groupInt(b, (flag >>> (6 - 2 * k)) & 3);
        }
    }

    private static final int[] GROUP_MASK = {0xFF, 0xFFFF, 0xFFFFFF, 0xFFFFFFFF};

    /** An int of {@code nMinus1 + 1} little-endian bytes at the position, which then moves past it. */
    private int groupInt(ByteBuffer b, int nMinus1) throws EOFException {
        int p = b.position();
        int n = nMinus1 + 1;
        if (b.limit() - p < n) {
            throw eof("group-varint read");
        }
        int v;
        if (b.limit() - p >= 4) {
            v = b.getInt(p) & GROUP_MASK[nMinus1];
        } else {
            v = 0;
            for (int i = 0; i < n; i++) {
                v |= (b.get(p + i) & 0xFF) << (8 * i);
            }
        }
        b.position(p + n);
        return v;
    }

    // ---- RandomAccessInput: absolute reads within this input ----

    @Override
    public byte readByte(long pos) throws IOException {
        try {
            return buf().get(index(pos, 1));
        } catch (IndexOutOfBoundsException e) {
            throw eof("read at " + pos);
        }
    }

    @Override
    public short readShort(long pos) throws IOException {
        try {
            return buf().getShort(index(pos, 2));
        } catch (IndexOutOfBoundsException e) {
            throw eof("read at " + pos);
        }
    }

    @Override
    public int readInt(long pos) throws IOException {
        try {
            return buf().getInt(index(pos, 4));
        } catch (IndexOutOfBoundsException e) {
            throw eof("read at " + pos);
        }
    }

    @Override
    public long readLong(long pos) throws IOException {
        try {
            return buf().getLong(index(pos, 8));
        } catch (IndexOutOfBoundsException e) {
            throw eof("read at " + pos);
        }
    }

    /** Lucene 10's RandomAccessInput.readBytes(long, byte[], int, int). */
    @Override
    public void readBytes(long pos, byte[] bytes, int offset, int len) throws IOException {
        ByteBuffer b = buf();
        if (Ranges.outside(pos, len, length)) {
            throw eof("read of " + len + " bytes at " + pos);
        }
        b.get((int) pos, bytes, offset, len);
    }

    private int index(long pos, int size) throws EOFException {
        if (Ranges.outside(pos, size, length)) {
            throw eof("read of " + size + " bytes at " + pos);
        }
        return (int) pos;
    }
}
