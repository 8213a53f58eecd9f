package io.github.famfs.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
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
 * Open + read 4 KiB + close, rotating through 1000 files of 4 KiB: {@code FileChannel.open} of a famfs path
 * against {@code FileChannel.open} of a plain /dev/shm file (default provider). The Path objects are made once in
 * setup on both sides, so an op is the open, one full 4 KiB read into a direct buffer, and the close.
 *
 * <p>The files (a sparse 2 GiB famfs image holding 4 MiB of data, and 1000 plain files) are cheap to make and are
 * deleted at the end of the trial.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class SmallFileOpenReadBench {
    static final int FILES = 1000;
    static final int SIZE = 4096;

    private BenchImages.SmallFiles data;
    private FileSystem famfs;
    private Path[] famfsPaths;
    private Path[] jdkPaths;
    private ByteBuffer buf;
    private int next;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        data = BenchImages.smallFiles(FILES, SIZE);
        famfs = FileSystems.newFileSystem(URI.create("famfs:" + data.image()), Map.of());
        famfsPaths = new Path[FILES];
        jdkPaths = new Path[FILES];
        for (int i = 0; i < FILES; i++) {
            famfsPaths[i] = famfs.getPath(data.famfsPaths().get(i));
            jdkPaths[i] = data.plainPaths().get(i);
        }
        buf = ByteBuffer.allocateDirect(SIZE);
        for (int i = 0; i < FILES; i += 97) {
            byte[] want = BenchImages.expected(100 + i, 0, SIZE);
            for (Path p : new Path[] {famfsPaths[i], jdkPaths[i]}) {
                if (openRead(p, buf) != SIZE) {
                    throw new IllegalStateException(p + ": short read");
                }
                byte[] got = new byte[SIZE];
                buf.get(0, got);
                if (!Arrays.equals(got, want)) {
                    throw new IllegalStateException(p + " does not hold the expected bytes");
                }
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        famfs.close();
        BenchImages.delete(data.image());
        BenchImages.delete(data.plainDir());
    }

    private int nextIndex() {
        int i = next;
        next = i + 1 == FILES ? 0 : i + 1;
        return i;
    }

    static int openRead(Path p, ByteBuffer buf) throws IOException {
        buf.clear();
        try (FileChannel ch = FileChannel.open(p)) {
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // read the whole 4 KiB
            }
        }
        return buf.position();
    }

    @Benchmark
    public int famfs() throws IOException {
        return openRead(famfsPaths[nextIndex()], buf);
    }

    @Benchmark
    public int jdk() throws IOException {
        return openRead(jdkPaths[nextIndex()], buf);
    }
}
