package io.github.famfs.bench;

import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
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
 * {@code Files.copy(Path, Path)} of a 1 GiB /dev/shm file: into a famfs image on /dev/shm (the JDK streams it
 * through famfs's output stream: size unknown, allocated as it arrives) against into /dev/shm (the JDK's own
 * in-kernel copy). Also {@code FamfsFiles.copy} (size known: one allocation, read(2) straight into the device).
 * Each invocation copies into a fresh target: a new image, or a deleted file.
 */
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, batchSize = 1)
@Measurement(iterations = 8, batchSize = 1)
public class CopyIntoBench {
    private Path source;
    private Path jdkTarget;
    private FileSystem famfs;

    @Setup(Level.Trial)
    public void source() throws IOException {
        source = MasterImages.plain("copy-1g.bin", MasterImages.GIB);
        jdkTarget = MasterImages.DIR.resolve("copy-target.bin");
    }

    @Setup(Level.Invocation)
    public void freshTargets() throws IOException {
        Files.deleteIfExists(jdkTarget);
        famfs = FileSystems.newFileSystem(MasterImages.uri(MasterImages.freshImage("copy.img", "2G")),
                MasterImages.master());
    }

    @TearDown(Level.Invocation)
    public void closeTarget() throws IOException {
        famfs.close();
    }

    @Benchmark
    public Path famfsFilesCopy() throws IOException {
        return Files.copy(source, famfs.getPath("/copy.bin"));
    }

    @Benchmark
    public long famfsFamfsFilesCopy() throws IOException {
        return io.github.famfs.nio.FamfsFiles.copy(source, famfs.getPath("/copy.bin"));
    }

    @Benchmark
    public Path jdkFilesCopy() throws IOException {
        return Files.copy(source, jdkTarget);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        Files.deleteIfExists(jdkTarget);
        Files.deleteIfExists(MasterImages.DIR.resolve("copy.img"));
    }
}
