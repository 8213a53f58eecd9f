package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.memory.Lifecycle;
import io.github.famfs.nio.FamfsFsck;
import io.github.famfs.testing.ChildJvm;
import io.github.famfs.testing.CloseRaces;
import io.github.famfs.testing.TestImage;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lifecycle of a file system and every close race (issue 9, items 6 and 9–13). What can crash or hang the JVM
 * on a defect runs in a child JVM ({@link CloseRaces}), so that a SIGSEGV or a hang fails the test, with the
 * child's output and a thread dump, instead of killing the build.
 */
class CloseRaceTest {
    private static final String MASTER = "c105e000-0000-4000-8000-0000000000c1";
    /** Rounds of the close-race suite in the build (about 30 s); -Dfamfs.closeRaces.rounds=N for more. */
    private static final int SUITE_ROUNDS = Integer.getInteger("famfs.closeRaces.rounds", 100);
    @TempDir
    Path tmp;

    private static void child(String scenario, long timeoutSeconds, Path dir, String... more) throws Exception {
        String[] args = new String[2 + more.length];
        args[0] = scenario;
        args[1] = dir.toString();
        System.arraycopy(more, 0, args, 2, more.length);
        ChildJvm.Result r = ChildJvm.run(CloseRaces.class, timeoutSeconds, args);
        assertTrue(r.exitCode() == 0 && r.output().contains("OK " + scenario), r.describe());
        System.out.println(r.output().lines().filter(l -> l.startsWith("OK ")).findFirst().orElse(""));
    }

    private FileSystem create(Path img) throws Exception {
        return FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("create", "true", "deviceSize", "64M",
                "systemUuid", MASTER));
    }

    private static FileSystem reopen(Path img) throws Exception {
        return FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("systemUuid", MASTER, "accessMode",
                "readOnly"));
    }

    /** The suite: threads doing every kind of operation while another closes, many rounds, in a child JVM. */
    @Test
    void everyOperationRacingCloseSucceedsOrFailsAsDocumented() throws Exception {
        long seed = Long.getLong("famfs.closeRaces.seed", System.nanoTime());
        child("suite", 300 + SUITE_ROUNDS * 3L, tmp, Integer.toString(SUITE_ROUNDS), Long.toString(seed));
    }

    /** Item 9: the log was written with no device access held; close racing createDirectory crashed the JVM. */
    @Test
    void closeRacingCreateDirectory() throws Exception {
        child("mkdir", 300, tmp, "150");
    }

    /** Item 10: Device.close held its monitor while waiting for writers that needed it. */
    @Test
    void closeWhileWritingNewFilesOnAnImage() throws Exception {
        child("image-write", 300, tmp, "80");
    }

    /** Item 11: close hung while a transferTo target blocked (the device access was held across it). */
    @Test
    void closeWhileTransferTargetBlocks() throws Exception {
        child("blocked-transfer", 180, tmp);
    }

    /** Item 12: a transfer's other channel that keeps its buffer must not reach device memory after close. */
    @Test
    void transferChannelKeepingItsBufferAfterClose() throws Exception {
        child("kept-buffer", 180, tmp);
    }

    /** Issue 12: reads through famfs: URLs while the file system closes. */
    @Test
    void urlReadsDuringClose() throws Exception {
        child("url-read", 180, tmp, "30");
    }

    /** Issue 12: map, force, load and invokeCleaner while the file system closes. */
    @Test
    void mapForceAndInvokeCleanerDuringClose() throws Exception {
        child("map-force", 180, tmp, "30");
    }

    /**
     * Readers of a read-only image mount (read through the JDK's maps of the image on every Java: on 17-21
     * {@code FileChannel.map} buffers that the close unmaps with {@code Unsafe.invokeCleaner}, a SIGSEGV to touch
     * afterwards) while it closes: reads, listings, lookups, refresh, watch services; no crash, closed exceptions
     * only, no mapping left.
     */
    @Test
    void readOnlyImageReadersDuringClose() throws Exception {
        child("read-only", 300, tmp, Integer.toString(3 * SUITE_ROUNDS));
    }

    /** Item 13: windows mapped one after another outran vm.max_map_count until the JVM aborted. */
    @Test
    void mappingWindowsBeyondTheMapCountLimit() throws Exception {
        child("map-windows", 300, tmp);
    }

    /** Item 12: a target that writes into the buffer it is given cannot write into a file opened READ. */
    @Test
    void transferTargetCannotWriteIntoAReadOnlyFile() throws Exception {
        Path img = tmp.resolve("jello.img");
        byte[] data = TestImage.patternBytes(3, 3 << 20);
        try (FileSystem fs = create(img)) {
            Files.write(fs.getPath("/hello"), data);
            try (FileChannel ch = FileChannel.open(fs.getPath("/hello"), StandardOpenOption.READ)) {
                long n = ch.transferTo(0, data.length, new WritableByteChannel() {
                    @Override
                    public int write(ByteBuffer src) {
                        int k = src.remaining();
                        if (!src.isReadOnly()) {
                            src.put(src.position(), "Jello".getBytes(StandardCharsets.US_ASCII));
                        }
                        src.position(src.limit());
                        return k;
                    }

                    @Override
                    public boolean isOpen() {
                        return true;
                    }

                    @Override
                    public void close() {}
                });
                assertEquals(data.length, n);
            }
            assertArrayEquals(data, Files.readAllBytes(fs.getPath("/hello")), "the file opened READ is unchanged");
        }
        try (FileSystem fs = reopen(img)) {
            assertArrayEquals(data, Files.readAllBytes(fs.getPath("/hello")));
        }
    }

    /** Item 6: a new file closed after its file system closed was silently not published. */
    @Test
    void newFileClosedAfterItsFileSystemThrows() throws Exception {
        Path img = tmp.resolve("late.img");
        FileSystem fs = create(img);
        OutputStream out = Files.newOutputStream(fs.getPath("/stream"));
        out.write(TestImage.patternBytes(1, 10_000));
        FileChannel ch = FileChannel.open(fs.getPath("/channel"), StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE);
        ch.write(ByteBuffer.wrap(TestImage.patternBytes(2, 5000)));
        fs.close();
        assertThrows(ClosedChannelException.class, () -> ch.write(ByteBuffer.wrap(new byte[1])));
        FileSystemException e = assertThrows(FileSystemException.class, out::close);
        assertTrue(e.getReason().startsWith("not published: its file system was closed"), e.getMessage());
        assertEquals("/stream", e.getFile());
        FileSystemException e2 = assertThrows(FileSystemException.class, ch::close);
        assertTrue(e2.getReason().startsWith("not published"), e2.getMessage());
        ch.close(); // a second close is a no-op
        try (FileSystem again = reopen(img)) {
            assertFalse(Files.exists(again.getPath("/stream")));
            assertFalse(Files.exists(again.getPath("/channel")));
            assertTrue(FamfsFsck.check(again).isClean());
        }
    }

    /** Operations on a closed file system and its channels throw the JDK's closed exceptions. */
    @Test
    void operationsAfterCloseThrowTheClosedExceptions() throws Exception {
        Path img = tmp.resolve("after.img");
        FileSystem fs = create(img);
        Files.write(fs.getPath("/a"), new byte[] {1, 2, 3});
        FileChannel ch = FileChannel.open(fs.getPath("/a"));
        fs.close();
        fs.close();
        assertFalse(fs.isOpen());
        assertFalse(ch.isOpen(), "closing the file system closes its channels");
        assertThrows(ClosedChannelException.class, () -> ch.read(ByteBuffer.allocate(3), 0));
        assertThrows(ClosedFileSystemException.class, () -> Files.createDirectory(fs.getPath("/d")));
        assertThrows(ClosedFileSystemException.class, () -> FileChannel.open(fs.getPath("/a")));
    }

    /**
     * The lifecycle: close waits for the entry in flight without blocking anyone else, runs the registered
     * resources' close actions and the release once, and every concurrent close returns after it is complete.
     */
    @Test
    void lifecycleCloseWaitsForEntriesAndAllClosersReturnAfterIt() throws Exception {
        AtomicInteger released = new AtomicInteger();
        AtomicInteger resource = new AtomicInteger();
        Lifecycle l = new Lifecycle("test", released::incrementAndGet);
        l.register("r", resource::incrementAndGet);
        l.enter();
        Thread[] closers = new Thread[3];
        for (int i = 0; i < closers.length; i++) {
            closers[i] = new Thread(() -> l.close(null));
            closers[i].start();
        }
        while (!l.isClosing()) {
            Thread.onSpinWait();
        }
        for (Thread c : closers) {
            while (c.getState() != Thread.State.WAITING && c.getState() != Thread.State.TIMED_WAITING) {
                Thread.onSpinWait();
            }
        }
        assertFalse(l.tryEnter(), "no entry once closing");
        assertThrows(ClosedFileSystemException.class, l::enter);
        assertThrows(java.nio.channels.AsynchronousCloseException.class, l::enterChannel);
        assertThrows(ClosedFileSystemException.class, () -> l.register("late", () -> { }));
        assertEquals(0, released.get(), "nothing released while an entry is in flight");
        assertEquals(0, resource.get());
        for (Thread c : closers) {
            assertTrue(c.isAlive());
        }
        l.exit();
        for (Thread c : closers) {
            c.join();
        }
        assertEquals(1, released.get());
        assertEquals(1, resource.get());
        l.close(null);
        assertEquals(1, released.get());
    }
}
