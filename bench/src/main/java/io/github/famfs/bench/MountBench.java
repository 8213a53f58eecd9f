package io.github.famfs.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.spi.FileSystemProvider;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Mount + close of the full-log reference image (64 MiB, 15420 log entries: 15400 directories, 20 files):
 * {@code FileSystems.newFileSystem(URI.create("famfs:" + image), Map.of())} then {@code close()}. The target is
 * at most 10 ms.
 *
 * <p>The JDK has no famfs; the nearest thing it ships is the zip file system, which also turns an on-disk index
 * into a namespace at open. {@code jdkZipfs} opens and closes a zip holding the same tree (15420 entries, the 20
 * files' 19 MB of content), through the "jar" provider. It is a reference point, not a like-for-like
 * comparison: zipfs reads the central directory into a hash table and builds its directory tree lazily, while a
 * famfs mount maps the device, CRC-checks and replays every log entry into the full tree.
 *
 * <p>The unpacked image and the zip (on /dev/shm) are cheap to remake and are deleted at the end of the trial.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class MountBench {
    private Path image;
    private URI famfsUri;
    private Path zip;
    private FileSystemProvider zipProvider;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        image = BenchImages.fullLogImage();
        famfsUri = URI.create("famfs:" + image);
        try (FileSystem fs = FileSystems.newFileSystem(famfsUri, Map.of())) {
            long dirs;
            long files;
            try (Stream<Path> walk = Files.walk(fs.getPath("/"))) {
                dirs = walk.filter(Files::isDirectory).count() - 1;
            }
            try (Stream<Path> walk = Files.walk(fs.getPath("/"))) {
                files = walk.filter(Files::isRegularFile).count();
            }
            if (dirs + files != BenchImages.FULL_LOG_ENTRIES) {
                throw new IllegalStateException(image + ": " + dirs + " directories and " + files
                        + " files, expected " + BenchImages.FULL_LOG_ENTRIES + " entries");
            }
        }
        zip = BenchImages.fullLogZip(image);
        for (FileSystemProvider p : FileSystemProvider.installedProviders()) {
            if (p.getScheme().equals("jar")) {
                zipProvider = p;
            }
        }
        if (zipProvider == null) {
            throw new IllegalStateException("no zip file system provider (module jdk.zipfs) in this JDK");
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        BenchImages.delete(zip);
        BenchImages.delete(image);
    }

    @Benchmark
    public boolean famfsMount() throws IOException {
        try (FileSystem fs = FileSystems.newFileSystem(famfsUri, Map.of())) {
            return fs.isReadOnly();
        }
    }

    @Benchmark
    public boolean jdkZipfs() throws IOException {
        try (FileSystem fs = zipProvider.newFileSystem(zip, Map.of())) {
            return fs.isReadOnly();
        }
    }
}
