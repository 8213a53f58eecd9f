package io.github.famfs.lucene;

import java.io.IOException;

/**
 * Lucene 10 methods of IndexInput and RandomAccessInput that famfs's inputs implement, declared here because
 * Lucene 9 (which this package is compiled against) lacks them. The descriptors are Lucene 10's, so on Lucene 10
 * the inputs' methods override IndexInput's and RandomAccessInput's; on Lucene 9 nothing calls them.
 */
interface Lucene10Reads {
    /** {@code IndexInput.prefetch}: bytes {@code [offset, offset+length)} will be read soon (madvise WILLNEED). */
    void prefetch(long offset, long length) throws IOException;

    /** {@code RandomAccessInput.readBytes}: bytes at {@code pos} of the input, its file pointer unchanged. */
    void readBytes(long pos, byte[] bytes, int offset, int length) throws IOException;
}
