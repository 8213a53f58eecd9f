package io.github.famfs;

import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.nio.FamfsFileSystemProvider;
import java.nio.ByteBuffer;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.CompletionHandler;
import java.nio.channels.NonReadableChannelException;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AsynchronousFileChannel on famfs: writes through one publish a new file, reads through futures and completion
 * handlers return its bytes, and each misuse gets the exception the JDK's default provider gives (compared on a
 * temporary directory side by side).
 */
class AsyncChannelTest {
    private static final String MASTER = "00112233-4455-6677-8899-aabbccddeeff";

    @TempDir
    Path tmp;

    private FileSystem master() throws Exception {
        return FileSystems.newFileSystem(FamfsFileSystemProvider.uri(tmp.resolve("async.img")),
                Map.of("create", "true", "deviceSize", "64M", "systemUuid", MASTER));
    }

    @Test
    void writeThenReadWithFuturesAndHandlers() throws Exception {
        byte[] data = new byte[3 << 20];
        new Random(7).nextBytes(data);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try (FileSystem fs = master()) {
            Path p = fs.getPath("/async.bin");
            try (AsynchronousFileChannel ch = AsynchronousFileChannel.open(p, Set.of(WRITE, CREATE_NEW), pool)) {
                int half = data.length / 2;
                int a = ch.write(ByteBuffer.wrap(data, 0, half), 0).get(10, TimeUnit.SECONDS);
                CompletableFuture<Integer> b = new CompletableFuture<>();
                ch.write(ByteBuffer.wrap(data, half, data.length - half), half, "att", handler(b, "att"));
                assertEquals(half, a);
                assertEquals(data.length - half, b.get(10, TimeUnit.SECONDS));
            }
            assertArrayEquals(data, Files.readAllBytes(p), "published by closing the asynchronous channel");
            try (AsynchronousFileChannel ch = AsynchronousFileChannel.open(p, READ)) {
                assertEquals(data.length, ch.size());
                ByteBuffer all = ByteBuffer.allocate(data.length);
                while (all.hasRemaining()) {
                    int n = ch.read(all, all.position()).get(10, TimeUnit.SECONDS);
                    assertTrue(n > 0);
                }
                assertArrayEquals(data, all.array());
                CompletableFuture<Integer> end = new CompletableFuture<>();
                ch.read(ByteBuffer.allocate(10), data.length, null, handler(end, null));
                assertEquals(-1, end.get(10, TimeUnit.SECONDS), "a read at the end gives -1");
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static <A> CompletionHandler<Integer, A> handler(CompletableFuture<Integer> f, A expected) {
        return new CompletionHandler<>() {
            @Override
            public void completed(Integer result, A attachment) {
                if (attachment != expected) {
                    f.completeExceptionally(new AssertionError("attachment " + attachment));
                }
                f.complete(result);
            }

            @Override
            public void failed(Throwable exc, A attachment) {
                f.completeExceptionally(exc);
            }
        };
    }

    /** The same misuses on the default provider and on famfs: the same exception types. */
    @Test
    void misusesAsTheDefaultProvider() throws Exception {
        Path local = Files.write(tmp.resolve("local.bin"), new byte[100]);
        try (FileSystem fs = master()) {
            Path famfs = fs.getPath("/f.bin");
            Files.write(famfs, new byte[100]);
            for (Path p : List.of(local, famfs)) {
                String on = p.getFileSystem() == fs ? "famfs" : "default";
                assertThrows(UnsupportedOperationException.class, () -> AsynchronousFileChannel.open(p,
                        java.nio.file.StandardOpenOption.APPEND), on);
                try (AsynchronousFileChannel r = AsynchronousFileChannel.open(p, READ)) {
                    assertThrows(NonWritableChannelException.class, () -> r.write(ByteBuffer.allocate(1), 0), on);
                    assertThrows(NonWritableChannelException.class, () -> r.lock(), on);
                    assertThrows(IllegalArgumentException.class, () -> r.read(ByteBuffer.allocate(1).asReadOnlyBuffer(),
                            0), on);
                    assertThrows(IllegalArgumentException.class, () -> r.read(ByteBuffer.allocate(1), -1), on);
                    r.close();
                    assertFalse(r.isOpen(), on);
                    ExecutionException e = assertThrows(ExecutionException.class,
                            () -> r.read(ByteBuffer.allocate(1), 0).get(10, TimeUnit.SECONDS), on);
                    assertInstanceOf(ClosedChannelException.class, e.getCause(), on);
                    CompletableFuture<Integer> f = new CompletableFuture<>();
                    r.read(ByteBuffer.allocate(1), 0, null, handler(f, null));
                    ExecutionException h = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS), on);
                    assertInstanceOf(ClosedChannelException.class, h.getCause(), on);
                    assertThrows(ClosedChannelException.class, r::size, on);
                }
                try (AsynchronousFileChannel w = AsynchronousFileChannel.open(p, WRITE)) {
                    assertThrows(NonReadableChannelException.class, () -> w.read(ByteBuffer.allocate(1), 0), on);
                    assertThrows(NonReadableChannelException.class, () -> w.lock(0, 1, true), on);
                }
            }
        }
    }
}
