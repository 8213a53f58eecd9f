package io.github.famfs.memory;

import com.kenai.jffi.MemoryIO;
import io.github.famfs.memory.libc.LibC;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Runtime;

/** Loads libc through jnr-ffi once, and turns failed calls into IOExceptions that name the call and errno. */
public final class Native {
    private Native() {}

    private static final class Holder {
        static final LibC LIBC;
        static final Runtime RUNTIME;
        static final Throwable FAILURE;

        static {
            LibC lib = null;
            Runtime rt = null;
            Throwable failure = null;
            try {
                String os = System.getProperty("os.name", "");
                String arch = System.getProperty("os.arch", "");
                if (!os.equals("Linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
                    throw new UnsupportedOperationException(
                            "famfs-nio needs Linux on x86-64 (famfs metadata is x86-64 only); this is " + os + "/"
                                    + arch);
                }
                lib = LibraryLoader.create(LibC.class).load("c");
                rt = Runtime.getRuntime(lib);
            } catch (Throwable t) {
                failure = t;
            }
            LIBC = lib;
            RUNTIME = rt;
            FAILURE = failure;
        }
    }

    /** libc, or an IOException saying why it could not be loaded. */
    public static LibC libc() throws IOException {
        if (Holder.LIBC == null) {
            throw new IOException("cannot load libc through jnr-ffi: " + Holder.FAILURE, Holder.FAILURE);
        }
        return Holder.LIBC;
    }

    /** A jnr pointer for a raw address (null for 0). */
    static jnr.ffi.Pointer pointer(long address) {
        return address == 0 ? null : jnr.ffi.Pointer.wrap(Holder.RUNTIME, address);
    }

    /** The address a jnr pointer holds, -1 (MAP_FAILED) for a failed mmap. */
    static long address(jnr.ffi.Pointer p) {
        return p == null ? 0 : p.address();
    }

    static int errno() {
        return Holder.RUNTIME.getLastError();
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
        return MemoryIO.getInstance().newDirectByteBuffer(address, capacity);
    }
}
