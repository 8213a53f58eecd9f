package io.github.famfs.lucene;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.nio.FamfsFileSystemProvider;
import io.github.famfs.testing.ChildJvm;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An index written into famfs by Lucene (several commits, deletes, merges) against the same index written to the
 * default file system: the same hits in this JVM, in another JVM that opens the famfs read-only as a client, and
 * from a plain copy of the famfs files opened by Lucene's FSDirectory.
 */
class FamfsIndexTest {
    private static final int COMMITS = 6;
    private static final int PER_COMMIT = 400;

    @TempDir
    Path tmp;

    private FamfsDirectory directory(FileSystem fs) throws Exception {
        return new FamfsDirectory(fs.getPath("/index"), new HostLockFactory(tmp.resolve("locks")));
    }

    private List<String> localHits() throws Exception {
        try (FSDirectory d = FSDirectory.open(tmp.resolve("local"))) {
            Corpus.build(d, COMMITS, PER_COMMIT);
            try (DirectoryReader r = DirectoryReader.open(d)) {
                return Corpus.hits(new IndexSearcher(r));
            }
        }
    }

    @Test
    void indexCommitMergeAndSearchFromAnotherJvmAndFromACopy() throws Exception {
        Path img = tmp.resolve("famfs.img");
        List<String> want = localHits();
        assertEquals(Corpus.queries().size(), want.size());
        assertTrue(want.stream().filter(l -> l.contains(" doc")).count() >= 10, "the queries find documents");
        List<String> famfs;
        try (FileSystem fs = LuceneFamfs.format(img, "2g"); FamfsDirectory dir = directory(fs)) {
            Corpus.build(dir, COMMITS, PER_COMMIT);
            try (DirectoryReader r = DirectoryReader.open(dir)) {
                famfs = Corpus.hits(new IndexSearcher(r));
                assertEquals(COMMITS * PER_COMMIT - COMMITS / 2, r.numDocs());
            }
            // merges and new commits deleted files: hidden here, still in famfs
            assertTrue(dir.hiddenFiles().contains("segments_1"), dir.hiddenFiles().toString());
            assertTrue(dir.unreclaimableBytes() > 0);
            assertFalse(Arrays.asList(dir.listAll()).contains("segments_1"));
            assertTrue(Files.exists(fs.getPath("/index/segments_1")), "famfs keeps what Lucene deleted");
            assertTrue(dir.heldNames().isEmpty(), "no pending commit is left on the heap: " + dir.heldNames());
        }
        assertEquals(want, famfs);

        ChildJvm.Result child = ChildJvm.run(SearchMain.class, 300, img.toString(), "/index");
        assertEquals(0, child.exitCode(), child.describe());
        List<String> childHits = child.output().lines().filter(l -> l.startsWith("HIT "))
                .map(l -> l.substring(4)).collect(Collectors.toList());
        assertEquals(want, childHits, child.describe());
        assertTrue(child.output().contains("DOCS " + (COMMITS * PER_COMMIT - COMMITS / 2)), child.describe());

        Path copy = Files.createDirectories(tmp.resolve("copy"));
        try (FileSystem fs = LuceneFamfs.open(img, true); FamfsDirectory dir = directory(fs)) {
            try (FSDirectory out = FSDirectory.open(copy)) {
                for (String name : dir.listAll()) {
                    out.copyFrom(dir, name, name, org.apache.lucene.store.IOContext.DEFAULT);
                }
            }
        }
        try (FSDirectory d = FSDirectory.open(copy); DirectoryReader r = DirectoryReader.open(d)) {
            assertEquals(want, Corpus.hits(new IndexSearcher(r)));
        }
    }

    @Test
    void theIndexLockIsHeldOnThisHost() throws Exception {
        try (FileSystem fs = LuceneFamfs.format(tmp.resolve("famfs.img"), "1g"); FamfsDirectory dir = directory(fs);
                IndexWriter w = new IndexWriter(dir, Corpus.config())) {
            Corpus.add(w, 0, 10);
            w.commit();
            assertThrows(LockObtainFailedException.class, () -> new IndexWriter(dir, Corpus.config()));
            // the lock is famfs's fcntl lock of the famfs file write.lock (in the index, as NativeFSLockFactory's)
            assertTrue(Files.exists(fs.getPath("/index/write.lock")), "the lock file is in famfs");
            try (FamfsDirectory again = directory(fs)) {
                assertThrows(LockObtainFailedException.class, () -> new IndexWriter(again, Corpus.config()));
            }
        }
    }

    /**
     * A client (another host: here a second provider, as a separate process would be) reads the index while the
     * master commits more. With famfs's refresh (the seam in {@link Refresh}) openIfChanged sees the new commit;
     * without it, a client that opens the file system again does.
     */
    @Test
    void aClientSeesNewCommits() throws Exception {
        Path img = tmp.resolve("famfs.img");
        URI uri = URI.create("famfs:" + img.toAbsolutePath());
        try (FileSystem master = LuceneFamfs.format(img, "1g"); FamfsDirectory mdir = directory(master)) {
            try (IndexWriter w = new IndexWriter(mdir, Corpus.config())) {
                Corpus.add(w, 0, 300);
                w.commit();
            }
            Map<String, String> client = Map.of("systemUuid", LuceneFamfs.CLIENT, "accessMode", "readOnly");
            try (FileSystem cfs = new FamfsFileSystemProvider().newFileSystem(uri, client);
                    FamfsDirectory cdir = directory(cfs);
                    DirectoryReader r = DirectoryReader.open(cdir)) {
                assertEquals(300, r.numDocs());
                try (IndexWriter w = new IndexWriter(mdir, Corpus.config()
                        .setOpenMode(IndexWriterConfig.OpenMode.APPEND))) {
                    Corpus.add(w, 300, 450);
                    w.commit();
                }
                try (FileSystem again = new FamfsFileSystemProvider().newFileSystem(uri, client);
                        DirectoryReader fresh = DirectoryReader.open(directory(again))) {
                    assertEquals(450, fresh.numDocs(), "a client opened after the commit sees it");
                }
                Assumptions.assumeTrue(Refresh.available(cfs), "this famfs-nio has no public FileSystem.refresh()"
                        + " yet (being added): openIfChanged on a client cannot see new commits without it");
                DirectoryReader changed = DirectoryReader.openIfChanged(r);
                assertNotNull(changed, "openIfChanged after the master's commit");
                try (changed) {
                    assertEquals(450, changed.numDocs());
                }
            }
        }
    }
}
