package io.github.famfs.pcq;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.famfs.testing.ChildJvm;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A producer in another JVM and a consumer in this one, on one image, in both coherence modes: every message
 * arrives once, in order, with its own payload, through a queue much smaller than the message count (so both
 * sides wait on full and empty and the indices wrap many times).
 */
class PcqTwoProcessTest {
    static final int MESSAGES = 20_000;
    @TempDir
    Path tmp;

    /** The payload of message {@code seq}: its seq, then bytes derived from it. */
    static ByteBuffer payload(long seq, int size) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(0, seq);
        for (int i = 8; i < size; i++) {
            b.put(i, (byte) (seq * 31 + i));
        }
        return b;
    }

    /** Child: IMG COHERENCE: puts MESSAGES messages into /q. */
    public static final class Producer {
        public static void main(String[] args) throws Exception {
            try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + args[0]),
                    Map.of("systemUuid", PcqTest.MASTER, "coherence", args[1]));
                    PcqQueue q = PcqQueue.open(fs.getPath("/q"), PcqQueue.Role.PRODUCER)) {
                for (long i = 0; i < MESSAGES; i++) {
                    long seq = q.put(payload(i, q.payloadSize()));
                    if (seq != i) {
                        throw new AssertionError("put " + i + " got seq " + seq);
                    }
                }
                System.out.println("produced " + MESSAGES + " nfull=" + q.fullCount());
            }
        }
    }

    private void run(String coherence) throws Exception {
        Path img = tmp.resolve(coherence + ".img");
        try (FileSystem fs = PcqTest.fresh(img, coherence)) {
            PcqQueue.create(fs.getPath("/q"), 16, 256);
            CompletableFuture<ChildJvm.Result> child = CompletableFuture.supplyAsync(() -> {
                try {
                    return ChildJvm.run(Producer.class, 300, img.toString(), coherence);
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (PcqQueue q = PcqQueue.open(fs.getPath("/q"), PcqQueue.Role.CONSUMER)) {
                ByteBuffer got = ByteBuffer.allocate(q.payloadSize());
                for (long i = 0; i < MESSAGES; i++) {
                    long seq = -1;
                    while (seq < 0) {
                        seq = q.poll(got.clear());
                        if (seq < 0 && child.isDone()) {
                            throw new AssertionError("the producer ended before message " + i + ": "
                                    + child.get().describe());
                        }
                    }
                    assertEquals(i, seq);
                    assertEquals(payload(i, q.payloadSize()), got.flip(), "payload of message " + i);
                }
                ChildJvm.Result r = child.get();
                assertEquals(0, r.exitCode(), r::describe);
                PcqStatus s = q.status();
                assertEquals(MESSAGES, s.producerNextSeq());
                assertEquals(MESSAGES, s.consumerNextSeq());
                assertEquals(0, q.retryCount());
            }
        }
    }

    @Test
    void hardwareCoherence() throws Exception {
        run("hardware");
    }

    @Test
    void softwareCoherence() throws Exception {
        run("software");
    }
}
