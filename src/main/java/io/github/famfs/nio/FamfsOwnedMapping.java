package io.github.famfs.nio;

import io.github.famfs.memory.FileMapping;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.file.ProviderMismatchException;

/**
 * A mapping of a byte range of a famfs file that its owner unmaps, by {@link #close()}, instead of the garbage
 * collector (as for {@code FileChannel.map}'s buffers). For code that counts its own references to the memory and
 * knows when nothing uses it any more: Arrow's buffers ({@code io.github.famfs.arrow} is built on it), an
 * off-heap index, a native library given the address.
 *
 * <p>The mapping is the file's device memory (no copy, no page cache), as {@link FileChannel#map} gives it, and
 * independent of the channel and of the file system once made: closing them leaves it valid until {@link #close()}.
 *
 * <p><b>The contract.</b> {@link #close()} unmaps the range at once (once, however often it is called; a
 * {@link FamfsCaches} call over it in progress on another thread is waited for, and later ones are refused). After it,
 * {@link #address()} and {@link #buffer()} throw {@link IllegalStateException}; but a buffer taken before, or the
 * address handed to other code, then refers to memory that is no longer mapped, and reading or writing through it
 * is the caller's error, which the JVM may answer with a crash (SIGSEGV), or with another mapping's bytes if the
 * address range was mapped again. This library cannot prevent that, as it cannot for any memory whose address
 * leaves it; so close only when no view or copy of the address can be used again, and never while another
 * thread may use one. Where that cannot be known, use {@link FileChannel#map} (unmapped only when unreachable)
 * or, on Java 22+, a segment of a shared {@code Arena}, whose close the JDK makes safe.
 */
public final class FamfsOwnedMapping implements AutoCloseable {
    private final FileMapping mapping;
    private final boolean writable;
    private final String subject;
    private volatile boolean closed;

    private FamfsOwnedMapping(FileMapping mapping, boolean writable, String subject) {
        this.mapping = mapping;
        this.writable = writable;
        this.subject = subject;
    }

    /**
     * Maps {@code [position, position+size)} of the file of famfs channel {@code channel}, with the checks of
     * {@link FileChannel#map} (mode READ_ONLY or READ_WRITE, the channel open for it, the range within the file).
     *
     * @throws ProviderMismatchException when {@code channel} is not a channel on a famfs file
     * @throws UnsupportedOperationException for {@code MapMode.PRIVATE}, which famfs cannot give
     */
    public static FamfsOwnedMapping map(FileChannel channel, MapMode mode, long position, long size)
            throws IOException {
        if (!(channel instanceof FamfsFileChannel f)) {
            throw new ProviderMismatchException(channel + " is not a channel on a published famfs file");
        }
        FileMapping m = f.mapRange(mode, position, size);
        return new FamfsOwnedMapping(m, mode == MapMode.READ_WRITE, f.path() + " [" + position + ", +" + size
                + "]");
    }

    private void ensureOpen() {
        if (closed) {
            throw new IllegalStateException(subject + ": this owned mapping is closed (unmapped)");
        }
    }

    /** The address of the first byte of the range. */
    public long address() {
        ensureOpen();
        return mapping.address();
    }

    /** The size of the range in bytes. */
    public long size() {
        return mapping.size();
    }

    /** Whether it was mapped READ_WRITE. */
    public boolean isWritable() {
        return writable;
    }

    /** Whether {@link #close()} was called. */
    public boolean isClosed() {
        return closed;
    }

    /**
     * A new direct buffer over the whole range (read-only unless mapped READ_WRITE), big-endian, at position 0;
     * valid until {@link #close()}.
     *
     * @throws IllegalArgumentException when the range is over 2 GiB (a buffer's limit)
     */
    public ByteBuffer buffer() {
        ensureOpen();
        ByteBuffer b = mapping.buffer();
        return writable ? b : b.asReadOnlyBuffer();
    }

    /** Unmaps the range now; once (later calls do nothing). See the class's contract. */
    @Override
    public void close() {
        closed = true;
        mapping.unmap();
    }

    @Override
    public String toString() {
        return "FamfsOwnedMapping[" + subject + (closed ? ", closed]" : "]");
    }
}
