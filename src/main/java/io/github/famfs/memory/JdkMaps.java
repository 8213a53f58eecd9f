package io.github.famfs.memory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Read-only maps of an image file made by the JDK, all unmapped at once by {@link #close()}: on Java 22+ the
 * mapped segments of one shared arena, seen as buffers ({@code FfmJdkMaps}, in the jar's Java 22 layer). Java 17
 * to 21 have no way to unmap a JDK mapping at a chosen time (only the garbage collector unmaps a
 * {@code MappedByteBuffer}), so there {@link #open()} returns null and devices are mapped through libc.
 *
 * <p>Why not {@code FileChannel.map}: its buffer is made through a reflective constructor call, whose first use in
 * a JVM costs about 90 ms of CPU on JDK 25 (the JDK spins method handles for it); a segment's buffer is made
 * directly.
 */
interface JdkMaps {
    /** A read-only buffer over bytes {@code [offset, offset+length)} of {@code file}, valid until the close. */
    ByteBuffer readOnly(FileChannel file, long offset, int length) throws IOException;

    /** Unmaps every buffer made; using one afterwards throws IllegalStateException. */
    void close();

    /** A new set of maps, or null where the JDK cannot unmap them on demand (Java 17-21, no Java 22 layer). */
    static JdkMaps open() {
        if (Runtime.version().feature() < 22) {
            return null;
        }
        try {
            return (JdkMaps) Class.forName("io.github.famfs.memory.FfmJdkMaps").getDeclaredConstructors()[0]
                    .newInstance();
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            return null;
        }
    }
}
