package io.github.famfs.testing;

import io.github.famfs.format.Extent;
import io.github.famfs.format.FileEntry;
import io.github.famfs.format.Layout;
import io.github.famfs.format.LogEntry;
import io.github.famfs.format.LogHeader;
import io.github.famfs.format.MkdirEntry;
import io.github.famfs.format.SimpleMap;
import io.github.famfs.format.Superblock;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;

/**
 * Writes small famfs images for tests straight through the format codecs: a sparse file, a superblock, an empty
 * log, then entries (well-formed or hostile, raw bytes allowed) and file data. Not the product's writer: it
 * exists so that tests can make images the reference never would.
 */
public final class TestImage implements AutoCloseable {
    public static final UUID MASTER = UUID.fromString("f2a4b1c0-5a5a-4d3e-9c1b-00000000abcd");

    private final Path path;
    private final FileChannel ch;
    private final long size;
    private final long logLen;
    private long next;
    private long nextData;

    private TestImage(Path path, long size, long logLen) throws IOException {
        this.path = path;
        this.size = size;
        this.logLen = logLen;
        this.ch = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.READ, StandardOpenOption.WRITE);
        ch.write(ByteBuffer.wrap(new byte[1]), size - 1);
        ByteBuffer sb = ByteBuffer.allocate(Layout.SUPERBLOCK_SIZE);
        Superblock.create(logLen, UUID.randomUUID(), UUID.randomUUID(), MASTER, size, "/dev/dax0.0").encode(sb);
        ch.write(sb, 0);
        this.nextData = Layout.LOG_OFFSET + logLen;
        writeHeader();
    }

    private TestImage(Path path, long nextIndex, long nextData, Void existing) throws IOException {
        this.path = path;
        this.ch = FileChannel.open(path, StandardOpenOption.READ, StandardOpenOption.WRITE);
        this.size = ch.size();
        this.logLen = Layout.DEFAULT_LOG_LEN;
        this.next = nextIndex;
        this.nextData = nextData;
    }

    /**
     * Appends to the famfs (8 MiB log) already on {@code path}, as another process would: entries from slot
     * {@code nextIndex}, data from device offset {@code nextData}. Nothing is written until an entry is added.
     */
    public static TestImage appendTo(Path path, long nextIndex, long nextData) throws IOException {
        return new TestImage(path, nextIndex, nextData, null);
    }

    /** A formatted image of {@code size} bytes with an 8 MiB log. */
    public static TestImage create(Path path, long size) throws IOException {
        return new TestImage(path, size, Layout.DEFAULT_LOG_LEN);
    }

    public Path path() {
        return path;
    }

    public long dataStart() {
        return Layout.LOG_OFFSET + logLen;
    }

    private void writeHeader() throws IOException {
        ByteBuffer h = ByteBuffer.allocate(Layout.LOG_HEADER_SIZE);
        new LogHeader(Layout.LOG_MAGIC, logLen, Layout.lastIndexFor(logLen), 0, next, next).encode(h);
        ch.write(h, Layout.LOG_OFFSET);
    }

    /** Overwrites the header's next_seqnum and next_index (the CRC does not cover them). */
    public TestImage counters(long nextIndex) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(nextIndex).putLong(nextIndex);
        ch.write(b.flip(), Layout.LOG_OFFSET + 32);
        return this;
    }

    /** Appends a 544-byte entry as given (its seqnum and CRC are the caller's business). */
    public TestImage raw(ByteBuffer entry) throws IOException {
        ch.write(entry.duplicate().position(0).limit(Layout.ENTRY_SIZE), Layout.entryOffset(next));
        next++;
        writeHeader();
        return this;
    }

    /** Continues at slot {@code nextIndex} (another writer appended up to there meanwhile). */
    public TestImage appendAfter(long nextIndex) {
        this.next = nextIndex;
        return this;
    }

    public long nextIndex() {
        return next;
    }

    public TestImage entry(LogEntry e) throws IOException {
        return raw(e.encode());
    }

    public TestImage mkdir(String path) throws IOException {
        return entry(new MkdirEntry(next, 1000, 1000, 0755, path.getBytes(StandardCharsets.UTF_8)));
    }

    /** A file of {@code size} bytes in one fresh extent, filled with {@link #pattern}. */
    public TestImage file(String path, long size) throws IOException {
        long len = (size + Layout.ALLOC_UNIT - 1) / Layout.ALLOC_UNIT * Layout.ALLOC_UNIT;
        Extent e = new Extent(nextData, len);
        nextData += len;
        fill(e.offset(), size, path.hashCode());
        return entry(new FileEntry(next, size, 2, 1000, 1000, 0644, path.getBytes(StandardCharsets.UTF_8),
                new SimpleMap(List.of(e))));
    }

    /** Device offset of the next fresh extent. */
    public long nextDataOffset() {
        return nextData;
    }

    public TestImage skipData(long bytes) {
        nextData += bytes;
        return this;
    }

    /** Writes {@code size} pattern bytes of stream {@code seed} at device offset {@code at}. */
    public TestImage fill(long at, long size, int seed) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        long done = 0;
        while (done < size) {
            buf.clear();
            int n = (int) Math.min(buf.capacity(), size - done);
            for (int i = 0; i < n; i++) {
                buf.put(pattern(seed, done + i));
            }
            buf.flip();
            ch.write(buf, at + done);
            done += n;
        }
        return this;
    }

    /** The byte at file offset {@code o} of pattern stream {@code seed}. */
    public static byte pattern(int seed, long o) {
        long x = (o + 1) * 0x9E3779B97F4A7C15L ^ seed;
        return (byte) (x ^ (x >>> 29) ^ (x >>> 43));
    }

    public static byte[] patternBytes(int seed, int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = pattern(seed, (long) i);
        }
        return b;
    }

    @Override
    public void close() throws IOException {
        ch.close();
    }
}
