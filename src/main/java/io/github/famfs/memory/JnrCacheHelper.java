package io.github.famfs.memory;

import io.github.famfs.memory.cache.CacheHelper;
import java.nio.file.Path;
import jnr.ffi.LibraryLoader;

/**
 * The cache-line helper bound through jnr-ffi (Java 17 to 21, and the fallback where the foreign function API
 * cannot be used). A class of its own so that choosing the binding loads no jnr-ffi class on Java 22+.
 */
final class JnrCacheHelper {
    private JnrCacheHelper() {}

    /** dlopen of the unpacked helper and its functions bound (jnr-ffi implements {@link CacheHelper}). */
    static CacheHelper load(Path file) {
        return LibraryLoader.create(CacheHelper.class).failImmediately().load(file.toString());
    }
}
