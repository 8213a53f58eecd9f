package io.github.famfs.lucene;

import io.github.famfs.nio.FamfsMappings.Advice;
import java.io.EOFException;
import java.io.IOException;
import java.util.Map;
import java.util.Set;
import org.apache.lucene.store.ByteBuffersDataInput;
import org.apache.lucene.store.ByteBuffersIndexInput;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.RandomAccessInput;

/**
 * A Lucene IndexInput over a famfs file of several mappings (over 1 GiB; {@link SingleMappingInput} serves the
 * others) or a file held on the heap: reads are Lucene's own ByteBuffersIndexInput over the mapped buffers
 * (zero-copy, little-endian), and Lucene's read-ahead hints go to the mapping as madvise: the IOContext it opens
 * a file with, and on Lucene 10 {@code prefetch} and {@code updateIOContext}. Those two are Lucene 10 methods
 * declared here without {@code @Override} (this class is compiled against Lucene 9, where they simply are not
 * called), with descriptors identical to Lucene 10's, so the JVM overrides them there.
 */
final class FamfsIndexInput extends IndexInput implements RandomAccessInput, Lucene10Reads {
    private final ByteBuffersIndexInput in;
    private final MappedFile file;
    /** Where this input (a slice, or the whole file) starts in the file. */
    private final long start;
    private final long length;

    private FamfsIndexInput(String description, ByteBuffersIndexInput in, MappedFile file, long start,
            long length) {
        super(description);
        this.in = in;
        this.file = file;
        this.start = start;
        this.length = length;
    }

    static FamfsIndexInput open(String description, MappedFile file, Advice advice) {
        if (advice != Advice.NORMAL) {
            file.advise(advice, 0, file.length());
        }
        ByteBuffersIndexInput in = new ByteBuffersIndexInput(new ByteBuffersDataInput(file.chunks()), description);
        return new FamfsIndexInput(description, in, file, 0, file.length());
    }

    @Override
    public void close() throws IOException {
        in.close();
    }

    @Override
    public long getFilePointer() {
        return in.getFilePointer();
    }

    @Override
    public void seek(long pos) throws IOException {
        // ByteBuffersIndexInput checks neither bound of a slice: as SingleMappingInput and MMapDirectory
        if (pos < 0) {
            throw new IllegalArgumentException("seek to " + pos + " in " + this);
        }
        if (pos > length) {
            throw new EOFException("seek to " + pos + " past the end (" + length + " bytes) of " + this);
        }
        in.seek(pos);
    }

    @Override
    public long length() {
        return length;
    }

    @Override
    public FamfsIndexInput slice(String sliceDescription, long offset, long len) throws IOException {
        if (Ranges.outside(offset, len, length)) {
            throw new IllegalArgumentException("slice(" + sliceDescription + ") offset=" + offset + ", length=" + len
                    + " is out of bounds: " + this);
        }
        String d = getFullSliceDescription(sliceDescription);
        return new FamfsIndexInput(d, in.slice(d, offset, len), file, start + offset, len);
    }

    @Override
    public FamfsIndexInput clone() {
        FamfsIndexInput c = new FamfsIndexInput(toString(), (ByteBuffersIndexInput) in.clone(), file, start,
                length);
        return c;
    }

    @Override
    public RandomAccessInput randomAccessSlice(long offset, long len) throws IOException {
        return slice("randomaccess", offset, len);
    }

    /** Lucene 10: the caller will soon read bytes {@code [offset, offset+len)} of this input. */
    @Override
    public void prefetch(long offset, long len) throws IOException {
        if (Ranges.outside(offset, len, length)) {
            throw new IllegalArgumentException("prefetch offset=" + offset + ", length=" + len
                    + " is out of bounds: " + this);
        }
        file.advise(Advice.WILLNEED, start + offset, len);
    }

    /** Lucene 10: the input will now be read as {@code context} says. */
    public void updateIOContext(IOContext context) throws IOException {
        file.advise(ReadHints.of(context), start, length);
    }

    // ---- reads: Lucene's ByteBuffersIndexInput over the mapping ----

    @Override
    public byte readByte() throws IOException {
        return in.readByte();
    }

    @Override
    public void readBytes(byte[] b, int offset, int len) throws IOException {
        in.readBytes(b, offset, len);
    }

    @Override
    public void readBytes(byte[] b, int offset, int len, boolean useBuffer) throws IOException {
        in.readBytes(b, offset, len, useBuffer);
    }

    @Override
    public short readShort() throws IOException {
        return in.readShort();
    }

    @Override
    public int readInt() throws IOException {
        return in.readInt();
    }

    @Override
    public long readLong() throws IOException {
        return in.readLong();
    }

    @Override
    public int readVInt() throws IOException {
        return in.readVInt();
    }

    @Override
    public int readZInt() throws IOException {
        return in.readZInt();
    }

    @Override
    public long readVLong() throws IOException {
        return in.readVLong();
    }

    @Override
    public long readZLong() throws IOException {
        return in.readZLong();
    }

    @Override
    public String readString() throws IOException {
        return in.readString();
    }

    @Override
    public Map<String, String> readMapOfStrings() throws IOException {
        return in.readMapOfStrings();
    }

    @Override
    public Set<String> readSetOfStrings() throws IOException {
        return in.readSetOfStrings();
    }

    @Override
    public void skipBytes(long numBytes) throws IOException {
        in.skipBytes(numBytes);
    }

    @Override
    public void readFloats(float[] floats, int offset, int len) throws IOException {
        in.readFloats(floats, offset, len);
    }

    @Override
    public void readLongs(long[] dst, int offset, int len) throws IOException {
        in.readLongs(dst, offset, len);
    }

    // ---- RandomAccessInput: absolute reads within this input ----

    @Override
    public byte readByte(long pos) throws IOException {
        return in.readByte(index(pos, Byte.BYTES));
    }

    @Override
    public short readShort(long pos) throws IOException {
        return in.readShort(index(pos, Short.BYTES));
    }

    @Override
    public int readInt(long pos) throws IOException {
        return in.readInt(index(pos, Integer.BYTES));
    }

    @Override
    public long readLong(long pos) throws IOException {
        return in.readLong(index(pos, Long.BYTES));
    }

    /** Lucene 10's RandomAccessInput.readBytes(long, byte[], int, int): straight from the mapping. */
    @Override
    public void readBytes(long pos, byte[] bytes, int offset, int len) throws IOException {
        if (Ranges.outside(pos, len, length)) {
            throw new EOFException("read of " + len + " bytes at " + pos + " is past the end (" + length + "): "
                    + this);
        }
        in.length(); // the closed check: throws AlreadyClosedException once this input is closed
        file.get(start + pos, bytes, offset, len);
    }

    /** {@code pos}, checked: ByteBuffersIndexInput's absolute reads do not check a slice's bounds. */
    private long index(long pos, int size) throws EOFException {
        if (Ranges.outside(pos, size, length)) {
            throw new EOFException("read of " + size + " bytes at " + pos + " past the end (" + length
                    + " bytes) of " + this);
        }
        return pos;
    }
}
