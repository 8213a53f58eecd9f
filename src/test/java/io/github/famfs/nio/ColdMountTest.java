package io.github.famfs.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.testing.ReferenceImages;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A read-only famfs on an image file is opened, listed and read through the JDK alone (Java 22+: segments of a
 * shared arena; Java 17-21: {@code FileChannel.map} buffers unmapped by {@code Unsafe.invokeCleaner}): libc is bound
 * (and the image opened and mapped through it) only by a use that needs it, such as a map of a file. Counted in a child
 * JVM by the JVM's class-load log, not timed; and the deferred work fails as clearly as it did at the mount, races
 * the close without leaking a mapping, and refuses an image file replaced since the mount; where the JDK cannot
 * unmap on demand (no {@code jdk.unsupported} on Java 17-21) the mount binds libc as before.
 */
class ColdMountTest {
    private static final String CLIENT = "c01d0000-0000-4000-8000-00000000c01d";
    private static final String MARK = "---- mounted, listed and read ----";

    @TempDir
    Path tmp;

    /**
     * Mounts image {@code args[0]} read-only, lists it, reads every file; prints {@link #MARK}; then maps the
     * first file (a use that needs libc) and prints what it read, or why it failed.
     */
    public static final class ColdMain {
        public static void main(String[] args) throws Exception {
            try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + args[0]),
                    Map.of("systemUuid", CLIENT))) {
                List<Path> files;
                try (Stream<Path> s = Files.walk(fs.getPath("/"))) {
                    files = s.filter(Files::isRegularFile).collect(Collectors.toList());
                }
                long bytes = 0;
                for (Path f : files) {
                    bytes += Files.readAllBytes(f).length;
                }
                System.out.println("files=" + files.size() + " bytes=" + bytes + " readOnly=" + fs.isReadOnly());
                System.out.println(MARK);
                Path first = firstFile(fs);
                try (FileChannel ch = FileChannel.open(first, StandardOpenOption.READ)) {
                    MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
                    System.out.println("mapped=" + (m.get(0) == Files.readAllBytes(first)[0]));
                } catch (IOException e) {
                    System.out.println("map failed: " + e);
                }
            }
        }
    }

    private record Loaded(List<String> before, List<String> after, String output) {}

    private record Child(int status, String out) {}

    /** Runs {@link ColdMain} in a child JVM with {@code options} (ChildJvm would enable native access). */
    private static Child child(String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx256m", "-Xlog:class+load=info"));
        cmd.addAll(List.of(options));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ColdMain.class.getName(),
                ReferenceImages.image("tree").toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(300, TimeUnit.SECONDS), out);
        return new Child(p.exitValue(), out);
    }

    private static Loaded run(String... options) throws Exception {
        Child c = child(options);
        String out = c.out();
        String tail = out.lines().filter(l -> !l.contains("[class,load]")).collect(Collectors.joining("\n"));
        assertEquals(0, c.status(), tail);
        int mark = out.indexOf(MARK);
        assertTrue(mark > 0, tail);
        return new Loaded(classes(out.substring(0, mark)), classes(out.substring(mark)), tail);
    }

    /** The classes of a stretch of class-load log ("[0.123s][info][class,load] a.B source: ..."). */
    private static List<String> classes(String log) {
        return log.lines().filter(l -> l.contains("[class,load] ")).map(l -> l.substring(l.indexOf("[class,load] ")
                + 13).split(" ")[0]).collect(Collectors.toList());
    }

    /** Classes that binding libc (either way), java.util.logging or a SecureRandom would load. */
    private static List<String> costly(List<String> loaded) {
        return loaded.stream().filter(c -> c.startsWith("io.github.famfs.memory.Native$")
                || c.endsWith(".FfmLibcCalls") || c.endsWith(".JnrLibcCalls") || c.equals("java.lang.foreign.Linker")
                || c.startsWith("jnr.")
                || c.startsWith("com.kenai.") || c.equals("java.util.logging.LogManager")
                || c.equals("java.security.SecureRandom")).collect(Collectors.toList());
    }

    private static final boolean JAVA22 = Runtime.version().feature() >= 22;
    /** The class that shows libc being bound: the FFM linker on Java 22+, jnr-ffi's loader on 17-21. */
    private static final String BINDER = JAVA22 ? "java.lang.foreign.Linker" : "jnr.ffi.LibraryLoader";
    /** The class of the JDK maps of this Java. */
    private static final String JDK_MAPS = "io.github.famfs.memory." + (JAVA22 ? "FfmJdkMaps" : "UnsafeJdkMaps");

    @Test
    void mountListAndReadOfAnImageBindNoLibcAndAMapThen() throws Exception {
        Loaded l = run("--enable-native-access=ALL-UNNAMED");
        assertTrue(l.output().contains("readOnly=true"), l.output());
        assertTrue(l.before().contains("io.github.famfs.nio.FamfsFileSystem"), "the log is read: " + l.before());
        assertTrue(l.before().contains(JDK_MAPS), "read through the JDK's maps: " + l.before());
        assertEquals(List.of(), costly(l.before()), "loaded by a read-only mount, listing and reading");
        // the check sees them when they are loaded: the map of a file binds libc
        assertTrue(l.output().contains("mapped=true"), l.output());
        assertTrue(l.after().contains("io.github.famfs.memory.Native$Holder"), () -> "after: " + l.after());
        assertTrue(l.after().contains(BINDER), () -> "after: " + l.after());
    }

    /**
     * Where the JDK cannot unmap its maps on demand the read-only mount binds libc at once, and works: on Java
     * 17-21 a runtime without {@code jdk.unsupported} (here {@code --limit-modules}, as a jlinked runtime or a
     * module graph that does not resolve it), and on any Java the test-only switch that makes {@code JdkMaps.open}
     * give up.
     */
    @Test
    void withoutJdkMapsTheReadOnlyMountBindsLibcAndWorks() throws Exception {
        List<String[]> ways = new ArrayList<>();
        ways.add(new String[] {"--enable-native-access=ALL-UNNAMED", "-Dfamfs.testOnly.noJdkMaps=true"});
        if (!JAVA22) {
            ways.add(new String[] {"--limit-modules", "java.base,java.logging"});
        }
        for (String[] way : ways) {
            Loaded l = run(way);
            String how = String.join(" ", way);
            assertTrue(l.output().contains("readOnly=true") && l.output().contains("mapped=true"), l.output());
            assertTrue(l.before().contains("io.github.famfs.memory.Native$Holder"), () -> how + ": " + l.before());
            assertTrue(l.before().contains(BINDER), () -> how + ": " + l.before());
            assertFalse(l.before().contains("io.github.famfs.memory.FfmJdkMaps"), how);
            if (!way[1].startsWith("-D")) {
                assertTrue(l.before().contains("io.github.famfs.memory.UnsafeJdkMaps"), how);
                assertFalse(l.before().contains("sun.misc.Unsafe"), () -> how + ": " + l.before());
            }
        }
    }

    /**
     * The close unmaps every JDK map of the image at once, with no help from the garbage collector: the unmap is
     * real (on Java 17-21 an unmapped buffer is a SIGSEGV to read, so nothing may read it afterwards: the
     * lifecycle, see the close races).
     */
    @Test
    void theCloseUnmapsTheImageAtOnce() throws Exception {
        Path img = copyOfTree("unmap.img");
        List<ByteBuffer> keep = new ArrayList<>(); // reachable, so that no collection could unmap anything
        for (int round = 0; round < 3; round++) {
            FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("systemUuid", CLIENT));
            try (Stream<Path> s = Files.walk(fs.getPath("/"))) {
                for (Path f : (Iterable<Path>) s::iterator) {
                    if (Files.isRegularFile(f)) {
                        keep.add(ByteBuffer.wrap(Files.readAllBytes(f)));
                    }
                }
            }
            assertTrue(mappingsOf(img) > 0, "the check sees the image's mapping while it is mounted");
            fs.close();
            assertEquals(0, mappingsOf(img), "mappings of the image left right after the close");
        }
    }

    @Test
    void deniedNativeAccessFailsTheFirstUseThatNeedsLibcAsItFailedTheMount() throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() >= 24, "Java " + Runtime.version().feature()
                + " cannot deny native access: the test runs on Java 24+");
        Loaded l = run("--illegal-native-access=deny");
        assertTrue(l.output().contains("readOnly=true"), l.output());
        assertTrue(l.output().contains("map failed: java.io.IOException: cannot bind libc: "), l.output());
        assertTrue(l.output().contains("through the foreign function API: java.lang.IllegalCallerException"),
                l.output());
    }

    /** A mistyped binding choice still fails the mount that no longer binds libc, as it failed the binding. */
    @Test
    void aMistypedBindingChoiceFailsTheReadOnlyMount() throws Exception {
        Child c = child("--enable-native-access=ALL-UNNAMED", "-Dfamfs.native=JNR");
        assertEquals(1, c.status(), c.out());
        assertFalse(c.out().contains(MARK), c.out());
        assertTrue(c.out().contains("java.io.IOException: cannot bind libc: java.lang.IllegalArgumentException:"
                + " -Dfamfs.native=JNR is not a libc binding"), c.out());
    }

    /**
     * Child JVM: mounts image {@code args[0]} (a copy of the reference tree) read-only and reads every file; then
     * another writer truncates the image to {@code args[1]} bytes, or overwrites it in place with the image
     * {@code args[2]} when given; then reads, lists, looks up, refreshes and maps. Prints one line per operation:
     * what it gave. Exit 0 when every operation worked or threw an IOException (or the InternalError the README
     * documents for file data of a truncated image), 3 otherwise; a crash is a signal.
     */
    public static final class ChangedUnderneathMain {
        public static void main(String[] args) throws Exception {
            Path img = Path.of(args[0]);
            int status = 0;
            FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("systemUuid", CLIENT,
                    "refreshInterval", "0"));
            List<Path> files;
            try (Stream<Path> s = Files.walk(fs.getPath("/"))) {
                files = s.filter(Files::isRegularFile).collect(Collectors.toList());
            }
            for (Path f : files) {
                Files.readAllBytes(f);
            }
            try (FileChannel ch = FileChannel.open(img, StandardOpenOption.WRITE)) {
                if (args.length > 2) {
                    try (FileChannel other = FileChannel.open(Path.of(args[2]))) {
                        other.transferTo(0, other.size(), ch.position(0));
                    }
                } else {
                    ch.truncate(Long.parseLong(args[1]));
                }
            }
            List<Callable<Object>> ops = new ArrayList<>();
            for (Path f : files) {
                ops.add(() -> "read " + f + " " + Files.readAllBytes(f).length);
            }
            ops.add(() -> {
                try (Stream<Path> s = Files.list(fs.getPath("/"))) {
                    return "list " + s.count();
                }
            });
            ops.add(() -> "exists " + Files.exists(fs.getPath("/missing")));
            ops.add(() -> "refresh " + ((FamfsFileSystem) fs).refresh());
            ops.add(() -> {
                try (FileChannel ch = FileChannel.open(files.get(0), StandardOpenOption.READ)) {
                    return "map " + ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size()).get(0);
                }
            });
            for (Callable<Object> op : ops) {
                try {
                    System.out.println("OP ok: " + op.call());
                } catch (IOException | InternalError e) {
                    System.out.println("OP threw " + e);
                } catch (Throwable e) {
                    System.out.println("OP threw what it must not: " + e);
                    e.printStackTrace(System.out);
                    status = 3;
                }
            }
            Thread closer = new Thread(() -> {
                try {
                    fs.close();
                } catch (IOException e) {
                    System.out.println("close threw " + e);
                }
            });
            closer.setDaemon(true);
            closer.start();
            closer.join(30_000);
            System.out.println(closer.isAlive() ? "CLOSE hung" : "CLOSE returned");
            System.out.flush();
            System.exit(status);
        }
    }

    /**
     * An image truncated or overwritten by another writer after the mount: every later operation works or throws an
     * IOException (or the documented InternalError), never a crash, through the JDK's maps as through libc's
     * (the test-only switch); and the close returns. On Java 17-21 the JVM raises the InternalError of a read of
     * truncated memory asynchronously ("a fault occurred in a recent unsafe memory access operation in compiled
     * Java code"), at some later instruction, which may be inside the lifecycle's own bookkeeping: an entry then
     * never ends (3 runs of 3 before the fix), and the close stops waiting once it sees the image shrank
     * (Lifecycle's memoryGone), leaving the mappings in place; Java 22+ raises it at the faulting access.
     */
    @Test
    void anImageChangedUnderneathGivesExceptionsNotACrash() throws Exception {
        Path other = tmp.resolve("other-famfs.img");
        try (io.github.famfs.testing.TestImage t = io.github.famfs.testing.TestImage.create(other, 64L << 20)) {
            t.mkdir("not-the-tree");
        }
        String[][] cases = {{"4096"}, {"0", other.toString()}};
        for (String[] c : cases) {
            for (String libc : new String[] {"false", "true"}) {
                Path img = copyOfTree("changed.img");
                List<String> args = new ArrayList<>(List.of(img.toString()));
                args.addAll(List.of(c));
                io.github.famfs.testing.ChildJvm.Result r = io.github.famfs.testing.ChildJvm.run(List.of(
                        "-Xmx256m", "-Dfamfs.testOnly.noJdkMaps=" + libc), System.getProperty("java.class.path"),
                        ChangedUnderneathMain.class, 120, args.toArray(new String[0]));
                String what = String.join(" ", c) + ", libc at the mount " + libc + ": ";
                assertEquals(0, r.exitCode(), () -> what + r.describe());
                assertTrue(r.output().contains("OP "), r::describe);
                if (c.length > 1) {
                    assertTrue(r.output().contains("OP ok: read "), () -> what + "overwritten, same file: " + r
                            .describe());
                } else {
                    assertFalse(r.output().contains("OP ok: read "), () -> what + "truncated: " + r.describe());
                }
                assertTrue(r.output().contains("CLOSE returned"), () -> what + r.describe());
            }
        }
    }

    private Path copyOfTree(String name) throws IOException {
        return ReferenceImages.writableCopy("tree", tmp.resolve(name));
    }

    private static Path firstFile(FileSystem fs) throws IOException {
        try (Stream<Path> s = Files.walk(fs.getPath("/"))) {
            return s.filter(Files::isRegularFile).filter(f -> {
                try {
                    return Files.size(f) > 0;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).findFirst().orElseThrow();
        }
    }

    /** An image file replaced (renamed over) after the mount is refused by the first use that opens it again. */
    @Test
    void anImageReplacedSinceTheMountIsRefusedNotMapped() throws Exception {
        Path img = copyOfTree("replaced.img");
        Path other = copyOfTree("other.img");
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("systemUuid", CLIENT,
                "accessMode", "readOnly"))) {
            Path f = firstFile(fs);
            byte[] before = Files.readAllBytes(f);
            Files.move(other, img, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            assertTrue(Files.exists(img));
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                IOException e = assertThrows(IOException.class, () -> ch.map(FileChannel.MapMode.READ_ONLY, 0, 1));
                assertTrue(e.getMessage().contains("is not the image file the famfs was opened on"), e::toString);
                // reads still go to the file the famfs was opened on
                ByteBuffer b = ByteBuffer.allocate(before.length);
                ch.read(b, 0);
                assertEquals(ByteBuffer.wrap(before), b.flip());
            }
        }
    }

    /** Image mappings of this JVM (lines of /proc/self/maps naming the file). */
    private static long mappingsOf(Path img) throws IOException {
        return io.github.famfs.testing.CloseRaces.imageMappings(img);
    }

    /**
     * The first use that maps the image through libc, raced with the close: each map either works or throws a
     * closed exception, and once the file system is closed and its buffers unreachable, no mapping of the image
     * is left (a map made after the close would stay forever).
     */
    @Test
    void firstLibcUseRacedWithCloseLeaksNoMapping() throws Exception {
        Path img = copyOfTree("race.img");
        for (int round = 0; round < 20; round++) {
            FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("systemUuid", CLIENT,
                    "accessMode", "readOnly"));
            Path f = firstFile(fs);
            AtomicReference<Throwable> odd = new AtomicReference<>();
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 3; t++) {
                Thread th = new Thread(() -> {
                    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                        ch.map(FileChannel.MapMode.READ_ONLY, 0, 1).get(0);
                    } catch (ClosedFileSystemException | ClosedChannelException expected) {
                        // closed first
                    } catch (Throwable e) {
                        odd.compareAndSet(null, e);
                    }
                });
                threads.add(th);
                th.start();
            }
            if (round % 2 == 0) {
                Thread.onSpinWait();
            }
            fs.close();
            for (Thread th : threads) {
                th.join(60_000);
                assertFalse(th.isAlive(), "a map hangs after the close");
            }
            if (odd.get() != null) {
                throw new AssertionError("round " + round + ": neither mapped nor closed", odd.get());
            }
        }
        // the JDK unmaps its buffers when they are collected; libc's mappings were unmapped by the closes
        for (int i = 0; i < 200 && mappingsOf(img) > 0; i++) {
            System.gc();
            Thread.sleep(50);
        }
        assertEquals(0, mappingsOf(img), "mappings of the image left after every file system was closed");
    }
}
