package io.github.famfs.memory;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * {@link JdkMaps} on Java 17 to 21: {@code FileChannel.map} buffers, each unmapped by the close through
 * {@code sun.misc.Unsafe#invokeCleaner}, found by reflection at run time (module {@code jdk.unsupported}). The module
 * is not required, not even {@code requires static}: nothing here names it at compile time, and a jlinked runtime
 * without it, or a module graph that does not resolve it, must still mount (through libc): where the look-up
 * fails, {@link #open()} returns null.
 *
 * <p>Unlike a closed arena's segment (Java 22+), a buffer unmapped here is not checked by the JDK: a read of it
 * afterwards touches unmapped memory (SIGSEGV, the JVM dies), exactly as a read of libc's mapping after its
 * munmap. So the rule is the {@link Device}'s own: every read holds an entry of its {@link Lifecycle}, whose close
 * runs this close only once no entry is in flight.
 */
final class UnsafeJdkMaps implements JdkMaps {
    /** {@code theUnsafe}, and its {@code invokeCleaner(ByteBuffer)}; null where the look-up failed. */
    private static final Object UNSAFE;
    private static final Method INVOKE_CLEANER;

    static {
        Object unsafe = null;
        Method cleaner = null;
        try {
            Class<?> type = Class.forName("sun.misc.Unsafe");
            Field f = type.getDeclaredField("theUnsafe");
            f.setAccessible(true);
            Method m = type.getMethod("invokeCleaner", ByteBuffer.class);
            unsafe = f.get(null);
            cleaner = m;
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            // no jdk.unsupported in this runtime or module graph, or it is not open: the mount binds libc
        }
        UNSAFE = unsafe;
        INVOKE_CLEANER = cleaner;
    }

    /** Every buffer mapped and not unmapped yet; guarded by this. */
    private final List<MappedByteBuffer> mapped = new ArrayList<>();
    private boolean closed;

    private UnsafeJdkMaps() {}

    /** A new set of maps, or null where {@code Unsafe.invokeCleaner} cannot be reached. */
    static JdkMaps open() {
        return INVOKE_CLEANER == null ? null : new UnsafeJdkMaps();
    }

    @Override
    public ByteBuffer readOnly(FileChannel file, long offset, int length) throws IOException {
        MappedByteBuffer b = file.map(FileChannel.MapMode.READ_ONLY, offset, length);
        synchronized (this) {
            if (!closed) {
                mapped.add(b);
                return b;
            }
        }
        // mapped by a caller that outlived the close (none should: the device's lifecycle orders them)
        unmap(b);
        throw new IllegalStateException("the device's maps are closed");
    }

    @Override
    public void close() {
        List<MappedByteBuffer> all;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            all = new ArrayList<>(mapped);
            mapped.clear();
        }
        RuntimeException failure = null;
        for (MappedByteBuffer b : all) {
            try {
                unmap(b);
            } catch (RuntimeException e) { // the others are unmapped all the same
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void unmap(MappedByteBuffer b) {
        try {
            INVOKE_CLEANER.invoke(UNSAFE, b);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException("Unsafe.invokeCleaner refused a mapped buffer: " + e.getCause(),
                    e.getCause());
        } catch (IllegalAccessException e) {
            throw new IllegalStateException(e);
        }
    }
}
