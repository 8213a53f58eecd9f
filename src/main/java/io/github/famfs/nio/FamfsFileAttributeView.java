package io.github.famfs.nio;

import java.io.IOException;
import java.nio.file.attribute.PosixFileAttributeView;

/**
 * The {@code famfs} attribute view: {@code logIndex}, {@code flags}, {@code mode}, {@code uid}, {@code gid},
 * {@code fileMap}, {@code extentType} ("simple" or "interleaved"), {@code extents} (list of extents or strips),
 * {@code nstrips}, {@code chunkSize}, {@code allocatedBytes}, {@code mapProblem}, and the posix attributes.
 * famfs entries are never rewritten, so every setter throws.
 */
public interface FamfsFileAttributeView extends PosixFileAttributeView {
    @Override
    default String name() {
        return "famfs";
    }

    @Override
    FamfsFileAttributes readAttributes() throws IOException;
}
