package io.github.famfs.lucene;

import com.carrotsearch.randomizedtesting.ThreadFilter;
import com.carrotsearch.randomizedtesting.annotations.ThreadLeakFilters;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import org.apache.lucene.tests.store.BaseDirectoryTestCase;
import org.apache.lucene.store.Directory;
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

    // ---- tests famfs's rules exclude ----

    /** Writes a file, deletes it, then writes a new file of the same name: famfs never deletes a file. */
    @Override
    public void testGroupVInt() {
        assumeTrue("famfs rule: files are never deleted (append-only log), so a deleted name is never free again;"
                + " this test rewrites \"group-varint\" after deleting it", false);
    }

    /** The JVM-wide threads famfs-nio starts once (the Cleaner of its mappings), not leaks of a test. */
    public static final class FamfsThreads implements ThreadFilter {
        @Override
        public boolean reject(Thread t) {
            return t.getName().startsWith("Cleaner-") || t.getName().startsWith("famfs");
        }
    }
}
