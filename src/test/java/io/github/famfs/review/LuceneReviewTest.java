package io.github.famfs.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.lucene.FamfsDirectory;
import io.github.famfs.lucene.HostLockFactory;
import io.github.famfs.nio.FamfsFileSystemProvider;
import io.github.famfs.testing.ChildJvm;
import java.io.EOFException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reviewer of issue 14 (io.github.famfs.lucene). Each test asserts the correct behaviour (what Lucene's
 * FSDirectory/MMapDirectory do) and fails on the code it was written against.
 */
class LuceneReviewTest {
    private static final String MASTER = "1ace0e00-0000-4000-8000-0000000000e1";

    @TempDir
    Path tmp;

    private static FileSystem create(Path img) throws Exception {
        return FileSystems.newFileSystem(FamfsFileSystemProvider.uri(img),
                Map.of("create", "true", "deviceSize", "1g", "systemUuid", MASTER));
    }

    private FamfsDirectory directory(FileSystem fs) throws Exception {
        return new FamfsDirectory(fs.getPath("/index"), new HostLockFactory(tmp.resolve("locks")));
    }

    private static IndexWriterConfig config() {
        return new IndexWriterConfig(new StandardAnalyzer()).setUseCompoundFile(false);
    }

    private static void add(IndexWriter w, int from, int to) throws Exception {
        for (int i = from; i < to; i++) {
            Document d = new Document();
            d.add(new StringField("id", Integer.toString(i), Field.Store.YES));
            w.addDocument(d);
        }
    }

    /**
     * IndexWriter.rollback() deletes the files of the segments it flushed since the last commit. FamfsDirectory
     * only hides them (in this instance) and keeps their names taken, and hides them from listAll, so the next
     * IndexWriter on the same directory cannot see them (IndexFileDeleter.inflateGens bumps the segment counter
     * only past files that listAll shows): it starts again at the last commit's counter and creates _0.* once
     * more, which FamfsDirectory.reserve refuses with FileAlreadyExistsException. With FSDirectory (and with a
     * FamfsDirectory opened in a new process, whose listAll shows the files) this works. Root cause:
     * FamfsDirectory.listAll excludes hidden names while reserve still treats them as taken.
     */
    @Test
    void aWriterAfterRollbackInTheSameDirectoryCanIndexAndCommit() throws Exception {
        try (FileSystem fs = create(tmp.resolve("a.img")); FamfsDirectory dir = directory(fs)) {
            try (IndexWriter w = new IndexWriter(dir, config())) {
                add(w, 0, 10);
                w.commit();
            }
            IndexWriter w1 = new IndexWriter(dir, config());
            add(w1, 10, 20);
            w1.flush(); // a new segment's files, not committed
            w1.rollback(); // deletes them
            try (IndexWriter w2 = new IndexWriter(dir, config())) {
                add(w2, 20, 30);
                w2.commit();
            }
            try (DirectoryReader r = DirectoryReader.open(dir)) {
                assertEquals(20, r.numDocs());
            }
        }
    }

    /** RandomAccessInput.readBytes(pos, ...) via reflection (Lucene10Reads is package-private). */
    private static void readBytesAt(Object in, long pos, byte[] b, int off, int len) throws Throwable {
        Method m = in.getClass().getMethod("readBytes", long.class, byte[].class, int.class, int.class);
        m.setAccessible(true);
        try {
            m.invoke(in, pos, b, off, len);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * The absolute readBytes(pos, bytes, offset, len) checks {@code pos + len > length}, which overflows for a
     * position near Long.MAX_VALUE: the check passes and the buffer's get is reached with {@code (int) pos} (-1),
     * so the caller gets an IndexOutOfBoundsException instead of the EOFException the relative reads and the
     * other absolute reads (index()) throw and MMapDirectory throws. SingleMappingInput.java:297 and
     * FamfsIndexInput.java:210.
     */
    @Test
    void anAbsoluteReadAtAHugePositionIsAnEofException() throws Throwable {
        try (FileSystem fs = create(tmp.resolve("b.img")); FamfsDirectory dir = directory(fs)) {
            try (IndexOutput out = dir.createOutput("f", IOContext.DEFAULT)) {
                out.writeBytes(new byte[1000], 1000);
            }
            try (IndexInput in = dir.openInput("f", IOContext.DEFAULT)) {
                byte[] b = new byte[4];
                assertThrows(EOFException.class, () -> readBytesAt(in, 1000, b, 0, 4));
                assertThrows(EOFException.class, () -> readBytesAt(in, Long.MAX_VALUE, b, 0, 4));
            }
        }
    }

    /**
     * prefetch(offset, len) must refuse a range outside the input (it checks {@code offset + len > length}, which
     * overflows): prefetch(Long.MAX_VALUE, 1) is accepted silently, while prefetch(40, 11) on a 50-byte slice is
     * refused. SingleMappingInput.java:116 and FamfsIndexInput.java:91.
     */
    @Test
    void prefetchOfAHugeOffsetIsRefused() throws Throwable {
        try (FileSystem fs = create(tmp.resolve("c.img")); FamfsDirectory dir = directory(fs)) {
            try (IndexOutput out = dir.createOutput("f", IOContext.DEFAULT)) {
                out.writeBytes(new byte[1000], 1000);
            }
            try (IndexInput in = dir.openInput("f", IOContext.DEFAULT)) {
                Method m = in.getClass().getMethod("prefetch", long.class, long.class);
                m.setAccessible(true);
                InvocationTargetException small = assertThrows(InvocationTargetException.class,
                        () -> m.invoke(in, 999L, 2L));
                assertEquals(IllegalArgumentException.class, small.getCause().getClass());
                InvocationTargetException huge = assertThrows(InvocationTargetException.class,
                        () -> m.invoke(in, Long.MAX_VALUE, 1L));
                assertEquals(IllegalArgumentException.class, huge.getCause().getClass());
            }
        }
    }

    /**
     * FamfsDirectory's default lock factory (HostLockFactory.inTempDirectory) keeps write.lock in
     * ${java.io.tmpdir}/famfs-lucene-locks, so two processes of the same host that run with different
     * java.io.tmpdir (a -Djava.io.tmpdir option, TMPDIR for a service, systemd PrivateTmp) do not exclude each
     * other: both open an IndexWriter on the same famfs index, the second then commits over the first's commits.
     * Lucene's default (NativeFSLockFactory) keeps the lock in the index directory, which every process shares.
     * Here the parent is a process whose java.io.tmpdir is tmp/parent (its inTempDirectory() directory), the
     * child runs the default factory with -Djava.io.tmpdir=tmp/child. Root cause: HostLockFactory.java:44
     * (the lock's location depends on a per-process property, not on the famfs device).
     */
    @Test
    void theDefaultIndexLockExcludesAProcessWithAnotherTmpdir() throws Exception {
        Path img = tmp.resolve("t.img");
        Path parentTmp = Files.createDirectories(tmp.resolve("parent"));
        Path childTmp = Files.createDirectories(tmp.resolve("child"));
        try (FileSystem fs = create(img);
                FamfsDirectory dir = new FamfsDirectory(fs.getPath("/index"),
                        new HostLockFactory(parentTmp.resolve("famfs-lucene-locks")));
                IndexWriter w = new IndexWriter(dir, config())) {
            add(w, 0, 5);
            w.commit();
            ChildJvm.Result r = ChildJvm.run(List.of("-Xmx256m", "-Djava.io.tmpdir=" + childTmp),
                    System.getProperty("java.class.path"), LuceneLockChildMain.class, 120, img.toString(),
                    "default", MASTER);
            assertTrue(r.output().contains("REFUSED"), r.describe());
        }
    }

    /**
     * seek to a negative position must be refused (SingleMappingInput and MMapDirectory throw
     * IllegalArgumentException). FamfsIndexInput (files of several mappings, over 1 GiB, and files held on the
     * heap) hands the position to Lucene's ByteBuffersIndexInput, which does not check for a negative one: on a
     * slice (a compound file's sub-file) that does not start at a mapping's start, the seek succeeds and the next
     * read returns the bytes before the slice (another sub-file's data); at a mapping's start the read throws a raw
     * ArrayIndexOutOfBoundsException. Here with 4 KiB mappings (MappedFile.CHUNK_BITS, as
     * TestFamfsDirectoryManyBuffers does) so that a small file takes the multi-mapping path. Root cause:
     * FamfsIndexInput.java:57-58 (seek passes pos on unchecked).
     */
    @Test
    void aNegativeSeekInAMultiMappingSliceIsRefused() throws Exception {
        withMultiMappingFile((data, in) -> {
            assertEquals("FamfsIndexInput", in.getClass().getSimpleName());
            IndexInput slice = in.slice("sub-file", 5000, 1000);
            assertEquals(data[5000], slice.readByte());
            String leak;
            try {
                slice.seek(-1);
                leak = "seek(-1) accepted; then readByte() = " + slice.readByte() + " (file byte 4999 = "
                        + data[4999] + ")";
            } catch (IllegalArgumentException refused) {
                leak = null;
            }
            assertEquals(null, leak, "a slice must not read outside itself");
        });
    }

    /**
     * The absolute reads of a RandomAccessInput (randomAccessSlice) must refuse a position outside the slice, as
     * SingleMappingInput.index() does (EOFException) and MMapDirectory does. FamfsIndexInput.readByte(long) etc.
     * pass the position on to ByteBuffersIndexInput, which adds the slice's offset without a check: readByte(-1)
     * of a slice returns the byte before it. Root cause: FamfsIndexInput.java:188-205.
     */
    @Test
    void anAbsoluteReadBeforeAMultiMappingSliceIsRefused() throws Exception {
        withMultiMappingFile((data, in) -> {
            org.apache.lucene.store.RandomAccessInput r = in.randomAccessSlice(5000, 1000);
            assertEquals(data[5000], r.readByte(0));
            String leak;
            try {
                leak = "readByte(-1) = " + r.readByte(-1) + " (file byte 4999 = " + data[4999] + ")";
            } catch (EOFException | IllegalArgumentException refused) {
                leak = null;
            }
            assertEquals(null, leak, "a random-access slice must not read outside itself");
        });
    }

    /** What a test does with a file of three 4 KiB mappings ({@code data}) open as {@code in}. */
    private interface FileCheck {
        void check(byte[] data, IndexInput in) throws Exception;
    }

    /**
     * Runs {@code check} on a file of three 4 KiB mappings (MappedFile.CHUNK_BITS = 12, as
     * TestFamfsDirectoryManyBuffers does), so that a small file takes FamfsIndexInput's multi-mapping path.
     */
    private void withMultiMappingFile(FileCheck check) throws Exception {
        java.lang.reflect.Field bits = Class.forName("io.github.famfs.lucene.MappedFile")
                .getDeclaredField("CHUNK_BITS");
        bits.setAccessible(true);
        int saved = bits.getInt(null);
        bits.setInt(null, 12);
        try (FileSystem fs = create(tmp.resolve("m.img")); FamfsDirectory dir = directory(fs)) {
            byte[] data = new byte[3 * 4096];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i % 251);
            }
            try (IndexOutput out = dir.createOutput("f", IOContext.DEFAULT)) {
                out.writeBytes(data, data.length);
            }
            try (IndexInput in = dir.openInput("f", IOContext.DEFAULT)) {
                check.check(data, in);
            }
        } finally {
            bits.setInt(null, saved);
        }
    }
}
