package io.github.famfs.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/** A file made of 1 to 16 simple extents, concatenated in list order (not device order). */
public record SimpleMap(List<Extent> extents) implements FileMap {
    public SimpleMap {
        extents = List.copyOf(extents);
    }

    @Override
    public <X extends Throwable> void visit(long fileOffset, long length, DeviceRangeVisitor<X> visitor) throws X {
        long skip = fileOffset;
        long remaining = length;
        long pos = fileOffset;
        for (int i = 0, n = extents.size(); i < n && remaining > 0; i++) {
            Extent e = extents.get(i);
            if (skip >= e.length()) {
                skip -= e.length();
                continue;
            }
            long take = Math.min(e.length() - skip, remaining);
            visitor.range(pos, e.offset() + skip, take);
            pos += take;
            remaining -= take;
            skip = 0;
        }
        if (remaining > 0) {
            throw new IndexOutOfBoundsException("file range [" + fileOffset + ", " + (fileOffset + length)
                    + ") is past the " + allocatedBytes() + " bytes of the map");
        }
    }

    @Override
    public void validate(long fileSize, long dataStart, long deviceLimit, long alignment) throws FormatException {
        if (extents.isEmpty() || extents.size() > Layout.MAX_EXTENTS) {
            throw new FormatException("simple fmap has " + extents.size() + " extents (allowed 1.."
                    + Layout.MAX_EXTENTS + ")");
        }
        long total = 0;
        for (int i = 0; i < extents.size(); i++) {
            Extent e = extents.get(i);
            FileMap.checkExtent("extent", i, e, i < extents.size() - 1, dataStart, deviceLimit, alignment);
            total = FileMap.addBytes(total, e.length());
        }
        if (fileSize < 0) {
            throw new FormatException("size " + Long.toUnsignedString(fileSize) + " is not a file size");
        }
        if (total < fileSize) {
            throw new FormatException("extents hold " + total + " bytes, less than the file size " + fileSize);
        }
    }

    @Override
    public void encode(ByteBuffer entry) {
        ByteBuffer b = entry.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(OFF_EXT_TYPE, EXT_SIMPLE);
        b.putInt(OFF_COUNT, extents.size());
        for (int i = 0; i < extents.size(); i++) {
            FileMap.putExtent(b, OFF_EXTENTS + i * Extent.SIZE, extents.get(i));
        }
    }
}
