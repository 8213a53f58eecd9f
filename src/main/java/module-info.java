/**
 * famfs-nio: famfs (the Fabric-Attached Memory File System) as a {@code java.nio.file} provider.
 *
 * <p>Open a device or image with {@code FileSystems.newFileSystem(URI.create("famfs:/dev/dax0.0"), env)}.
 */
module io.github.famfs.nio {
    requires org.jnrproject.ffi;
    requires org.jnrproject.jffi;
    // jnr-ffi generates its bindings with ASM; as an automatic module it declares no requires, so without this
    // the module system would not resolve ASM (NoClassDefFoundError: org/objectweb/asm/ClassVisitor)
    requires org.objectweb.asm;
    // only the famfs command-line tool (io.github.famfs.cli) needs picocli; the library does not
    requires static info.picocli;
    // only io.github.famfs.arrow (FamfsArrow) needs Arrow; the library does not
    requires static org.apache.arrow.vector;
    requires static org.apache.arrow.memory.core;
    requires static org.apache.arrow.format;
    // only io.github.famfs.lucene (FamfsDirectory) needs Lucene; library users who use it bring their own
    requires static org.apache.lucene.core;
    requires java.logging;
    // Not required: jdk.unsupported. On Java 17-21 a read-only image is read through FileChannel.map buffers that
    // the close unmaps with sun.misc.Unsafe.invokeCleaner, found by reflection (memory/UnsafeJdkMaps); where the
    // module is not resolved (a jlinked runtime without it, a modular application that does not add it) the mount
    // binds libc instead. "requires static" would change nothing at run time (it resolves no module) and nothing
    // at compile time (no class of it is named); "requires" would make a runtime without it refuse famfs-nio.

    exports io.github.famfs.nio;
    exports io.github.famfs.format;
    exports io.github.famfs.pcq;
    exports io.github.famfs.arrow;
    exports io.github.famfs.lucene;

    // Not API: jnr-ffi implements the libc binding (memory.libc.LibC) with a class it generates in its own class
    // loader, whose unnamed module must be able to access the interface at run time. A qualified opens/exports
    // cannot name an unnamed module, so the package (the binding alone) is opened to all: run-time access only.
    opens io.github.famfs.memory.libc;
    // the same for the cache-line helper's binding (memory.cache.CacheHelper)
    opens io.github.famfs.memory.cache;

    // the famfs command-line tool: picocli reads and sets its commands' annotated fields reflectively
    opens io.github.famfs.cli to info.picocli;

    provides java.nio.file.spi.FileSystemProvider with io.github.famfs.nio.FamfsFileSystemProvider;
    // famfs: URLs (path.toUri().toURL()), so that URLClassLoader reads jars stored in famfs
    provides java.net.spi.URLStreamHandlerProvider with io.github.famfs.nio.FamfsURLStreamHandlerProvider;
}
