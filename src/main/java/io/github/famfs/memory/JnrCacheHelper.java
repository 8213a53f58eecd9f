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

    /** The helper's function addresses through a jffi handle of the same library (dlopen counts it). */
    static HelperSymbols symbols(Path file) {
        com.kenai.jffi.Library l = com.kenai.jffi.Library.openLibrary(file.toString(),
                com.kenai.jffi.Library.LAZY | com.kenai.jffi.Library.LOCAL);
        return name -> l == null ? 0 : l.getSymbolAddress(name);
    }
}
