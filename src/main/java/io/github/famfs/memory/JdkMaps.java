package io.github.famfs.memory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Read-only maps of a file made by the JDK, as buffers that the JDK unmaps when they are unreachable. On Java 17
 * to 21 {@code FileChannel.map}; the Java 22 layer of the jar has its own version of this class.
 */
final class JdkMaps {
    private JdkMaps() {}

    /** A read-only {@code MappedByteBuffer} over bytes {@code [offset, offset+length)} of {@code file}. */
    static ByteBuffer readOnly(FileChannel file, long offset, int length) throws IOException {
        return file.map(FileChannel.MapMode.READ_ONLY, offset, length);
    }
}
