package io.github.famfs.memory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.ProviderMismatchException;

/**
 * Not API (this package is not exported): read-only mappings of a famfs file that the integrations of this module
 * ({@code io.github.famfs.arrow}) release themselves, when their own reference counts say nothing uses them any
 * more, instead of leaving it to the garbage collector as {@code FileChannel.map} does. The nio layer installs
 * the mapper when its channel class initializes, which opening any famfs channel does.
 */
public final class OwnedMappings {
    private OwnedMappings() {}

    /** Maps a byte range of an open famfs channel read-only. */
    public interface Mapper {
        FileMapping mapReadOnly(FileChannel channel, long position, long size) throws IOException;
    }

    private static volatile Mapper mapper;

    /** Called once by the nio layer. */
    public static void install(Mapper m) {
        if (mapper == null) {
            mapper = m;
        }
    }

    /**
     * Maps {@code [position, position+size)} of famfs channel {@code channel} read-only; the caller unmaps it
     * ({@link FileMapping#unmap()}) once no view of it can be used again. The mapping is independent of the
     * channel and of the file system: closing them leaves it valid.
     *
     * @throws ProviderMismatchException when {@code channel} is not a famfs channel
     */
    public static FileMapping mapReadOnly(FileChannel channel, long position, long size) throws IOException {
        Mapper m = mapper;
        if (m == null) {
            throw new ProviderMismatchException(channel + " is not a famfs channel");
        }
        return m.mapReadOnly(channel, position, size);
    }
}
