package io.github.famfs.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.github.famfs.nio.Famfs;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Random;
import org.apache.arrow.flatbuf.Message;
import org.apache.arrow.flatbuf.RecordBatch;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.message.ArrowBlock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile Arrow files on famfs: a truncated or garbled footer, a batch whose buffers point outside its body, a
 * huge metadata length, random damage anywhere. Each is a {@link FamfsArrowException} naming the problem (or,
 * for damage to values only, a file that reads), never a crash; nothing stays mapped or allocated afterwards.
 */
class ArrowHostileTest {
    @TempDir
    Path tmp;
    private BufferAllocator allocator;
    private FileSystem fs;
    private byte[] good;
    private ArrowBlock firstBatch;
    private int name;

    @BeforeEach
    void setUp() throws IOException {
        allocator = new RootAllocator();
        fs = Famfs.open(tmp.resolve("famfs.img"), Frames.master());
        Path local = Frames.writeLocal(tmp.resolve("good.arrow"), allocator, 3, 500);
        good = Files.readAllBytes(local);
        try (FileChannel ch = FileChannel.open(local); ArrowFileReader r = new ArrowFileReader(ch, allocator)) {
            firstBatch = r.getRecordBlocks().get(0);
        }
    }

    @AfterEach
    void tearDown() throws IOException {
        fs.close();
        assertEquals(0, allocator.getAllocatedMemory(), "nothing left allocated (or mapped) by a failed read");
        allocator.close();
    }

    private Path famfsFile(byte[] bytes) throws IOException {
        Path p = fs.getPath("/f" + name++ + ".arrow");
        Files.write(p, bytes);
        return p;
    }

    /** Opens and reads every batch and every value of {@code bytes} as an Arrow file on famfs. */
    private void readAll(Path p) throws IOException {
        try (FamfsArrowFileReader r = FamfsArrow.openFile(p, allocator)) {
            while (r.loadNextBatch()) {
                for (FieldVector v : r.getVectorSchemaRoot().getFieldVectors()) {
                    for (int i = 0; i < v.getValueCount(); i++) {
                        v.getObject(i);
                    }
                }
            }
        }
    }

    private FamfsArrowException refused(byte[] bytes, String... words) throws IOException {
        Path p = famfsFile(bytes);
        FamfsArrowException e = assertThrows(FamfsArrowException.class, () -> readAll(p));
        for (String w : words) {
            assertTrue(e.getMessage().contains(w), "'" + w + "' in: " + e.getMessage());
        }
        assertTrue(e.getMessage().startsWith(p.toString()), "names the file: " + e.getMessage());
        return e;
    }

    private static void putInt(byte[] b, int at, int v) {
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, v);
    }

    @Test
    void truncatedFiles() throws IOException {
        refused(Arrays.copyOf(good, good.length - 3), "does not start and end with ARROW1");
        refused(Arrays.copyOf(good, 10), "only 10 bytes");
        // a file cut inside its footer, with the magic put back
        byte[] cut = Arrays.copyOf(good, good.length - 40);
        System.arraycopy(good, good.length - 10, cut, cut.length - 10, 10);
        refused(cut, "footer");
    }

    @Test
    void garbledFooterLength() throws IOException {
        for (int len : new int[] {0, -1, Integer.MAX_VALUE, good.length}) {
            byte[] b = good.clone();
            putInt(b, b.length - 10, len);
            refused(b, "footer", "does not fit");
        }
    }

    @Test
    void garbledFooter() throws IOException {
        byte[] b = good.clone();
        int footerLength = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).getInt(b.length - 10);
        Arrays.fill(b, b.length - 10 - footerLength, b.length - 10, (byte) 0x5a);
        refused(b, "garbled footer");
    }

    @Test
    void aBufferPointingOutsideItsBody() throws IOException {
        byte[] b = good.clone();
        int meta = (int) firstBatch.getOffset() + 8;
        ByteBuffer m = ByteBuffer.wrap(b, meta, firstBatch.getMetadataLength() - 8).slice()
                .order(ByteOrder.LITTLE_ENDIAN);
        RecordBatch rb = (RecordBatch) Message.getRootAsMessage(m).header(new RecordBatch());
        int longest = 0;
        for (int i = 1; i < rb.buffersLength(); i++) {
            if (rb.buffers(i).length() > rb.buffers(longest).length()) {
                longest = i;
            }
        }
        long off = rb.buffers(longest).offset();
        long len = rb.buffers(longest).length();
        ByteBuffer pattern = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(off).putLong(len);
        int at = indexOf(b, pattern.array(), meta, meta + firstBatch.getMetadataLength());
        assertTrue(at > 0, "found the buffer's entry in the metadata");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(at, 1L << 40);
        refused(b, "record batch 0", "buffer " + longest, "points outside its body");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(at, -8);
        refused(b, "record batch 0", "points outside its body");
        // inside the body but longer than it
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(at, off).putLong(at + 8, firstBatch.getBodyLength());
        refused(b, "record batch 0", "points outside its body");
    }

    private static int indexOf(byte[] b, byte[] p, int from, int to) {
        outer:
        for (int i = from; i + p.length <= to; i++) {
            for (int k = 0; k < p.length; k++) {
                if (b[i + k] != p[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void aHugeMetadataLength() throws IOException {
        for (int len : new int[] {Integer.MAX_VALUE, 0x7ffffff0, good.length}) {
            byte[] b = good.clone();
            putInt(b, (int) firstBatch.getOffset() + 4, len);
            refused(b, "record batch 0");
        }
        // the same in a stream: the schema message's length
        byte[] s = Arrays.copyOfRange(good, 8, good.length);
        putInt(s, 4, Integer.MAX_VALUE);
        Path p = famfsFile(s);
        FamfsArrowException e = assertThrows(FamfsArrowException.class, () -> FamfsArrow.openStream(p, allocator));
        assertTrue(e.getMessage().contains("metadata length 2147483647"), e.getMessage());
    }

    @Test
    void aStreamCutInsideABatch() throws IOException {
        // the file format holds the stream (schema, dictionaries, batches) from offset 8: cut it inside batch 1
        byte[] s = Arrays.copyOfRange(good, 8, (int) (firstBatch.getOffset() + firstBatch.getMetadataLength()
                + firstBatch.getBodyLength() + 100));
        Path p = famfsFile(s);
        try (FamfsArrowStreamReader r = FamfsArrow.openStream(p, allocator)) {
            assertTrue(r.loadNextBatch(), "batch 0 is whole");
            FamfsArrowException e = assertThrows(FamfsArrowException.class, r::loadNextBatch);
            assertTrue(e.getMessage().contains("passes the end"), e.getMessage());
        }
    }

    /** A map column (which FamfsArrow checks itself: Arrow 19's validator fails on maps) with damaged offsets. */
    @Test
    void aMapWithDamagedOffsets() throws IOException {
        org.apache.arrow.vector.types.pojo.Schema only = new org.apache.arrow.vector.types.pojo.Schema(
                java.util.List.of(Frames.everyType().findField("map")));
        Path local = Frames.writeLocal(tmp.resolve("map.arrow"), allocator, 1, 100, only);
        byte[] b = Files.readAllBytes(local);
        ArrowBlock block;
        try (FileChannel ch = FileChannel.open(local); ArrowFileReader r = new ArrowFileReader(ch, allocator)) {
            block = r.getRecordBlocks().get(0);
        }
        readAll(famfsFile(b));
        int meta = (int) block.getOffset() + 8;
        ByteBuffer m = ByteBuffer.wrap(b, meta, block.getMetadataLength() - 8).slice().order(ByteOrder.LITTLE_ENDIAN);
        RecordBatch rb = (RecordBatch) Message.getRootAsMessage(m).header(new RecordBatch());
        // buffer 1 is the map's offsets (0 its validity), 100 rows: 101 offsets
        long offsets = block.getOffset() + block.getMetadataLength() + rb.buffers(1).offset();
        // offsets out of order
        putInt(b, (int) (offsets + 4L * 100), 0);
        refused(b, "record batch 0", "map", "offsets out of order");
        // offsets past the entries: Arrow's loader (setValueCount) first grows the entries to the last offset in
        // the allocator, so an untrusted file is read with an allocator whose limit bounds that
        putInt(b, (int) (offsets + 4L * 100), 1 << 24);
        Path p = famfsFile(b);
        try (BufferAllocator limited = allocator.newChildAllocator("untrusted", 0, 4 * Frames.MIB)) {
            FamfsArrowException e = assertThrows(FamfsArrowException.class, () -> {
                try (FamfsArrowFileReader r = FamfsArrow.openFile(p, limited)) {
                    r.loadNextBatch();
                }
            });
            assertTrue(e.getMessage().contains("record batch 0"), e.getMessage());
        }
    }

    /** Random damage anywhere: a FamfsArrowException, or (damage to values) a file that loads; never a crash. */
    @Test
    void randomDamage() throws IOException {
        Random rnd = new Random(42);
        int refused = 0;
        Path p = famfsFile(good);
        for (int round = 0; round < 300; round++) {
            byte[] b = good.clone();
            int n = 1 + rnd.nextInt(8);
            for (int k = 0; k < n; k++) {
                b[rnd.nextInt(b.length)] = (byte) rnd.nextInt();
            }
            // famfs files are permanent: the one file is damaged in place (the master writes it)
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.wrap(b), 0);
            }
            // opening and loading every batch (and every dictionary) is the reader's part: damage to values that
            // passes validateFull is Arrow's vectors' business (as with Arrow's own reader)
            try (FamfsArrowFileReader r = FamfsArrow.openFile(p, allocator)) {
                while (r.loadNextBatch()) {
                    r.getVectorSchemaRoot().getRowCount();
                }
            } catch (FamfsArrowException e) {
                refused++;
            } catch (RuntimeException | OutOfMemoryError e) {
                fail("round " + round + ": " + e, e);
            }
        }
        assertTrue(refused > 0, "some damage was refused");
    }

    /**
     * FamfsArrow.writeFile writes the file twice (measured, then for real); when the real pass fails half-way (here
     * the dictionaries vanish between the passes), nothing is published: the name stays free, no half-written file
     * is ever seen, and the space goes back.
     */
    @Test
    void aWriteFileThatFailsHalfWayPublishesNothing() throws IOException {
        Path target = fs.getPath("/half.arrow");
        try (VectorSchemaRoot root = VectorSchemaRoot.create(Frames.everyType(), allocator);
                DictionaryProvider.MapDictionaryProvider dicts = Frames.dictionaries(allocator)) {
            Frames.fill(root, 0, 100);
            int[] lookups = {0};
            DictionaryProvider counting = new DictionaryProvider() {
                @Override
                public Dictionary lookup(long id) {
                    lookups[0]++;
                    return dicts.lookup(id);
                }

                @Override
                public java.util.Set<Long> getDictionaryIds() {
                    return dicts.getDictionaryIds();
                }
            };
            FamfsArrow.writeFile(fs.getPath("/whole.arrow"), root, counting);
            int perPass = lookups[0] / 2;
            assertTrue(perPass > 0, "the dictionaries are looked up in each pass");
            lookups[0] = 0;
            DictionaryProvider vanishing = new DictionaryProvider() {
                @Override
                public Dictionary lookup(long id) {
                    if (++lookups[0] > perPass) {
                        throw new IllegalStateException("dictionary " + id + " vanished");
                    }
                    return dicts.lookup(id);
                }

                @Override
                public java.util.Set<Long> getDictionaryIds() {
                    return dicts.getDictionaryIds();
                }
            };
            assertThrows(IllegalStateException.class, () -> FamfsArrow.writeFile(target, root, vanishing));
            assertTrue(lookups[0] > perPass, "it failed in the second (real) pass");
        }
        assertTrue(Files.notExists(target), "nothing published");
        Files.write(target, new byte[] {1, 2, 3});
        assertEquals(3, Files.size(target), "the name is free again");
    }
}
