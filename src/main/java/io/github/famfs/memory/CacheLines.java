package io.github.famfs.memory;

import io.github.famfs.meta.CacheMaintenance;
import io.github.famfs.memory.cache.CacheHelper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Writes back and invalidates CPU cache lines over device memory through famfs-nio's native helper
 * ({@code src/main/c/famfs_cache.c}, packed in the jar as {@code libfamfscache.so} for linux-x86_64): CLWB, else
 * CLFLUSHOPT, else CLFLUSH to write back; CLFLUSHOPT, else CLFLUSH to invalidate; then SFENCE; chosen once by
 * CPUID. One native call per range.
 *
 * <p>The helper is copied out of the jar into a private temporary file (removed once loaded) and bound on the
 * first use, as {@link Native} binds libc: through the foreign function API on Java 22+ ({@code FfmCacheHelper},
 * which loads no jnr-ffi class), through jnr-ffi ({@link JnrCacheHelper}) on Java 17 to 21 or where that fails. Where it cannot load (another platform, no temporary directory, a jar without it),
 * {@link #isAvailable()} is false and {@link #failure()} says why; the calls then only fence.
 */
public final class CacheLines {
    private CacheLines() {}

    /** The resource path of the helper in the jar. */
    public static final String RESOURCE = "/io/github/famfs/memory/native/linux-x86_64/libfamfscache.so";

    /** The helper once loaded, or why it is not. */
    private static final class Holder {
        static final Loaded LOADED = Loaded.attempt();
        static final CacheHelper HELPER = LOADED.helper();
    }

    private record Loaded(CacheHelper helper, String instructions, String failure, HelperSymbols symbols) {
        static Loaded attempt() {
            try {
                HelperSymbols[] symbols = new HelperSymbols[1];
                CacheHelper h = load(symbols);
                return new Loaded(h, h.famfs_cache_instructions(), null, symbols[0]);
            } catch (Throwable t) {
                return new Loaded(null, null, t.getMessage() == null ? t.toString() : t.getMessage(), null);
            }
        }

        private static CacheHelper load(HelperSymbols[] symbols) throws IOException {
            String os = System.getProperty("os.name", "");
            String arch = System.getProperty("os.arch", "");
            if (!os.equals("Linux") || !(arch.equals("amd64") || arch.equals("x86_64"))) {
                throw new IOException("the cache-line helper is built for linux-x86_64; this is " + os + "/" + arch);
            }
            Path file;
            Path dir = Path.of(System.getProperty("java.io.tmpdir"));
            try (InputStream in = CacheLines.class.getResourceAsStream(RESOURCE)) {
                if (in == null) {
                    throw new IOException("the cache-line helper " + RESOURCE + " is not in famfs-nio's jar");
                }
                try {
                    file = Files.createTempFile(dir, "libfamfscache-", ".so",
                            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
                } catch (IOException e) {
                    throw new IOException("cannot unpack the cache-line helper into java.io.tmpdir " + dir + ": " + e,
                            e);
                }
                try {
                    Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
                } catch (IOException e) {
                    Files.deleteIfExists(file);
                    throw new IOException("cannot unpack the cache-line helper into java.io.tmpdir " + dir + ": " + e,
                            e);
                }
            }
            // loaded (dlopen) and bound at once, then unlinked: the process keeps its mapping, nothing is left behind
            try {
                Path unpacked = file;
                CacheHelper h = Native.choose(CacheHelper.class, "io.github.famfs.memory.FfmCacheHelper",
                        () -> JnrCacheHelper.load(unpacked), unpacked);
                h.famfs_cache_instructions();
                // for symbol(): bindings that keep their arguments alive (no jffi class on the foreign function path)
                symbols[0] = h instanceof HelperSymbols s ? s : JnrCacheHelper.symbols(unpacked);
                return h;
            } catch (LinkageError | RuntimeException e) {
                throw new IOException("cannot load the cache-line helper " + file + " (a temporary directory mounted"
                        + " noexec? set java.io.tmpdir): " + e, e);
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }

    /**
     * The address of the helper's C function {@code name} (e.g. {@code famfs_cache_flush(void *, size_t)}), or 0
     * where the helper is not loaded: for a binding that keeps its argument's memory alive during the call (Java
     * 22+ {@code FamfsSegmentCaches}).
     */
    public static long symbol(String name) {
        HelperSymbols s = Holder.LOADED.symbols();
        return s == null ? 0 : s.symbol(name);
    }

    /** Whether the native helper is loaded (false: the calls only fence). */
    public static boolean isAvailable() {
        return Holder.HELPER != null;
    }

    /** Why the helper did not load, or null. */
    public static String failure() {
        return Holder.LOADED.failure();
    }

    /** The instructions in use, e.g. {@code flush=clwb invalidate=clflushopt fence=sfence}, or null. */
    public static String instructions() {
        return Holder.LOADED.instructions();
    }

    /** Writes back every cache line of {@code [address, address+length)}, then SFENCE. */
    public static void flush(long address, long length) {
        run(true, address, length);
    }

    /** Writes back and drops every cache line of {@code [address, address+length)}, then SFENCE. */
    public static void invalidate(long address, long length) {
        run(false, address, length);
    }

    /** One native call for the range (a fence alone without the helper, or for nothing). */
    private static void run(boolean flush, long address, long length) {
        CacheHelper h = Holder.HELPER;
        if (h == null || length <= 0 || address == 0) {
            java.lang.invoke.VarHandle.fullFence();
        } else if (flush) {
            h.famfs_cache_flush(address, length);
        } else {
            h.famfs_cache_invalidate(address, length);
        }
    }

    /** Cache lines the helper has written back or invalidated in this process (0 without it). */
    public static long linesDone() {
        return Holder.HELPER == null ? 0 : Holder.HELPER.famfs_cache_lines();
    }

    /** Ranges the helper has handled in this process, one native call each (0 without it). */
    public static long callsDone() {
        return Holder.HELPER == null ? 0 : Holder.HELPER.famfs_cache_calls();
    }

    /** The address of a direct buffer's first byte (0 for a heap buffer). */
    public static long address(ByteBuffer buffer) {
        return Native.address(buffer);
    }

    /** Flushes {@code buffer[index, index+length)} (a heap buffer: a fence only). */
    public static void flush(ByteBuffer buffer, int index, int length) {
        java.util.Objects.checkFromIndexSize(index, length, buffer.capacity());
        long a = address(buffer);
        try {
            run(true, a == 0 ? 0 : a + index, length);
        } finally {
            java.lang.ref.Reference.reachabilityFence(buffer); // its memory stays mapped while the helper runs
        }
    }

    /** Invalidates {@code buffer[index, index+length)} (a heap buffer: a fence only). */
    public static void invalidate(ByteBuffer buffer, int index, int length) {
        java.util.Objects.checkFromIndexSize(index, length, buffer.capacity());
        long a = address(buffer);
        try {
            run(false, a == 0 ? 0 : a + index, length);
        } finally {
            java.lang.ref.Reference.reachabilityFence(buffer); // its memory stays mapped while the helper runs
        }
    }

    /** The metadata code's maintenance through the helper (fences only where it is not loaded). */
    public static CacheMaintenance maintenance() {
        return isAvailable() ? NATIVE : CacheMaintenance.FENCES;
    }

    private static final CacheMaintenance NATIVE = new CacheMaintenance() {
        @Override
        public void flush(ByteBuffer memory, int index, int length) {
            CacheLines.flush(memory, index, length);
        }

        @Override
        public void invalidate(ByteBuffer memory, int index, int length) {
            CacheLines.invalidate(memory, index, length);
        }

        @Override
        public String toString() {
            return instructions();
        }
    };

    /** What the maintenance does, for the file store attribute {@code famfs:coherence}. */
    public static String describe() {
        return isAvailable() ? instructions() : "fences only (no cache-line helper: " + failure() + ")";
    }
}
