package io.github.famfs.pcq;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.famfs.testing.ReferenceImages;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.AsynchronousCloseException;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The pcq queue (famfs-format.md §13) against the reference: its image read by the Java consumer, the Java
 * producer's and consumer's bytes compared with what the reference wrote for the same steps, and the edges (full,
 * empty, wrap-around, corrupted buckets, hostile headers, blocking, close).
 */
class PcqTest {
    static final String MASTER = "00112233-4455-6677-8899-aabbccddeeff";
    @TempDir
    Path tmp;

    /** A writable copy of the reference's pcq.img, opened as its master. */
    private FileSystem reference() throws IOException {
        JsonObject m = ReferenceImages.manifest("pcq");
        Path copy = tmp.resolve("pcq.img");
        ReferenceImages.writableCopy("pcq", copy);
        String master = m.getAsJsonObject("superblock").get("system_uuid").getAsString();
        return FileSystems.newFileSystem(URI.create("famfs:" + copy), Map.of("systemUuid", master));
    }

    static FileSystem fresh(Path img, String coherence) throws IOException {
        return FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("create", "true", "deviceSize", "64M",
                "systemUuid", MASTER, "coherence", coherence));
    }

    private static JsonObject queue(String name) {
        for (JsonElement q : ReferenceImages.array(ReferenceImages.manifest("pcq").getAsJsonObject("pcq"),
                "queues")) {
            if (q.getAsJsonObject().get("name").getAsString().equals(name)) {
                return q.getAsJsonObject();
            }
        }
        throw new AssertionError(name);
    }

    @Test
    void theJavaConsumerReadsWhatTheReferenceProducerWrote() throws Exception {
        try (FileSystem fs = reference()) {
            for (String name : new String[] {"pcq/qa", "pcq/qb", "pcq/qc"}) {
                JsonObject q = queue(name);
                Path p = fs.getPath("/" + name);
                try (PcqQueue reader = PcqQueue.open(p, PcqQueue.Role.READER)) {
                    PcqStatus s = reader.status();
                    assertEquals(q.get("nbuckets").getAsLong(), s.nbuckets(), name);
                    assertEquals(q.get("bucket_size").getAsLong(), s.bucketSize(), name);
                    assertEquals(q.get("producer_index").getAsLong(), s.producerIndex(), name);
                    assertEquals(q.get("consumer_index").getAsLong(), s.consumerIndex(), name);
                    assertEquals(q.get("producer_next_seq").getAsLong(), s.producerNextSeq(), name);
                    assertEquals(q.get("consumer_next_seq").getAsLong(), s.consumerNextSeq(), name);
                    assertEquals(q.get("nmessages").getAsLong(), s.messages(), name);
                    assertEquals(q.get("full").getAsBoolean(), s.isFull(), name);
                    assertThrows(IllegalStateException.class, () -> reader.poll(ByteBuffer.allocate(4096)));
                }
                try (PcqQueue c = PcqQueue.open(p, PcqQueue.Role.CONSUMER)) {
                    ByteBuffer payload = ByteBuffer.allocate(c.payloadSize());
                    for (JsonElement e : ReferenceImages.array(q, "messages")) {
                        JsonObject msg = e.getAsJsonObject();
                        assertEquals(msg.get("seq").getAsLong(), c.poll(payload.clear()), name);
                        assertEquals(msg.get("payload_sha256").getAsString(), ReferenceImages.sha256(payload.array()),
                                name + " seq " + msg.get("seq"));
                    }
                    assertEquals(-1, c.poll(payload.clear()), name + " is drained");
                    assertEquals(0, c.retryCount());
                    PcqStatus s = c.status();
                    assertTrue(s.isEmpty());
                    assertEquals(q.get("producer_next_seq").getAsLong(), s.consumerNextSeq());
                }
            }
        }
    }

    /** Reference queue NAME's files, and Java's made by the same steps in a fresh image. */
    private void sameBytes(FileSystem ref, FileSystem mine, String name) throws IOException {
        for (String f : new String[] {"/" + name, "/" + name + ".consumer"}) {
            byte[] theirs = Files.readAllBytes(ref.getPath(f));
            byte[] ours = Files.readAllBytes(mine.getPath(f));
            assertEquals(theirs.length, ours.length, f);
            for (int i = 0; i < theirs.length; i++) {
                if (theirs[i] != ours[i]) {
                    throw new AssertionError(f + ": byte " + i + " is " + ours[i] + ", the reference's " + theirs[i]);
                }
            }
        }
        assertEquals(Files.getAttribute(ref.getPath("/" + name), "unix:uid"),
                Files.getAttribute(mine.getPath("/" + name), "unix:uid"));
    }

    private static byte[] referencePayload(FileSystem ref, String name, int bucket) throws IOException {
        JsonObject q = queue(name);
        int b = q.get("bucket_size").getAsInt();
        byte[] all = Files.readAllBytes(ref.getPath("/" + name));
        byte[] payload = new byte[b - 16];
        System.arraycopy(all, (2 << 20) + bucket * b, payload, 0, payload.length);
        assertEquals(q.getAsJsonObject("payload").get("sha256").getAsString(), ReferenceImages.sha256(payload));
        return payload;
    }

    private static void put(PcqQueue q, byte[] payload, int n) throws IOException {
        for (int i = 0; i < n; i++) {
            assertTrue(q.offer(ByteBuffer.wrap(payload)) >= 0);
        }
    }

    private static void get(PcqQueue q, int n) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(q.payloadSize());
        for (int i = 0; i < n; i++) {
            assertTrue(q.poll(b.clear()) >= 0);
        }
    }

    @Test
    void theJavaProducerAndConsumerWriteTheReferencesBytes() throws Exception {
        try (FileSystem ref = reference(); FileSystem mine = fresh(tmp.resolve("mine.img"), "hardware")) {
            Files.createDirectory(mine.getPath("/pcq"));
            // qa: create (consumer owned by 1000/1000); produce 7; consume 3
            Path qa = mine.getPath("/pcq/qa");
            PcqQueue.create(qa, 16, 256, io.github.famfs.nio.UnixAttributes.uid(1000),
                    io.github.famfs.nio.UnixAttributes.gid(1000));
            byte[] seed42 = referencePayload(ref, "pcq/qa", 3);
            try (PcqQueue q = PcqQueue.open(qa, PcqQueue.Role.BOTH)) {
                put(q, seed42, 7);
                get(q, 3);
            }
            sameBytes(ref, mine, "pcq/qa");
            assertEquals(1000, Files.getAttribute(mine.getPath("/pcq/qa.consumer"), "unix:uid"));
            // qb: wraps around
            Path qb = mine.getPath("/pcq/qb");
            PcqQueue.create(qb, 8, 128);
            byte[] seed7 = referencePayload(ref, "pcq/qb", 0);
            try (PcqQueue q = PcqQueue.open(qb, PcqQueue.Role.BOTH)) {
                put(q, seed7, 7);
                get(q, 5);
                put(q, seed7, 4);
                get(q, 1);
            }
            sameBytes(ref, mine, "pcq/qb");
            // qc: full at 3 of 4 buckets, zero payloads
            Path qc = mine.getPath("/pcq/qc");
            PcqQueue.create(qc, 4, 64);
            try (PcqQueue q = PcqQueue.open(qc, PcqQueue.Role.PRODUCER)) {
                put(q, new byte[0], 3);
                assertEquals(-1, q.offer(ByteBuffer.allocate(0)), "full: capacity nbuckets - 1");
                assertEquals(1, q.fullCount());
            }
            sameBytes(ref, mine, "pcq/qc");
        }
    }

    @Test
    void bucketsAreLaidOutAsSection13Says() throws Exception {
        try (FileSystem fs = fresh(tmp.resolve("layout.img"), "software")) {
            Path p = fs.getPath("/q");
            PcqQueue.create(p, 4, 128);
            byte[] payload = "hello, famfs".getBytes();
            try (PcqQueue q = PcqQueue.open(p, PcqQueue.Role.PRODUCER)) {
                assertEquals(0, q.put(ByteBuffer.wrap(payload)));
                assertEquals(1, q.put(ByteBuffer.wrap(payload)));
            }
            ByteBuffer f = ByteBuffer.wrap(Files.readAllBytes(p)).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals((2 << 20) + 4 * 128, f.capacity());
            assertEquals(0x0BEEBEE3L, f.getLong(0));
            assertEquals(4, f.getLong(8));
            assertEquals(128, f.getLong(16));
            assertEquals(2 << 20, f.getLong(24));
            assertEquals(2, f.getLong(32), "producer_index");
            assertEquals(2, f.getLong(1064), "next_seq");
            assertEquals((2 << 20) + 4 * 128, f.getLong(1072), "pcq_size");
            for (int b = 0; b < 2; b++) {
                int at = (2 << 20) + b * 128;
                byte[] bucket = new byte[128];
                f.get(at, bucket);
                byte[] expect = new byte[112];
                System.arraycopy(payload, 0, expect, 0, payload.length);
                assertArrayEquals(expect, java.util.Arrays.copyOf(bucket, 112));
                assertEquals(b, f.getLong(at + 112), "seq");
                CRC32 crc = new CRC32();
                crc.update(bucket, 0, 120);
                assertEquals(crc.getValue(), f.getLong(at + 120), "CRC over [0, B-8), zero-extended");
            }
            ByteBuffer c = ByteBuffer.wrap(Files.readAllBytes(PcqQueue.consumerPath(p))).order(ByteOrder.LITTLE_ENDIAN);
            assertEquals(2 << 20, c.capacity());
            assertEquals(0x0BEEBEE4, c.getInt(0));
            assertEquals(0, c.getInt(4));
            assertEquals(0, c.getLong(8));
            assertEquals(0, c.getLong(1_048_592));
            assertEquals(2 << 20, c.getLong(1_048_600));
            assertEquals(0644, (int) Files.getAttribute(p, "unix:mode") & 0777);
            assertEquals(0, Files.getAttribute(p, "unix:uid"));
        }
    }

    @Test
    void createRefusesWhatTheReferenceWouldBreakOn() throws Exception {
        try (FileSystem fs = fresh(tmp.resolve("refuse.img"), "hardware")) {
            Path p = fs.getPath("/q");
            assertEquals("bucket_size 100 must be a power of 2 of at least 16 (8 bytes of seq and 8 of CRC)",
                    assertThrows(IllegalArgumentException.class, () -> PcqQueue.create(p, 4, 100)).getMessage());
            assertThrows(IllegalArgumentException.class, () -> PcqQueue.create(p, 4, 8));
            assertThrows(IllegalArgumentException.class, () -> PcqQueue.create(p, 1, 64));
            assertThrows(IllegalArgumentException.class, () -> PcqQueue.create(p, 1L << 40, 1L << 20));
            assertFalse(Files.exists(p));
            PcqQueue.create(p, 4, 64);
            assertThrows(FileAlreadyExistsException.class, () -> PcqQueue.create(p, 4, 64));
            Files.write(fs.getPath("/plain"), new byte[100]);
            Files.write(fs.getPath("/plain.consumer"), new byte[100]);
            assertTrue(assertThrows(PcqException.class, () -> PcqQueue.open(fs.getPath("/plain"),
                    PcqQueue.Role.CONSUMER)).getMessage().contains("pcq bad magic"));
        }
    }

    /** Runs {@code call} in a new thread; its result or exception lands in {@code got}. */
    private static Thread background(java.util.concurrent.Callable<?> call, AtomicReference<Object> got) {
        Thread t = new Thread(() -> {
            try {
                got.set(call.call());
            } catch (Exception e) {
                got.set(e);
            }
        });
        t.start();
        return t;
    }

    /** Spins until {@code count} reaches {@code n} (a waiting thread counts its wait). */
    private static void await(java.util.function.LongSupplier count, long n) {
        while (count.getAsLong() < n) {
            Thread.onSpinWait();
        }
    }

    @Test
    void emptyFullWaitCloseAndInterrupt() throws Exception {
        try (FileSystem fs = fresh(tmp.resolve("wait.img"), "hardware")) {
            Path p = fs.getPath("/q");
            PcqQueue.create(p, 3, 64);
            try (PcqQueue prod = PcqQueue.open(p, PcqQueue.Role.PRODUCER);
                    PcqQueue cons = PcqQueue.open(p, PcqQueue.Role.CONSUMER)) {
                ByteBuffer dst = ByteBuffer.allocate(48);
                assertEquals(-1, cons.poll(dst));
                assertEquals(0, cons.drain());
                AtomicReference<Object> got = new AtomicReference<>();
                Thread t = background(() -> cons.take(ByteBuffer.allocate(48)), got);
                await(cons::emptyCount, 2);
                prod.put(ByteBuffer.wrap(new byte[] {7}));
                t.join(60_000);
                assertEquals(0L, got.get(), "the waiting take got the put");
                prod.put(ByteBuffer.allocate(0));
                prod.put(ByteBuffer.allocate(0));
                assertEquals(-1, prod.offer(ByteBuffer.allocate(0)));
                // a put waiting on a full queue ends when its queue is closed
                Thread w = background(() -> prod.put(ByteBuffer.allocate(0)), got);
                await(prod::fullCount, 2);
                prod.close();
                w.join(60_000);
                assertTrue(got.get() instanceof AsynchronousCloseException, String.valueOf(got.get()));
                assertEquals(2, cons.drain());
                Thread i = background(() -> cons.take(ByteBuffer.allocate(48)), got);
                await(cons::emptyCount, 4);
                i.interrupt();
                i.join(60_000);
                assertTrue(got.get() instanceof InterruptedException, String.valueOf(got.get()));
                assertThrows(IllegalArgumentException.class, () -> cons.poll(ByteBuffer.allocate(47)));
            }
        }
    }

    @Test
    void aWaitingTakeEndsWhenItsFileSystemCloses() throws Exception {
        FileSystem fs = fresh(tmp.resolve("fsclose.img"), "hardware");
        Path p = fs.getPath("/q");
        PcqQueue.create(p, 3, 64);
        try (PcqQueue cons = PcqQueue.open(p, PcqQueue.Role.CONSUMER)) {
            AtomicReference<Object> got = new AtomicReference<>();
            Thread t = background(() -> cons.take(ByteBuffer.allocate(48)), got);
            await(cons::emptyCount, 1);
            fs.close();
            t.join(60_000);
            assertTrue(got.get() instanceof PcqException pe
                    && pe.getCause() instanceof java.nio.file.ClosedFileSystemException, String.valueOf(got.get()));
            assertThrows(PcqException.class, () -> cons.poll(ByteBuffer.allocate(48)));
        } finally {
            fs.close();
        }
    }

    /** Writes {@code bytes} at file offset {@code at} of {@code p}. */
    private static void poke(Path p, long at, byte[] bytes) throws IOException {
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(bytes), at);
        }
    }

    @Test
    void aCorruptedBucketIsRetriedThenRefusedAndTheQueueIsLeftAsItWas() throws Exception {
        try (FileSystem fs = fresh(tmp.resolve("corrupt.img"), "software")) {
            Path p = fs.getPath("/q");
            PcqQueue.create(p, 4, 64);
            try (PcqQueue q = PcqQueue.open(p, PcqQueue.Role.BOTH)) {
                q.put(ByteBuffer.wrap(new byte[] {1, 2, 3}));
                q.put(ByteBuffer.wrap(new byte[] {4, 5, 6}));
                long bucket0 = 2 << 20;
                poke(p, bucket0 + 1, new byte[] {99});
                PcqException e = assertThrows(PcqException.class, () -> q.poll(ByteBuffer.allocate(48)));
                assertTrue(e.getMessage().contains("bad message in bucket 0: bad crc"), e.getMessage());
                assertTrue(e.getMessage().contains("after 2 retries"), e.getMessage());
                assertEquals(1, q.retryCount());
                PcqStatus s = q.status();
                assertEquals(0, s.consumerIndex());
                assertEquals(0, s.consumerNextSeq(), "unlike the reference, next_seq is not advanced on a failure");
                poke(p, bucket0 + 1, new byte[] {2}); // the right bytes arrive
                ByteBuffer dst = ByteBuffer.allocate(48);
                assertEquals(0, q.poll(dst));
                assertEquals(2, dst.get(1));
                // a valid CRC over the wrong seq: the previous lap's message
                long bucket1 = bucket0 + 64;
                byte[] b = Files.readAllBytes(p);
                ByteBuffer stale = ByteBuffer.wrap(b, (int) bucket1, 64).slice().order(ByteOrder.LITTLE_ENDIAN);
                stale.putLong(48, 77);
                CRC32 crc = new CRC32();
                crc.update(b, (int) bucket1, 56);
                stale.putLong(56, crc.getValue());
                poke(p, bucket1, java.util.Arrays.copyOfRange(b, (int) bucket1, (int) bucket1 + 64));
                e = assertThrows(PcqException.class, () -> q.poll(ByteBuffer.allocate(48)));
                assertTrue(e.getMessage().contains("seq mismatch 77 / 1"), e.getMessage());
                // an index another host wrote as nonsense is refused, never followed
                poke(p, 32, new byte[] {(byte) 0xff, 0, 0, 0, 0, 0, 0, 0x10});
                e = assertThrows(PcqException.class, () -> q.poll(ByteBuffer.allocate(48)));
                assertTrue(e.getMessage().contains("pcq invalid producer_index"), e.getMessage());
                assertThrows(PcqException.class, () -> q.offer(ByteBuffer.allocate(1)));
            }
            assertThrows(PcqException.class, () -> PcqQueue.open(p, PcqQueue.Role.READER));
            // hostile geometry: buckets past the file, a bucket size that is no power of two, an overflowing count
            for (long[] bad : new long[][] {{8, 1L << 62}, {16, 100}, {24, 1L << 40}, {8, -1}}) {
                PcqQueue.create(fs.getPath("/h" + bad[0] + "-" + bad[1]), 4, 64);
                Path h = fs.getPath("/h" + bad[0] + "-" + bad[1]);
                ByteBuffer v = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, bad[1]);
                poke(h, bad[0], v.array());
                PcqException g = assertThrows(PcqException.class, () -> PcqQueue.open(h, PcqQueue.Role.BOTH));
                assertTrue(g.getMessage().contains("pcq geometry"), g.getMessage());
            }
        }
    }
}
