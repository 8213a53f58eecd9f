package io.github.famfs.nio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.FileLock;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An {@link AsynchronousFileChannel} over a famfs file channel: each operation runs the channel's positional
 * read, write or lock on the executor given at open (as the JDK's default provider does with its thread pool),
 * or on a shared pool of daemon threads. famfs reads and writes are memory copies, so the pool rarely waits.
 */
final class FamfsAsynchronousChannel extends AsynchronousFileChannel {
    private static final ExecutorService DEFAULT_POOL = Executors.newCachedThreadPool(new ThreadFactory() {
        private final AtomicInteger n = new AtomicInteger();

        @Override
        public Thread newThread(Runnable r) {
            Thread t = new Thread(r, "famfs-async-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        }
    });

    private final PositionalChannel channel;
    private final ExecutorService executor;

    FamfsAsynchronousChannel(PositionalChannel channel, ExecutorService executor) {
        this.channel = channel;
        this.executor = executor == null ? DEFAULT_POOL : executor;
    }

    @FunctionalInterface
    private interface Operation<V> {
        V run() throws IOException;
    }

    private <V> Future<V> submit(Operation<V> op) {
        CompletableFuture<V> f = new CompletableFuture<>();
        if (!channel.isOpen()) {
            f.completeExceptionally(new ClosedChannelException());
            return f;
        }
        try {
            executor.execute(() -> {
                try {
                    f.complete(op.run());
                } catch (Throwable t) {
                    f.completeExceptionally(t);
                }
            });
        } catch (RejectedExecutionException e) {
            f.completeExceptionally(new ClosedChannelException());
        }
        return f;
    }

    private <V, A> void submit(Operation<V> op, A attachment, CompletionHandler<V, ? super A> handler) {
        Objects.requireNonNull(handler, "handler");
        Runnable task = () -> {
            V v;
            try {
                if (!channel.isOpen()) {
                    throw new ClosedChannelException();
                }
                v = op.run();
            } catch (Throwable t) {
                handler.failed(t, attachment);
                return;
            }
            handler.completed(v, attachment);
        };
        try {
            executor.execute(task);
        } catch (RejectedExecutionException e) {
            handler.failed(new ClosedChannelException(), attachment);
        }
    }

    @Override
    public long size() throws IOException {
        return channel.size();
    }

    @Override
    public AsynchronousFileChannel truncate(long size) throws IOException {
        channel.truncate(size);
        return this;
    }

    @Override
    public void force(boolean metaData) throws IOException {
        channel.force(metaData);
    }

    @Override
    public <A> void lock(long position, long size, boolean shared, A attachment,
            CompletionHandler<FileLock, ? super A> handler) {
        checkLock(position, size, shared);
        submit(() -> wrap(channel.lock(position, size, shared)), attachment, handler);
    }

    @Override
    public Future<FileLock> lock(long position, long size, boolean shared) {
        checkLock(position, size, shared);
        return submit(() -> wrap(channel.lock(position, size, shared)));
    }

    @Override
    public FileLock tryLock(long position, long size, boolean shared) throws IOException {
        checkLock(position, size, shared);
        FileLock l = channel.tryLock(position, size, shared);
        return l == null ? null : wrap(l);
    }

    private void checkLock(long position, long size, boolean shared) {
        if (position < 0 || size < 0 || position + size < 0) {
            throw new IllegalArgumentException("negative position or size, or their sum overflows");
        }
        if (shared && !channel.isReadable()) {
            throw new java.nio.channels.NonReadableChannelException();
        }
        if (!shared && !channel.isWritable()) {
            throw new java.nio.channels.NonWritableChannelException();
        }
    }

    private FileLock wrap(FileLock inner) {
        return new AsyncLock(this, inner);
    }

    /** The lock of the underlying channel, as a lock of this asynchronous channel. */
    private static final class AsyncLock extends FileLock {
        private final FileLock inner;

        AsyncLock(AsynchronousFileChannel ch, FileLock inner) {
            super(ch, inner.position(), inner.size(), inner.isShared());
            this.inner = inner;
        }

        @Override
        public boolean isValid() {
            return inner.isValid();
        }

        @Override
        public void release() throws IOException {
            inner.release();
        }
    }

    @Override
    public <A> void read(ByteBuffer dst, long position, A attachment,
            CompletionHandler<Integer, ? super A> handler) {
        checkRead(dst, position);
        submit(() -> channel.read(dst, position), attachment, handler);
    }

    @Override
    public Future<Integer> read(ByteBuffer dst, long position) {
        checkRead(dst, position);
        return submit(() -> channel.read(dst, position));
    }

    private void checkRead(ByteBuffer dst, long position) {
        if (!channel.isReadable()) {
            throw new java.nio.channels.NonReadableChannelException();
        }
        if (dst.isReadOnly()) {
            throw new IllegalArgumentException("read-only buffer");
        }
        if (position < 0) {
            throw new IllegalArgumentException("negative position " + position);
        }
    }

    @Override
    public <A> void write(ByteBuffer src, long position, A attachment,
            CompletionHandler<Integer, ? super A> handler) {
        checkWrite(position);
        submit(() -> channel.write(src, position), attachment, handler);
    }

    @Override
    public Future<Integer> write(ByteBuffer src, long position) {
        checkWrite(position);
        return submit(() -> channel.write(src, position));
    }

    private void checkWrite(long position) {
        if (!channel.isWritable()) {
            throw new java.nio.channels.NonWritableChannelException();
        }
        if (position < 0) {
            throw new IllegalArgumentException("negative position " + position);
        }
    }

    @Override
    public boolean isOpen() {
        return channel.isOpen();
    }

    /** Closes the channel; operations still running fail with AsynchronousCloseException or ClosedChannelException. */
    @Override
    public void close() throws IOException {
        channel.close();
    }

    @Override
    public String toString() {
        return "FamfsAsynchronousChannel[" + channel + "]";
    }
}
