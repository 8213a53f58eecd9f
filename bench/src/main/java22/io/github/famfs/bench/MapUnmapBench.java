package io.github.famfs.bench;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
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
 * Java 22+: map a 2 MiB file into a confined arena, touch one byte, close the arena (unmap): famfs (reservation
 * plus one MAP_FIXED mapping of the device) against the JDK's FileChannel.map of a 2 MiB /dev/shm file.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@State(Scope.Thread)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 2)
public class MapUnmapBench {
    private FileSystem famfs;
    private FileChannel famfsChannel;
    private FileChannel jdkChannel;

    @Setup(Level.Trial)
    public void setup() throws IOException {
        java.nio.file.Path img = MasterImages.DIR.resolve("small-map.img");
        if (!Files.exists(img)) {
            MasterImages.freshImage("small-map.img", "64M");
            try (FileSystem fs = FileSystems.newFileSystem(MasterImages.uri(img), MasterImages.master())) {
                Files.write(fs.getPath("/two-mib"), new byte[2 << 20]);
            }
        }
        famfs = FileSystems.newFileSystem(MasterImages.uri(img), java.util.Map.of());
        famfsChannel = FileChannel.open(famfs.getPath("/two-mib"));
        jdkChannel = FileChannel.open(MasterImages.plain("two-mib.bin", 2 << 20));
    }

    @TearDown(Level.Trial)
    public void tearDown() throws IOException {
        famfsChannel.close();
        jdkChannel.close();
        famfs.close();
    }

    private static byte mapTouchUnmap(FileChannel ch) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = ch.map(MapMode.READ_ONLY, 0, 2 << 20, arena);
            return s.get(ValueLayout.JAVA_BYTE, 4096);
        }
    }

    @Benchmark
    public byte famfs() throws IOException {
        return mapTouchUnmap(famfsChannel);
    }

    @Benchmark
    public byte jdk() throws IOException {
        return mapTouchUnmap(jdkChannel);
    }
}
