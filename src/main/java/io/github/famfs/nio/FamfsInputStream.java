package io.github.famfs.nio;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.util.Objects;

/** An input stream over a famfs channel: reads copy from the mapping into the caller's array, nothing else. */
final class FamfsInputStream extends InputStream {
    private static final int TRANSFER_PIECE = 1 << 20;

    private final FamfsFileChannel channel;
    private long position;
    private long mark;

    FamfsInputStream(FamfsFileChannel channel) {
        this.channel = channel;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, b.length);
        if (len == 0) {
            return 0;
        }
        int n = channel.read(ByteBuffer.wrap(b, off, len), position);
        if (n > 0) {
            position += n;
        }
        return n;
    }

    @Override
    public byte[] readAllBytes() throws IOException {
        long left = channel.size() - position;
        if (left > Integer.MAX_VALUE - 8) {
            throw new OutOfMemoryError("famfs file of " + channel.size() + " bytes is too large for an array");
        }
        byte[] out = new byte[(int) Math.max(0, left)];
        int got = 0;
        while (got < out.length) {
            int n = read(out, got, out.length - got);
            if (n < 0) {
                break;
            }
            got += n;
        }
        return got == out.length ? out : java.util.Arrays.copyOf(out, got);
    }

    @Override
    public long skip(long n) throws IOException {
        long left = Math.max(0, channel.size() - position);
        long k = Math.max(0, Math.min(n, left));
        position += k;
        return k;
    }

    @Override
    public int available() throws IOException {
        return (int) Math.min(Integer.MAX_VALUE, Math.max(0, channel.size() - position));
    }

    @Override
    public long transferTo(OutputStream out) throws IOException {
        Objects.requireNonNull(out, "out");
        byte[] buf = new byte[(int) Math.min(TRANSFER_PIECE, Math.max(1, channel.size() - position))];
        long total = 0;
        int n;
        while ((n = read(buf, 0, buf.length)) > 0) {
            out.write(buf, 0, n);
            total += n;
        }
        return total;
    }

    @Override
    public boolean markSupported() {
        return true;
    }

    @Override
    public synchronized void mark(int readlimit) {
        mark = position;
    }

    @Override
    public synchronized void reset() {
        position = mark;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
