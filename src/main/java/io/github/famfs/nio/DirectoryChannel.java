package io.github.famfs.nio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;

/**
 * A directory opened for reading, as Linux allows it (open(2) of a directory with O_RDONLY succeeds): every read
 * fails with "Is a directory", as read(2) does with EISDIR, and nothing can be written. It touches no device
 * memory, but is registered with its file system's lifecycle like any channel: closing the file system closes it.
 */
final class DirectoryChannel extends PositionalChannel {
    private final FamfsFileSystem fs;
    private final FamfsPath path;

    private DirectoryChannel(FamfsFileSystem fs, FamfsPath path) {
        this.fs = fs;
        this.path = path;
    }

    /**
     * Opens a channel on directory {@code path} of {@code fs}, registered with its lifecycle.
     *
     * @throws java.nio.file.ClosedFileSystemException when closing has begun
     */
    static DirectoryChannel open(FamfsFileSystem fs, FamfsPath path) {
        DirectoryChannel ch = new DirectoryChannel(fs, path);
        fs.lifecycle().register(ch, ch::closeWithFileSystem);
        return ch;
    }

    /** Closes this channel because its file system closed. */
    private void closeWithFileSystem() {
        try {
            close();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Override
    void ensureOpen() throws ClosedChannelException {
        if (!isOpen()) {
            throw new ClosedChannelException();
        }
    }

    private IOException isADirectory() {
        return new IOException("Is a directory: " + path);
    }

    @Override
    int readAt(ByteBuffer dst, long pos) throws IOException {
        ensureOpen();
        if (!dst.hasRemaining()) {
            return 0;
        }
        throw isADirectory();
    }

    @Override
    int writeAt(ByteBuffer src, long pos) throws IOException {
        ensureOpen();
        throw new NonWritableChannelException();
    }

    /** famfs directories have no size of their own (the JDK reports the host file system's st_size). */
    @Override
    public long size() throws IOException {
        ensureOpen();
        return 0;
    }

    @Override
    public FileChannel truncate(long size) throws IOException {
        ensureOpen();
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size);
        }
        throw new NonWritableChannelException();
    }

    @Override
    public void force(boolean metaData) throws IOException {
        ensureOpen();
    }

    @Override
    public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
        ensureOpen();
        if (position < 0 || count < 0) {
            throw new IllegalArgumentException("negative position or count");
        }
        throw isADirectory();
    }

    @Override
    public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
        ensureOpen();
        throw new NonWritableChannelException();
    }

    @Override
    public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
        ensureOpen();
        throw isADirectory();
    }

    @Override
    protected void implCloseChannel() {
        fs.lifecycle().unregister(this);
    }

    @Override
    public String toString() {
        return "DirectoryChannel[" + path + "]";
    }
}
