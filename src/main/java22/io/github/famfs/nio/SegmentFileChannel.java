package io.github.famfs.nio;

import io.github.famfs.format.FileMap;
import io.github.famfs.memory.Device;
import io.github.famfs.memory.FileMapping;
import io.github.famfs.memory.ImageMapping;
import io.github.famfs.meta.FileNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * The famfs channel on Java 22 and later: {@link #map(MapMode, long, long, Arena)} returns a MemorySegment of any
 * size directly over the file's device extents (stitched into one contiguous range), unmapped when the arena
 * closes (or, for an automatic arena, when the segment is unreachable). Chosen at run time by
 * {@link ChannelFactory}. Over an image file the JDK maps the segment (see {@code memory/ImageMapping}), so it is
 * a mapped segment: {@code force()}, {@code load()}, {@code unload()}, {@code isLoaded()} are the JDK's. On a DAX
 * device it is a native segment, for which those throw UnsupportedOperationException ("Not a mapped segment");
 * {@link FamfsSegments} does the same work on both kinds.
 */
final class SegmentFileChannel extends FamfsFileChannel {
    SegmentFileChannel(FamfsFileSystem fs, FamfsPath path, FileNode node, FileMap map, Device device,
            boolean readable, boolean writable) {
        super(fs, path, node, map, device, readable, writable);
    }

    @Override
    public MemorySegment map(MapMode mode, long offset, long size, Arena arena) throws IOException {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(arena, "arena");
        if (!arena.scope().isAlive()) {
            throw new IllegalStateException("the arena is already closed");
        }
        boolean w = checkMap(mode, offset, size);
        device().lifecycle().enterChannel();
        try {
            ImageMapping.Mapped<MemorySegment> jdk = ImageMapping.map(device(), fileMap(), offset, size, w,
                    path().toString(), (image, at) -> image.map(mode, at, size, arena), MemorySegment::address);
            if (jdk != null) {
                MemorySegment.NULL.reinterpret(arena, s -> jdk.unmapped().run());
                return jdk.mapping();
            }
        } finally {
            device().lifecycle().exit();
        }
        FileMapping m = mapRange(mode, offset, size);
        try {
            MemorySegment segment = MemorySegment.ofAddress(m.address()).reinterpret(size, arena, s -> m.unmap());
            return mode == MapMode.READ_ONLY ? segment.asReadOnly() : segment;
        } catch (RuntimeException | Error e) {
            m.unmap();
            throw e;
        }
    }
}
