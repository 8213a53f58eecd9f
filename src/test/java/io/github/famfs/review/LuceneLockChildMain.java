package io.github.famfs.review;

import io.github.famfs.lucene.FamfsDirectory;
import io.github.famfs.lucene.HostLockFactory;
import io.github.famfs.nio.FamfsFileSystemProvider;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Map;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.LockObtainFailedException;

/**
 * Child JVM for LuceneReviewTest: opens the famfs image args[0] as master, and an IndexWriter on /index with the
 * HostLockFactory of directory args[1] ("default": HostLockFactory.inTempDirectory()). Prints LOCKED or REFUSED.
 */
public final class LuceneLockChildMain {
    private LuceneLockChildMain() {}

    public static void main(String[] args) throws Exception {
        try (FileSystem fs = FileSystems.newFileSystem(FamfsFileSystemProvider.uri(Path.of(args[0])),
                Map.of("systemUuid", args[2]))) {
            HostLockFactory locks = args[1].equals("default") ? HostLockFactory.inTempDirectory()
                    : new HostLockFactory(Path.of(args[1]));
            try (FamfsDirectory dir = new FamfsDirectory(fs.getPath("/index"), locks);
                    IndexWriter w = new IndexWriter(dir, new IndexWriterConfig(new StandardAnalyzer()))) {
                System.out.println("LOCKED " + locks.lockDirectory());
            } catch (LockObtainFailedException e) {
                System.out.println("REFUSED " + e.getMessage());
            }
        }
    }
}
