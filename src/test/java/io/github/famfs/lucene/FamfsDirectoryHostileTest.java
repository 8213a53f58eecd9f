package io.github.famfs.lucene;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.testing.ChildJvm;
import java.io.EOFException;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import org.apache.lucene.codecs.CodecUtil;
import org.apache.lucene.index.CorruptIndexException;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad arguments, garbage and corrupted index files, and the file system closed under readers. */
class FamfsDirectoryHostileTest {
    @TempDir
    Path tmp;

    private FamfsDirectory directory(FileSystem fs, String path) throws IOException {
        return new FamfsDirectory(fs.getPath(path), new HostLockFactory(tmp.resolve("locks")));
    }

    @Test
    void badPathsAndNamesAreRefusedByName() throws Exception {
        assertThrows(ProviderMismatchException.class, () -> new FamfsDirectory(tmp));
        try (FileSystem fs = LuceneFamfs.format(tmp.resolve("famfs.img"), "1g")) {
            Files.write(fs.getPath("/afile"), new byte[] {1, 2, 3});
            NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> directory(fs, "/afile"));
            assertEquals("not a directory", e.getReason());
            try (FamfsDirectory dir = directory(fs, "/index")) {
                for (String bad : new String[] {"", "..", ".", "a/b", "../afile"}) {
                    assertThrows(IllegalArgumentException.class, () -> dir.openInput(bad, IOContext.DEFAULT), bad);
                    assertThrows(IllegalArgumentException.class, () -> dir.createOutput(bad, IOContext.DEFAULT),
                            bad);
                }
                assertThrows(NoSuchFileException.class, () -> dir.openInput("missing", IOContext.DEFAULT));
                assertThrows(NoSuchFileException.class, () -> dir.fileLength("missing"));
                assertThrows(NoSuchFileException.class, () -> dir.deleteFile("missing"));
                assertThrows(NoSuchFileException.class, () -> dir.rename("missing", "other"));
                try (IndexOutput out = dir.createOutput("x", IOContext.DEFAULT)) {
                    out.writeByte((byte) 1);
                }
                assertThrows(java.nio.file.FileAlreadyExistsException.class,
                        () -> dir.createOutput("x", IOContext.DEFAULT));
                dir.deleteFile("x");
                assertThrows(NoSuchFileException.class, () -> dir.openInput("x", IOContext.DEFAULT));
                // a deleted name can be created again (as in FSDirectory): famfs's next generation of it
                try (IndexOutput out = dir.createOutput("x", IOContext.DEFAULT)) {
                    out.writeByte((byte) 2);
                }
                try (org.apache.lucene.store.IndexInput in = dir.openInput("x", IOContext.DEFAULT)) {
                    assertEquals(2, in.readByte());
                }
                assertTrue(java.util.Arrays.asList(dir.listAll()).contains("x"));
                assertTrue(Files.exists(fs.getPath("/index/x~famfs-gen-1")));
                IllegalArgumentException marked = assertThrows(IllegalArgumentException.class,
                        () -> dir.createOutput("y~famfs-gen-1", IOContext.DEFAULT));
                assertTrue(marked.getMessage().contains("generations"), marked.getMessage());
            }
        }
        try (FileSystem fs = LuceneFamfs.open(tmp.resolve("famfs.img"), true)) {
            assertThrows(NoSuchFileException.class, () -> directory(fs, "/nothing"));
            try (FamfsDirectory dir = directory(fs, "/index")) {
                assertThrows(ReadOnlyFileSystemException.class, () -> dir.createOutput("y", IOContext.DEFAULT));
                assertThrows(ReadOnlyFileSystemException.class, () -> dir.rename("x", "z"));
            }
        }
    }

    @Test
    void readsOutsideAFileAreCleanExceptions() throws Exception {
        byte[] data = new byte[100_000];
        new SplittableRandom(5).nextBytes(data);
        try (FileSystem fs = LuceneFamfs.format(tmp.resolve("famfs.img"), "1g");
                FamfsDirectory dir = directory(fs, "/index")) {
            try (IndexOutput out = dir.createOutput("f", IOContext.DEFAULT)) {
                out.writeBytes(data, data.length);
            }
            try (IndexInput in = dir.openInput("f", IOContext.READONCE)) {
                byte[] got = new byte[data.length];
                in.readBytes(got, 0, got.length);
                assertArrayEquals(data, got);
                assertThrows(EOFException.class, in::readByte);
                assertThrows(EOFException.class, () -> in.seek(data.length + 1));
                assertThrows(IllegalArgumentException.class, () -> in.slice("s", 10, data.length));
                assertThrows(IllegalArgumentException.class, () -> in.slice("s", -1, 5));
                IndexInput s = in.slice("s", 1000, 50);
                assertEquals(data[1010], s.randomAccessSlice(0, 50).readByte(10));
                Lucene10Reads f = (Lucene10Reads) s;
                byte[] part = new byte[20];
                f.readBytes(30, part, 0, 20);
                assertEquals(data[1030], part[0]);
                assertThrows(EOFException.class, () -> f.readBytes(31, part, 0, 20));
                assertThrows(IllegalArgumentException.class, () -> f.prefetch(40, 11));
                f.prefetch(0, 50);
            }
        }
    }

    @Test
    void garbageAndCorruptedIndexFilesAreLucenesCleanErrors() throws Exception {
        try (FileSystem fs = LuceneFamfs.format(tmp.resolve("famfs.img"), "2g")) {
            try (FamfsDirectory dir = directory(fs, "/garbage")) {
                byte[] junk = new byte[4096];
                new SplittableRandom(9).nextBytes(junk);
                Files.write(fs.getPath("/garbage/segments_1"), junk);
                IOException e = assertThrows(IOException.class, () -> DirectoryReader.open(dir));
                assertTrue(e instanceof CorruptIndexException
                        || e.getClass().getSimpleName().startsWith("IndexFormatToo"), e.toString());
            }
            try (FamfsDirectory dir = directory(fs, "/index")) {
                Corpus.build(dir, 2, 200);
            }
            // the same files copied into famfs, one byte of the largest flipped
            try (FamfsDirectory dir = directory(fs, "/index"); FamfsDirectory bad = directory(fs, "/corrupt")) {
                String largest = null;
                for (String n : dir.listAll()) {
                    if (largest == null || dir.fileLength(n) > dir.fileLength(largest)) {
                        largest = n;
                    }
                }
                for (String n : dir.listAll()) {
                    byte[] b = Files.readAllBytes(fs.getPath("/index", n));
                    if (n.equals(largest)) {
                        b[b.length / 2] ^= 0x40;
                    }
                    Files.write(fs.getPath("/corrupt", n), b, StandardOpenOption.CREATE_NEW);
                }
                try (IndexInput in = bad.openInput(largest, IOContext.READONCE)) {
                    assertThrows(CorruptIndexException.class, () -> CodecUtil.checksumEntireFile(in));
                }
                try (IndexInput in = dir.openInput(largest, IOContext.READONCE)) {
                    CodecUtil.checksumEntireFile(in);
                }
            }
        }
    }

    /** In a child JVM, so that a crash fails the test rather than the build. */
    @Test
    void closingTheFileSystemUnderSearchesAndReadsIsClean() throws Exception {
        ChildJvm.Result r = ChildJvm.run(CloseRaceMain.class, 600, tmp.toString(), "12");
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.output().contains("ROUNDS 12"), r.describe());
        System.out.println("FamfsDirectory close race: " + r.output().lines().filter(l -> l.startsWith("ROUNDS"))
                .findFirst().orElse(""));
    }
}
