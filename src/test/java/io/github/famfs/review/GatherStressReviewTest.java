package io.github.famfs.review;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.nio.FamfsFsck;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review of GatheringOutputStream (f-copy), no defect found: 40 threads' streams at once (more than the staging
 * buffers they may hold, so some go ungathered) under hardware and software coherence, writes of mixed sizes
 * (zero, one byte, across and above 1 MiB, odd offsets), each source array overwritten once its write returned,
 * the writing thread interrupted before a fifth of the writes; and four threads writing one stream racing its
 * close: every file holds exactly its bytes, in order, for the master and a client.
 */
class GatherStressReviewTest {
    private static final String MASTER = "00112233-4455-6677-8899-aabbccddeeff";
    @TempDir
    Path tmp;

    @Test
    void manyThreadsMixedWritesMutatedArraysInterrupts() throws Exception {
        for (String coh : new String[] {"hardware", "software"}) {
            Path img = tmp.resolve(coh + ".img");
            Map<String, byte[]> expect = new ConcurrentHashMap<>();
            try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img),
                    Map.of("create", "true", "deviceSize", "4G", "systemUuid", MASTER, "coherence", coh))) {
                ExecutorService ex = Executors.newFixedThreadPool(40);
                List<Future<?>> fs2 = new ArrayList<>();
                for (int t = 0; t < 40; t++) {
                    int tt = t;
                    fs2.add(ex.submit(() -> {
                        Random rnd = new Random(tt * 31 + coh.length());
                        for (int f = 0; f < 4; f++) {
                            int len = 1 + rnd.nextInt(rnd.nextBoolean() ? 3 << 20 : 20_000);
                            byte[] data = new byte[len];
                            rnd.nextBytes(data);
                            String name = "/t" + tt + "-" + f;
                            try (OutputStream out = Files.newOutputStream(fs.getPath(name))) {
                                int at = 0;
                                while (at < len) {
                                    int k = switch (rnd.nextInt(6)) {
                                        case 0 -> 1;
                                        case 1 -> 0;
                                        case 2 -> 8192;
                                        case 3 -> (1 << 20) - rnd.nextInt(3) + rnd.nextInt(3);
                                        case 4 -> 1 + rnd.nextInt(1 << 21);
                                        default -> 1 + rnd.nextInt(70_000);
                                    };
                                    k = Math.min(k, len - at);
                                    if (rnd.nextInt(5) == 0) {
                                        Thread.currentThread().interrupt();
                                    }
                                    if (k == 1 && rnd.nextBoolean()) {
                                        out.write(data[at]);
                                    } else {
                                        int pad = rnd.nextInt(7);
                                        byte[] src = new byte[k + pad + 3];
                                        System.arraycopy(data, at, src, pad, k);
                                        out.write(src, pad, k);
                                        Arrays.fill(src, (byte) 0x5a); // mutated after the write returned
                                    }
                                    at += k;
                                    if (rnd.nextInt(13) == 0) {
                                        out.flush();
                                    }
                                }
                            }
                            Thread.interrupted();
                            expect.put(name, data);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : fs2) {
                    f.get();
                }
                ex.shutdown();
                for (Map.Entry<String, byte[]> e : expect.entrySet()) {
                    assertArrayEquals(e.getValue(), Files.readAllBytes(fs.getPath(e.getKey())), e.getKey());
                }
                assertTrue(FamfsFsck.check(fs).isClean());
            }
            try (FileSystem c = FileSystems.newFileSystem(URI.create("famfs:" + img),
                    Map.of("systemUuid", "00112233-4455-6677-8899-aabbccddee01"))) {
                for (Map.Entry<String, byte[]> e : expect.entrySet()) {
                    assertArrayEquals(e.getValue(), Files.readAllBytes(c.getPath(e.getKey())), e.getKey());
                }
            }
        }
    }

    /** Writers on one stream racing its close: every write that returned is in the file, whole; nothing else. */
    @Test
    void sharedStreamRacingClose() throws Exception {
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + tmp.resolve("s.img")),
                Map.of("create", "true", "deviceSize", "2G", "systemUuid", MASTER))) {
            for (int round = 0; round < 30; round++) {
                Path p = fs.getPath("/s" + round);
                OutputStream out = Files.newOutputStream(p);
                out.write(0x7f);
                List<byte[]> done = Collections.synchronizedList(new ArrayList<>());
                AtomicInteger tags = new AtomicInteger(1);
                CountDownLatch go = new CountDownLatch(1);
                List<Thread> ts = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    Thread th = new Thread(() -> {
                        Random rnd = new Random();
                        try {
                            go.await();
                            while (true) {
                                int tag = tags.getAndIncrement();
                                int len = 8 + rnd.nextInt(rnd.nextBoolean() ? 9000 : 1_500_000);
                                byte[] b = new byte[len];
                                ByteBuffer.wrap(b).putInt(tag).putInt(len);
                                for (int i = 8; i < len; i++) b[i] = (byte) (tag * 7 + i);
                                out.write(b);
                                done.add(b);
                            }
                        } catch (ClosedChannelException expected) {
                        } catch (Exception e) {
                            e.printStackTrace();
                            done.add(null);
                        }
                    });
                    th.start();
                    ts.add(th);
                }
                go.countDown();
                Thread.sleep(new Random().nextInt(30));
                out.close();
                for (Thread t : ts) t.join();
                assertFalse(done.contains(null));
                byte[] got = Files.readAllBytes(p);
                long want = 1;
                for (byte[] b : done) want += b.length;
                assertEquals(want, got.length, "round " + round);
                ByteBuffer bb = ByteBuffer.wrap(got);
                assertEquals(0x7f, bb.get());
                Map<Integer, byte[]> byTag = new HashMap<>();
                for (byte[] b : done) byTag.put(ByteBuffer.wrap(b).getInt(), b);
                while (bb.hasRemaining()) {
                    int tag = bb.getInt(bb.position());
                    byte[] b = byTag.remove(tag);
                    assertNotNull(b, "unknown tag " + tag);
                    byte[] g = new byte[b.length];
                    bb.get(g);
                    assertArrayEquals(b, g);
                }
                assertTrue(byTag.isEmpty());
            }
            assertTrue(FamfsFsck.check(fs).isClean());
        }
    }
}
