package io.github.famfs.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
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
 * Java 22+: the sum of the longs of a 1 GiB file through a MemorySegment map: famfs (a simple file, and the same
 * bytes interleaved over 8 strips in 2 MiB chunks) against the JDK's FileChannel.map(…, arena) of the same bytes
 * in a plain /dev/shm file. One op sums the whole GiB.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class SegmentBench {
    private FileSystem famfs;
    private Arena arena;
    private MemorySegment famfsSimple;
    private MemorySegment famfsInterleaved;
    private MemorySegment jdk;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        famfs = FileSystems.newFileSystem(MasterImages.uri(MasterImages.mapImage()), Map.of());
        arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(famfs.getPath("/simple"))) {
            famfsSimple = ch.map(MapMode.READ_ONLY, 0, ch.size(), arena);
        }
        try (FileChannel ch = FileChannel.open(famfs.getPath("/interleaved"))) {
            famfsInterleaved = ch.map(MapMode.READ_ONLY, 0, ch.size(), arena);
        }
        try (FileChannel ch = FileChannel.open(MasterImages.plain("map-1g.bin", MasterImages.GIB))) {
            jdk = ch.map(MapMode.READ_ONLY, 0, ch.size(), arena);
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        arena.close();
        famfs.close();
    }

    private static long sum(MemorySegment s) {
        long sum = 0;
        long n = s.byteSize() / 8;
        for (long i = 0; i < n; i++) {
            sum += s.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i);
        }
        return sum;
    }

    @Benchmark
    public long famfsSimple() {
        return sum(famfsSimple);
    }

    @Benchmark
    public long famfsInterleaved() {
        return sum(famfsInterleaved);
    }

    @Benchmark
    public long jdk() {
        return sum(jdk);
    }
}
