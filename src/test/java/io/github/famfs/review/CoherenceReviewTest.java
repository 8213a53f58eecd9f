package io.github.famfs.review;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.famfs.nio.FamfsCaches;
import io.github.famfs.nio.FamfsOption;
import io.github.famfs.testing.ChildJvm;
import java.lang.reflect.Field;
import java.net.URI;
import java.lang.reflect.Method;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review of issue 10 item 3 (cache coherence): each test asserts what the project rules require and fails on the
 * code at a828dd6.
 */
class CoherenceReviewTest {
    @TempDir
    Path tmp;

    /**
     * Bad input must be "a clear exception naming the problem; never a JVM crash". FamfsCaches.flush takes any
     * direct ByteBuffer and hands its address to the native helper, which CLWB/CLFLUSHes it: a buffer whose
     * mapping is gone (unmapped with invokeCleaner; the JDK's own MappedByteBuffer.force() then fails with an
     * exception from msync) kills the JVM with SIGSEGV.
     */
    @Test
    void flushOfABufferWhoseMappingIsGoneThrowsInsteadOfCrashingTheJvm() throws Exception {
        ChildJvm.Result r = ChildJvm.run(FlushUnmappedMain.class, 120, tmp.resolve("unmapped.img").toString());
        assertEquals(0, r.exitCode(), r::describe);
        org.junit.jupiter.api.Assertions.assertTrue(r.output().contains("refused: java.lang.IllegalArgumentException")
                && r.output().contains("was unmapped (Unsafe.invokeCleaner?)"), r::describe);
    }

    /** Child of {@link #flushOfABufferWhoseMappingIsGoneThrowsInsteadOfCrashingTheJvm}. */
    public static final class FlushUnmappedMain {
        public static void main(String[] args) throws Exception {
            MappedByteBuffer m;
            // a famfs map of an image file: one the JDK made, so invokeCleaner unmaps it behind famfs's back
            try (FileSystem fs = withSharedFile(args[0], 1 << 16);
                    FileChannel ch = FileChannel.open(fs.getPath("/shared"), StandardOpenOption.READ,
                            StandardOpenOption.WRITE)) {
                m = ch.map(FileChannel.MapMode.READ_WRITE, 0, 1 << 16);
            }
            m.put(0, (byte) 1);
            if (!FamfsCaches.isNative()) {
                System.out.println("refused: no native helper (" + FamfsCaches.instructions() + ")");
                return;
            }
            Field u = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
            u.setAccessible(true);
            Object unsafe = u.get(null);
            Method clean = unsafe.getClass().getMethod("invokeCleaner", ByteBuffer.class);
            clean.invoke(unsafe, m);
            try {
                FamfsCaches.flush(m, 0, 1 << 16);
                System.out.println("flushed an unmapped range without an error");
            } catch (RuntimeException e) {
                System.out.println("refused: " + e);
            }
        }
    }

    /**
     * FamfsCaches.flush(ByteBuffer, ...) takes the buffer's address and then runs the native loop with nothing
     * keeping the buffer reachable (no Reference.reachabilityFence): a mapping passed straight from map() to
     * flush() can be collected during the call, its cleaner unmaps it, and CLWB faults: SIGSEGV, the JVM dies. The
     * child flushes a famfs mapping of a 64 MiB file, fresh each time, while another thread runs System.gc().
     */
    @Test
    void flushKeepsItsBufferReachableUntilTheNativeCallReturns() throws Exception {
        ChildJvm.Result r = ChildJvm.run(FlushCollectedMain.class, 300, tmp.resolve("gc.img").toString());
        assertEquals(0, r.exitCode(), r::describe);
    }

    /** A new 256 MiB famfs image at {@code image}, opened as its master, holding /shared: {@code size} zero bytes. */
    static FileSystem withSharedFile(String image, long size) throws java.io.IOException {
        FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + image), Map.of("create", "true",
                "deviceSize", "256M", "systemUuid", "00112233-4455-6677-8899-aabbccddeeff"));
        try (FileChannel ch = FileChannel.open(fs.getPath("/shared"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, FamfsOption.size(size))) {
            ch.write(ByteBuffer.allocate(1), size - 1);
        }
        return fs;
    }

    /** Child of {@link #flushKeepsItsBufferReachableUntilTheNativeCallReturns}. */
    public static final class FlushCollectedMain {
        public static void main(String[] args) throws Exception {
            int size = 64 << 20;
            try (FileSystem fs = withSharedFile(args[0], size)) {
                Path f = fs.getPath("/shared");
                Thread gc = new Thread(() -> {
                    while (true) {
                        System.gc();
                    }
                });
                gc.setDaemon(true);
                gc.start();
                long t0 = System.nanoTime();
                int i = 0;
                try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                    while (System.nanoTime() - t0 < 60_000_000_000L) {
                        FamfsCaches.flush(ch.map(FileChannel.MapMode.READ_ONLY, 0, size), 0, size);
                        i++;
                    }
                }
                System.out.println("survived " + i + " flushes");
            }
        }
    }
}
