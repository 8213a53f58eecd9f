package io.github.famfs.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.arrow.FamfsArrow;
import io.github.famfs.arrow.FamfsArrowException;
import io.github.famfs.arrow.FamfsArrowStreamReader;
import io.github.famfs.nio.Famfs;
import io.github.famfs.testing.ChildJvm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowStreamWriter;
import org.apache.arrow.vector.ipc.WriteChannel;
import org.apache.arrow.vector.ipc.message.ArrowDictionaryBatch;
import org.apache.arrow.vector.ipc.message.ArrowFieldNode;
import org.apache.arrow.vector.ipc.message.ArrowRecordBatch;
import org.apache.arrow.vector.ipc.message.IpcOption;
import org.apache.arrow.vector.ipc.message.MessageSerializer;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reviewer r-arrow (issue 11, io.github.famfs.arrow): hostile IPC files and lifetimes. Each test asserts the
 * documented behaviour (a hostile file is a FamfsArrowException, never a crash; native code handed the vectors
 * never reads outside them) and fails on the code it was written against.
 */
class ArrowReviewTest {
    @TempDir
    Path tmp;
    private BufferAllocator allocator;
    /** The buffers the batches were made of (each batch holds its own reference on them). */
    private final java.util.ArrayList<ArrowBuf> made = new java.util.ArrayList<>();

    @BeforeEach
    void setUp() {
        allocator = new RootAllocator();
    }

    @AfterEach
    void tearDown() {
        made.forEach(ArrowBuf::close);
        allocator.close();
    }

    private static Map<String, String> master() {
        return Map.of("create", "true", "deviceSize", "64M", "systemUuid", "a7707000-0000-4000-8000-0000000000f1");
    }

    /** A buffer holding {@code ints} (little-endian), or {@code bytes}. */
    private ArrowBuf ints(int... ints) {
        ArrowBuf b = allocator.buffer(4L * ints.length);
        for (int i = 0; i < ints.length; i++) {
            b.setInt(4L * i, ints[i]);
        }
        b.writerIndex(4L * ints.length);
        made.add(b);
        return b;
    }

    private ArrowBuf bytes(int... bytes) {
        ArrowBuf b = allocator.buffer(bytes.length);
        for (int i = 0; i < bytes.length; i++) {
            b.setByte(i, bytes[i]);
        }
        b.writerIndex(bytes.length);
        made.add(b);
        return b;
    }

    /** An IPC stream: the schema (message format), then the batches (record or dictionary), then end-of-stream. */
    private static byte[] stream(Schema messageSchema, Object... batches) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        WriteChannel out = new WriteChannel(Channels.newChannel(bytes));
        MessageSerializer.serialize(out, messageSchema);
        for (Object b : batches) {
            if (b instanceof ArrowDictionaryBatch d) {
                MessageSerializer.serialize(out, d);
                d.close();
            } else {
                MessageSerializer.serialize(out, (ArrowRecordBatch) b);
                ((ArrowRecordBatch) b).close();
            }
        }
        ArrowStreamWriter.writeEndOfStream(out, IpcOption.DEFAULT);
        return bytes.toByteArray();
    }

    /**
     * Writes the IPC stream {@code s} to a famfs image and reads it whole in a child JVM (a crash fails the test,
     * not the build); asserts the child ended normally.
     */
    private ChildJvm.Result readInChild(byte[] s, String... mode) throws Exception {
        Path image = tmp.resolve("famfs.img");
        try (FileSystem fs = Famfs.open(image, master())) {
            Files.write(fs.getPath("/hostile.arrows"), s);
        }
        ChildJvm.Result r = ChildJvm.run(List.of("-Xmx256m", "--add-opens=java.base/java.nio=ALL-UNNAMED"),
                System.getProperty("java.class.path"), ArrowReviewChildMain.class, 300, image.toString(),
                "/hostile.arrows", mode.length > 0 ? mode[0] : "direct");
        assertEquals(0, r.exitCode(), r.describe());
        return r;
    }

    /**
     * A record batch of 8 rows whose only column (Utf8) says it has 5 values. Arrow's VectorLoader loads the
     * column's buffers as slices of the mapping (lastSet = 4), then {@code root.setRowCount(8)} calls
     * {@code setValueCount(8)}, whose {@code fillHoles} WRITES offsets 6..8 into the offsets buffer, which is the
     * read-only mapping of the file: SIGSEGV, the JVM dies. validateFull runs only after the load. Expected: a
     * FamfsArrowException (the batch's length and its field nodes' lengths disagree), no crash.
     */
    @Test
    void aBatchLongerThanItsColumnMakesArrowWriteIntoTheReadOnlyMapping() throws Exception {
        Schema schema = new Schema(List.of(new Field("s", FieldType.nullable(ArrowType.Utf8.INSTANCE), null)));
        // 5 values, one null (so the validity buffer is the file's, 1 byte = capacity 8), offsets for 8 values
        ArrowRecordBatch batch = new ArrowRecordBatch(8, List.of(new ArrowFieldNode(5, 1)),
                List.of(bytes(0b11110), ints(0, 0, 1, 2, 3, 4, 4, 4, 4), bytes('a', 'b', 'c', 'd')));
        ChildJvm.Result r = readInChild(stream(schema, batch));
        assertTrue(r.output().contains("REFUSED"), "a hostile batch is a FamfsArrowException: " + r.describe());
    }

    /**
     * The dictionary batches are loaded (FamfsArrowReader.load(ArrowDictionaryBatch)) without any validation:
     * only record batches go through validateFull. A Utf8 dictionary whose offsets point 1 GiB past its 3-byte
     * data buffer loads, and the reader hands the dictionary vector (a slice of the mapping) to the caller and,
     * through Data.exportArrayStream, to native code, which then reads 1 GiB past the mapping (shown in a child
     * JVM with Arrow's own C importer: SIGSEGV, SEGV_MAPERR). Expected: a FamfsArrowException for the dictionary
     * batch, as for a record batch with the same offsets.
     */
    @Test
    void aDictionaryWithOffsetsPastItsDataIsNotValidated() throws Exception {
        DictionaryEncoding enc = new DictionaryEncoding(7L, false, new ArrowType.Int(32, true));
        Schema messageSchema = new Schema(List.of(new Field("d", new FieldType(true, ArrowType.Utf8.INSTANCE, enc),
                null)));
        ArrowRecordBatch words = new ArrowRecordBatch(3, List.of(new ArrowFieldNode(3, 0)),
                List.of(bytes(), ints(1 << 30, (1 << 30) + 1, (1 << 30) + 2, (1 << 30) + 3), bytes('a', 'b', 'c')));
        ArrowDictionaryBatch dict = new ArrowDictionaryBatch(7L, words, false);
        ArrowRecordBatch rows = new ArrowRecordBatch(2, List.of(new ArrowFieldNode(2, 0)),
                List.of(bytes(), ints(0, 2)));
        byte[] s = stream(messageSchema, dict, rows);
        // what a native consumer does with it: Arrow's C importer reads value 0 at 1 GiB past the dictionary's data
        ChildJvm.Result c = readInChild(s, "export");
        assertTrue(c.output().contains("REFUSED"), c.describe());
        try (FileSystem fs = Famfs.open(tmp.resolve("famfs.img"), master())) {
            Path p = fs.getPath("/dict.arrows");
            Files.write(p, s);
            try (FamfsArrowStreamReader r = FamfsArrow.openStream(p, allocator)) {
                assertThrows(FamfsArrowException.class, r::loadNextBatch,
                        "a dictionary whose offsets (1 GiB on) are past its data (3 bytes) is refused");
            }
        }
    }

    /**
     * A delta dictionary batch is appended by Arrow's ArrowReader.loadDictionary (VectorBatchAppender) into the
     * dictionary vector loaded before, whose buffers are slices of the read-only mapping. Arrow reallocates the
     * target only when its capacity is short; a first dictionary batch declaring a data buffer longer than its
     * values (64 bytes for 3 ints, inside its body, so MappedIpc's checks pass) leaves room, and the append
     * copies the delta into the mapping: SIGSEGV. Expected: the delta appended to a copy (or the file refused),
     * never a crash.
     */
    @Test
    void aDeltaDictionaryIsAppendedIntoTheReadOnlyMapping() throws Exception {
        DictionaryEncoding enc = new DictionaryEncoding(7L, false, new ArrowType.Int(32, true));
        Schema messageSchema = new Schema(List.of(new Field("d", new FieldType(true, new ArrowType.Int(32, true),
                enc), null)));
        ArrowDictionaryBatch first = new ArrowDictionaryBatch(7L, new ArrowRecordBatch(3,
                List.of(new ArrowFieldNode(3, 0)), List.of(bytes(), ints(10, 20, 30, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                        0, 0, 0))), false);
        ArrowDictionaryBatch delta = new ArrowDictionaryBatch(7L, new ArrowRecordBatch(2,
                List.of(new ArrowFieldNode(2, 0)), List.of(bytes(), ints(40, 50))), true);
        ArrowRecordBatch rows = new ArrowRecordBatch(2, List.of(new ArrowFieldNode(2, 0)),
                List.of(bytes(), ints(0, 4)));
        ChildJvm.Result r = readInChild(stream(messageSchema, first, delta, rows));
        assertTrue(r.output().contains("READ") || r.output().contains("REFUSED"), r.describe());
    }

    /**
     * (Minor.) The mapping counts against the allocator's limit as an allocation of the file's size
     * (MappedIpc.open: allocator.wrapForeignAllocation). A file larger than the limit is Arrow's raw
     * OutOfMemoryException ("Unable to allocate buffer of size ... due to memory limit"), naming neither the file
     * nor that the mapping is what counts; FamfsArrow's doc says exceeding the limit is a FamfsArrowException.
     */
    @Test
    void aFileLargerThanTheAllocatorsLimitIsNotAFamfsArrowException() throws Exception {
        Schema schema = new Schema(List.of(new Field("i", FieldType.nullable(new ArrowType.Int(32, true)), null)));
        int[] values = new int[4096];
        ArrowRecordBatch batch = new ArrowRecordBatch(values.length, List.of(new ArrowFieldNode(values.length, 0)),
                List.of(bytes(), ints(values)));
        byte[] s = stream(schema, batch);
        try (FileSystem fs = Famfs.open(tmp.resolve("famfs.img"), master());
                BufferAllocator limited = allocator.newChildAllocator("limited", 0, 4096)) {
            Path p = fs.getPath("/big.arrows");
            Files.write(p, s);
            Exception e = assertThrows(Exception.class, () -> FamfsArrow.openStream(p, limited).close());
            assertTrue(e instanceof FamfsArrowException && e.getMessage().contains(p.toString()),
                    "a file of " + s.length + " bytes over a 4096-byte limit: " + e);
        }
    }
}
