package io.github.famfs.memory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Read-only maps of a file made by the JDK, as buffers that the JDK unmaps when they are unreachable: the Java 22+
 * version, a segment of an automatic arena seen as a buffer. {@code FileChannel.map}'s buffer is made through a
 * reflective constructor call, which the first time in a JVM costs about 90 ms of CPU on JDK 25 (the JDK spins
 * method handles for it); the segment's buffer is made directly (about 30 ms, measured in fresh JVMs).
 */
final class JdkMaps {
    private JdkMaps() {}

    /** A read-only {@code MappedByteBuffer} over bytes {@code [offset, offset+length)} of {@code file}. */
    static ByteBuffer readOnly(FileChannel file, long offset, int length) throws IOException {
        return file.map(FileChannel.MapMode.READ_ONLY, offset, length, Arena.ofAuto()).asByteBuffer();
    }
}
