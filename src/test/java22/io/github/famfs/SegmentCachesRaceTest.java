package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.nio.FamfsCaches;
import io.github.famfs.testing.ChildJvm;
import io.github.famfs.testing.SegmentOps;
import io.github.famfs.testing.UnmapRace;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cache maintenance of famfs segments racing the close of their shared arena: through the segment
 * (FamfsSegmentCaches: the downcall holds the arena, so close fails while a call runs and is retried) and through
 * buffer views of it taken before (FamfsCaches: the arena's close waits for the calls in flight before the JDK
 * unmaps). Every call runs or is refused; none runs after the close returned; the child JVM does not crash.
 */
class SegmentCachesRaceTest {
    @TempDir
    Path tmp;

    @Test
    void segmentAndBufferViewMaintenanceRacingArenaCloseRunOrAreRefused() throws Exception {
        ChildJvm.Result r = ChildJvm.run(RaceMain.class, 300, tmp.resolve("race.img").toString());
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.output().contains("rounds 10, refused after close 40, ran after close 0"), r::describe);
    }

    /** Child of {@link #segmentAndBufferViewMaintenanceRacingArenaCloseRunOrAreRefused}. */
    public static final class RaceMain {
        /** A Java 22 layer method; its own exception unwrapped. */
        static void call(String cls, String name, MemorySegment seg, long... offsetLength) {
            try {
                SegmentOps.layer22(cls, name, seg, offsetLength);
            } catch (java.lang.reflect.InvocationTargetException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new AssertionError(e.getCause());
            } catch (Throwable t) {
                throw new AssertionError(t);
            }
        }

        public static void main(String[] args) throws Exception {
            int size = 4 << 20;
            try (FileSystem fs = CachesOfMappingsTest.famfs(args[0], "software", size);
                    FileChannel ch = FileChannel.open(fs.getPath("/f"), StandardOpenOption.READ,
                            StandardOpenOption.WRITE)) {
                System.out.println(UnmapRace.run(10, () -> {
                    Arena arena = Arena.ofShared();
                    MemorySegment seg = ch.map(FileChannel.MapMode.READ_WRITE, 0, size, arena);
                    ByteBuffer view = seg.asByteBuffer(); // taken before the close
                    return new UnmapRace.Round() {
                        @Override
                        public List<Runnable> calls() {
                            return List.of(() -> call("FamfsSegmentCaches", "flush", seg, 0, size),
                                    () -> call("FamfsSegmentCaches", "invalidate", seg, 4096, size - 4096),
                                    () -> FamfsCaches.flush(view, 0, size),
                                    () -> call("FamfsSegments", "force", seg));
                        }

                        @Override
                        public void unmap() {
                            while (true) {
                                try {
                                    arena.close();
                                    return;
                                } catch (IllegalStateException inUse) {
                                    Thread.onSpinWait(); // a downcall holds the arena: try again
                                }
                            }
                        }
                    };
                }));
            }
        }
    }
}
