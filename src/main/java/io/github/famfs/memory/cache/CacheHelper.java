package io.github.famfs.memory.cache;

import jnr.ffi.types.size_t;

/**
 * The native cache-line helper's functions ({@code src/main/c/famfs_cache.c}): bound by jnr-ffi on Java 17 to 21
 * ({@code memory.JnrCacheHelper}), implemented over the foreign function API on Java 22+
 * ({@code memory.FfmCacheHelper}).
 *
 * <p><b>Not API.</b> Alone in its package for the same reason as {@code memory.libc.LibC}: jnr-ffi implements it
 * in a class loader of its own, so {@code module-info} opens this package (run-time access only).
 */
public interface CacheHelper {
    int famfs_cache_flush(long address, @size_t long length);

    int famfs_cache_invalidate(long address, @size_t long length);

    String famfs_cache_instructions();

    long famfs_cache_lines();

    long famfs_cache_calls();
}
