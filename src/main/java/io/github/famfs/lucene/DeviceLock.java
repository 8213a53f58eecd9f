package io.github.famfs.lucene;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.Lock;
import org.apache.lucene.store.LockObtainFailedException;

/**
 * An index lock held on the famfs device: {@code FileChannel.tryLock} of the famfs file {@code <lockName>} of the
 * index directory, which famfs holds as fcntl locks on that file's device bytes, so all the processes of this
 * host that open the device exclude each other (and a second obtain in this JVM fails: the JDK's overlapping-lock
 * rule). Made when absent (one byte; famfs has no empty files) on a master; a client, which cannot write the
 * index, cannot take it. Host-local: famfs has no locks across hosts.
 */
final class DeviceLock extends Lock {
    private final Path file;
    private final FileLock lock;
    private volatile boolean closed;

    private DeviceLock(Path file, FileLock lock) {
        this.file = file;
        this.lock = lock;
    }

    static DeviceLock obtain(FamfsDirectory dir, String lockName) throws IOException {
        Path file = dir.lockFile(lockName);
        if (file.getFileSystem().isReadOnly()) {
            throw new LockObtainFailedException("Cannot lock " + lockName + " of " + dir + ": this famfs is"
                    + " read-only (a client), and only the master writes an index");
        }
        FileChannel ch = open(file);
        try {
            FileLock lock;
            try {
                lock = ch.tryLock();
            } catch (OverlappingFileLockException e) {
                lock = null;
            }
            if (lock == null) {
                throw new LockObtainFailedException("Lock held by another process of this host or by this JVM: "
                        + lockName + " of " + dir + " (" + file.toUri() + ")");
            }
            return new DeviceLock(file, lock);
        } catch (IOException | RuntimeException | Error e) {
            try {
                ch.close();
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed);
            }
            throw e;
        }
    }

    /** The lock file open for writing (famfs's exclusive locks need it), made first when absent. */
    private static FileChannel open(Path file) throws IOException {
        try {
            return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        } catch (NoSuchFileException absent) {
            try (FileChannel out = FileChannel.open(file, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, io.github.famfs.nio.FamfsOption.size(1)))) {
                out.write(java.nio.ByteBuffer.wrap(new byte[1]));
            } catch (FileAlreadyExistsException raced) {
                // another process made it first: the same file
            }
            return FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        }
    }

    @Override
    public void ensureValid() throws IOException {
        ensureValid(this, closed, lock);
    }

    /** Lock.ensureValid of {@code self}, released when {@code closed}, holding {@code lock}. */
    static void ensureValid(Lock self, boolean closed, FileLock lock) {
        if (closed) {
            throw new AlreadyClosedException("Lock instance already released: " + self);
        }
        if (!lock.isValid() || !lock.channel().isOpen()) {
            throw new AlreadyClosedException("Lock lost (its channel was closed): " + self);
        }
    }

    @Override
    public synchronized void close() throws IOException {
        if (closed) {
            return;
        }
        closed = true;
        release(lock);
    }

    /** Releases {@code lock} and closes its channel. */
    static void release(FileLock lock) throws IOException {
        try (java.nio.channels.Channel ch = lock.channel()) {
            lock.release();
        }
    }

    @Override
    public String toString() {
        return "DeviceLock(" + file.toUri() + (closed ? ", released" : "") + ")";
    }
}
