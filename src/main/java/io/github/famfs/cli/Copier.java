package io.github.famfs.cli;

import io.github.famfs.format.LogFullException;
import io.github.famfs.format.OutOfSpaceException;
import io.github.famfs.nio.FamfsOption;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Copies local files and trees into famfs, as the reference's {@code famfs cp} (famfs-format.md §8.6): each file
 * gets one allocation of its size (known up front) and its bytes go straight from the source into the device;
 * the log entry is appended when its bytes are in. Out of space and a full log end the copy; other per-file
 * problems are reported and the copy goes on.
 */
final class Copier {
    private final CreateOptions.Owner owner;
    private final FamfsOption interleave;
    private final PrintStream err;
    private final String name;
    private final Progress progress;
    int files;
    int directories;
    int errors;
    int skipped;
    int recopied;
    /** Symbolic links met inside trees and not followed (-P). */
    int links;
    long bytes;
    private final boolean followLinks;
    /** The file keys of the directories being copied, root first (with -L, a link back to one is a loop). */
    private final java.util.ArrayDeque<Object> ancestors = new java.util.ArrayDeque<>();

    Copier(CreateOptions.Owner owner, FamfsOption interleave, PrintStream err, String name, Progress progress) {
        this(owner, interleave, err, name, progress, false);
    }

    /**
     * @param followLinks {@code true} (cp -L): symbolic links inside trees are followed and their targets copied;
     *                    {@code false} (cp -P): they are skipped and counted (famfs has no symbolic links)
     */
    Copier(CreateOptions.Owner owner, FamfsOption interleave, PrintStream err, String name, Progress progress,
            boolean followLinks) {
        this.followLinks = followLinks;
        this.owner = owner;
        this.interleave = interleave;
        this.err = err;
        this.name = name;
        this.progress = progress;
    }

    /** Bytes of the regular files under {@code sources} (for the progress bar). */
    static long totalBytes(List<Path> sources, boolean followLinks) {
        long total = 0;
        java.nio.file.FileVisitOption[] follow = followLinks
                ? new java.nio.file.FileVisitOption[] {java.nio.file.FileVisitOption.FOLLOW_LINKS}
                : new java.nio.file.FileVisitOption[0];
        LinkOption[] noFollow = followLinks ? new LinkOption[0] : new LinkOption[] {LinkOption.NOFOLLOW_LINKS};
        for (Path src : sources) {
            try (Stream<Path> s = Files.walk(src, follow)) {
                total += s.filter(p -> Files.isRegularFile(p, noFollow)).mapToLong(p -> {
                    try {
                        return Files.size(p);
                    } catch (IOException e) {
                        return 0;
                    }
                }).sum();
            } catch (IOException | java.io.UncheckedIOException e) {
                // reported when the copy reaches it
            }
        }
        return total;
    }

    private void fail(Exception e) throws IOException {
        if (e instanceof OutOfSpaceException || e instanceof LogFullException) {
            throw (IOException) e;
        }
        errors++;
        err.println(name + ": " + Errors.describe(e));
    }

    /** Copies regular file {@code src} to the famfs path {@code dest}; per-file problems are counted, not thrown. */
    void copyFile(Path src, Path dest, int sourceMode) throws IOException {
        try {
            copyFileOrThrow(src, dest, sourceMode);
        } catch (IOException | RuntimeException e) {
            fail(e);
        }
    }

    private void copyFileOrThrow(Path src, Path dest, int sourceMode) throws IOException {
        long size = Files.size(src);
        if (size == 0) {
            skipped++;
            err.println(name + ": " + src + ": skipped: empty, and famfs files cannot be empty");
            return;
        }
        if (Files.exists(dest)) {
            if (Files.isDirectory(dest)) {
                throw new FileSystemException(dest.toString(), null, "is a directory");
            }
            long have = Files.size(dest);
            if (have != size) {
                throw new FileAlreadyExistsException(dest.toString(), null, "exists with " + have + " bytes; the"
                        + " source " + src + " has " + size + " (famfs files never change size)");
            }
            recopyInPlace(src, dest, size);
            return;
        }
        Set<OpenOption> opts = new HashSet<>(List.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                FamfsOption.size(size)));
        if (interleave != null) {
            opts.add(interleave);
        }
        FileAttribute<?>[] attrs = owner.attributes(owner.mode != null ? owner.mode : sourceMode);
        try (FileChannel in = FileChannel.open(src)) {
            FileChannel out = FileChannel.open(dest, opts, attrs);
            try {
                long done = 0;
                while (done < size) {
                    long n = out.transferFrom(in, done, Math.min(size - done, 64L << 20));
                    if (n <= 0) {
                        throw new IOException(src + " shrank while it was copied (" + done + " of " + size
                                + " bytes)");
                    }
                    done += n;
                    progress.add(n);
                }
            } catch (IOException | RuntimeException e) {
                try {
                    out.close(); // not written to its size: nothing is published, the space goes back
                } catch (IOException expected) {
                    e.addSuppressed(expected);
                }
                throw e;
            }
            out.close();
        }
        files++;
        bytes += size;
    }

    /** The reference's restart: a destination of exactly the source's size gets its bytes again, no new entry. */
    private void recopyInPlace(Path src, Path dest, long size) throws IOException {
        try (FileChannel in = FileChannel.open(src);
                FileChannel out = FileChannel.open(dest, StandardOpenOption.WRITE)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(4 << 20);
            long done = 0;
            while (done < size) {
                buf.clear().limit((int) Math.min(buf.capacity(), size - done));
                int r = in.read(buf, done);
                if (r <= 0) {
                    throw new IOException(src + " shrank while it was copied (" + done + " of " + size + " bytes)");
                }
                buf.flip();
                while (buf.hasRemaining()) {
                    out.write(buf, done + buf.position());
                }
                done += r;
                progress.add(r);
            }
            out.force(false);
        }
        recopied++;
        bytes += size;
    }

    /**
     * Copies the contents of local directory {@code src} into the famfs directory {@code dest} (made, with the
     * source directory's mode, when missing), recursively.
     */
    void copyTree(Path src, Path dest) throws IOException {
        if (!Files.exists(dest)) {
            try {
                Files.createDirectory(dest, owner.attributes(permissions(src)));
                directories++;
            } catch (IOException | RuntimeException e) {
                fail(e);
                return;
            }
        } else if (!Files.isDirectory(dest)) {
            fail(new NotDirectoryException(dest.toString()));
            return;
        }
        List<Path> children = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(src)) {
            ds.forEach(children::add);
        } catch (IOException e) {
            fail(e);
            return;
        }
        children.sort(null);
        Object key = fileKey(src);
        if (key != null) {
            ancestors.push(key);
        }
        try {
            for (Path child : children) {
                copyChild(child, dest.resolve(child.getFileName().toString()));
            }
        } finally {
            if (key != null) {
                ancestors.pop();
            }
        }
    }

    private static Object fileKey(Path dir) {
        try {
            return Files.readAttributes(dir, BasicFileAttributes.class).fileKey();
        } catch (IOException e) {
            return null;
        }
    }

    private void copyChild(Path child, Path target) throws IOException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(child, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            if (a.isSymbolicLink()) {
                if (!followLinks) {
                    links++;
                    return;
                }
                try {
                    a = Files.readAttributes(child, BasicFileAttributes.class);
                } catch (NoSuchFileException dangling) {
                    throw new FileSystemException(child.toString(), null, "a symbolic link to nothing ("
                            + Files.readSymbolicLink(child) + "); not copied");
                }
                if (a.isDirectory() && a.fileKey() != null && ancestors.contains(a.fileKey())) {
                    throw new java.nio.file.FileSystemLoopException(child.toString());
                }
            }
        } catch (IOException e) {
            fail(e);
            return;
        }
        if (a.isDirectory()) {
            copyTree(child, target);
        } else if (a.isRegularFile()) {
            copyFile(child, target, permissions(child));
        } else {
            fail(new FileSystemException(child.toString(), null, "not a regular file or directory (a special"
                    + " file); not copied"));
        }
    }

    /** The permission bits of a local file (0644 where the file system has none). */
    static int permissions(Path local) throws IOException {
        try {
            Set<PosixFilePermission> perms = Files.readAttributes(local, PosixFileAttributes.class).permissions();
            int m = 0;
            PosixFilePermission[] all = PosixFilePermission.values();
            for (int i = 0; i < 9; i++) {
                if (perms.contains(all[i])) {
                    m |= 0400 >> i;
                }
            }
            return m;
        } catch (UnsupportedOperationException e) {
            return Files.isDirectory(local) ? 0755 : 0644;
        } catch (NoSuchFileException e) {
            throw e;
        }
    }
}
