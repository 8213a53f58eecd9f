package io.github.famfs.bench;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Creating 10,000 files of 4 KiB as master ({@code Files.write}: allocate, write into the mapping, append a log
 * entry), in a fresh image each time; against {@code Files.write} of 10,000 files into a fresh /dev/shm
 * directory. Scores are per file (ops = files); files per second = 1 / score. The reference CLI takes about
 * 100 ms per {@code famfs creat}.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, batchSize = 1)
@Measurement(iterations = 8, batchSize = 1)
public class CreateFilesBench {
    static final int FILES = 10_000;
    private final byte[] data = new byte[4096];
    private FileSystem famfs;
    private Path jdkDir;

    @Setup(Level.Invocation)
    public void fresh() throws IOException {
        famfs = FileSystems.newFileSystem(MasterImages.uri(MasterImages.freshImage("create.img", "24G")),
                MasterImages.master());
        jdkDir = MasterImages.DIR.resolve("create-dir");
        deleteTree(jdkDir);
        Files.createDirectories(jdkDir);
    }

    @TearDown(Level.Invocation)
    public void close() throws IOException {
        famfs.close();
    }

    @Benchmark
    @OperationsPerInvocation(FILES)
    public void famfs() throws IOException {
        Path dir = famfs.getPath("/");
        for (int i = 0; i < FILES; i++) {
            Files.write(dir.resolve("f" + i), data);
        }
    }

    @Benchmark
    @OperationsPerInvocation(FILES)
    public void jdk() throws IOException {
        for (int i = 0; i < FILES; i++) {
            Files.write(jdkDir.resolve("f" + i), data);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        deleteTree(jdkDir);
        Files.deleteIfExists(MasterImages.DIR.resolve("create.img"));
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : (Iterable<Path>) s.sorted(Comparator.reverseOrder())::iterator) {
                    Files.delete(p);
                }
            }
        }
    }
}
