package io.github.famfs.arrow;

import io.github.famfs.nio.FamfsFileSystemProvider;
import io.github.famfs.nio.FamfsFiles;
import io.github.famfs.nio.FamfsOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.compression.CompressionCodec;
import org.apache.arrow.vector.compression.NoCompressionCodec;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.ipc.ArrowFileWriter;

/**
 * Arrow data frames in famfs files, read in place: one copy in shared memory for every process that maps it.
 *
 * <p>{@link #openFile} (the Arrow IPC file format) and {@link #openStream} (the IPC stream format) return an
 * {@code ArrowReader} whose vectors' buffers are the file's own memory: the file is mapped once, read-only, and
 * wrapped as a foreign allocation of the given allocator ({@code BufferAllocator.wrapForeignAllocation}), and
 * each buffer of each batch is a slice of it. Nothing is copied into the allocator, except what Arrow's
 * {@code VectorLoader} makes itself: the validity bitmap of a column whose batch has no nulls (or only nulls)
 * and is written without one (1 bit a value, for the current batch only). So {@code VectorSchemaRoot} code, and
 * {@code Data.exportArrayStream} to native engines (DuckDB, DataFusion, ...), work unchanged on the shared copy.
 *
 * <p><b>Lifetime.</b> The mapping is released deterministically by Arrow's reference counts, not by the garbage
 * collector: it is unmapped when the reader is closed and every buffer it handed out (vectors transferred out of
 * the root, batches exported through the C data interface) has been released. Until then it counts against the
 * allocator's limit as an allocation of the file's size (though it is neither heap nor direct memory). A vector
 * used after its reader closed fails as Arrow's do (its buffers are empty). The mapping does not depend on the
 * channel or the file system: closing the famfs file system while a reader is open leaves the reader and its
 * buffers valid until they are closed.
 *
 * <p><b>Compressed bodies</b> (LZ4, ZSTD) cannot be read in place. By default a compressed batch is a
 * {@link FamfsArrowException} naming its codec and the batch; the overloads taking a
 * {@code CompressionCodec.Factory} (arrow-compression's {@code CommonsCompressionFactory.INSTANCE}) decompress
 * such batches into the allocator, which copies them.
 *
 * <p><b>Checks.</b> The footer, every message and every buffer are checked against the file before they are
 * used. Each record or dictionary batch's metadata is then checked against its schema before Arrow's
 * {@code VectorLoader} sees it (see {@code BatchBounds}: column lengths against the batch's and their parents',
 * buffer sizes against column lengths, variable-width offsets against their data; unions, run-end encoded, view
 * and list-view columns refused), so that the loader never writes into the read-only mapping (it fills the
 * "holes" of a variable-width or list column shorter than its batch) nor grows a vector. After the load each
 * batch and each dictionary is validated whole ({@code ValueVectorUtility.validateFull}: the offsets of
 * variable-width and list columns in order and in range, which reads those offsets once; maps and fixed-size
 * lists, on which Arrow 19's validator fails, by a check of FamfsArrow's own), so a truncated, garbled or hostile
 * file is a {@link FamfsArrowException} naming the batch (and the field), and native code that is handed the
 * vectors never reads outside them. A file larger than the allocator's limit (which the mapping counts against)
 * is a {@link FamfsArrowException} too.
 *
 * <p><b>Delta dictionaries.</b> Arrow appends a delta dictionary batch to the dictionary's vector in place; so
 * before the first delta of a dictionary, that vector (file memory until then) is copied into the allocator and
 * the delta is appended to the copy. This is the one copy of an uncompressed file's data that FamfsArrow makes.
 *
 * <p>Arrow's memory module needs {@code --add-opens=java.base/java.nio=ALL-UNNAMED} on Java 17 and later, and an
 * allocator implementation on the class path (arrow-memory-unsafe or arrow-memory-netty). Arrow is an optional
 * dependency of famfs-nio: only this package needs it.
 */
public final class FamfsArrow {
    private FamfsArrow() {}

    /** Opens the Arrow IPC file {@code file} (a famfs path) in place; compressed batches are refused. */
    public static FamfsArrowFileReader openFile(Path file, BufferAllocator allocator) throws IOException {
        return openFile(file, allocator, null);
    }

    /**
     * Opens the Arrow IPC file {@code file} (a famfs path) in place; compressed batches are decompressed by
     * {@code decompressor} into {@code allocator} (a copy of those batches), or refused when it is null.
     */
    public static FamfsArrowFileReader openFile(Path file, BufferAllocator allocator,
            CompressionCodec.Factory decompressor) throws IOException {
        return open(file, allocator, decompressor, FamfsArrowFileReader::open);
    }

    /** Opens the Arrow IPC stream stored in {@code file} (a famfs path) in place; compressed batches are refused. */
    public static FamfsArrowStreamReader openStream(Path file, BufferAllocator allocator) throws IOException {
        return openStream(file, allocator, null);
    }

    /**
     * Opens the Arrow IPC stream stored in {@code file} (a famfs path) in place; compressed batches are
     * decompressed by {@code decompressor} into {@code allocator} (a copy of those batches), or refused when it
     * is null.
     */
    public static FamfsArrowStreamReader openStream(Path file, BufferAllocator allocator,
            CompressionCodec.Factory decompressor) throws IOException {
        return open(file, allocator, decompressor, FamfsArrowStreamReader::open);
    }

    /** Makes a reader over a mapped file (and checks what it begins with). */
    private interface ReaderFactory<R> {
        R open(MappedIpc ipc, BufferAllocator allocator, CompressionCodec.Factory codecs, boolean decompress)
                throws IOException;
    }

    private static <R> R open(Path file, BufferAllocator allocator, CompressionCodec.Factory decompressor,
            ReaderFactory<R> factory) throws IOException {
        MappedIpc ipc = MappedIpc.open(file, allocator);
        try {
            return factory.open(ipc, allocator, decompressor == null ? NoCompressionCodec.Factory.INSTANCE
                    : decompressor, decompressor != null);
        } catch (IOException | RuntimeException | Error e) {
            ipc.release();
            throw e;
        }
    }

    /**
     * A writer of the Arrow IPC file {@code target}, a new famfs file (the file system's master): call
     * {@code start()}, {@code writeBatch()} for each batch that {@code root} holds, and {@code close()}, which
     * writes the footer and publishes the file; no other process sees it before. The file's space is allocated as
     * the batches arrive, unless {@code options} fix its size ({@link FamfsOption#size}); they may also stripe it
     * ({@link FamfsOption#interleave}, for large frames). Any Arrow implementation reads the result.
     */
    public static ArrowFileWriter newFileWriter(Path target, VectorSchemaRoot root, DictionaryProvider dictionaries,
            OpenOption... options) throws IOException {
        Objects.requireNonNull(root, "root");
        return new ArrowFileWriter(root, dictionaries, open(target, options));
    }

    /**
     * Writes what {@code root} holds now as a one-batch Arrow IPC file {@code target}, a new famfs file (the file
     * system's master), with its size known up front: the file is measured first (serialized into a counter,
     * nothing kept), so that it gets exactly its size in one allocation; then written and published. When
     * writing fails half-way, the file is discarded (nothing published, the name free again).
     * {@code options} may stripe it ({@link FamfsOption#interleave}).
     *
     * @return the file's size in bytes
     */
    public static long writeFile(Path target, VectorSchemaRoot root, DictionaryProvider dictionaries,
            OpenOption... options) throws IOException {
        Objects.requireNonNull(root, "root");
        Counter counter = new Counter();
        try (ArrowFileWriter w = new ArrowFileWriter(root, dictionaries, counter)) {
            w.start();
            w.writeBatch();
            w.end();
        }
        OpenOption[] sized = Arrays.copyOf(options, options.length + 1);
        sized[options.length] = FamfsOption.size(counter.bytes);
        FileChannel ch = open(target, sized);
        ArrowFileWriter w = null;
        try {
            w = new ArrowFileWriter(root, dictionaries, ch);
            w.start();
            w.writeBatch();
            w.end();
            if (w.bytesWritten() != counter.bytes) {
                throw new IOException(target + ": the Arrow file came out " + w.bytesWritten() + " bytes, measured "
                        + counter.bytes + " (the root changed while it was written?)");
            }
        } catch (IOException | RuntimeException | Error e) {
            // nothing half-written is published: the channel is discarded, not closed (which would publish it)
            FamfsFiles.discard(ch, e instanceof IOException io ? io : new IOException(e.toString(), e));
            if (w != null) {
                try {
                    w.close();
                } catch (RuntimeException ignored) {
                    // its channel is already discarded; the failure above is the one to report
                }
            }
            throw e;
        }
        try {
            w.close(); // publishes the file (closes the channel)
        } catch (RuntimeException e) {
            // ArrowWriter.close wraps the channel's close (the publication) in a RuntimeException
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw e;
        }
        return counter.bytes;
    }

    private static FileChannel open(Path target, OpenOption... options) throws IOException {
        Objects.requireNonNull(target, "target");
        if (!(target.getFileSystem().provider() instanceof FamfsFileSystemProvider)) {
            throw new ProviderMismatchException(target + " is not on a famfs file system");
        }
        Set<OpenOption> opts = new HashSet<>(Arrays.asList(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
        opts.addAll(Arrays.asList(options));
        return FileChannel.open(target, opts);
    }

    /** Counts the bytes written to it and keeps none. */
    private static final class Counter implements WritableByteChannel {
        long bytes;

        @Override
        public int write(ByteBuffer src) {
            int n = src.remaining();
            src.position(src.limit());
            bytes += n;
            return n;
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
            // nothing held
        }
    }
}
