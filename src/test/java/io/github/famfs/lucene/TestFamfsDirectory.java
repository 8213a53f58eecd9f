package io.github.famfs.lucene;

import com.carrotsearch.randomizedtesting.ThreadFilter;
import com.carrotsearch.randomizedtesting.annotations.ThreadLeakFilters;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import org.apache.lucene.tests.store.BaseDirectoryTestCase;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.FilterDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.tests.util.LuceneTestCase;

/**
 * Lucene's own Directory test suite (lucene-test-framework's BaseDirectoryTestCase, JUnit 4, run through the
 * vintage engine) against FamfsDirectory: each test gets a new famfs image, opened as master.
 */
@LuceneTestCase.SuppressFileSystems("*")
@ThreadLeakFilters(defaultFilters = true, filters = {TestFamfsDirectory.FamfsThreads.class})
public class TestFamfsDirectory extends BaseDirectoryTestCase {
    @Override
    protected Directory getDirectory(Path path) throws IOException {
        Path local = java.nio.file.Files.createDirectories(Path.of(path.toString()));
        FileSystem fs = LuceneFamfs.format(local.resolve("famfs.img"), "4g");
        return LuceneFamfs.closingFs(new FamfsDirectory(fs.getPath("/index"),
                new HostLockFactory(local.resolve("locks"))), fs);
    }

    // ---- tests famfs's rules change ----

    /**
     * Lucene's test writes "group-varint", reads it, deletes it and writes it again, round after round; famfs never
     * deletes a file, so a deleted name is never free again (famfs rule: append-only log). The same rounds run
     * here with a new name each round (the name is all that changes).
     */
    @Override
    public void testGroupVInt() throws IOException {
        try (Directory dir = getDirectory(createTempDir("testGroupVInt"))) {
            Directory renaming = new FilterDirectory(dir) {
                private final java.util.Map<String, Integer> rounds = new java.util.HashMap<>();

                private String current(String name) {
                    return name + "." + rounds.getOrDefault(name, 0);
                }

                @Override
                public IndexOutput createOutput(String name, IOContext context) throws IOException {
                    rounds.merge(name, 1, Integer::sum);
                    return in.createOutput(current(name), context);
                }

                @Override
                public IndexInput openInput(String name, IOContext context) throws IOException {
                    return in.openInput(current(name), context);
                }

                @Override
                public void deleteFile(String name) throws IOException {
                    in.deleteFile(current(name));
                }

                @Override
                public long fileLength(String name) throws IOException {
                    return in.fileLength(current(name));
                }
            };
            doTestGroupVInt(renaming, 5, 1, 6, 8);
            doTestGroupVInt(renaming, atLeast(100), 1, 31, 128);
        }
    }

    /** The JVM-wide threads famfs-nio starts once (the Cleaner of its mappings), not leaks of a test. */
    public static final class FamfsThreads implements ThreadFilter {
        @Override
        public boolean reject(Thread t) {
            return t.getName().startsWith("Cleaner-") || t.getName().startsWith("famfs");
        }
    }
}
