package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.nio.FamfsFsck;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A thread interrupted while it writes a new file: as with the JDK's default provider its channel closes and it
 * gets {@link ClosedByInterruptException} (its interrupt status stays set); the file is not published, its
 * space and name are free again, and every other thread goes on writing.
 */
class InterruptTest {
    private static final String MASTER = "1e7e0000-0000-4000-8000-0000000000f2";
    @TempDir
    Path tmp;

    private FileSystem create(Path img) throws Exception {
        return FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("create", "true", "deviceSize", "64M",
                "systemUuid", MASTER));
    }

    /** What {@code body} threw in a thread interrupted before it began, and whether it was still interrupted. */
    private static Object[] inInterruptedThread(Callable<?> body) throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        boolean[] stillInterrupted = {false};
        Thread t = new Thread(() -> {
            Thread.currentThread().interrupt();
            try {
                body.call();
            } catch (Throwable e) {
                thrown.set(e);
            }
            stillInterrupted[0] = Thread.currentThread().isInterrupted();
        });
        t.start();
        t.join(60_000);
        assertFalse(t.isAlive());
        return new Object[] {thrown.get(), stillInterrupted[0]};
    }

    /** Files.write goes through a stream: not interruptible on the default provider, nor here. */
    @Test
    void anInterruptedFilesWriteCompletesAsOnTheDefaultProvider() throws Exception {
        Path plain = tmp.resolve("plain");
        Object[] jdk = inInterruptedThread(() -> Files.write(plain, new byte[100]));
        assertEquals(null, jdk[0], "the default provider (reference)");
        try (FileSystem fs = create(tmp.resolve("a.img"))) {
            Object[] famfs = inInterruptedThread(() -> Files.write(fs.getPath("/f"), new byte[100]));
            assertEquals(null, famfs[0]);
            assertTrue((Boolean) famfs[1], "the interrupt status stays set");
            assertEquals(100, Files.size(fs.getPath("/f")));
        }
    }

    /** A channel's write is interruptible on the default provider, and here. */
    @Test
    void anInterruptedChannelWriteFailsAsOnTheDefaultProviderAndPublishesNothing() throws Exception {
        Object[] jdk = inInterruptedThread(() -> writeByChannel(tmp.resolve("plain")));
        assertInstanceOf(ClosedByInterruptException.class, jdk[0], "the default provider (reference)");
        assertTrue((Boolean) jdk[1]);

        try (FileSystem fs = create(tmp.resolve("a.img"))) {
            long free = Files.getFileStore(fs.getPath("/")).getUnallocatedSpace();
            Object[] famfs = inInterruptedThread(() -> writeByChannel(fs.getPath("/f")));
            ClosedByInterruptException e = assertInstanceOf(ClosedByInterruptException.class, famfs[0]);
            assertTrue(e.getMessage().contains("/f: not published"), e.getMessage());
            assertTrue((Boolean) famfs[1], "the interrupt status stays set");
            assertFalse(Files.exists(fs.getPath("/f")));
            assertEquals(free, Files.getFileStore(fs.getPath("/")).getUnallocatedSpace(), "its space is back");
            Files.write(fs.getPath("/f"), new byte[] {7, 8}); // and its name
            assertArrayEquals(new byte[] {7, 8}, Files.readAllBytes(fs.getPath("/f")));
            assertTrue(FamfsFsck.check(fs).isClean());
        }
    }

    private static Object writeByChannel(Path p) throws Exception {
        try (java.nio.channels.SeekableByteChannel ch = Files.newByteChannel(p, StandardOpenOption.CREATE_NEW,
                StandardOpenOption.WRITE)) {
            return ch.write(ByteBuffer.wrap(new byte[100]));
        }
    }

    @Test
    void aChannelWhoseThreadIsInterruptedMidFileClosesAndTheFileIsNotPublished() throws Exception {
        try (FileSystem fs = create(tmp.resolve("a.img"))) {
            Object[] r = inInterruptedThread(() -> {
                FileChannel ch = FileChannel.open(fs.getPath("/g"), StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
                Thread.interrupted();
                ch.write(ByteBuffer.wrap(new byte[5000]));
                Thread.currentThread().interrupt();
                try {
                    ch.write(ByteBuffer.wrap(new byte[10]));
                } finally {
                    assertFalse(ch.isOpen(), "closed by the interrupt, as the JDK's FileChannel");
                    ch.close(); // closing a closed channel does nothing
                }
                return null;
            });
            assertInstanceOf(ClosedByInterruptException.class, r[0]);
            assertFalse(Files.exists(fs.getPath("/g")));
            assertTrue(FamfsFsck.check(fs).isClean());
            assertEquals(0, FamfsFsck.check(fs).logEntries());
        }
    }

    /** The in-kernel copy into an image (FamfsFiles.copy, transferFrom a FileChannel) recovers too. */
    @Test
    void anInterruptedTransferFromAFileLeavesOtherTransfersWorking() throws Exception {
        byte[] data = new byte[3 << 20];
        new java.util.Random(9).nextBytes(data);
        Path src = Files.write(tmp.resolve("src"), data);
        try (FileSystem fs = create(tmp.resolve("a.img"))) {
            Object[] r = inInterruptedThread(() -> io.github.famfs.nio.FamfsFiles.copy(src, fs.getPath("/x")));
            assertInstanceOf(ClosedByInterruptException.class, r[0]);
            assertFalse(Files.exists(fs.getPath("/x")));
            io.github.famfs.nio.FamfsFiles.copy(src, fs.getPath("/y"));
            assertArrayEquals(data, Files.readAllBytes(fs.getPath("/y")));
            try (FileChannel in = FileChannel.open(src); FileChannel out = FileChannel.open(fs.getPath("/z"),
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                assertEquals(data.length, out.transferFrom(in, 0, data.length));
            }
            assertArrayEquals(data, Files.readAllBytes(fs.getPath("/z")));
            assertTrue(FamfsFsck.check(fs).isClean());
        }
    }
}
