package io.github.famfs.nio;

import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;

/**
 * famfs operations that {@link Files} cannot express: a copy into famfs with famfs options (interleave), and with
 * the size known up front, so the file gets one allocation and the bytes go straight from the source into the
 * device (read(2) into the mapping for a local source).
 */
public final class FamfsFiles {
    private FamfsFiles() {}

    /**
     * Copies regular file {@code source} (any file system) to the new famfs file {@code target}, with the source's
     * permission bits. {@code options} may hold {@link FamfsOption#interleave} or {@link FamfsOption#CONTIGUOUS}.
     *
     * @return bytes copied
     */
    public static long copy(Path source, Path target, OpenOption... options) throws IOException {
        if (!(target instanceof FamfsPath)) {
            throw new ProviderMismatchException(target + " is not a famfs path");
        }
        long size = Files.size(source);
        if (size == 0) {
            throw new IOException(target + ": famfs cannot hold an empty file (the format has no size 0); "
                    + source + " is empty, so nothing was copied");
        }
        List<OpenOption> opts = new ArrayList<>(List.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                FamfsOption.size(size)));
        opts.addAll(List.of(options));
        FileAttribute<?>[] attrs = {};
        try {
            PosixFileAttributes pa = Files.readAttributes(source, PosixFileAttributes.class);
            attrs = new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(pa.permissions())};
        } catch (UnsupportedOperationException e) {
            // a source without posix attributes: famfs defaults
        }
        FileChannel out = FileChannel.open(target, new java.util.HashSet<>(opts), attrs);
        try {
            if (source.getFileSystem() == FileSystems.getDefault() || source instanceof FamfsPath) {
                try (FileChannel in = FileChannel.open(source)) {
                    long done = 0;
                    while (done < size) {
                        long n = source instanceof FamfsPath ? in.transferTo(done, size - done, out)
                                : out.transferFrom(in, done, size - done);
                        if (n <= 0) {
                            throw new IOException(source + " shrank while it was copied into famfs");
                        }
                        done += n;
                        in.position(done);
                    }
                }
            } else {
                try (InputStream in = Files.newInputStream(source)) {
                    // the file's size is fixed here, so its stream does not gather (a write past the end is refused
                    // at once); flush() would write out what a gathering stream still held, before the publish
                    java.io.OutputStream stream = FamfsFileSystemProvider.outputStream(out);
                    in.transferTo(stream);
                    stream.flush();
                }
            }
        } catch (IOException | RuntimeException | Error e) {
            discard(out, e instanceof IOException io ? io : new IOException(e));
            throw e;
        }
        out.close();
        return size;
    }

    /**
     * Closes {@code channel} without publishing what it wrote, when it makes a new famfs file (its space goes
     * back; no process ever sees the file); any other channel is just closed. For a writer that failed half-way
     * (for {@code why}), whose plain {@code close()} would publish a half-written file.
     */
    public static void discard(java.nio.channels.FileChannel channel, IOException why) throws IOException {
        if (channel instanceof NewFileChannel pending) {
            pending.abort(why);
        } else {
            channel.close();
        }
    }
}
