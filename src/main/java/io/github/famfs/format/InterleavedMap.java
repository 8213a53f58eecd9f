package io.github.famfs.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * One interleaved extent: file chunk {@code k} of {@code chunkSize} bytes lives on strip {@code k % nstrips}
 * at strip offset {@code (k / nstrips) * chunkSize}, strips in their recorded order.
 */
public record InterleavedMap(long chunkSize, List<Extent> strips) implements FileMap {
    public InterleavedMap {
        strips = List.copyOf(strips);
    }

    public int nstrips() {
        return strips.size();
    }

    @Override
    public List<Extent> extents() {
        return strips;
    }

    @Override
    public <X extends Throwable> void visit(long fileOffset, long length, DeviceRangeVisitor<X> visitor) throws X {
        int n = strips.size();
        long pos = fileOffset;
        long end = fileOffset + length;
        while (pos < end) {
            long chunkNum = pos / chunkSize;
            long chunkOff = pos % chunkSize;
            long stripeNum = chunkNum / n;
            Extent strip = strips.get((int) (chunkNum % n));
            long inStrip = stripeNum * chunkSize + chunkOff;
            long take = Math.min(chunkSize - chunkOff, end - pos);
            if (inStrip + take > strip.length()) {
                throw new IndexOutOfBoundsException("file offset " + pos + " is past strip " + (chunkNum % n)
                        + " (" + strip.length() + " bytes)");
            }
            visitor.range(pos, strip.offset() + inStrip, take);
            pos += take;
        }
    }

    @Override
    public void validate(long fileSize, long dataStart, long deviceLimit, long alignment) throws FormatException {
        int n = strips.size();
        if (n < 1 || n > Layout.MAX_STRIPS) {
            throw new FormatException("interleaved fmap has " + n + " strips (allowed 1.." + Layout.MAX_STRIPS + ")");
        }
        if (chunkSize <= 0 || Long.bitCount(chunkSize) != 1 || chunkSize % alignment != 0) {
            throw new FormatException("interleave chunk size " + Long.toUnsignedString(chunkSize)
                    + " is not a power of two multiple of the " + alignment + "-byte allocation unit");
        }
        if (fileSize < 0) {
            throw new FormatException("size " + Long.toUnsignedString(fileSize) + " is not a file size");
        }
        long nchunks = fileSize / chunkSize + (fileSize % chunkSize != 0 ? 1 : 0);
        for (int k = 0; k < n; k++) {
            Extent s = strips.get(k);
            FileMap.checkExtent("strip", k, s, true, dataStart, deviceLimit, alignment);
            long need = bytesNeededOnStrip(k, n, nchunks, fileSize);
            if (s.length() < need) {
                throw new FormatException("strip " + k + " holds " + s.length() + " bytes but the file needs " + need
                        + " on it (size " + fileSize + ", " + n + " strips of " + chunkSize + "-byte chunks)");
            }
        }
    }

    private long bytesNeededOnStrip(int k, int n, long nchunks, long fileSize) {
        if (nchunks <= k) {
            return 0;
        }
        long count = (nchunks - 1 - k) / n + 1;
        long lastChunk = k + (count - 1) * n;
        // lastChunk * chunkSize < fileSize: no overflow for any fileSize up to 2^63-1 (exact math checks it)
        long lastBytes = lastChunk == nchunks - 1 ? fileSize - Math.multiplyExact(lastChunk, chunkSize) : chunkSize;
        return Math.addExact(Math.multiplyExact(count - 1, chunkSize), lastBytes);
    }

    @Override
    public void encode(ByteBuffer entry) {
        ByteBuffer b = entry.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(OFF_EXT_TYPE, EXT_INTERLEAVE);
        b.putInt(OFF_COUNT, 1);
        b.putLong(OFF_NSTRIPS, strips.size());
        b.putLong(OFF_CHUNK, chunkSize);
        for (int i = 0; i < strips.size(); i++) {
            FileMap.putExtent(b, OFF_STRIPS + i * Extent.SIZE, strips.get(i));
        }
    }
}
