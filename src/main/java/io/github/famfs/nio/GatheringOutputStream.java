package io.github.famfs.nio;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.Objects;

/**
 * The output stream of a new file on an image file (where each channel write is a pwrite(2)): small writes are
 * gathered in a staging buffer and reach the channel in writes of {@link #STAGING} bytes. The JDK hands a foreign
 * provider 8 KiB writes ({@code Files.copy(Path, Path)} into famfs, {@code InputStream.transferTo}); one channel
 * write and one system call each cost more than the copy itself.
 *
 * <p>Nothing but this stream writes through its channel, and a stream has no read, map or position: the file is
 * unpublished until {@link #close}, so no reader can miss the bytes still held here. {@link #flush} and
 * {@link #close} write them out first. A write that fails (the device is out of space, the file system closed)
 * leaves the file unpublishable: the failure surfaces from the write that triggered it (or from {@code flush} or
 * {@code close}), every later write throws naming it, and {@code close} discards the file (its space goes back)
 * and throws, never publishing a file that misses bytes.
 */
final class GatheringOutputStream extends OutputStream {
    /** Bytes gathered before a channel write; writes at least this long go straight through. */
    static final int STAGING = 1 << 20;
    /** Staging buffers kept for the next streams (a fresh direct buffer is zeroed: 1 MiB for each small file). */
    private static final int POOLED = 4;
    /**
     * Staging buffers held by open streams at most (a stream keeps its buffer until closed): past that, or when no
     * direct memory is left, a stream's writes go straight to its channel, ungathered, so that many streams open at
     * once (a file per partition) cost no more direct memory than {@code (HELD + POOLED) * STAGING}.
     */
    static final int HELD = 16;
    private static final ArrayDeque<ByteBuffer> POOL = new ArrayDeque<>();
    /** Buffers taken by streams and not yet given back (under the {@link #POOL} lock). */
    private static int held;

    private final NewFileChannel channel;
    /** Allocated (or taken from the pool) at the first small write; back to the pool at close. */
    private ByteBuffer staged;
    /** Gives {@link #staged} back: at close, or once this stream is unreachable (never closed). */
    private java.lang.ref.Cleaner.Cleanable lease;
    /** Why the file cannot be completed: the first failed channel write. */
    private IOException failed;
    private boolean closed;

    GatheringOutputStream(NewFileChannel channel) {
        this.channel = channel;
    }

    @Override
    public synchronized void write(int b) throws IOException {
        ensureWritable();
        if (staged == null && !stage()) {
            writeOut(ByteBuffer.wrap(new byte[] {(byte) b}));
            return;
        }
        if (!staged.hasRemaining()) {
            drain();
        }
        staged.put((byte) b);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return; // as the JDK's channel streams: nothing to write, even once closed
        }
        ensureWritable();
        if (staged != null && len > staged.remaining()) {
            drain();
        }
        if (len >= STAGING || staged == null && !stage()) {
            writeOut(ByteBuffer.wrap(b, off, len));
            return;
        }
        staged.put(b, off, len);
    }

    /**
     * Writes out the gathered bytes (the file stays unpublished until {@link #close}); once closed, does nothing, as
     * the JDK's default provider's streams.
     */
    @Override
    public synchronized void flush() throws IOException {
        if (closed) {
            return;
        }
        ensureWritable();
        drain();
    }

    /** Writes out the gathered bytes, then publishes the file; after a failed write, discards it and throws. */
    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (failed == null) {
                drain();
            }
        } catch (IOException | RuntimeException | Error e) {
            // failed is set: the channel's close below discards the file and says why
        } finally {
            if (lease != null) {
                lease.clean(); // gives staged back
            }
            staged = null;
            if (failed != null) {
                channel.fail(failed);
            }
            channel.close(); // after a failure, throws saying the file was not published
        }
        if (failed != null) {
            throw new IOException(channel.path() + ": not published, a write failed (" + failed + ")", failed);
        }
    }

    private void ensureWritable() throws IOException {
        if (closed) {
            throw new ClosedChannelException();
        }
        if (failed instanceof ClosedChannelException) {
            throw new ClosedChannelException(); // as the channel itself would, once closed (file system closed)
        }
        if (failed != null) {
            throw new IOException(channel.path() + ": not writable, an earlier write failed (" + failed
                    + "); closing the stream discards the file", failed);
        }
    }

    private void drain() throws IOException {
        if (staged != null && staged.position() > 0) {
            staged.flip();
            try {
                writeOut(staged);
            } finally {
                staged.clear();
            }
        }
    }

    private void writeOut(ByteBuffer src) throws IOException {
        try {
            while (src.hasRemaining()) {
                channel.write(src);
            }
        } catch (IOException | RuntimeException | Error e) {
            failed = e instanceof IOException io ? io : new IOException(e.toString(), e);
            throw e;
        }
    }

    /** Takes a staging buffer into {@link #staged}; false when none may be had (the writes then go straight out). */
    private boolean stage() {
        ByteBuffer b = take();
        if (b == null) {
            return false;
        }
        staged = b;
        lease = NewFileChannel.CLEANER.register(this, giver(b));
        return true;
    }

    /** Static, so that the action does not hold the stream. */
    private static Runnable giver(ByteBuffer b) {
        return () -> give(b);
    }

    private static ByteBuffer take() {
        synchronized (POOL) {
            ByteBuffer b = POOL.poll();
            if (b != null) {
                held++;
                return b;
            }
            if (held >= HELD) {
                return null;
            }
            held++;
        }
        try {
            return ByteBuffer.allocateDirect(STAGING);
        } catch (OutOfMemoryError noDirectMemory) {
            synchronized (POOL) {
                held--;
            }
            return null;
        }
    }

    private static void give(ByteBuffer b) {
        b.clear();
        synchronized (POOL) {
            held--;
            if (POOL.size() < POOLED) {
                POOL.push(b);
            }
        }
    }
}
