package io.github.famfs.lucene;

import io.github.famfs.nio.FamfsMappings;
import io.github.famfs.nio.FamfsMappings.Advice;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * One famfs file mapped read-only, as Lucene reads it: buffers of {@code 1 << CHUNK_BITS} bytes (the last one
 * shorter), each a famfs mapping of the file's device memory (no page cache, no copy). The mappings are famfs's
 * own: they stay valid until unreachable, whatever is closed meanwhile, so no read can touch unmapped memory.
 */
final class MappedFile {
    /**
     * 1 GiB buffers: a power of two (as ByteBuffersDataInput needs) within a MappedByteBuffer's 2 GiB. Not final
     * only so that tests can run Lucene's suite with small buffers (files of many buffers).
     */
    static int CHUNK_BITS = 30;

    private final List<ByteBuffer> chunks;
    private final long length;
    /** log2 of the buffers' size. */
    private final int bits;

    private MappedFile(List<ByteBuffer> chunks, long length, int bits) {
        this.chunks = chunks;
        this.length = length;
        this.bits = bits;
    }

    /** Maps all of {@code file} (a famfs path) read-only. */
    static MappedFile map(Path file) throws IOException {
        int bits = CHUNK_BITS;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            List<ByteBuffer> chunks = new ArrayList<>();
            for (long pos = 0; pos < size; pos += 1L << bits) {
                long n = Math.min(1L << bits, size - pos);
                chunks.add(ch.map(FileChannel.MapMode.READ_ONLY, pos, n).order(ByteOrder.LITTLE_ENDIAN));
            }
            if (chunks.isEmpty()) {
                chunks.add(ByteBuffer.allocate(0).order(ByteOrder.LITTLE_ENDIAN));
            }
            return new MappedFile(Collections.unmodifiableList(chunks), size, bits);
        }
    }

    /** A file held on the heap (one not published to famfs: see FamfsDirectory). */
    static MappedFile ofHeap(byte[] bytes) {
        return new MappedFile(List.of(ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN)), bytes.length, 31);
    }

    List<ByteBuffer> chunks() {
        return chunks;
    }

    long length() {
        return length;
    }

    /** Copies bytes {@code [pos, pos+len)} of the file into {@code dst}: the caller checked the range. */
    void get(long pos, byte[] dst, int off, int len) {
        while (len > 0) {
            ByteBuffer c = chunks.get((int) (pos >>> bits));
            int at = (int) (pos & ((1L << bits) - 1));
            int n = Math.min(len, c.limit() - at);
            c.get(at, dst, off, n);
            pos += n;
            off += n;
            len -= n;
        }
    }

    /** madvise for file bytes {@code [pos, pos+len)}, clipped to the file; advice only. */
    void advise(Advice advice, long pos, long len) {
        long end = Math.min(length, pos + len);
        pos = Math.max(0, pos);
        while (pos < end) {
            ByteBuffer c = chunks.get((int) (pos >>> bits));
            int at = (int) (pos & ((1L << bits) - 1));
            long n = Math.min(end - pos, c.limit() - at);
            FamfsMappings.advise(c, at, n, advice);
            pos += n;
        }
    }
}
