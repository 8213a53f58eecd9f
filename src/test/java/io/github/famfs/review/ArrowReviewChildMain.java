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
 * FamfsArrowException) or READ; a crash kills the JVM (the parent sees the signal).
 */
public final class ArrowReviewChildMain {
    private ArrowReviewChildMain() {}

    public static void main(String[] args) throws Exception {
        try (FileSystem fs = Famfs.open(Path.of(args[0]), Map.of("systemUuid", UUID.randomUUID().toString()));
                BufferAllocator allocator = new RootAllocator();
                FamfsArrowStreamReader r = FamfsArrow.openStream(fs.getPath(args[1]), allocator)) {
            while (r.loadNextBatch()) {
                for (FieldVector v : r.getVectorSchemaRoot().getFieldVectors()) {
                    for (int i = 0; i < v.getValueCount(); i++) {
                        v.getObject(i);
                    }
                }
            }
            System.out.println("READ");
        } catch (FamfsArrowException e) {
            System.out.println("REFUSED " + e.getMessage());
        }
    }
}
