package io.github.famfs.review;

import io.github.famfs.arrow.FamfsArrow;
import io.github.famfs.arrow.FamfsArrowException;
import io.github.famfs.arrow.FamfsArrowStreamReader;
import io.github.famfs.nio.Famfs;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.FieldVector;

/**
 * Child JVM of {@link ArrowReviewTest}: opens famfs image {@code args[0]} as a client, reads the Arrow IPC stream
 * {@code args[1]} with FamfsArrow.openStream, loads every batch and reads every value. Prints REFUSED (a
 * FamfsArrowException) or READ; a crash kills the JVM (the parent sees the signal). With {@code args[2]} "export",
 * the reader goes through the C stream interface (Data.exportArrayStream) and is read back by Arrow's C importer,
 * as a native consumer would read it: buffer extents from the offsets, no bounds of the mapping.
 */
public final class ArrowReviewChildMain {
    private ArrowReviewChildMain() {}

    public static void main(String[] args) throws Exception {
        try (FileSystem fs = Famfs.open(Path.of(args[0]), Map.of("systemUuid", UUID.randomUUID().toString()));
                BufferAllocator allocator = new RootAllocator();
                FamfsArrowStreamReader famfs = FamfsArrow.openStream(fs.getPath(args[1]), allocator);
                org.apache.arrow.c.ArrowArrayStream c = org.apache.arrow.c.ArrowArrayStream.allocateNew(allocator)) {
            org.apache.arrow.vector.ipc.ArrowReader r = famfs;
            if (args.length > 2 && args[2].equals("export")) {
                org.apache.arrow.c.Data.exportArrayStream(allocator, famfs, c);
                r = org.apache.arrow.c.Data.importArrayStream(allocator, c);
            }
            while (r.loadNextBatch()) {
                for (FieldVector v : r.getVectorSchemaRoot().getFieldVectors()) {
                    for (int i = 0; i < v.getValueCount(); i++) {
                        v.getObject(i);
                    }
                }
                for (org.apache.arrow.vector.dictionary.Dictionary d : r.getDictionaryVectors().values()) {
                    for (int i = 0; i < d.getVector().getValueCount(); i++) {
                        d.getVector().getObject(i);
                    }
                }
            }
            if (r != famfs) {
                r.close();
            }
            System.out.println("READ");
        } catch (FamfsArrowException e) {
            System.out.println("REFUSED " + e.getMessage());
        } catch (java.io.IOException e) {
            // through the C stream interface a producer's error is an errno and a message (no Java type crosses
            // it): Arrow's importer rethrows it as an IOException whose message carries the FamfsArrowException
            if (e.getMessage() == null || !e.getMessage().contains(FamfsArrowException.class.getName())) {
                throw e;
            }
            System.out.println("REFUSED (through the C stream) " + e.getMessage());
        }
    }
}
