package io.github.famfs.arrow;

import io.github.famfs.nio.Famfs;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.util.List;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;

/**
 * A reader process (run by {@code ArrowOneCopyTest} in a child JVM with a small heap): opens a famfs image as a
 * client, reads every value of the frame {@code id BIGINT, x DOUBLE} at PATH, and prints
 * {@code rows=.. idSum=.. xSum=.. anonGrowth=.. outsideMapping=..}: the growth of its anonymous resident memory
 * from after the first batch to after the last, and how many data buffers were not inside the reader's mapping
 * of the image. MODE {@code famfs} reads with FamfsArrow, {@code copy} with Arrow's ArrowFileReader over a famfs
 * channel (which copies each batch into the allocator).
 *
 * <p>Usage: ScanMain IMAGE PATH MODE
 */
public final class ScanMain {
    private ScanMain() {}

    public static void main(String[] args) throws Exception {
        Path image = Path.of(args[0]);
        boolean inPlace = args[2].equals("famfs");
        try (FileSystem fs = Famfs.open(image, Frames.client());
                BufferAllocator allocator = new RootAllocator()) {
            Path file = fs.getPath(args[1]);
            FileChannel ch = inPlace ? null : FileChannel.open(file);
            try (ArrowReader r = inPlace ? FamfsArrow.openFile(file, allocator) : new ArrowFileReader(ch, allocator)) {
                long base = inPlace ? ((FamfsArrowReader) r).mappingAddress() : 0;
                long size = inPlace ? ((FamfsArrowReader) r).size() : 0;
                List<long[]> mapping = List.of(new long[] {base, base + size});
                if (inPlace && !Frames.mapped(image, base, size)) {
                    throw new IllegalStateException("the reader's range is not a mapping of " + image);
                }
                VectorSchemaRoot root = r.getVectorSchemaRoot();
                long rows = 0;
                long idSum = 0;
                double xSum = 0;
                long outside = 0;
                long anonStart = -1;
                while (r.loadNextBatch()) {
                    BigIntVector id = (BigIntVector) root.getVector("id");
                    Float8Vector x = (Float8Vector) root.getVector("x");
                    for (int i = 0; i < root.getRowCount(); i++) {
                        idSum += id.get(i);
                        xSum += x.get(i);
                    }
                    rows += root.getRowCount();
                    if (inPlace) {
                        for (FieldVector v : root.getFieldVectors()) {
                            for (ArrowBuf b : Frames.fileBuffers(v)) {
                                if (!Frames.inside(mapping, b.memoryAddress(), b.capacity())) {
                                    outside++;
                                }
                            }
                        }
                    }
                    if (anonStart < 0) {
                        anonStart = Frames.rssAnon();
                    }
                }
                long anonEnd = Frames.rssAnon();
                System.out.println("rows=" + rows + " idSum=" + idSum + " xSum=" + xSum + " anonGrowth="
                        + (anonEnd - anonStart) + " outsideMapping=" + outside);
            } finally {
                if (ch != null) {
                    ch.close();
                }
            }
        }
    }
}
