package io.github.famfs.nio;

import io.github.famfs.meta.DirNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;

/**
 * The entries of a directory, in name order (a snapshot taken when the stream opens), filtered. As the JDK's: one
 * iterator, none after close (IllegalStateException), and once the stream is closed the iterator is at its end.
 */
final class FamfsDirectoryStream implements DirectoryStream<Path> {
    private final FamfsPath dir;
    private final List<String> children;
    private final Filter<? super Path> filter;
    private volatile boolean closed;
    private boolean iterated;

    FamfsDirectoryStream(FamfsPath dir, DirNode node, Filter<? super Path> filter) {
        this.dir = dir;
        this.children = List.of(node.childNames());
        this.filter = filter;
    }

    @Override
    public synchronized Iterator<Path> iterator() {
        if (closed) {
            throw new IllegalStateException("Directory stream is closed");
        }
        if (iterated) {
            throw new IllegalStateException("Iterator already obtained");
        }
        iterated = true;
        return new Iterator<>() {
            private int next;
            private Path pending;

            @Override
            public boolean hasNext() {
                if (closed) {
                    pending = null;
                    return false;
                }
                while (pending == null && !closed && next < children.size()) {
                    Path p = dir.resolve(children.get(next++));
                    try {
                        if (filter == null || filter.accept(p)) {
                            pending = p;
                        }
                    } catch (IOException e) {
                        throw new DirectoryIteratorException(e);
                    } catch (UncheckedIOException e) {
                        throw new DirectoryIteratorException(e.getCause());
                    }
                }
                return pending != null;
            }

            @Override
            public Path next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                Path p = pending;
                pending = null;
                return p;
            }
        };
    }

    @Override
    public void close() {
        closed = true;
    }
}
