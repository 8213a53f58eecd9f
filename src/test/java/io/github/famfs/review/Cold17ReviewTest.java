package io.github.famfs.review;

import static io.github.famfs.testing.LiveClients.client;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.nio.FamfsFileSystem;
import io.github.famfs.testing.ChildJvm;
import io.github.famfs.testing.CloseRaces;
import io.github.famfs.testing.TestImage;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reviewer r-cold17: a read-only image mount on Java 17-21 reads through {@code FileChannel.map} buffers that the
 * close unmaps with {@code Unsafe.invokeCleaner} ({@code memory/UnsafeJdkMaps}, h-cold17 at 1a242f2). Each test
 * asserts the correct behaviour and fails on h-cold17.
 */
class Cold17ReviewTest {
    private static final String CLIENT = "c01d0000-0000-4000-8000-0000000c0017";

    @TempDir
    Path tmp;

    /**
     * Child JVM: mounts image {@code args[0]} read-only, reads "early" and "late", closes; prints whether the
     * Java 22 layer is on its class path, then "closed, N mappings left".
     */
    public static final class NoLayerMain {
        public static void main(String[] args) throws Exception {
            boolean layer;
            try {
                Class.forName("io.github.famfs.memory.FfmJdkMaps");
                layer = true;
            } catch (ClassNotFoundException e) {
                layer = false;
            }
            System.out.println("java22 layer: " + layer);
            Path img = Path.of(args[0]);
            FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("systemUuid", CLIENT));
            if (!Arrays.equals(TestImage.patternBytes("late".hashCode(), 1000), Files.readAllBytes(fs.getPath("late")))
                    || !Arrays.equals(TestImage.patternBytes("early".hashCode(), 1000),
                            Files.readAllBytes(fs.getPath("early")))) {
                throw new AssertionError("wrong bytes");
            }
            fs.close();
            System.out.println("closed, " + CloseRaces.imageMappings(img) + " mappings left");
        }
    }

    /**
     * JdkMaps.open on Java 22+ whose jar or class directory lacks the Java 22 layer (FfmJdkMaps): a class
     * directory on the class path (an IDE, {@code java -cp target/classes}), or a jar repackaged without
     * {@code Multi-Release: true} (a shaded jar). h-cold17 then falls to UnsafeJdkMaps, where before it bound libc.
     * But {@code sun.misc.Unsafe.invokeCleaner} is terminally deprecated on JDK 24+ (JEP 471/498): by default the
     * first close prints the JDK's 4-line warning "A terminally deprecated method in sun.misc.Unsafe has been
     * called ... by io.github.famfs.memory.UnsafeJdkMaps"; with {@code --sun-misc-unsafe-memory-access=deny} the
     * invokeCleaner throws UnsupportedOperationException, so FileSystem.close() throws IllegalStateException and
     * leaves the image mapped and its channel open (Device.unmapAndCloseDescriptor stops at jdkMaps.close()).
     * Runs on Java 24+ (earlier JDKs neither warn nor deny); fails there on h-cold17.
     */
    @Test
    void withoutTheJava22LayerOnJava24TheCloseUsesNoDeprecatedUnsafe() throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() >= 24, "Java " + Runtime.version().feature()
                + " neither warns about nor denies sun.misc.Unsafe's memory access: the test runs on Java 24+");
        Path img = tmp.resolve("no-layer.img");
        ColdLazyReviewTest.twoWindows(img).close();
        String noLayer = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.replace('\\', '/').endsWith("META-INF/versions/22"))
                .collect(Collectors.joining(File.pathSeparator));
        for (String how : List.of("deny", "warn")) {
            List<String> jvm = new ArrayList<>(List.of("-Xmx256m", "--sun-misc-unsafe-memory-access=" + how));
            ChildJvm.Result r = ChildJvm.run(jvm, noLayer, NoLayerMain.class, 120, img.toString());
            assertTrue(r.output().contains("java22 layer: false"), "the child must lack the layer: " + r.describe());
            assertEquals(0, r.exitCode(), how + ": " + r.describe());
            assertTrue(r.output().contains("closed, 0 mappings left"), how + ": " + r.describe());
            assertFalse(r.output().contains("sun.misc.Unsafe"), how + ": " + r.describe());
        }
    }

    /**
     * Device's onImage reopens the image channel that an interrupt closed (the JDK closes an interruptible
     * FileChannel when the thread is interrupted during size() or map()) by the image's path, checking its file
     * key. When the image was renamed away (or deleted, or replaced: a new version moved over it) since the mount,
     * that reopen fails, and the shared channel stays closed for good: from then on every refresh, lookup miss and
     * watch poll of every thread fails (NoSuchFileException / "not the image file"), and so does every read in a
     * JDK window not mapped yet. On main, Java 17 mapped the image through libc at the mount (no interruptible
     * channel) and went on. Here a refresher thread is interrupted again and again after the image was renamed;
     * once interrupts have landed, an uninterrupted thread must still refresh and read the second window. Fails on
     * h-cold17 (JDK 17 and 25).
     */
    @Test
    void anInterruptAfterTheImageWasRenamedLeavesTheFileSystemWorking() throws Exception {
        interruptsAfter(true);
    }

    /** The same with the image deleted after the mount (its data lives on while it is open). */
    @Test
    void anInterruptAfterTheImageWasDeletedLeavesTheFileSystemWorking() throws Exception {
        interruptsAfter(false);
    }

    private void interruptsAfter(boolean rename) throws Exception {
        Path img = tmp.resolve("interrupt.img");
        ColdLazyReviewTest.twoWindows(img).close();
        try (FamfsFileSystem fs = client(img, "0")) {
            assertArrayEquals(TestImage.patternBytes("early".hashCode(), 1000), Files.readAllBytes(fs.getPath("early")));
            if (rename) {
                Files.move(img, tmp.resolve("moved.img"));
            } else {
                Files.delete(img);
            }
            AtomicBoolean stop = new AtomicBoolean();
            AtomicLong interruptedOps = new AtomicLong();
            AtomicReference<Throwable> other = new AtomicReference<>();
            Thread refresher = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        fs.refresh();
                    } catch (ClosedByInterruptException e) {
                        interruptedOps.incrementAndGet(); // this thread's own interrupted call: its business
                    } catch (Throwable e) {
                        other.compareAndSet(null, e);
                        interruptedOps.incrementAndGet();
                    }
                    Thread.interrupted();
                }
            }, "interrupted-refresher");
            refresher.start();
            // interrupt until a few interrupts landed inside the channel's calls (or a generous bound)
            for (long n = 0; interruptedOps.get() < 20 && n < 200_000_000L; n++) {
                refresher.interrupt();
                Thread.onSpinWait();
            }
            stop.set(true);
            refresher.join();
            assertTrue(interruptedOps.get() > 0, "no interrupt landed inside a channel call: the test proved nothing");
            fs.refresh();
            assertArrayEquals(TestImage.patternBytes("late".hashCode(), 1000), Files.readAllBytes(fs.getPath("late")),
                    "a read in the second window, on a thread that was never interrupted");
            assertEquals(null, other.get(), "what the interrupted thread got besides its own interrupt");
        }
    }

    /**
     * Child JVM: mounts a copy ({@code args[1]}) of the reference tree image ({@code args[0]}) read-only, truncates
     * the image to 16 MiB (another writer, say), reads a file whose bytes are past that (its reads fail: SIGBUS
     * on a mapped page past the end of the file, an InternalError), then closes the file system and prints
     * "closed".
     */
    public static final class TruncatedThenCloseMain {
        public static void main(String[] args) throws Exception {
            Path img = io.github.famfs.testing.ReferenceImages.writableCopy(Path.of(args[0]), Path.of(args[1]));
            FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("systemUuid", CLIENT,
                    "refreshInterval", "off"));
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(img,
                    java.nio.file.StandardOpenOption.WRITE)) {
                ch.truncate(16 << 20);
            }
            try {
                Files.readAllBytes(fs.getPath("/a/b/c/f-5MiB-plus-3"));
                System.out.println("read: no exception");
            } catch (Throwable e) {
                System.out.println("read: " + e);
            }
            fs.close();
            System.out.println("closed");
        }
    }

    /**
     * A read of a file whose bytes another process truncated away under the mount is an InternalError (SIGBUS
     * on the mapped page). On JDK 17 the JVM throws it from compiled code (the copy stub) late: not at the faulting
     * copy but at the thread's next transition from the VM into Java, here the call of {@code lifecycle.exit()} in
     * FamfsFileChannel.readAt's {@code finally} (seen in its stack trace: FamfsFileChannel.java:109). The exit is
     * skipped, the entry stays counted, and FileSystem.close() waits for it for ever (Lifecycle.awaitDrained):
     * the close hangs. The same on main with JDK 17 (libc's mapping, -Dfamfs.testOnly.noJdkMaps=true hangs too);
     * JDK 25 throws it synchronously (copyMemory0 in the VM) and closes. Fails on JDK 17 (h-cold17 and main).
     */
    @Test
    void aReadOfATruncatedImageDoesNotHangTheClose() throws Exception {
        ChildJvm.Result r = ChildJvm.run(TruncatedThenCloseMain.class, 90,
                io.github.famfs.testing.ReferenceImages.image("tree").toString(), tmp.resolve("t.img").toString());
        assertTrue(r.output().contains("read: java.lang.InternalError"), r.describe());
        assertFalse(r.timedOut(), r.describe());
        assertTrue(r.output().contains("closed"), r.describe());
    }
}
