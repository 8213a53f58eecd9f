package io.github.famfs.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.nio.Famfs;
import io.github.famfs.testing.ChildJvm;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileWriter;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.Schema;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One copy for every JVM: a 512 MiB frame (8 times the readers' 64 MiB heap) written into famfs by FamfsArrow,
 * then read whole, every value, by three reader processes at once. Each reader's data buffers all lie in its
 * mapping of the image, every sum is right, and its anonymous memory does not grow with the frame (it grows by
 * less than a sixteenth of it: only the per-batch validity bitmaps that Arrow's loader makes).
 */
class ArrowOneCopyTest {
    static final int ROWS = 1 << 20;
    static final int BATCHES = 32;
    private static final long FRAME = (long) BATCHES * ROWS * 16;
    private static final Pattern LINE = Pattern.compile(
            "rows=(\\d+) idSum=(\\d+) xSum=(\\S+) anonGrowth=(-?\\d+) outsideMapping=(\\d+)");
    @TempDir
    Path tmp;

    static Schema schema() {
        return new Schema(List.of(Field.nullable("id", new ArrowType.Int(64, true)),
                Field.nullable("x", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE))));
    }

    /** Writes the frame as master: {@code batches} batches of ROWS rows. */
    static void writeFrame(FileSystem fs, String path, int batches) throws Exception {
        writeFrame(fs, path, batches, ROWS);
    }

    /** Writes {@code batches} batches of {@code rows} rows (id = row number, x = id / 2) as master. */
    static void writeFrame(FileSystem fs, String path, int batches, int rows, java.nio.file.OpenOption... options)
            throws Exception {
        try (BufferAllocator allocator = new RootAllocator();
                VectorSchemaRoot root = VectorSchemaRoot.create(schema(), allocator);
                ArrowFileWriter w = FamfsArrow.newFileWriter(fs.getPath(path), root, null, options)) {
            BigIntVector id = (BigIntVector) root.getVector("id");
            Float8Vector x = (Float8Vector) root.getVector("x");
            w.start();
            for (int b = 0; b < batches; b++) {
                id.allocateNew(rows);
                x.allocateNew(rows);
                for (int i = 0; i < rows; i++) {
                    long v = (long) b * rows + i;
                    id.set(i, v);
                    x.set(i, v / 2.0);
                }
                root.setRowCount(rows);
                w.writeBatch();
            }
        }
    }

    static Map<String, String> scan(Path image, String path, String mode) throws Exception {
        String cp = System.getProperty("java.class.path");
        ChildJvm.Result r = ChildJvm.run(List.of("-Xms64m", "-Xmx64m", "-XX:+AlwaysPreTouch",
                "--add-opens=java.base/java.nio=ALL-UNNAMED"), cp, ScanMain.class, 600, image.toString(), path, mode);
        assertEquals(0, r.exitCode(), r.describe());
        Matcher m = LINE.matcher(r.output());
        assertTrue(m.find(), r.describe());
        Map<String, String> out = new HashMap<>();
        for (String k : List.of("rows", "idSum", "xSum", "anonGrowth", "outsideMapping")) {
            out.put(k, m.group(List.of("rows", "idSum", "xSum", "anonGrowth", "outsideMapping").indexOf(k) + 1));
        }
        return out;
    }

    @Test
    void threeReaderProcessesShareOneCopy() throws Exception {
        Path image = tmp.resolve("famfs.img");
        try (FileSystem fs = Famfs.open(image, Frames.master())) {
            writeFrame(fs, "/frame.arrow", BATCHES);
            assertTrue(Files.size(fs.getPath("/frame.arrow")) > FRAME);
        }
        long n = (long) BATCHES * ROWS;
        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Map<String, String>>> readers = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                readers.add(pool.submit(() -> scan(image, "/frame.arrow", "famfs")));
            }
            for (Future<Map<String, String>> f : readers) {
                Map<String, String> r = f.get();
                System.out.println("[ArrowOneCopyTest] famfs reader of a " + (FRAME >> 20) + " MiB frame: " + r);
                assertEquals(Long.toString(n), r.get("rows"));
                assertEquals(Long.toString(n * (n - 1) / 2), r.get("idSum"));
                assertEquals(n * (n - 1) / 4.0, Double.parseDouble(r.get("xSum")), 1e-3 * n);
                assertEquals("0", r.get("outsideMapping"), "every data buffer is in the reader's mapping");
                long growth = Long.parseLong(r.get("anonGrowth"));
                assertTrue(growth < FRAME / 16, "anonymous memory grew by " + growth + " bytes for a " + FRAME
                        + "-byte frame");
            }
        } finally {
            pool.shutdown();
        }
        // for comparison only (not asserted): Arrow's own reader over a famfs channel copies every batch
        System.out.println("[ArrowOneCopyTest] ArrowFileReader over a famfs channel: "
                + scan(image, "/frame.arrow", "copy"));
    }
}
