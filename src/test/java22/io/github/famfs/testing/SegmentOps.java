package io.github.famfs.testing;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;

/** MemorySegment operations for {@link CloseRaces} (Java 22+; called reflectively from the Java 17 tests). */
public final class SegmentOps {
    private SegmentOps() {}

    /** Maps a range in a confined arena, copies it out, closes the arena. */
    public static byte[] mapConfinedBytes(FileChannel ch, long pos, long len) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            return ch.map(FileChannel.MapMode.READ_ONLY, pos, len, arena).toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** Maps a range in an automatic arena (unmapped when the segment is unreachable). */
    public static Object mapAuto(FileChannel ch, long pos, long len) throws IOException {
        return ch.map(FileChannel.MapMode.READ_ONLY, pos, len, Arena.ofAuto());
    }

    /** The bytes of a segment made by {@link #mapAuto}. */
    public static byte[] bytes(Object segment) {
        return ((MemorySegment) segment).toArray(ValueLayout.JAVA_BYTE);
    }

    /**
     * Calls {@code io.github.famfs.nio.<cls>.<name>(segment[, offset, length])}, a class of the jar's Java 22 layer,
     * which is not on the test compiler's class path (a directory, not a jar): by name.
     */
    public static void layer22(String cls, String name, MemorySegment segment, long... offsetLength)
            throws Throwable {
        Class<?> c = Class.forName("io.github.famfs.nio." + cls);
        if (offsetLength.length == 0) {
            c.getMethod(name, MemorySegment.class).invoke(null, segment);
        } else {
            c.getMethod(name, MemorySegment.class, long.class, long.class).invoke(null, segment, offsetLength[0],
                    offsetLength[1]);
        }
    }
}
