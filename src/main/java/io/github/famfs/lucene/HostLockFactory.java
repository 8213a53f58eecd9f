package io.github.famfs.lucene;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.Lock;
import org.apache.lucene.store.LockFactory;
import org.apache.lucene.store.LockObtainFailedException;

/**
 * Lucene's index locks (write.lock) for famfs directories, held on this host: only the master host writes a
 * famfs, so a lock between the processes of that host is the lock that matters (famfs has no locks across hosts).
 *
 * <p>The lock of a {@link FamfsDirectory} is {@link DeviceLock}: a {@code FileChannel.tryLock} of the famfs file
 * {@code <lockName>} in the index directory (made once, one byte, as Lucene's NativeFSLockFactory makes its
 * empty lock file there), which famfs takes as fcntl locks on that file's bytes of the device: every process of
 * the host that opens the device agrees on it, whatever its {@code java.io.tmpdir} or this factory's directory.
 * Other directories get an fcntl lock on a file of {@code lockDir}, named for the directory and the lock. Either
 * is released when the lock closes or the process dies; within one JVM a second obtain fails too.
 */
public final class HostLockFactory extends LockFactory {
    /** Lock files held by this JVM. */
    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path lockDir;

    /**
     * Locks on the famfs device for {@link FamfsDirectory}s, and in {@code lockDir}, a directory of the host's
     * own (default) file system made when needed, for other directories.
     */
    public HostLockFactory(Path lockDir) {
        if (lockDir.getFileSystem() != java.nio.file.FileSystems.getDefault()) {
            throw new IllegalArgumentException("the lock directory must be on this host's file system, not "
                    + lockDir.toUri());
        }
        this.lockDir = lockDir.toAbsolutePath().normalize();
    }

    /**
     * Locks on the famfs device for {@link FamfsDirectory}s, and in {@code ${java.io.tmpdir}/famfs-lucene-locks}
     * for other directories.
     */
    public static HostLockFactory inTempDirectory() {
        return new HostLockFactory(Path.of(System.getProperty("java.io.tmpdir"), "famfs-lucene-locks"));
    }

    /** Where this factory keeps the lock files of directories that are not FamfsDirectory. */
    public Path lockDirectory() {
        return lockDir;
    }

    @Override
    public Lock obtainLock(Directory dir, String lockName) throws IOException {
        if (dir instanceof FamfsDirectory f) {
            return DeviceLock.obtain(f, lockName);
        }
        String subject = (dir instanceof FamfsDirectory f ? f.getDirectory().toUri().toString() : dir.toString())
                + "\0" + lockName;
        Files.createDirectories(lockDir);
        Path file = lockDir.resolve(digest(subject) + "-" + lockName.replaceAll("[^A-Za-z0-9._-]", "_"));
        if (!HELD.add(file)) {
            throw new LockObtainFailedException("Lock held by this JVM: " + lockName + " of " + dir + " (" + file
                    + ")");
        }
        FileChannel ch = null;
        try {
            ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock lock = ch.tryLock();
            if (lock == null) {
                throw new LockObtainFailedException("Lock held by another process of this host: " + lockName
                        + " of " + dir + " (" + file + ")");
            }
            return new HostLock(file, ch, lock);
        } catch (IOException | RuntimeException | Error e) {
            HELD.remove(file);
            if (ch != null) {
                try {
                    ch.close();
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        }
    }

    private static String digest(String s) {
        try {
            byte[] h = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(h, 0, 12);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "HostLockFactory(" + lockDir + ")";
    }

    private static final class HostLock extends Lock {
        private final Path file;
        private final FileChannel channel;
        private final FileLock lock;
        private volatile boolean closed;

        HostLock(Path file, FileChannel channel, FileLock lock) {
            this.file = file;
            this.channel = channel;
            this.lock = lock;
        }

        @Override
        public void ensureValid() throws IOException {
            DeviceLock.ensureValid(this, closed, lock);
        }

        @Override
        public synchronized void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            try {
                DeviceLock.release(lock);
            } finally {
                HELD.remove(file);
            }
        }

        @Override
        public String toString() {
            return "HostLock(" + file + (closed ? ", released" : "") + ")";
        }
    }
}
