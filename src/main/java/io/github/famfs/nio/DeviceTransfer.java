package io.github.famfs.nio;

import io.github.famfs.format.FileMap;
import io.github.famfs.memory.Device;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Transfers between famfs files and other channels. Device memory never reaches a channel outside famfs-nio:
 * bytes go through a {@link Bounce} buffer, and the device is held (a lifecycle entry) only while they are
 * copied between it and the buffer, never while the other channel runs. The one exception is the JDK's own
 * FileChannel over a regular file, whose read(2) or in-kernel copy may land in the device directly: JDK code,
 * bounded by the file's size.
 */
final class DeviceTransfer {
    private DeviceTransfer() {}

    /** Largest bounce buffer. */
    static final int BOUNCE = 1 << 20;

    /** Positional reads or writes of a famfs channel (each takes its own lifecycle entry). */
    @FunctionalInterface
    interface Positional {
        int apply(ByteBuffer buffer, long position) throws IOException;
    }

    /**
     * A channel's bounce buffer: a direct buffer of up to {@link #BOUNCE} bytes, made on first use and kept for the
     * next transfer; concurrent transfers on one channel get one each.
     */
    static final class Bounce {
        private final AtomicReference<ByteBuffer> kept = new AtomicReference<>();

        ByteBuffer take(long wanted) {
            int cap = (int) Math.min(BOUNCE, Math.max(wanted, 1));
            ByteBuffer b = kept.getAndSet(null);
            if (b == null || b.capacity() < cap) {
                b = ByteBuffer.allocateDirect(cap < BOUNCE ? Math.max(cap, 8192) : BOUNCE);
            }
            return b.clear();
        }

        void give(ByteBuffer b) {
            kept.set(b);
        }
    }

    /**
     * Writes file bytes {@code [pos, pos+length)}, read by {@code read}, to {@code target} through
     * {@code bounce}. Stops early when a non-blocking target takes no more.
     *
     * @return bytes the target took
     */
    static long writeOut(WritableByteChannel target, Bounce bounce, long pos, long length, Positional read)
            throws IOException {
        ByteBuffer b = bounce.take(length);
        try {
            long done = 0;
            while (done < length) {
                b.clear().limit((int) Math.min(b.capacity(), length - done));
                int n = read.apply(b, pos + done);
                if (n <= 0) {
                    break;
                }
                b.flip();
                while (b.hasRemaining()) {
                    if (target.write(b) <= 0) {
                        break;
                    }
                }
                done += n - b.remaining();
                if (b.hasRemaining()) {
                    break;
                }
            }
            return done;
        } finally {
            bounce.give(b);
        }
    }

    /**
     * Reads up to {@code length} bytes from {@code src} through {@code bounce} and writes them with {@code write}
     * at file positions from {@code pos}. Stops early at the end of {@code src}, or when it has nothing more to
     * give now.
     *
     * @return bytes read (and written)
     */
    static long readInto(ReadableByteChannel src, Bounce bounce, long pos, long length, Positional write)
            throws IOException {
        ByteBuffer b = bounce.take(length);
        try {
            long done = 0;
            while (done < length) {
                b.clear().limit((int) Math.min(b.capacity(), length - done));
                int r = 0;
                while (b.hasRemaining()) {
                    r = src.read(b);
                    if (r <= 0) {
                        break;
                    }
                }
                b.flip();
                int n = b.remaining();
                while (b.hasRemaining()) {
                    write.apply(b, pos + done + (n - b.remaining()));
                }
                done += n;
                if (r <= 0) {
                    break;
                }
            }
            return done;
        } finally {
            bounce.give(b);
        }
    }

    /** Whether {@code ch} is the JDK's own FileChannel (not a subclass from elsewhere). */
    static boolean isJdkFile(java.nio.channels.Channel ch) {
        return ch instanceof FileChannel && ch.getClass().getModule() == Object.class.getModule();
    }

    /**
     * Reads from the JDK FileChannel {@code src} (at its position, which advances) into file range {@code [pos,
     * pos+length)} of {@code map}: read(2) lands in the device memory. The caller holds an entry, and
     * {@code length} is at most what the source file holds (see {@link #available}), so the reads end.
     *
     * @return bytes read
     */
    static long readFileInto(FileChannel src, Device device, FileMap map, long pos, long length) throws IOException {
        long[] got = {0};
        boolean[] stop = {false};
        map.visit(pos, length, (fo, devOff, len) -> {
            if (stop[0]) {
                return;
            }
            ByteBuffer into = device.slice(devOff, (int) len);
            while (into.hasRemaining()) {
                int r = src.read(into);
                if (r <= 0) {
                    stop[0] = true;
                    break;
                }
            }
            got[0] += into.position();
            device.written(devOff, into.position());
        });
        return got[0];
    }

    /**
     * Copies from the JDK FileChannel {@code src} (at its position, which advances) into file range {@code [pos,
     * pos+length)} inside the kernel, for image files (see {@link Device#transferThroughFile}). The caller holds
     * an entry.
     *
     * @return bytes copied
     */
    static long transferInto(FileChannel src, Device device, FileMap map, long pos, long length)
            throws IOException {
        long[] got = {0};
        boolean[] stop = {false};
        long start = src.position();
        map.visit(pos, length, (fo, devOff, len) -> {
            if (stop[0]) {
                return;
            }
            long n = device.transferThroughFile(src, start + got[0], devOff, len);
            got[0] += n;
            stop[0] = n < len;
        });
        src.position(start + got[0]);
        return got[0];
    }

    /** The bytes a transfer of {@code count} from {@code src} can bring (a FileChannel says how many it has). */
    static long available(ReadableByteChannel src, long count) throws IOException {
        if (src instanceof FileChannel fc) {
            return Math.min(count, Math.max(0, fc.size() - fc.position()));
        }
        return count;
    }
}
