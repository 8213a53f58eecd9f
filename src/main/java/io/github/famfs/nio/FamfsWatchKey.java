package io.github.famfs.nio;

import io.github.famfs.meta.DirNode;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** The key of one directory in one {@link FamfsWatchService}: ready or signalled, as the JDK's keys. */
final class FamfsWatchKey implements WatchKey {
    private final FamfsWatchService service;
    private final FamfsPath dir;
    private final DirNode node;
    private volatile Set<WatchEvent.Kind<?>> kinds;
    private volatile boolean valid = true;
    /**
     * Guards the pending events and the signalled state: a private lock, not this key's monitor, so that a user
     * synchronizing on a key cannot stall replay (which holds the device while it reports) and a close.
     */
    private final Object lock = new Object();
    private List<WatchEvent<?>> events = new ArrayList<>();
    private boolean signalled;

    FamfsWatchKey(FamfsWatchService service, FamfsPath dir, DirNode node, Set<WatchEvent.Kind<?>> kinds) {
        this.service = service;
        this.dir = dir;
        this.node = node;
        this.kinds = kinds;
    }

    DirNode node() {
        return node;
    }

    void kinds(Set<WatchEvent.Kind<?>> k) {
        kinds = k;
    }

    /** A child was published into the directory: one ENTRY_CREATE event (or OVERFLOW past the bound). */
    void created(Path name) {
        if (!valid || !kinds.contains(StandardWatchEventKinds.ENTRY_CREATE)) {
            return;
        }
        synchronized (lock) {
            int n = events.size();
            if (n > 0 && events.get(n - 1) instanceof Event<?> last
                    && last.kind() == StandardWatchEventKinds.OVERFLOW) {
                last.count++;
            } else if (n >= FamfsWatchService.OVERFLOW_BOUND) {
                events.add(new Event<>(StandardWatchEventKinds.OVERFLOW, null));
            } else {
                events.add(new Event<>(StandardWatchEventKinds.ENTRY_CREATE, name));
            }
            signal();
        }
    }

    /** Under {@link #lock}: queues the key unless it is queued already (the service's queue never blocks). */
    private void signal() {
        if (!signalled) {
            signalled = true;
            service.enqueue(this);
        }
    }

    void invalidate() {
        valid = false;
    }

    /** The device was reformatted: the key is cancelled and queued, so that a waiting thread learns of it. */
    void cancelAndSignal() {
        cancel();
        synchronized (lock) {
            signal();
        }
    }

    @Override
    public boolean isValid() {
        return valid && !service.isClosed();
    }

    @Override
    public List<WatchEvent<?>> pollEvents() {
        synchronized (lock) {
            List<WatchEvent<?>> out = events;
            events = new ArrayList<>();
            return out;
        }
    }

    @Override
    public boolean reset() {
        synchronized (lock) {
            if (signalled && isValid()) {
                if (events.isEmpty()) {
                    signalled = false;
                } else {
                    service.enqueue(this);
                }
            }
        }
        return isValid();
    }

    @Override
    public void cancel() {
        if (valid) {
            valid = false;
            service.cancelled(this);
        }
    }

    @Override
    public Path watchable() {
        return dir;
    }

    @Override
    public String toString() {
        return "FamfsWatchKey[" + dir + (isValid() ? "" : ", invalid") + "]";
    }

    /** An event: its kind, context and count (an OVERFLOW event counts the events lost). */
    private static final class Event<T> implements WatchEvent<T> {
        private final Kind<T> kind;
        private final T context;
        private int count = 1;

        Event(Kind<T> kind, T context) {
            this.kind = kind;
            this.context = context;
        }

        @Override
        public Kind<T> kind() {
            return kind;
        }

        @Override
        public int count() {
            return count;
        }

        @Override
        public T context() {
            return context;
        }

        @Override
        public String toString() {
            return kind + (context == null ? "" : " " + context) + (count > 1 ? " x" + count : "");
        }
    }
}
