package io.github.famfs.lucene;

import org.junit.AfterClass;
import org.junit.BeforeClass;

/**
 * Lucene's directory suite again, with every file mapped in 4 KiB buffers instead of 1 GiB ones: the path that
 * files over 1 GiB take (several mappings, Lucene's ByteBuffersIndexInput over them), on files the suite makes.
 */
public class TestFamfsDirectoryManyBuffers extends TestFamfsDirectory {
    private static int saved;

    @BeforeClass
    public static void smallBuffers() {
        saved = MappedFile.CHUNK_BITS;
        MappedFile.CHUNK_BITS = 12;
    }

    @AfterClass
    public static void restore() {
        MappedFile.CHUNK_BITS = saved;
    }
}
