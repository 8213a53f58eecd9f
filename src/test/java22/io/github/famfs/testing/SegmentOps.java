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
}
