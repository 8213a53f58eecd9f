package io.github.famfs.bench;

import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * MappedByteBuffer (Java 17 API) bulk gets of 1 MiB into a byte[] over a whole 1 GiB file: famfs's map of the
 * file in an image on /dev/shm against the JDK's FileChannel.map of the same bytes in a plain /dev/shm file.
 * One op reads the whole GiB.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class MappedBufferBench {
    private FileSystem famfs;
    private MappedByteBuffer famfsMap;
    private MappedByteBuffer jdkMap;
    private final byte[] chunk = new byte[1 << 20];

    @Setup(Level.Trial)
    public void setup() throws IOException {
        famfs = FileSystems.newFileSystem(MasterImages.uri(MasterImages.mapImage()), java.util.Map.of());
        try (FileChannel ch = FileChannel.open(famfs.getPath("/simple"))) {
            famfsMap = ch.map(MapMode.READ_ONLY, 0, ch.size());
        }
        try (FileChannel ch = FileChannel.open(MasterImages.plain("map-1g.bin", MasterImages.GIB))) {
            jdkMap = ch.map(MapMode.READ_ONLY, 0, ch.size());
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        famfs.close();
    }

    private long bulk(MappedByteBuffer map, Blackhole bh) {
        int n = map.capacity();
        for (int at = 0; at < n; at += chunk.length) {
            map.get(at, chunk, 0, Math.min(chunk.length, n - at));
            bh.consume(chunk);
        }
        return n;
    }

    @Benchmark
    public long famfs(Blackhole bh) {
        return bulk(famfsMap, bh);
    }

    @Benchmark
    public long jdk(Blackhole bh) {
        return bulk(jdkMap, bh);
    }
}
