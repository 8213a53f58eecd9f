package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.memory.CacheLines;
import io.github.famfs.memory.MappedRanges;
import io.github.famfs.nio.FamfsCaches;
import io.github.famfs.nio.FamfsMappings;
import io.github.famfs.nio.FamfsOption;
import io.github.famfs.nio.FamfsOwnedMapping;
import io.github.famfs.testing.ChildJvm;
import io.github.famfs.testing.UnmapRace;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * FamfsCaches over buffers: a famfs mapping is found in famfs's registry of mappings (no system call, no msync on
 * the device) and kept mapped while the helper runs; anything else, or a mapping that is gone, is refused with an
 * exception that says so, never a crash. Every case runs in a child JVM, so that a crash fails the test.
 */
class CachesOfMappingsTest {
    @TempDir
    Path tmp;

    private static final int SIZE = 1 << 20;

    /** A new 64 MiB famfs image at {@code image} holding /f: {@code size} bytes. */
    static FileSystem famfs(String image, String coherence, long size) throws java.io.IOException {
        FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + image), Map.of("create", "true",
                "deviceSize", "64M", "coherence", coherence, "systemUuid", "00112233-4455-6677-8899-aabbccddeeff"));
        try (FileChannel ch = FileChannel.open(fs.getPath("/f"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE, FamfsOption.size(size))) {
            ch.write(ByteBuffer.allocate(1), size - 1);
        }
        return fs;
    }

    private static void marker(String name) {
        Files.exists(Path.of("/famfs-caches-marker-" + name)); // a stat(2) of that name: a line in the trace
    }

    /**
     * strace of a child that flushes and invalidates famfs's own mappings (an owned mapping, its slices and a
     * read-only view) 3000 times under coherence=software: not one msync between the markers, while the helper
     * ran 3000 times; then 100 flushes of the JDK's image mapping, each checked with an msync of the image
     * (which shows the trace sees msync).
     */
    @Test
    void flushOfAFamfsMappingMakesNoSystemCall() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/strace")),
                "needs strace (/usr/bin/strace)");
        Path trace = tmp.resolve("trace");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of("strace", "-f", "-qq", "-e", "trace=msync,%file", "-o",
                trace.toString(), java.toString(), "-Xmx256m", "-XX:+UseSerialGC",
                "--enable-native-access=ALL-UNNAMED", "-cp", System.getProperty("java.class.path"),
                NoSyscallMain.class.getName(), tmp.resolve("n.img").toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(300, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertTrue(out.contains("helper calls 3000"), out);
        assertTrue(out.contains("jdk helper calls 100"), out);
        List<String> lines = Files.readAllLines(trace);
        int[] msyncs = new int[3];
        int section = -1;
        for (String l : lines) {
            if (l.contains("famfs-caches-marker-owned")) {
                section = 0;
            } else if (l.contains("famfs-caches-marker-jdk")) {
                section = 1;
            } else if (l.contains("famfs-caches-marker-end")) {
                section = 2;
            } else if (section >= 0 && section < 2 && l.contains("msync(")) {
                msyncs[section]++;
            }
        }
        assertEquals(2, section, "all three markers are in the trace");
        assertEquals(0, msyncs[0], "no msync while famfs's own mappings were flushed");
        assertEquals(100, msyncs[1], "one msync(MS_ASYNC) of the image per flush of the JDK's mapping");
    }

    /** Child of {@link #flushOfAFamfsMappingMakesNoSystemCall}. */
    public static final class NoSyscallMain {
        public static void main(String[] args) throws Exception {
            try (FileSystem fs = famfs(args[0], "software", SIZE);
                    FileChannel ch = FileChannel.open(fs.getPath("/f"), StandardOpenOption.READ,
                            StandardOpenOption.WRITE);
                    FamfsOwnedMapping owned = FamfsOwnedMapping.map(ch, FileChannel.MapMode.READ_WRITE, 0, SIZE)) {
                ByteBuffer b = owned.buffer();
                ByteBuffer slice = b.slice(4096, 65536);
                ByteBuffer ro = b.asReadOnlyBuffer();
                MappedByteBuffer jdk = ch.map(FileChannel.MapMode.READ_WRITE, 0, SIZE);
                FamfsCaches.flush(b, 0, 64); // warm: the helper and the classes loaded
                FamfsCaches.flush(jdk, 0, 64);
                long calls = CacheLines.callsDone();
                marker("owned");
                for (int i = 0; i < 1000; i++) {
                    b.putInt(i * 4, i);
                    FamfsCaches.flush(b, i * 4, 4);
                    FamfsCaches.invalidate(slice, 100, 5000);
                    FamfsCaches.flush(ro, 0, SIZE);
                }
                marker("jdk");
                long mid = CacheLines.callsDone();
                for (int i = 0; i < 100; i++) {
                    FamfsCaches.flush(jdk, i * 64, 64);
                }
                marker("end");
                System.out.println("helper calls " + (mid - calls));
                System.out.println("jdk helper calls " + (CacheLines.callsDone() - mid));
            }
        }
    }

    /** Unmapped, foreign and hostile buffers: each gives the exception named, in a child JVM. */
    @Test
    void goneForeignAndHostileBuffersAreRefusedWithoutACrash() throws Exception {
        ChildJvm.Result r = ChildJvm.run(RefusalsMain.class, 180, tmp.resolve("r.img").toString(),
                tmp.resolve("other").toString());
        assertEquals(0, r.exitCode(), r::describe);
        String expected = String.join("\n",
                "owned: ok", "slice: ok", "read-only: ok", "jdk map: ok",
                "past the end: IndexOutOfBoundsException",
                "negative index: IndexOutOfBoundsException",
                "negative length: IndexOutOfBoundsException",
                "overflowing: IndexOutOfBoundsException",
                "slice past its end: IndexOutOfBoundsException",
                "heap: ok",
                "zero length of a direct buffer: ok",
                "allocateDirect: IllegalArgumentException not inside a live famfs mapping",
                "another file's map: IllegalArgumentException not inside a live famfs mapping",
                "FamfsMappings.force of another file's map: ok",
                "closed owned: IllegalArgumentException not inside a live famfs mapping",
                "slice of closed owned: IllegalArgumentException not inside a live famfs mapping",
                "invokeCleaner'd jdk map: IllegalArgumentException not inside a live famfs mapping",
                "owned after fs close: ok",
                "jdk map after fs close: ok",
                "owned closed after fs close: IllegalArgumentException not inside a live famfs mapping",
                "registered at the end: 0");
        // without the JDK's warnings about sun.misc.Unsafe (Java 24+), interleaved from stderr
        String out = String.join("\n", r.output().lines().filter(l -> !l.startsWith("WARNING: ")).toList());
        assertTrue(out.contains(expected), () -> "expected\n" + expected + "\n" + r.describe());
    }

    /** Child of {@link #goneForeignAndHostileBuffersAreRefusedWithoutACrash}. */
    public static final class RefusalsMain {
        static void attempt(String what, Runnable r) {
            try {
                r.run();
                System.out.println(what + ": ok");
            } catch (IllegalArgumentException e) {
                String m = e.getMessage();
                System.out.println(what + ": IllegalArgumentException"
                        + (m.contains("not inside a live famfs mapping") ? " not inside a live famfs mapping" : m));
            } catch (RuntimeException e) {
                System.out.println(what + ": " + e.getClass().getSimpleName());
            }
        }

        public static void main(String[] args) throws Exception {
            int base = MappedRanges.size();
            run(args);
            // the JDK's mappings leave the registry when their buffers are collected, famfs's when unmapped
            for (int i = 0; i < 100 && MappedRanges.size() > base; i++) {
                System.gc();
                Thread.sleep(20);
            }
            System.out.println("registered at the end: " + (MappedRanges.size() - base));
        }

        static void run(String[] args) throws Exception {
            FamfsOwnedMapping kept;
            MappedByteBuffer keptJdk;
            try (FileSystem fs = famfs(args[0], "software", SIZE);
                    FileChannel ch = FileChannel.open(fs.getPath("/f"), StandardOpenOption.READ,
                            StandardOpenOption.WRITE)) {
                FamfsOwnedMapping owned = FamfsOwnedMapping.map(ch, FileChannel.MapMode.READ_WRITE, 0, SIZE);
                ByteBuffer b = owned.buffer();
                ByteBuffer slice = b.slice(8192, 4096);
                MappedByteBuffer jdk = ch.map(FileChannel.MapMode.READ_WRITE, 0, SIZE);
                attempt("owned", () -> FamfsCaches.flush(b, 0, SIZE));
                attempt("slice", () -> FamfsCaches.invalidate(slice, 0, 4096));
                attempt("read-only", () -> FamfsCaches.flush(b.asReadOnlyBuffer(), 10, 10));
                attempt("jdk map", () -> FamfsCaches.invalidate(jdk, 0, SIZE));
                attempt("past the end", () -> FamfsCaches.flush(b, 1, SIZE));
                attempt("negative index", () -> FamfsCaches.flush(b, -1, 2));
                attempt("negative length", () -> FamfsCaches.invalidate(b, 0, -1));
                attempt("overflowing", () -> FamfsCaches.flush(b, Integer.MAX_VALUE, Integer.MAX_VALUE));
                attempt("slice past its end", () -> FamfsCaches.flush(slice, 4000, 97));
                attempt("heap", () -> FamfsCaches.flush(ByteBuffer.allocate(64), 0, 64));
                attempt("zero length of a direct buffer", () -> FamfsCaches.flush(ByteBuffer.allocateDirect(64), 0, 0));
                attempt("allocateDirect", () -> FamfsCaches.flush(ByteBuffer.allocateDirect(64), 0, 64));
                Path other = Path.of(args[1]);
                Files.write(other, new byte[8192]);
                try (FileChannel o = FileChannel.open(other, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                    MappedByteBuffer om = o.map(FileChannel.MapMode.READ_WRITE, 0, 8192);
                    attempt("another file's map", () -> FamfsCaches.flush(om, 0, 8192));
                    attempt("FamfsMappings.force of another file's map", () -> FamfsMappings.force(om));
                }
                owned.close();
                attempt("closed owned", () -> FamfsCaches.flush(b, 0, 64));
                attempt("slice of closed owned", () -> FamfsCaches.invalidate(slice, 0, 64));
                invokeCleaner(jdk);
                attempt("invokeCleaner'd jdk map", () -> FamfsCaches.flush(jdk, 0, SIZE));
                kept = FamfsOwnedMapping.map(ch, FileChannel.MapMode.READ_WRITE, 0, SIZE);
                keptJdk = ch.map(FileChannel.MapMode.READ_ONLY, 0, SIZE);
            }
            // mappings stay valid after the file system closed, until they are unmapped
            ByteBuffer kb = kept.buffer();
            attempt("owned after fs close", () -> FamfsCaches.flush(kb, 0, SIZE));
            attempt("jdk map after fs close", () -> FamfsCaches.invalidate(keptJdk, 0, SIZE));
            kept.close();
            attempt("owned closed after fs close", () -> FamfsCaches.flush(kb, 0, SIZE));
            invokeCleaner(keptJdk);
        }

        static void invokeCleaner(ByteBuffer b) throws Exception {
            Field u = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
            u.setAccessible(true);
            Object unsafe = u.get(null);
            Method clean = unsafe.getClass().getMethod("invokeCleaner", ByteBuffer.class);
            clean.invoke(unsafe, b);
        }
    }

    /**
     * Threads flushing and invalidating 4 MiB of an owned mapping while the main thread closes it, 100 times:
     * every call either ran over mapped memory or was refused, the close waited for the calls in flight, every
     * call after close returned was refused, and the child JVM did not crash.
     */
    @Test
    void flushesRacingTheUnmapOfTheirMappingRunOrAreRefused() throws Exception {
        ChildJvm.Result r = ChildJvm.run(RaceMain.class, 300, tmp.resolve("race.img").toString());
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.output().contains("rounds 100, refused after close 400, ran after close 0"), r::describe);
    }

    /** Child of {@link #flushesRacingTheUnmapOfTheirMappingRunOrAreRefused}. */
    public static final class RaceMain {
        public static void main(String[] args) throws Exception {
            int size = 4 << 20;
            try (FileSystem fs = famfs(args[0], "software", size);
                    FileChannel ch = FileChannel.open(fs.getPath("/f"), StandardOpenOption.READ,
                            StandardOpenOption.WRITE)) {
                System.out.println(UnmapRace.run(100, () -> {
                    FamfsOwnedMapping m = FamfsOwnedMapping.map(ch, FileChannel.MapMode.READ_WRITE, 0, size);
                    ByteBuffer b = m.buffer();
                    return new UnmapRace.Round() {
                        @Override
                        public List<Runnable> calls() {
                            return List.of(() -> FamfsCaches.flush(b, 0, size),
                                    () -> FamfsCaches.invalidate(b.slice(4096, size / 2), 0, size / 2),
                                    () -> FamfsCaches.flush(b.asReadOnlyBuffer(), 0, size),
                                    () -> FamfsCaches.invalidate(b.slice(12288, size / 2), 0, size / 2));
                        }

                        @Override
                        public void unmap() {
                            m.close();
                        }
                    };
                }));
            }
        }
    }
}
