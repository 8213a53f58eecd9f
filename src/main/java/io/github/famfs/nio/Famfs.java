package io.github.famfs.nio;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.nio.file.spi.FileSystemProvider;
import java.util.Map;

/**
 * Opens famfs file systems whatever class loader loaded famfs-nio. {@code FileSystems.newFileSystem(URI, env)}
 * finds only the providers that the system class loader installed, so it fails with
 * {@code ProviderNotFoundException} where famfs-nio comes from another loader (an application server, a plugin,
 * {@code mvn exec:java}); these methods use the installed famfs provider when it is this one, else this loader's
 * own, and then work the same everywhere.
 */
public final class Famfs {
    private Famfs() {}

    private static final class Holder {
        static final FamfsFileSystemProvider PROVIDER = find();

        private static FamfsFileSystemProvider find() {
            for (FileSystemProvider p : FileSystemProvider.installedProviders()) {
                if (p instanceof FamfsFileSystemProvider f) {
                    return f;
                }
            }
            return new FamfsFileSystemProvider();
        }
    }

    /** The famfs provider of this class loader (the installed one when the system class loader loaded famfs-nio). */
    public static FamfsFileSystemProvider provider() {
        return Holder.PROVIDER;
    }

    /** Opens the famfs on a DAX device or image file, as {@code FileSystems.newFileSystem(uri(device), env)}. */
    public static FileSystem open(Path device, Map<String, ?> env) throws IOException {
        return provider().newFileSystem(FamfsFileSystemProvider.uri(device), env);
    }

    /** Opens the famfs that a {@code famfs:} URI names. */
    public static FileSystem open(URI uri, Map<String, ?> env) throws IOException {
        return provider().newFileSystem(uri, env);
    }

    /** The famfs path that a {@code famfs:...!/path} URI names (its file system must be open), like Path.of(uri). */
    public static Path path(URI uri) {
        return provider().getPath(uri);
    }
}
