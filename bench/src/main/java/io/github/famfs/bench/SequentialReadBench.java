package io.github.famfs.bench;

import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
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
 * Sequential read of a whole 1 GiB file per operation, with {@code FileChannel.read(ByteBuffer)} into a 1 MiB
 * buffer (direct, and heap): famfs-nio over a famfs image on /dev/shm against the default provider's
 * FileChannel over the same bytes in a plain /dev/shm file.
 *
 * <p>Throughput in ops/s (one op = 1 GiB); the {@code bytes} secondary result is the same rate in bytes/s.
 * Both channels stay open for the trial; every op rewinds to 0 and reads until end of file.
 *
 * <p>The two 1 GiB files stay in /dev/shm/famfs-bench after the run (they take seconds to write): delete them
 * with {@code rm -rf /dev/shm/famfs-bench}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class SequentialReadBench {
    static final int BUFFER = 1 << 20;

    private FileSystem famfs;
    private FileChannel famfsChannel;
    private FileChannel jdkChannel;
    private ByteBuffer direct;
    private ByteBuffer heap;

    /** Bytes read, reported by JMH as a rate (bytes/s). */
    @AuxCounters(AuxCounters.Type.OPERATIONS)
    @State(Scope.Thread)
    public static class Bytes {
        public long bytes;

        @Setup(Level.Iteration)
        public void reset() {
            bytes = 0;
        }
    }

    @Setup(Level.Trial)
    public void setup() throws IOException {
        BenchImages.Sequential data = BenchImages.sequential();
        famfs = FileSystems.newFileSystem(URI.create("famfs:" + data.image()), Map.of());
        famfsChannel = FileChannel.open(famfs.getPath(data.famfsPath()), StandardOpenOption.READ);
        jdkChannel = FileChannel.open(data.plain(), StandardOpenOption.READ);
        direct = ByteBuffer.allocateDirect(BUFFER);
        heap = ByteBuffer.allocate(BUFFER);
        if (famfsChannel.size() != data.size() || jdkChannel.size() != data.size()) {
            throw new IllegalStateException("sizes: famfs " + famfsChannel.size() + ", plain " + jdkChannel.size());
        }
        // both sides must read the same bytes: compare the first and the last MiB with the pattern
        for (long at : new long[] {0, data.size() - BUFFER}) {
            byte[] want = BenchImages.expected(1, at, BUFFER);
            for (FileChannel ch : new FileChannel[] {famfsChannel, jdkChannel}) {
                ByteBuffer b = ByteBuffer.allocate(BUFFER);
                while (b.hasRemaining() && ch.read(b, at + b.position()) > 0) {
                    // fill
                }
                if (!Arrays.equals(b.array(), want)) {
                    throw new IllegalStateException(ch + " does not hold the expected bytes at " + at);
                }
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        jdkChannel.close();
        famfsChannel.close();
        famfs.close();
    }

    static long readAll(FileChannel ch, ByteBuffer buf, Bytes counter) throws IOException {
        ch.position(0);
        long total = 0;
        while (true) {
            buf.clear();
            int n = ch.read(buf);
            if (n < 0) {
                break;
            }
            total += n;
        }
        counter.bytes += total;
        return total + buf.get(0);
    }

    @Benchmark
    public long famfsDirect(Bytes counter) throws IOException {
        return readAll(famfsChannel, direct, counter);
    }

    @Benchmark
    public long jdkDirect(Bytes counter) throws IOException {
        return readAll(jdkChannel, direct, counter);
    }

    @Benchmark
    public long famfsHeap(Bytes counter) throws IOException {
        return readAll(famfsChannel, heap, counter);
    }

    @Benchmark
    public long jdkHeap(Bytes counter) throws IOException {
        return readAll(jdkChannel, heap, counter);
    }
}
