package io.github.famfs.it;

import java.nio.file.Path;

/**
 * MemorySegment reads of corpus files (Java 22+, implemented in src/it/java22 by {@code SegmentCheck}). The
 * segments live in one arena until {@link #close()}, so /proc/self/maps can be inspected meanwhile.
 */
public interface Segments extends AutoCloseable {
    /** Maps the whole file and an unaligned range as MemorySegments and compares every byte. */
    String check(Path p, Corpus.Item item) throws Exception;

    /** Closes the arena: every segment is unmapped. */
    @Override
    void close();

    /** The Java 22+ implementation, or null on an older runtime (or a build without it). */
    static Segments load() {
        if (Runtime.version().feature() < 22) {
            return null;
        }
        try {
            return (Segments) Class.forName("io.github.famfs.it.SegmentCheck").getDeclaredConstructor().newInstance();
        } catch (ReflectiveOperationException e) {
            return null;
        }
    }
}
