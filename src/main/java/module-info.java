/**
 * famfs-nio: famfs (the Fabric-Attached Memory File System) as a {@code java.nio.file} provider.
 *
 * <p>Open a device or image with {@code FileSystems.newFileSystem(URI.create("famfs:/dev/dax0.0"), env)}.
 */
module io.github.famfs.nio {
    requires org.jnrproject.ffi;
    requires org.jnrproject.jffi;
    // only the famfs command-line tool (io.github.famfs.cli) needs picocli; the library does not
    requires static info.picocli;
    requires java.logging;

    exports io.github.famfs.nio;
    exports io.github.famfs.format;

    // the famfs command-line tool: picocli reads and sets its commands' annotated fields reflectively
    opens io.github.famfs.cli to info.picocli;

    provides java.nio.file.spi.FileSystemProvider with io.github.famfs.nio.FamfsFileSystemProvider;
}
