package io.github.famfs.nio;

import io.github.famfs.format.InterleaveParams;
import java.nio.file.OpenOption;

/**
 * famfs-specific options for creating files ({@code Files.newOutputStream}, {@code Files.newByteChannel},
 * {@code FileChannel.open} and {@link FamfsFiles#copy}):
 * <ul>
 *   <li>{@link #size(long)}: the file's size, fixed at creation (like {@code famfs creat -s}): the space is
 *       allocated at once, in one piece, and writing past it is refused;
 *   <li>{@link #interleave(int, long, int)}: stripe the file over {@code nstrips} strips in {@code chunkSize}
 *       chunks within {@code nbuckets} buckets (the reference's {@code -N -C -B});
 *   <li>{@link #CONTIGUOUS}: one simple extent, whatever the file system's default.
 * </ul>
 */
public sealed interface FamfsOption extends OpenOption {
    static FamfsOption size(long bytes) {
        if (bytes <= 0) {
            throw new IllegalArgumentException("famfs file size " + bytes + " must be positive (famfs files are"
                    + " never empty)");
        }
        return new Size(bytes);
    }

    static FamfsOption interleave(int nstrips, long chunkSize, int nbuckets) {
        return new Interleave(new InterleaveParams(nbuckets, nstrips, chunkSize));
    }

    FamfsOption CONTIGUOUS = new Contiguous();

    record Size(long bytes) implements FamfsOption {}

    record Interleave(InterleaveParams params) implements FamfsOption {}

    final class Contiguous implements FamfsOption {
        private Contiguous() {}

        @Override
        public String toString() {
            return "CONTIGUOUS";
        }
    }
}
