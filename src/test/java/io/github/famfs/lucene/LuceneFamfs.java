package io.github.famfs.lucene;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FilterDirectory;

/** Test helpers: famfs images for Lucene, and directories that close their file system. */
final class LuceneFamfs {
    static final String MASTER = "1ace0e00-0000-4000-8000-00000000000a";
    static final String CLIENT = "1ace0e00-0000-4000-8000-00000000000b";

    private LuceneFamfs() {}

    /** Formats a sparse famfs image of {@code size} ("2g") at {@code img} and opens it as master. */
    static FileSystem format(Path img, String size) throws IOException {
        Files.deleteIfExists(img);
        return FileSystems.newFileSystem(URI.create("famfs:" + img.toAbsolutePath()), Map.of("create", "true",
                "deviceSize", size, "systemUuid", MASTER));
    }

    /** Opens the famfs image at {@code img}: as master, or read-only as a client (another host). */
    static FileSystem open(Path img, boolean client) throws IOException {
        return FileSystems.newFileSystem(URI.create("famfs:" + img.toAbsolutePath()), client
                ? Map.of("systemUuid", CLIENT, "accessMode", "readOnly") : Map.of("systemUuid", MASTER));
    }

    /** {@code dir}, closing {@code fs} after it. */
    static Directory closingFs(FamfsDirectory dir, FileSystem fs) {
        return new FilterDirectory(dir) {
            @Override
            public void close() throws IOException {
                try {
                    super.close();
                } finally {
                    fs.close();
                }
            }
        };
    }
}
