package io.github.famfs.memory;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/**
 * Read-only maps of an image file made by the JDK, all unmapped at once by {@link #close()}: on Java 22+ the
 * mapped segments of one shared arena, seen as buffers ({@code FfmJdkMaps}, in the jar's Java 22 layer); on Java
 * 17 to 21 (or where that class cannot be used) {@code FileChannel.map} buffers that the close unmaps with
 * {@code sun.misc.Unsafe.invokeCleaner}, found by reflection ({@link UnsafeJdkMaps}). Where neither is possible
 * (a runtime without {@code jdk.unsupported}, or a module graph that does not resolve it, on Java 17 to 21; Java
 * 22+ without the Java 22 layer, where {@code invokeCleaner} is deprecated for removal) {@link #open()} returns
 * null and devices are mapped through libc.
 *
 * <p>After the close, a segment's buffer throws on use; an unmapped {@code FileChannel.map} buffer does not (a use
 * is a SIGSEGV): either way nothing may use them then, which the device's {@link Lifecycle} ensures.
 *
 * <p>Why segments on Java 22+ rather than {@code FileChannel.map}: its buffer is made through a reflective
 * constructor call, whose first use in a JVM costs about 90 ms of CPU on JDK 25 (the JDK spins method handles for
 * it); a segment's buffer is made directly. On JDK 17 to 21 that reflective call spins no method handles (JDK 17:
 * no measurable cost).
 */
interface JdkMaps {
    /**
     * Test only, never for production: the system property that, set to {@code true}, makes {@link #open()} return
     * null on any Java, as where {@code Unsafe.invokeCleaner} cannot be found; the mount then binds libc.
     */
    String TEST_ONLY_NO_JDK_MAPS = "famfs.testOnly.noJdkMaps";

    /** A read-only buffer over bytes {@code [offset, offset+length)} of {@code file}, valid until the close. */
    ByteBuffer readOnly(FileChannel file, long offset, int length) throws IOException;

    /** Unmaps every buffer made; nothing may use one afterwards. */
    void close();

    /** A new set of maps, or null where the JDK cannot unmap them on demand (see above). */
    static JdkMaps open() {
        if (Boolean.getBoolean(TEST_ONLY_NO_JDK_MAPS)) {
            return null;
        }
        if (Runtime.version().feature() >= 22) {
            try {
                return (JdkMaps) Class.forName("io.github.famfs.memory.FfmJdkMaps").getDeclaredConstructors()[0]
                        .newInstance();
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                // No Java 22 layer (a class directory, or a jar repackaged without Multi-Release): libc, not
                // Unsafe.invokeCleaner, which JDK 24+ warns about on first use (JEP 498) and refuses under
                // --sun-misc-unsafe-memory-access=deny (the close would then fail with the image still mapped).
                return null;
            }
        }
        return UnsafeJdkMaps.open();
    }
}
