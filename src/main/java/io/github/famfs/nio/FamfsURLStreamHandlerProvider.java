package io.github.famfs.nio;

import java.io.FileNotFoundException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLConnection;
import java.net.URLStreamHandler;
import java.net.spi.URLStreamHandlerProvider;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The {@code famfs:} URL protocol: {@code path.toUri().toURL()} of a famfs path opens as a stream of the file's
 * bytes, so that a {@code URLClassLoader} over a jar (or a directory) stored in famfs loads classes and resources
 * from it. The file system must be open in this JVM (a URL does not open a device); reading a URL of a file that
 * is not there is a {@link FileNotFoundException}, as for {@code file:} URLs, and of a device with no open famfs an
 * IOException that says so.
 *
 * <p>URL form: {@code jar:} URLs (hence URLClassLoader) and zipfs's {@code jar:} URIs split at the first
 * {@code "!/"}, which in a famfs URI separates the device from the path inside it; and URLClassLoader, like
 * {@code new URL(base, "name")}, needs the path inside famfs to be the '/'-hierarchical part of the URL path. So a
 * famfs URL writes the whole device path as its first segment, percent-encoded ('/' as {@code %2F}, '!' as
 * {@code %21}), followed by the path inside famfs (a '!' in it as {@code %21}):
 * {@code famfs:/%2Fimages%2Fa.img/lib/x.jar}, and the root {@code famfs:/%2Fimages%2Fa.img/}. It holds no
 * {@code "!/"}, so {@code "jar:" + url + "!/entry"} nests correctly; a relative URL resolves inside the device
 * (one that climbs above its root with {@code ".."} names another device, as a {@code file:} URL leaves its
 * directory); the URL of a directory ends with '/' as {@code Path.toUri} writes it, so a
 * URLClassLoader over it reads it as a directory. {@code Path.of(URI)} accepts this form, the URI form
 * ({@code famfs:/images/a.img!/lib/x.jar}) and the older URL form ({@code famfs:/images/a.img!%2Flib/x.jar}), and
 * URLs given in the older forms are rewritten to this one.
 * 
 * Registered as a service (META-INF/services and the module's {@code provides}); the JDK finds URL handler
 * providers through the system class loader only.
 */
public final class FamfsURLStreamHandlerProvider extends URLStreamHandlerProvider {
    /** The separator of a famfs URI. */
    static final String SEPARATOR = "!/";
    /** How the raw path of a famfs URL starts: its first segment is the device's absolute path, encoded. */
    static final String URL_DEVICE_START = "/%2F";

    /** The provider the JDK's ServiceLoader makes. */
    public FamfsURLStreamHandlerProvider() {}

    @Override
    public URLStreamHandler createURLStreamHandler(String protocol) {
        return FamfsFileSystemProvider.SCHEME.equalsIgnoreCase(protocol) ? new Handler() : null;
    }

    /**
     * {@code path} (the raw path of a famfs URI or URL, in any form) in the URL form: the device path encoded as
     * one segment, then the path inside famfs with any '!' as %21; no "!/" is left.
     */
    static String urlPath(String path) {
        if (path.regionMatches(true, 0, URL_DEVICE_START, 0, URL_DEVICE_START.length())) {
            int slash = path.indexOf('/', 1);
            return slash < 0 ? path + "/" : path.substring(0, slash) + path.substring(slash).replace("!", "%21");
        }
        int bang = path.indexOf('!');
        while (bang >= 0 && !path.startsWith("/", bang + 1) && !path.regionMatches(true, bang + 1, "%2F", 0, 3)) {
            bang = path.indexOf('!', bang + 1);
        }
        String device = bang < 0 ? (path.endsWith("!") ? path.substring(0, path.length() - 1) : path)
                : path.substring(0, bang);
        String inner = bang < 0 ? "/" : path.startsWith("/", bang + 1) ? path.substring(bang + 1)
                : "/" + path.substring(bang + 4);
        return "/" + device.replace("/", "%2F").replace("!", "%21") + inner.replace("!", "%21");
    }

    private static final class Handler extends URLStreamHandler {
        @Override
        protected void parseURL(URL u, String spec, int start, int limit) {
            super.parseURL(u, spec, start, limit);
            if (u.getHost() != null && !u.getHost().isEmpty() || u.getPort() != -1) {
                throw new IllegalArgumentException("a famfs URL names no host: " + spec);
            }
            setURL(u, u.getProtocol(), null, -1, null, null, urlPath(u.getPath()), u.getQuery(), u.getRef());
        }

        @Override
        protected URLConnection openConnection(URL u) {
            return new Connection(u);
        }
    }

    private static final class Connection extends URLConnection {
        private Path path;
        private BasicFileAttributes attributes;

        Connection(URL url) {
            super(url);
        }

        @Override
        public void connect() throws IOException {
            if (connected) {
                return;
            }
            Path p;
            try {
                if (url.getQuery() != null) {
                    throw new IllegalArgumentException("a famfs URL has no query");
                }
                // the fragment names no part of a file (jar: connections add "#runtime"), as for file: URLs
                p = Path.of(new URI(url.getProtocol() + ":" + url.getPath()));
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw new IOException("not a famfs URL: " + url + " (" + e.getMessage() + ")", e);
            } catch (ClosedFileSystemException e) {
                throw closed(e);
            } catch (FileSystemNotFoundException e) {
                throw new IOException(url + ": " + e.getMessage() + " in this JVM (open it with"
                        + " FileSystems.newFileSystem before reading its URLs)", e);
            }
            try {
                attributes = Files.readAttributes(p, BasicFileAttributes.class);
            } catch (ClosedFileSystemException e) {
                throw closed(e);
            } catch (NoSuchFileException e) {
                FileNotFoundException f = new FileNotFoundException(url + " (" + p + ": no such file in famfs)");
                f.initCause(e);
                throw f;
            }
            if (!attributes.isRegularFile()) {
                throw new FileNotFoundException(url + " (" + p + ": not a regular file)");
            }
            path = p;
            connected = true;
        }

        @Override
        public InputStream getInputStream() throws IOException {
            connect();
            try {
                return new FilterInputStream(Files.newInputStream(path)) {
                    @Override
                    public int read() throws IOException {
                        try {
                            return super.read();
                        } catch (ClosedFileSystemException e) {
                            throw closed(e);
                        }
                    }

                    @Override
                    public int read(byte[] b, int off, int len) throws IOException {
                        try {
                            return super.read(b, off, len);
                        } catch (ClosedFileSystemException e) {
                            throw closed(e);
                        }
                    }

                    @Override
                    public void close() throws IOException {
                        try {
                            super.close();
                        } catch (ClosedFileSystemException e) {
                            throw closed(e);
                        }
                    }

                    @Override
                    public long skip(long n) throws IOException {
                        try {
                            return super.skip(n);
                        } catch (ClosedFileSystemException e) {
                            throw closed(e);
                        }
                    }
                };
            } catch (ClosedFileSystemException e) {
                throw closed(e);
            }
        }

        /**
         * URL readers (class loaders) expect IOExceptions: a file system closed before or during a read is one,
         * saying so (famfs's own streams throw ClosedFileSystemException there).
         */
        private IOException closed(ClosedFileSystemException e) {
            return new IOException(url + ": no famfs is open on its device any more (closed)", e);
        }

        @Override
        public long getContentLengthLong() {
            try {
                connect();
                return attributes.size();
            } catch (IOException e) {
                return -1;
            }
        }

        @Override
        public long getLastModified() {
            try {
                connect();
                return attributes.lastModifiedTime().toMillis();
            } catch (IOException e) {
                return 0;
            }
        }
    }
}
