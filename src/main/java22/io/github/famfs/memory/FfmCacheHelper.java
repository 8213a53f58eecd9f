package io.github.famfs.memory;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import io.github.famfs.memory.cache.CacheHelper;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * The cache-line helper ({@code src/main/c/famfs_cache.c}) through the JDK's foreign function API (Java 22+):
 * dlopen of the unpacked library for the life of the JVM, and a downcall handle per function, bound at once.
 * Chosen by {@link CacheLines} as {@link Native} chooses libc's binding, so that a Java 22+ program loads no
 * jnr-ffi class.
 *
 * <p>The flush and invalidate of up to {@value #CRITICAL_MAX} bytes (the metadata's superblock, log header and
 * entries, the usual range of a program) go through a critical downcall: no thread-state transition, which is
 * most of a short call's cost. A critical call holds off safepoints while it runs, so longer ranges (a whole
 * mapping, which takes milliseconds per hundred MiB) use an ordinary downcall.
 */
final class FfmCacheHelper implements CacheHelper, HelperSymbols {
    /** The longest range that a critical downcall maintains (4096 cache lines). */
    static final long CRITICAL_MAX = 256 << 10;

    private final MethodHandle flush;
    private final MethodHandle flushCritical;
    private final MethodHandle invalidate;
    private final MethodHandle invalidateCritical;
    private final MethodHandle instructions;
    private final MethodHandle lines;
    private final MethodHandle calls;
    private final SymbolLookup lookup;

    FfmCacheHelper(Path library) {
        Linker linker = Linker.nativeLinker();
        lookup = SymbolLookup.libraryLookup(library, Arena.global());
        FunctionDescriptor range = FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG);
        FunctionDescriptor counter = FunctionDescriptor.of(JAVA_LONG);
        Linker.Option critical = Linker.Option.critical(false);
        flush = linker.downcallHandle(find(lookup, "famfs_cache_flush"), range);
        flushCritical = linker.downcallHandle(find(lookup, "famfs_cache_flush"), range, critical);
        invalidate = linker.downcallHandle(find(lookup, "famfs_cache_invalidate"), range);
        invalidateCritical = linker.downcallHandle(find(lookup, "famfs_cache_invalidate"), range, critical);
        instructions = linker.downcallHandle(find(lookup, "famfs_cache_instructions"),
                FunctionDescriptor.of(ADDRESS));
        lines = linker.downcallHandle(find(lookup, "famfs_cache_lines"), counter, critical);
        calls = linker.downcallHandle(find(lookup, "famfs_cache_calls"), counter, critical);
    }

    @Override
    public long symbol(String name) {
        return lookup.find(name).map(MemorySegment::address).orElse(0L);
    }

    private static MemorySegment find(SymbolLookup lookup, String name) {
        return lookup.find(name).orElseThrow(() -> new UnsatisfiedLinkError("the cache-line helper has no " + name));
    }

    private static IllegalStateException failed(String call, Throwable t) {
        return new IllegalStateException("calling " + call + " through the foreign function API failed: " + t, t);
    }

    @Override
    public int famfs_cache_flush(long address, long length) {
        try {
            return Long.compareUnsigned(length, CRITICAL_MAX) <= 0 ? (int) flushCritical.invokeExact(address, length)
                    : (int) flush.invokeExact(address, length);
        } catch (Throwable t) {
            throw failed("famfs_cache_flush", t);
        }
    }

    @Override
    public int famfs_cache_invalidate(long address, long length) {
        try {
            return Long.compareUnsigned(length, CRITICAL_MAX) <= 0
                    ? (int) invalidateCritical.invokeExact(address, length)
                    : (int) invalidate.invokeExact(address, length);
        } catch (Throwable t) {
            throw failed("famfs_cache_invalidate", t);
        }
    }

    @Override
    public String famfs_cache_instructions() {
        try {
            MemorySegment s = (MemorySegment) instructions.invokeExact();
            // a static buffer of 64 bytes in the helper
            return s.reinterpret(64).getString(0);
        } catch (Throwable t) {
            throw failed("famfs_cache_instructions", t);
        }
    }

    @Override
    public long famfs_cache_lines() {
        return count(lines, "famfs_cache_lines");
    }

    @Override
    public long famfs_cache_calls() {
        return count(calls, "famfs_cache_calls");
    }

    private static long count(MethodHandle counter, String name) {
        try {
            return (long) counter.invokeExact();
        } catch (Throwable t) {
            throw failed(name, t);
        }
    }
}
