package io.github.famfs.lucene;

import io.github.famfs.nio.FamfsOption;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.ReadOnlyFileSystemException;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.lucene.store.BaseDirectory;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;
import org.apache.lucene.store.IndexOutput;
import org.apache.lucene.store.LockFactory;
import org.apache.lucene.store.OutputStreamIndexOutput;

/**
 * A Lucene {@link org.apache.lucene.store.Directory} over a famfs directory: reads straight from famfs's mapping of
 * the device (zero-copy, no page cache), with Lucene's read-ahead hints given to the mapping as madvise; writes
 * (on the master) as new famfs files, each published when its output closes.
 *
 * <p>famfs files are append-only: written once, never renamed, deleted or emptied. Lucene's commit protocol is
 * mapped onto that:
 * <ul>
 * <li>{@code pending_segments_N} is held on the heap until Lucene renames it to {@code segments_N}: the commit
 *     then publishes {@code segments_N}, after every file it names (published when their outputs closed);</li>
 * <li>a deleted file is hidden from this directory (it stays in famfs, whose space it keeps:
 *     {@link #unreclaimableBytes()});</li>
 * <li>a name Lucene deleted can be created again, as Lucene does (a writer after a rollback reuses the rolled-back
 *     segments' names): the new file is the famfs file {@code <name>~famfs-gen-<N>}, N one more than the newest
 *     generation present, and every instance, in any process, reads {@code <name>} as its newest generation (the
 *     mapping is in the famfs names, not on the heap). Names with {@code ~famfs-gen-} are not Lucene's to use.
 *     A plain copy of such an index's files out of famfs must take the newest generation of each name (a Lucene
 *     copy through this directory, e.g. {@code Directory.copyFrom}, does);</li>
 * <li>other renames copy the file under its new name and hide the old one;</li>
 * <li>an empty output (famfs has no empty files; Lucene's index files are never empty) lives in this directory
 *     instance only;</li>
 * <li>the index lock ({@code write.lock}) is held on this host ({@link HostLockFactory}).</li>
 * </ul>
 * An index written this way is a plain Lucene index: copied out of famfs, it opens in any Lucene directory.
 *
 * <p>On a read-only file system (a client), {@link #listAll()} first refreshes the file system when it can (see
 * {@link Refresh}), so that {@code DirectoryReader.openIfChanged} sees commits the master made since.
 *
 * <p>Compiled against Lucene 9.12 using only API that Lucene 10 keeps binary-compatible: one jar for Lucene 9.12
 * on Java 17+ and Lucene 10 on Java 21+.
 */
public final class FamfsDirectory extends BaseDirectory {
    /** Lucene's pending commit names ({@code IndexFileNames.PENDING_SEGMENTS + "_"}). */
    private static final String PENDING_PREFIX = "pending_segments_";
    private static final int OUTPUT_BUFFER = 64 * 1024;

    private final Path dir;
    /** Files not in famfs: pending commits until renamed, and empty files. */
    private final Map<String, byte[]> held = new ConcurrentHashMap<>();
    /** The famfs names of the files Lucene deleted, hidden here (they stay in famfs), with their sizes. */
    private final Map<String, Long> hidden = new ConcurrentHashMap<>();
    /** Names of outputs not closed yet. */
    private final Set<String> writing = ConcurrentHashMap.newKeySet();
    private final AtomicLong nextTemp = new AtomicLong();

    /** A directory over famfs directory {@code dir}, with its lock on this host ({@link HostLockFactory}). */
    public FamfsDirectory(Path dir) throws IOException {
        this(dir, HostLockFactory.inTempDirectory());
    }

    /**
     * A directory over famfs directory {@code dir} (made, with its parents, when absent on a master), locked by
     * {@code lockFactory}.
     */
    public FamfsDirectory(Path dir, LockFactory lockFactory) throws IOException {
        super(lockFactory);
        if (!"famfs".equals(dir.getFileSystem().provider().getScheme())) {
            throw new ProviderMismatchException("FamfsDirectory needs a famfs path, not " + dir.toUri()
                    + " (use Lucene's FSDirectory.open for other file systems)");
        }
        this.dir = dir.toAbsolutePath().normalize();
        if (!Files.isDirectory(this.dir)) {
            if (Files.exists(this.dir) || dir.getFileSystem().isReadOnly()) {
                throw new NoSuchFileException(this.dir.toString(), null, Files.exists(this.dir)
                        ? "not a directory" : "no such directory (and this famfs is read-only)");
            }
            Files.createDirectories(this.dir);
        }
    }

    /** The famfs directory this directory reads and writes. */
    public Path getDirectory() {
        return dir;
    }

    /**
     * Device bytes allocated to the files Lucene deleted through this directory instance (whole famfs
     * allocation units, 2 MiB each at least): they stay in famfs, which never frees space.
     */
    public long unreclaimableBytes() {
        return hidden.values().stream().mapToLong(Long::longValue).sum();
    }

    /**
     * The famfs names of the files Lucene deleted that this directory hides (they stay in famfs): the name Lucene
     * deleted, with {@code ~famfs-gen-<N>} when it was a re-creation.
     */
    public Set<String> hiddenFiles() {
        return Collections.unmodifiableSet(new TreeSet<>(hidden.keySet()));
    }

    @Override
    public String[] listAll() throws IOException {
        ensureOpen();
        if (dir.getFileSystem().isReadOnly()) {
            Refresh.refresh(dir.getFileSystem());
        }
        Map<String, Generation> newest = new HashMap<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir)) {
            for (Path p : ds) {
                Generation g = Generation.of(p);
                newest.merge(g.name(), g, (a, b) -> a.number() >= b.number() ? a : b);
            }
        }
        TreeSet<String> names = new TreeSet<>(held.keySet());
        for (Generation g : newest.values()) {
            if (!hidden.containsKey(g.path().getFileName().toString())) {
                names.add(g.name());
            }
        }
        return names.toArray(new String[0]);
    }

    @Override
    public void deleteFile(String name) throws IOException {
        ensureOpen();
        if (held.remove(name) != null) {
            return;
        }
        Path p = resolve(name);
        if (!visible(p)) {
            throw new NoSuchFileException(p.toString());
        }
        checkWritable();
        hidden.put(p.getFileName().toString(), allocated(p));
    }

    @Override
    public long fileLength(String name) throws IOException {
        ensureOpen();
        byte[] h = held.get(name);
        if (h != null) {
            return h.length;
        }
        Path p = resolve(name);
        if (isHidden(p)) {
            throw new NoSuchFileException(p.toString());
        }
        return Files.size(p);
    }

    @Override
    public IndexOutput createOutput(String name, IOContext context) throws IOException {
        Path p = reserve(name);
        try {
            OutputStream out = name.startsWith(PENDING_PREFIX) ? new HeldStream(name) : new FamfsStream(name, p);
            return new OutputStreamIndexOutput("FamfsDirectory.output(path=\"" + p + "\")", name, out,
                    OUTPUT_BUFFER);
        } catch (RuntimeException | Error e) {
            writing.remove(name);
            throw e;
        }
    }

    @Override
    public IndexOutput createTempOutput(String prefix, String suffix, IOContext context) throws IOException {
        ensureOpen();
        while (true) {
            String name = getTempFileName(prefix, suffix, nextTemp.getAndIncrement());
            try {
                return createOutput(name, context);
            } catch (FileAlreadyExistsException e) {
                // a name left by an earlier writer: the next one
            }
        }
    }

    @Override
    public void sync(Collection<String> names) throws IOException {
        ensureOpen();
        for (String name : names) {
            if (held.containsKey(name)) {
                continue; // made durable when published (rename)
            }
            Path p = resolve(name);
            if (isHidden(p)) {
                throw new NoSuchFileException(p.toString());
            }
            // a published file's bytes out of the CPU caches to the device (famfs flushes the file's range)
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
                ch.force(true);
            }
        }
    }

    @Override
    public void syncMetaData() throws IOException {
        ensureOpen();
        // famfs publishes each file with one log entry, durable when appended: nothing more to sync
    }

    @Override
    public void rename(String source, String dest) throws IOException {
        Path d = reserve(dest);
        try {
            byte[] h = held.get(source);
            if (h != null) {
                if (h.length > 0) {
                    publish(d, h);
                    held.remove(source);
                } else {
                    held.put(dest, held.remove(source));
                }
                return;
            }
            Path s = resolve(source);
            if (!visible(s)) {
                throw new NoSuchFileException(s.toString());
            }
            // famfs has no rename: the bytes are copied under the new name, and the old file is hidden
            try (FileChannel in = FileChannel.open(s, StandardOpenOption.READ)) {
                long size = in.size();
                try (FileChannel out = FileChannel.open(d, Set.of(StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE, FamfsOption.size(size)))) {
                    for (long done = 0; done < size;) {
                        long n = in.transferTo(done, size - done, out);
                        if (n <= 0) {
                            throw new IOException(s + " shrank while it was copied to " + d);
                        }
                        done += n;
                    }
                }
                hidden.put(s.getFileName().toString(), allocated(s));
            }
        } finally {
            writing.remove(dest);
        }
    }

    @Override
    public IndexInput openInput(String name, IOContext context) throws IOException {
        ensureOpen();
        byte[] h = held.get(name);
        Path p = resolve(name);
        String description = "FamfsDirectory.input(path=\"" + p + "\")";
        if (h != null) {
            return FamfsIndexInput.open(description, MappedFile.ofHeap(h), io.github.famfs.nio.FamfsMappings.Advice.NORMAL);
        }
        if (isHidden(p)) {
            throw new NoSuchFileException(p.toString());
        }
        MappedFile f = MappedFile.map(p);
        return f.chunks().size() == 1 ? SingleMappingInput.open(description, f, ReadHints.of(context))
                : FamfsIndexInput.open(description, f, ReadHints.of(context));
    }

    @Override
    public Set<String> getPendingDeletions() {
        return Collections.emptySet(); // nothing waits: a deleted file is hidden at once
    }

    @Override
    public synchronized void close() {
        isOpen = false;
    }

    @Override
    public String toString() {
        return "FamfsDirectory@" + dir.toUri() + " lockFactory=" + lockFactory;
    }

    /**
     * Takes {@code name} for a new file (until {@code writing.remove(name)}) and returns the famfs file to write:
     * fails if an output of that name is open or the file exists (held, or in famfs and not deleted); a name
     * deleted here is written as its next generation (famfs never frees a name).
     */
    private Path reserve(String name) throws IOException {
        ensureOpen();
        checkWritable();
        Generation g = Generation.newest(dir, name);
        Path p = g.path();
        if (!writing.add(name)) {
            throw new FileAlreadyExistsException(p.toString(), null, "an output of this name is open");
        }
        if (held.containsKey(name) || visible(p)) {
            writing.remove(name);
            throw new FileAlreadyExistsException(p.toString(), null, "famfs never replaces a file");
        }
        return Files.exists(p) ? g.next().path() : p;
    }

    /** The famfs file that Lucene's {@code name} is: its newest generation. */
    private Path resolve(String name) throws IOException {
        return Generation.newest(dir, name).path();
    }

    /** The famfs file of lock {@code lockName} (Lucene never deletes it: a single generation). */
    Path lockFile(String lockName) {
        return Generation.check(dir, lockName);
    }

    private boolean isHidden(Path p) {
        return hidden.containsKey(p.getFileName().toString());
    }

    private boolean visible(Path p) {
        return !isHidden(p) && Files.exists(p);
    }

    private void checkWritable() {
        if (dir.getFileSystem().isReadOnly()) {
            throw new ReadOnlyFileSystemException();
        }
    }

    /** The device bytes famfs allocated to file {@code p} (whole allocation units), else its size. */
    private static long allocated(Path p) throws IOException {
        Object a = Files.getAttribute(p, "famfs:allocatedBytes");
        return a instanceof Long l ? l : Files.size(p);
    }

    /** Writes {@code bytes} as the new famfs file {@code p} (one allocation), published when it returns. */
    private static void publish(Path p, byte[] bytes) throws IOException {
        try (FileChannel out = FileChannel.open(p, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                FamfsOption.size(bytes.length)))) {
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) {
                out.write(b);
            }
        }
    }

    /** An output kept on the heap until closed, then held (a pending commit, until Lucene renames it). */
    private final class HeldStream extends ByteArrayOutputStream {
        private final String name;
        private boolean closed;

        HeldStream(String name) {
            this.name = name;
        }

        @Override
        public void close() {
            if (!closed) {
                closed = true;
                held.put(name, toByteArray());
                writing.remove(name);
            }
        }
    }

    /**
     * An output to a new famfs file, published when closed. The file is created at the first byte, so that an
     * output closed empty (which famfs cannot hold) is held instead.
     */
    private final class FamfsStream extends FilterOutputStream {
        private final String name;
        private final Path path;
        private boolean closed;

        FamfsStream(String name, Path path) {
            super(null);
            this.name = name;
            this.path = path;
        }

        private OutputStream out() throws IOException {
            if (out == null) {
                out = Channels.newOutputStream(FileChannel.open(path, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE));
            }
            return out;
        }

        @Override
        public void write(int b) throws IOException {
            out().write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out().write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            if (out != null) {
                out.flush();
            }
        }

        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                if (out == null) {
                    held.put(name, new byte[0]);
                } else {
                    out.close();
                }
            } finally {
                writing.remove(name);
            }
        }
    }

    /** For tests: names held on the heap. */
    List<String> heldNames() {
        return new ArrayList<>(held.keySet());
    }
}
