package io.github.famfs.nio;

import io.github.famfs.format.FamfsProblem;
import io.github.famfs.meta.Namespace;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** fsck for famfs: checks a device or image read-only and reports (see {@link FsckReport}). */
public final class FamfsFsck {
    private FamfsFsck() {}

    /**
     * Checks the famfs on {@code device}, through its open file system if this JVM has one, else by opening it
     * read-only. An invalid superblock or log header is an IOException naming the problem.
     */
    public static FsckReport check(Path device) throws IOException {
        URI uri = FamfsFileSystemProvider.uri(device);
        try {
            return check(FileSystems.getFileSystem(uri));
        } catch (FileSystemNotFoundException notOpen) {
            try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of("accessMode", "readOnly"))) {
                return check(fs);
            }
        }
    }

    /** Checks an open famfs file system (what it replayed, including a master's own appends). */
    public static FsckReport check(FileSystem fileSystem) {
        if (!(fileSystem instanceof FamfsFileSystem fs)) {
            throw new IllegalArgumentException(fileSystem + " is not a famfs file system");
        }
        fs.ensureOpen();
        Namespace ns = fs.namespace();
        Namespace.Stats st = ns.stats();
        List<FamfsProblem> problems = ns.problems();
        return new FsckReport(fs.devicePath(), ns.superblock().uuid(), ns.superblock().systemUuid(),
                ns.deviceLimit(), ns.replayedEntries(), ns.header().capacity(), st.files(),
                st.directories(), st.fileBytes(), st.usedUnits() * st.allocationUnit(), st.freeBytes(),
                st.collisions(), problems);
    }
}
