package io.github.famfs.arrow;

import java.util.Iterator;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.vector.BufferLayout;
import org.apache.arrow.vector.TypeLayout;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;

/**
 * Checks a batch's metadata against its schema before Arrow's {@code VectorLoader} sees it, so that loading it never
 * makes Arrow write: Arrow's loader hands the file's buffers (slices of a read-only mapping) to the vectors as they
 * are, then sizes each vector to the length its parent states ({@code setValueCount}), which fills the "holes" of a
 * variable-width or list vector shorter than that by writing offsets into its offsets buffer. So: every top-level
 * column is exactly as long as the batch, a struct's children at least as long as the struct, a list's (or map's)
 * entries at least as many as its last offset, a fixed-size list's at least length times size; every buffer is long
 * enough for its vector's length (validity {@code ceil(n/8)} bytes when Arrow keeps it, offsets {@code (n+1)} of
 * them, fixed-width values {@code n} of them); and the offsets of variable-width values end inside their data.
 * Types whose loading this does not cover (unions, run-end encoded, views, list views) are refused. In a compressed
 * batch, a buffer's size is its uncompressed length, and offsets stored compressed cannot be read before Arrow
 * decompresses them into the allocator (where a write is harmless); their order is checked after the load.
 */
final class BatchBounds {
    private final ArrowRecordBatch batch;
    private final boolean compressed;
    private final Iterator<ArrowFieldNode> nodes;
    private final Iterator<ArrowBuf> buffers;
    private String path = "";

    private BatchBounds(ArrowRecordBatch batch) {
        this.batch = batch;
        this.compressed = batch.getBodyCompression() != null
                && batch.getBodyCompression().getCodec() != CompressionUtil.CodecType.NO_COMPRESSION.getType();
        this.nodes = batch.getNodes().iterator();
        this.buffers = batch.getBuffers().iterator();
    }

    /** Throws an IllegalArgumentException naming the field when {@code batch} does not fit {@code fields} safely. */
    static void check(ArrowRecordBatch batch, List<Field> fields) {
        BatchBounds b = new BatchBounds(batch);
        if (batch.getLength() < 0) {
            throw new IllegalArgumentException("negative length " + batch.getLength());
        }
        for (Field f : fields) {
            b.field(f, "", batch.getLength(), true);
        }
        if (b.nodes.hasNext() || b.buffers.hasNext()) {
            throw new IllegalArgumentException("more field nodes or buffers than its schema has fields");
        }
    }

    private IllegalArgumentException bad(String name, String what) {
        return new IllegalArgumentException("field " + name + ": " + what);
    }

    /** Checks field {@code f}, whose node must hold exactly (when {@code exact}) or at least {@code need} values. */
    private void field(Field f, String parent, long need, boolean exact) {
        String name = parent.isEmpty() ? "'" + f.getName() + "'" : parent + "." + "'" + f.getName() + "'";
        if (!nodes.hasNext()) {
            throw bad(name, "the batch has no field node for it");
        }
        ArrowFieldNode node = nodes.next();
        long n = node.getLength();
        long nulls = node.getNullCount();
        if (n < 0 || nulls < 0 || nulls > n) {
            throw bad(name, "length " + n + " and null count " + nulls + " are impossible");
        }
        if (exact ? n != need : n < need) {
            throw bad(name, "it has " + n + " values where its " + (parent.isEmpty() ? "batch" : "parent")
                    + " needs " + (exact ? "" : "at least ") + need);
        }
        ArrowType type = f.getType();
        switch (type.getTypeID()) {
            case Union, RunEndEncoded, Utf8View, BinaryView, ListView, LargeListView, NONE ->
                throw bad(name, "type " + type + " cannot be read in place by FamfsArrow");
            default -> { }
        }
        List<BufferLayout> layouts = TypeLayout.getTypeLayout(type).getBufferLayouts();
        ArrowBuf[] bufs = new ArrowBuf[layouts.size()];
        for (int i = 0; i < bufs.length; i++) {
            if (!buffers.hasNext()) {
                throw bad(name, "the batch has too few buffers");
            }
            bufs[i] = buffers.next();
        }
        ArrowBuf offsets = null;
        int offsetWidth = 0;
        for (int i = 0; i < bufs.length; i++) {
            BufferLayout layout = layouts.get(i);
            long size = size(bufs[i]);
            switch (layout.getType()) {
                case VALIDITY -> {
                    // Arrow's loader keeps the file's bitmap only when some but not all values are null
                    if (nulls > 0 && nulls < n && size < (n + 7) / 8) {
                        throw bad(name, "validity buffer of " + size + " bytes for " + n + " values");
                    }
                }
                case OFFSET -> {
                    offsetWidth = layout.getTypeBitWidth() / 8;
                    if (n > 0 && size < (n + 1) * offsetWidth) {
                        throw bad(name, "offsets buffer of " + size + " bytes for " + n + " values");
                    }
                    offsets = n > 0 ? plain(bufs[i]) : null;
                }
                case DATA -> {
                    if (offsets != null) {
                        long end = offset(offsets, offsetWidth, n);
                        long start = offset(offsets, offsetWidth, 0);
                        if (start < 0 || end < start || end > size) {
                            throw bad(name, "offsets " + start + ".." + end + " do not lie in its " + size
                                    + " bytes of data");
                        }
                    } else if (offsetWidth == 0 && size < (n * layout.getTypeBitWidth() + 7) / 8) {
                        throw bad(name, "data buffer of " + size + " bytes for " + n + " values of "
                                + layout.getTypeBitWidth() + " bits");
                    }
                }
                default -> throw bad(name, "buffer kind " + layout.getType() + " cannot be checked");
            }
        }
        List<Field> children = f.getChildren();
        switch (type.getTypeID()) {
            case Struct -> {
                for (Field c : children) {
                    field(c, name, n, false);
                }
            }
            case List, LargeList, Map -> {
                if (children.size() != 1) {
                    throw bad(name, "a list with " + children.size() + " children");
                }
                long end = offsets == null ? 0 : offset(offsets, offsetWidth, n);
                if (end < 0) {
                    throw bad(name, "its last offset " + end + " is negative");
                }
                field(children.get(0), name, end, false);
            }
            case FixedSizeList -> {
                long per = ((ArrowType.FixedSizeList) type).getListSize();
                field(children.get(0), name, n * per, false);
            }
            default -> {
                for (Field c : children) {
                    field(c, name, 0, false);
                }
            }
        }
    }

    /** A buffer's size as Arrow's loader will see it (uncompressed). */
    private long size(ArrowBuf b) {
        long cap = b.capacity();
        if (!compressed || cap == 0) {
            return cap;
        }
        if (cap < CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH) {
            throw new IllegalArgumentException("a compressed buffer of " + cap + " bytes has no length prefix");
        }
        long declared = b.getLong(0);
        return declared == CompressionUtil.NO_COMPRESSION_LENGTH ? cap - CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH
                : declared;
    }

    /** The buffer's bytes as they lie uncompressed, or null when they are compressed (unreadable before the load). */
    private ArrowBuf plain(ArrowBuf b) {
        if (!compressed) {
            return b;
        }
        return b.getLong(0) == CompressionUtil.NO_COMPRESSION_LENGTH ? b.slice(CompressionUtil
                .SIZE_OF_UNCOMPRESSED_LENGTH, b.capacity() - CompressionUtil.SIZE_OF_UNCOMPRESSED_LENGTH) : null;
    }

    /** Offset {@code i} (its size checked by the caller); 0 when the offsets are compressed. */
    private static long offset(ArrowBuf offsets, int width, long i) {
        if (offsets == null) {
            return 0;
        }
        return width == 8 ? offsets.getLong(i * 8) : offsets.getInt(i * 4);
    }
}
