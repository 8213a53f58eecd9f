package io.github.famfs.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.ClosedByInterruptException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLockInterruptionException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The device's writes through an image file ignore interrupts (pwrite on its descriptor); its in-kernel transfer
 * channel, which the JDK closes on an interrupt, is opened again for the next caller; and a wait for another
 * process's flock on a mount's log ends on an interrupt.
 */
class DeviceInterruptTest {
    @TempDir
    Path tmp;

    private static Throwable inInterruptedThread(ThrowingRunnable body) throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread t = new Thread(() -> {
            Thread.currentThread().interrupt();
            try {
                body.run();
            } catch (Throwable e) {
                thrown.set(e);
            }
            if (!Thread.currentThread().isInterrupted()) {
                thrown.set(new AssertionError("the interrupt status was cleared", thrown.get()));
            }
        });
        t.start();
        t.join(60_000);
        assertFalse(t.isAlive());
        return thrown.get();
    }

    interface ThrowingRunnable {
        void run() throws Exception;
    }

    @Test
    void imageWritesIgnoreInterruptsAndTransfersRecover() throws Exception {
        Path img = tmp.resolve("img");
        try (FileChannel f = FileChannel.open(img, java.nio.file.StandardOpenOption.CREATE_NEW,
                java.nio.file.StandardOpenOption.WRITE)) {
            f.write(ByteBuffer.allocate(1), (8 << 20) - 1);
        }
        byte[] data = new byte[1 << 20];
        new java.util.Random(3).nextBytes(data);
        Path src = Files.write(tmp.resolve("src"), data);
        try (Device d = Device.open(DeviceInfo.probe(img), true)) {
            assertTrue(d.writesThroughFile());
            d.acquire();
            try {
                // heap, read-only heap and direct buffers, each from an interrupted thread: written, no exception
                assertEquals(null, inInterruptedThread(() -> d.writeThroughFile(ByteBuffer.wrap(data), 0)));
                assertEquals(null, inInterruptedThread(() -> d.writeThroughFile(
                        ByteBuffer.wrap(data).asReadOnlyBuffer(), 1 << 20)));
                ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).flip();
                assertEquals(null, inInterruptedThread(() -> d.writeThroughFile(direct, 2 << 20)));
                for (int i = 0; i < 3; i++) {
                    byte[] got = new byte[data.length];
                    d.slice((long) i << 20, data.length).get(got);
                    assertArrayEquals(data, got, "piece " + i);
                }
                try (FileChannel in = FileChannel.open(src)) {
                    assertInstanceOf(ClosedByInterruptException.class, inInterruptedThread(
                            () -> d.transferThroughFile(in, 0, 4 << 20, data.length)));
                }
                try (FileChannel in = FileChannel.open(src)) {
                    assertEquals(data.length, d.transferThroughFile(in, 0, 5 << 20, data.length));
                }
                byte[] got = new byte[data.length];
                d.slice(5 << 20, data.length).get(got);
                assertArrayEquals(data, got, "the transfer after an interrupted one");
            } finally {
                d.release();
            }
        }
    }

    @Test
    void aWaitForAMountLogLockEndsOnAnInterrupt() throws Exception {
        Path log = Files.createFile(tmp.resolve(".log"));
        Process holder = new ProcessBuilder("flock", log.toString(), "sleep", "30").start();
        try {
            for (int i = 0; i < 100 && new ProcessBuilder("flock", "-n", log.toString(), "true").start()
                    .waitFor() == 0; i++) {
                Thread.sleep(50);
            }
            assertInstanceOf(FileLockInterruptionException.class, inInterruptedThread(
                    () -> KernelMounts.FileLock.exclusive(log, () -> false).close()));
        } finally {
            holder.descendants().forEach(ProcessHandle::destroy);
            holder.destroy();
            holder.waitFor(30, TimeUnit.SECONDS);
        }
    }
}
