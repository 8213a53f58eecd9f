package io.github.famfs.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.nio.Famfs;
import io.github.famfs.nio.FamfsFiles;
import io.github.famfs.nio.FamfsOption;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.util.List;
import org.apache.arrow.compression.CommonsCompressionFactory;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.CompressionUtil;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.util.TransferPair;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FamfsArrow against Arrow's own reader: every column type, many batches, simple and interleaved famfs files, the
 * file and the stream format; every vector buffer inside this process's mapping of the famfs image; the mapping
 * released by reference counts; compressed bodies refused or decompressed on request.
 */
class ArrowRoundTripTest {
    private static final int BATCHES = 12;
    private static final int ROWS = 20_000;
    @TempDir
    Path tmp;
    private BufferAllocator allocator;
    private Path image;
    private FileSystem fs;
    private Path local;

    @BeforeEach
    void setUp() throws IOException {
        allocator = new RootAllocator();
        image = tmp.resolve("famfs.img");
        fs = Famfs.open(image, Frames.master());
        local = Frames.writeLocal(tmp.resolve("frame.arrow"), allocator, BATCHES, ROWS, Frames.everyType());
    }

    @AfterEach
    void tearDown() throws IOException {
        fs.close();
        allocator.close();
    }

    /** Reads {@code famfs} with FamfsArrow and {@link #local} with Arrow's reader; batch by batch they are equal. */
    private void assertSameAsArrow(FamfsArrowReader mine, int expectedBatches) throws IOException {
        try (FileChannel ch = FileChannel.open(local); ArrowFileReader theirs = new ArrowFileReader(ch, allocator)) {
            VectorSchemaRoot a = mine.getVectorSchemaRoot();
            VectorSchemaRoot b = theirs.getVectorSchemaRoot();
            assertEquals(b.getSchema(), a.getSchema());
            long base = ((FamfsArrowReader) mine).mappingAddress();
            long size = mine.size();
            assertTrue(Frames.mapped(image, base, size), "the reader maps the famfs image");
            List<long[]> maps = List.of(new long[] {base, base + size});
            int batches = 0;
            long rows = 0;
            while (mine.loadNextBatch()) {
                assertTrue(theirs.loadNextBatch());
                assertTrue(a.equals(b), "batch " + batches + " equal to Arrow's");
                assertTrue(org.apache.arrow.vector.compare.VectorEqualsVisitor.vectorEquals(
                        mine.getDictionaryVectors().get(1L).getVector(),
                        theirs.getDictionaryVectors().get(1L).getVector()), "dictionary");
                rows += a.getRowCount();
                for (FieldVector v : a.getFieldVectors()) {
                    for (ArrowBuf buf : Frames.fileBuffers(v)) {
                        assertTrue(Frames.inside(maps, buf.memoryAddress(), buf.capacity()), v.getName()
                                + " batch " + batches + ": buffer at 0x" + Long.toHexString(buf.memoryAddress())
                                + " is not inside the reader's mapping of " + image);
                    }
                }
                FieldVector dict = mine.getDictionaryVectors().get(1L).getVector();
                for (ArrowBuf buf : Frames.fileBuffers(dict)) {
                    assertTrue(Frames.inside(maps, buf.memoryAddress(), buf.capacity()), "dictionary buffer");
                }
                batches++;
            }
            assertFalse(theirs.loadNextBatch());
            assertEquals(expectedBatches, batches);
            assertEquals((long) expectedBatches * ROWS, rows);
        }
    }

    @Test
    void simpleFileReadsInPlaceAndEqualsArrowsReading() throws Exception {
        Path f = fs.getPath("/simple.arrow");
        FamfsFiles.copy(local, f);
        long at;
        try (FamfsArrowFileReader r = FamfsArrow.openFile(f, allocator)) {
            assertEquals(BATCHES, r.getRecordBlocks().size());
            assertSameAsArrow(r, BATCHES);
            at = r.mappingAddress();
        }
        assertFalse(Frames.mapped(image, at, 1), "closing the reader unmapped the file");
        assertEquals(0, allocator.getAllocatedMemory());
    }

    @Test
    void interleavedFileReadsInPlace() throws Exception {
        Path f = fs.getPath("/striped.arrow");
        FamfsFiles.copy(local, f, FamfsOption.interleave(3, 2 * Frames.MIB, 4));
        assertTrue(Files.size(f) > 6 * Frames.MIB, "the frame spans several chunks: " + Files.size(f));
        long at;
        try (FamfsArrowFileReader r = FamfsArrow.openFile(f, allocator)) {
            assertSameAsArrow(r, BATCHES);
            at = r.mappingAddress();
        }
        assertFalse(Frames.mapped(image, at, 1));
    }

    @Test
    void writtenByFamfsArrowReadsBackEverywhere() throws Exception {
        Path streamed = fs.getPath("/written.arrow");
        Path sized = fs.getPath("/one.arrow");
        try (VectorSchemaRoot root = VectorSchemaRoot.create(Frames.everyType(), allocator);
                DictionaryProvider.MapDictionaryProvider dicts = Frames.dictionaries(allocator)) {
            try (ArrowFileWriter w = FamfsArrow.newFileWriter(streamed, root, dicts,
                    FamfsOption.interleave(2, 2 * Frames.MIB, 2))) {
                w.start();
                for (int b = 0; b < BATCHES; b++) {
                    Frames.fill(root, b, ROWS);
                    w.writeBatch();
                }
                assertFalse(Files.exists(streamed), "not published before close");
            }
            Frames.fill(root, 0, ROWS);
            long n = FamfsArrow.writeFile(sized, root, dicts);
            assertEquals(n, Files.size(sized), "written with its exact size up front");
        }
        assertEquals(Files.mismatch(local, streamed), -1L, "the same bytes as Arrow's writer to a local file");
        // Arrow's own reader, over the famfs channel (a copy), reads what FamfsArrow wrote
        try (FileChannel ch = FileChannel.open(sized); ArrowFileReader theirs = new ArrowFileReader(ch, allocator);
                FamfsArrowFileReader mine = FamfsArrow.openFile(sized, allocator)) {
            assertTrue(theirs.loadNextBatch() && mine.loadNextBatch());
            assertTrue(theirs.getVectorSchemaRoot().equals(mine.getVectorSchemaRoot()));
            assertFalse(mine.loadNextBatch());
        }
        try (FamfsArrowFileReader r = FamfsArrow.openFile(streamed, allocator)) {
            assertSameAsArrow(r, BATCHES);
        }
    }

    @Test
    void streamFormatReadsInPlace() throws Exception {
        Path localStream = tmp.resolve("frame.arrows");
        try (VectorSchemaRoot root = VectorSchemaRoot.create(Frames.everyType(), allocator);
                DictionaryProvider.MapDictionaryProvider dicts = Frames.dictionaries(allocator);
                var ch = Files.newByteChannel(localStream, java.nio.file.StandardOpenOption.CREATE_NEW,
                        java.nio.file.StandardOpenOption.WRITE);
                ArrowStreamWriter w = new ArrowStreamWriter(root, dicts, ch)) {
            w.start();
            for (int b = 0; b < BATCHES; b++) {
                Frames.fill(root, b, ROWS);
                w.writeBatch();
            }
            w.end();
        }
        Path f = fs.getPath("/frame.arrows");
        FamfsFiles.copy(localStream, f);
        long at;
        try (FamfsArrowStreamReader r = FamfsArrow.openStream(f, allocator)) {
            assertSameAsArrow(r, BATCHES);
            assertEquals(Files.size(f), r.bytesRead());
            at = r.mappingAddress();
        }
        assertFalse(Frames.mapped(image, at, 1));
        FamfsArrowException e = assertThrows(FamfsArrowException.class, () -> FamfsArrow.openFile(f, allocator));
        assertTrue(e.getMessage().contains("openStream"), e.getMessage());
        assertEquals(0, allocator.getAllocatedMemory());
    }

    @Test
    void theMappingLivesWhileATransferredVectorDoesAndGoesWithIt() throws Exception {
        Path f = fs.getPath("/simple.arrow");
        FamfsFiles.copy(local, f);
        BigIntVector kept;
        FamfsArrowFileReader r = FamfsArrow.openFile(f, allocator);
        assertTrue(r.loadNextBatch());
        BigIntVector i64 = (BigIntVector) r.getVectorSchemaRoot().getVector("i64");
        long first = i64.get(0);
        TransferPair tp = i64.getTransferPair(allocator);
        tp.transfer();
        kept = (BigIntVector) tp.getTo();
        long at = r.mappingAddress();
        r.close();
        assertThrows(IndexOutOfBoundsException.class, () -> i64.get(0), "a vector of a closed reader is empty");
        assertTrue(Frames.mapped(image, at, 1), "a buffer handed out keeps the mapping");
        fs.close();
        assertEquals(first, kept.get(0), "and stays readable after the file system closed");
        kept.close();
        assertFalse(Frames.mapped(image, at, 1), "the last buffer released unmapped it");
        assertTrue(Frames.mappingsOf(image).isEmpty(), "nothing of the image is mapped any more");
        assertEquals(0, allocator.getAllocatedMemory());
    }

    @Test
    void closingTheFileSystemLeavesAnOpenReaderValid() throws Exception {
        Path f = fs.getPath("/simple.arrow");
        FamfsFiles.copy(local, f);
        try (FamfsArrowFileReader r = FamfsArrow.openFile(f, allocator)) {
            fs.close();
            assertSameAsArrow(r, BATCHES);
        }
        assertThrows(java.nio.file.ClosedFileSystemException.class, () -> FamfsArrow.openFile(f, allocator));
        assertTrue(Frames.mappingsOf(image).isEmpty(), "nothing of the image is mapped any more");
    }

    @Test
    void compressedBodiesAreRefusedByDefaultAndDecompressedOnRequest() throws Exception {
        for (CompressionUtil.CodecType codec : List.of(CompressionUtil.CodecType.LZ4_FRAME,
                CompressionUtil.CodecType.ZSTD)) {
            Path localZ = tmp.resolve("z-" + codec + ".arrow");
            try (VectorSchemaRoot root = VectorSchemaRoot.create(Frames.everyType(), allocator);
                    DictionaryProvider.MapDictionaryProvider dicts = Frames.dictionaries(allocator);
                    var ch = Files.newByteChannel(localZ, java.nio.file.StandardOpenOption.CREATE_NEW,
                            java.nio.file.StandardOpenOption.WRITE);
                    ArrowFileWriter w = new ArrowFileWriter(root, dicts, ch, null, IpcOption.DEFAULT,
                            CommonsCompressionFactory.INSTANCE, codec)) {
                w.start();
                for (int b = 0; b < 3; b++) {
                    Frames.fill(root, b, 1000);
                    w.writeBatch();
                }
                w.end();
            }
            Path f = fs.getPath("/" + localZ.getFileName());
            FamfsFiles.copy(localZ, f);
            try (FamfsArrowFileReader r = FamfsArrow.openFile(f, allocator)) {
                FamfsArrowException e = assertThrows(FamfsArrowException.class, r::loadNextBatch);
                String name = codec == CompressionUtil.CodecType.LZ4_FRAME ? "LZ4_FRAME" : "ZSTD";
                assertTrue(e.getMessage().contains(name) && e.getMessage().contains("batch")
                        && e.getMessage().contains("copies"), e.getMessage());
            }
            try (FamfsArrowFileReader r = FamfsArrow.openFile(f, allocator, CommonsCompressionFactory.INSTANCE);
                    FileChannel ch = FileChannel.open(localZ);
                    ArrowFileReader theirs = new ArrowFileReader(ch, allocator, CommonsCompressionFactory.INSTANCE)) {
                int n = 0;
                while (r.loadNextBatch()) {
                    assertTrue(theirs.loadNextBatch());
                    assertTrue(r.getVectorSchemaRoot().equals(theirs.getVectorSchemaRoot()), codec + " batch " + n);
                    n++;
                }
                assertEquals(3, n);
            }
        }
        assertEquals(0, allocator.getAllocatedMemory());
    }

    @Test
    void onlyFamfsPaths() {
        assertThrows(ProviderMismatchException.class, () -> FamfsArrow.openFile(local, allocator));
    }
}
