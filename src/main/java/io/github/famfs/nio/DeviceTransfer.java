package io.github.famfs.nio;

import io.github.famfs.format.FileMap;
import io.github.famfs.memory.Device;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ReadableByteChannel;

/** Reads from a channel straight into a file's device memory: for a FileChannel source, read(2) lands there. */
final class DeviceTransfer {
    private DeviceTransfer() {}

    /**
     * Reads up to {@code length} bytes from {@code src} into file range {@code [pos, pos+length)} of {@code map}
     * (which must cover it). Stops early at the end of {@code src}, or when it has nothing more to give now.
     *
     * @return bytes read
     */
    static long readInto(ReadableByteChannel src, Device device, FileMap map, long pos, long length)
            throws IOException {
        long[] got = {0};
        boolean[] stop = {false};
        device.acquire();
        try {
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
            });
        } finally {
            device.release();
        }
        return got[0];
    }

    /**
     * Copies from a FileChannel source (at its position, which advances) into file range {@code [pos,
     * pos+length)} inside the kernel, for image files (see {@link Device#transferThroughFile}).
     *
     * @return bytes copied
     */
    static long transferInto(java.nio.channels.FileChannel src, Device device, FileMap map, long pos, long length)
            throws IOException {
        long[] got = {0};
        boolean[] stop = {false};
        long start = src.position();
        device.acquire();
        try {
            map.visit(pos, length, (fo, devOff, len) -> {
                if (stop[0]) {
                    return;
                }
                long n = device.transferThroughFile(src, start + got[0], devOff, len);
                got[0] += n;
                stop[0] = n < len;
            });
        } finally {
            device.release();
        }
        src.position(start + got[0]);
        return got[0];
    }

    /** The bytes a transfer of {@code count} from {@code src} can bring (a FileChannel says how many it has). */
    static long available(ReadableByteChannel src, long count) throws IOException {
        if (src instanceof java.nio.channels.FileChannel fc) {
            return Math.min(count, Math.max(0, fc.size() - fc.position()));
        }
        return count;
    }
}
