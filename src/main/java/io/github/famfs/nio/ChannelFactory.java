package io.github.famfs.nio;

import io.github.famfs.format.FileMap;
import io.github.famfs.memory.Device;
import io.github.famfs.meta.FileNode;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * Makes famfs channels. On Java 22 and later the multi-release jar holds {@code SegmentFileChannel}, a channel
 * that also overrides {@code FileChannel.map(mode, position, size, arena)}; it is looked up once at run time, as
 * Lucene looks up its MemorySegment directory provider. On older runtimes (or a jar built by JDK 17) the base
 * channel is used.
 */
final class ChannelFactory {
    private ChannelFactory() {}

    private static final MethodHandle SEGMENT_CHANNEL = lookup();

    private static MethodHandle lookup() {
        if (Runtime.version().feature() < 22) {
            return null;
        }
        try {
            Class<?> c = Class.forName("io.github.famfs.nio.SegmentFileChannel");
            return MethodHandles.lookup().findConstructor(c, MethodType.methodType(void.class, FamfsFileSystem.class,
                    FamfsPath.class, FileNode.class, FileMap.class, Device.class, boolean.class, boolean.class));
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }

    /** Whether channels made here support {@code map(mode, position, size, arena)}. */
    static boolean hasSegmentMapping() {
        return SEGMENT_CHANNEL != null;
    }

    static FamfsFileChannel create(FamfsFileSystem fs, FamfsPath path, FileNode node, FileMap map, Device device,
            boolean readable, boolean writable) {
        if (SEGMENT_CHANNEL != null) {
            try {
                return (FamfsFileChannel) SEGMENT_CHANNEL.invoke(fs, path, node, map, device, readable, writable);
            } catch (RuntimeException | Error e) {
                throw e;
            } catch (Throwable t) {
                throw new IllegalStateException(t);
            }
        }
        return new FamfsFileChannel(fs, path, node, map, device, readable, writable);
    }
}
