package io.github.famfs.memory;

import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Binds libc once per JVM, and turns failed calls into IOExceptions that name the call and errno.
 *
 * <p>The binding: on Java 22 and later the JDK's foreign function API ({@code FfmLibcCalls}, in the multi-release
 * layer of the jar), which binds in tens of milliseconds; on Java 17 to 21, or where that class is absent or cannot
 * bind (a jar flattened without its Java 22 layer, say), jnr-ffi ({@link JnrLibcCalls}). The system property
 * {@value #BINDING_PROPERTY}{@code =jnr} chooses jnr-ffi on any Java. Either needs native access on Java 22+
 * ({@code --enable-native-access}); without it the JDK prints a warning once (Java 24+), and the calls still work.
 */
public final class Native {
    private Native() {}

    /** The system property that chooses the libc binding: {@code ffm} (the default on Java 22+) or {@code jnr}. */
    public static final String BINDING_PROPERTY = "famfs.native";

    private static final class Holder {
        static final LibcCalls LIBC;
        static final Throwable FAILURE;

        static {
            LibcCalls lib = null;
            Throwable failure = null;
            try {
                String os = System.getProperty("os.name", "");
                String arch = System.getProperty("os.arch", "");
                if (!os.equals("Linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
                    throw new UnsupportedOperationException(
                            "famfs-nio needs Linux on x86-64 (famfs metadata is x86-64 only); this is " + os + "/"
                                    + arch);
                }
                lib = bind();
            } catch (Throwable t) {
                failure = t;
            }
            LIBC = lib;
            FAILURE = failure;
            bound = lib != null;
        }
    }

    /** Set once {@link Holder} has bound libc. */
    private static volatile boolean bound;

    /**
     * Whether libc is bound in this JVM already, so that a call through it binds nothing. Never binds: for work
     * that is worth a call but not a binding (advice to the kernel on a read-only mount, which binds nothing).
     */
    public static boolean isBound() {
        return bound;
    }

    /**
     * The binding {@value #BINDING_PROPERTY} names: {@code ""} when unset or empty (the default), {@code ffm} or
     * {@code jnr}, exactly (lower case); any other value is refused, so that a mistyped choice is not silently the
     * default.
     */
    static String chosenBinding() {
        String chosen = System.getProperty(BINDING_PROPERTY, "");
        if (!chosen.isEmpty() && !chosen.equals("ffm") && !chosen.equals("jnr")) {
            throw new IllegalArgumentException("-D" + BINDING_PROPERTY + "=" + chosen + " is not a libc binding:"
                    + " the values are ffm (the foreign function API, Java 22+; the default) and jnr (jnr-ffi),"
                    + " in lower case");
        }
        return chosen;
    }

    private static LibcCalls bind() {
        return choose(LibcCalls.class, "io.github.famfs.memory.FfmLibcCalls", () -> new JnrLibcCalls());
    }

    /**
     * A binding of native code, chosen as libc's is: on Java 22+ (unless {@value #BINDING_PROPERTY}{@code =jnr})
     * a new instance of {@code ffmClass} (a class of the jar's Java 22 layer in this package, its one constructor
     * taking {@code args}); on Java 17 to 21, or where that fails, {@code jnr}. jnr-ffi's classes are loaded only
     * when {@code jnr} runs, so that a Java 22+ program never loads them.
     */
    static <T> T choose(Class<T> type, String ffmClass, java.util.function.Supplier<T> jnr, Object... args) {
        String chosen = chosenBinding();
        Throwable ffmFailure = null;
        if (Runtime.version().feature() >= 22 && !chosen.equals("jnr")) {
            try {
                return type.cast(Class.forName(ffmClass).getDeclaredConstructors()[0].newInstance(args));
            } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
                ffmFailure = e instanceof InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : e;
            }
        }
        try {
            return jnr.get();
        } catch (LinkageError | RuntimeException e) {
            if (ffmFailure == null) {
                throw e;
            }
            // both failed: the first reason is the foreign function API's (--illegal-native-access=deny, say)
            IllegalStateException both = new IllegalStateException("through the foreign function API: "
                    + ffmFailure + "; through jnr-ffi: " + e, ffmFailure);
            both.addSuppressed(e);
            throw both;
        }
    }

    /**
     * Fails as {@link #libc()} would for a {@value #BINDING_PROPERTY} that names no binding, without binding: for
     * the opens that bind libc only later (a read-only image file), so that a mistyped choice still fails the open.
     */
    public static void checkChosenBinding() throws IOException {
        try {
            chosenBinding();
        } catch (IllegalArgumentException e) {
            throw new IOException("cannot bind libc: " + e, e);
        }
    }

    /** libc, or an IOException saying why it could not be bound. */
    public static LibcCalls libc() throws IOException {
        if (Holder.LIBC == null) {
            throw new IOException("cannot bind libc: " + Holder.FAILURE, Holder.FAILURE);
        }
        return Holder.LIBC;
    }

    static int errno() {
        return Holder.LIBC.errno();
    }

    static IOException error(String call, Object subject) {
        int errno = errno();
        return new IOException(call + " " + subject + " failed: " + Holder.LIBC.strerror(errno) + " (errno "
                + errno + ")");
    }

    static byte[] cString(Path path) {
        byte[] b = path.toString().getBytes(StandardCharsets.UTF_8);
        return Arrays.copyOf(b, b.length + 1);
    }

    /** A direct ByteBuffer over native memory (a {@code java.nio.DirectByteBuffer}, hence a MappedByteBuffer). */
    static ByteBuffer buffer(long address, int capacity) {
        return Holder.LIBC.buffer(address, capacity);
    }

    /** The address of a direct buffer's byte 0 (0 for a heap buffer, or where libc could not be bound). */
    public static long address(ByteBuffer buffer) {
        LibcCalls libc = Holder.LIBC;
        return libc == null ? 0 : libc.address(buffer);
    }
}
