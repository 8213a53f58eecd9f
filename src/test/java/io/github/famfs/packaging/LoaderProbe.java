package io.github.famfs.packaging;

import java.io.File;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.ProviderNotFoundException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Run by {@link ClassLoaderIT} in a JVM whose class path lacks famfs-nio: loads the built jar (and jnr-ffi) in a
 * class loader of its own, as {@code mvn exec:java} or an application server does, and prints what each way of
 * opening a famfs gives there. Uses famfs-nio only by reflection and through java.nio.file.
 */
public final class LoaderProbe {
    private LoaderProbe() {}

    public static void main(String[] args) throws Exception {
        List<URL> urls = new ArrayList<>();
        for (String p : args[0].split(File.pathSeparator)) {
            if (!p.isEmpty()) {
                urls.add(Path.of(p).toUri().toURL());
            }
        }
        Path image = Path.of(args[1]);
        Map<String, String> env = Map.of("systemUuid", args[2], "accessMode", "readOnly");
        URI uri = new URI("famfs", null, image.toAbsolutePath().toString(), null);
        try (URLClassLoader loader = new URLClassLoader(urls.toArray(URL[]::new), LoaderProbe.class.getClassLoader())) {
            Thread.currentThread().setContextClassLoader(loader);
            try (FileSystem fs = FileSystems.newFileSystem(uri, env)) {
                System.out.println("newFileSystem(uri, env): opened " + fs);
            } catch (ProviderNotFoundException e) {
                System.out.println("newFileSystem(uri, env): ProviderNotFoundException");
            }
            try (FileSystem fs = FileSystems.newFileSystem(uri, env, loader)) {
                System.out.println("newFileSystem(uri, env, loader): " + list(fs));
            }
            Class<?> famfs = loader.loadClass("io.github.famfs.nio.Famfs");
            try (FileSystem fs = (FileSystem) famfs.getMethod("open", Path.class, Map.class).invoke(null, image, env)) {
                System.out.println("Famfs.open(device, env): " + list(fs));
                URI fileUri = fs.getPath("/data.bin").toUri();
                Path back = (Path) famfs.getMethod("path", URI.class).invoke(null, fileUri);
                System.out.println("Famfs.path(" + fileUri + "): " + Files.size(back) + " bytes");
            }
        }
    }

    private static String list(FileSystem fs) throws Exception {
        try (var s = Files.list(fs.getPath("/"))) {
            return s.map(Path::toString).toList().toString();
        }
    }
}
