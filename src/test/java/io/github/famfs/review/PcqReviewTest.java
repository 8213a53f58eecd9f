package io.github.famfs.review;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.pcq.PcqQueue;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review of issue 10 item 5 (pcq): each test asserts what famfs-format.md §13 or the project rules require and
 * fails on the code at a828dd6.
 */
class PcqReviewTest {
    static final String MASTER = "00112233-4455-6677-8899-aabbccddeeff";
    @TempDir
    Path tmp;

    static FileSystem fresh(Path img) throws IOException {
        return FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("create", "true", "deviceSize", "64M",
                "systemUuid", MASTER));
    }

    /**
     * §13.1: "The mode is 0644 exactly. pcq does not apply the umask to it" (both files). PcqQueue.create passes
     * unix:mode 0644 through the provider, which clears the process's umask bits: under umask 077 the log gets
     * 0600, which the reference never writes.
     */
    @Test
    void createWritesMode0644WhateverTheUmaskAsTheReferenceDoes() throws Exception {
        Path img = tmp.resolve("q.img");
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of("sh", "-c", "umask 077; exec \"$@\"", "sh", java.toString(),
                "-Xmx256m", "-cp", System.getProperty("java.class.path"), CreateQueueMain.class.getName(),
                img.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), new String(out, StandardCharsets.UTF_8));
        try (FileSystem fs = fresh(img)) {
            int producer = (Integer) Files.getAttribute(fs.getPath("/q"), "unix:mode") & 0777;
            int consumer = (Integer) Files.getAttribute(fs.getPath("/q.consumer"), "unix:mode") & 0777;
            assertEquals("644 644", Integer.toOctalString(producer) + " " + Integer.toOctalString(consumer),
                    "modes in the log of a queue created under umask 077");
        }
    }

    /** Child of {@link #createWritesMode0644WhateverTheUmaskAsTheReferenceDoes}: creates /q on a new image. */
    public static final class CreateQueueMain {
        public static void main(String[] args) throws Exception {
            try (FileSystem fs = fresh(Path.of(args[0]))) {
                PcqQueue.create(fs.getPath("/q"), 4, 64);
            }
        }
    }

    /**
     * The lifecycle rule: anything that touches device memory registers with the file system's lifecycle, and
     * close() ends it. A PcqQueue keeps writing the device through its internal mappings after its file system
     * was closed: a put succeeds (and a blocking take on an empty queue would spin for ever).
     */
    @Test
    void aQueueHandleStopsWritingTheDeviceOnceItsFileSystemIsClosed() throws Exception {
        Path img = tmp.resolve("q.img");
        FileSystem fs = fresh(img);
        Path q = fs.getPath("/q");
        PcqQueue.create(q, 4, 64);
        PcqQueue producer = PcqQueue.open(q, PcqQueue.Role.PRODUCER);
        try {
            fs.close();
            byte[] before = Files.readAllBytes(img);
            assertThrows(IOException.class, () -> producer.offer(ByteBuffer.wrap(new byte[] {1, 2, 3})),
                    "put on a queue whose file system is closed");
            assertArrayEquals(before, Files.readAllBytes(img), "the device was written after close()");
        } finally {
            producer.close();
        }
    }

    /**
     * PcqCommand's help says "exit status are the reference's: ... 1 a bad command line" (§13.11: every
     * command-line check exits 1). A number that does not parse ("-b 12q") is a bad command line; famfs pcq exits
     * with picocli's usage status instead.
     */
    @Test
    void aBadNumberOnThePcqCommandLineExitsOneAsTheHelpSays() throws Exception {
        Path img = tmp.resolve("q.img");
        assertEquals(0, R3ContractsTest.famfs("mkfs", "--size", "64M", "--system-uuid", MASTER, img.toString())
                .status());
        R3ContractsTest.Run r = R3ContractsTest.famfs("pcq", "-C", "-b", "12q", "-n", "4", "--system-uuid", MASTER,
                img + ":/q");
        assertEquals(1, r.status(), () -> "famfs pcq -C -b 12q: " + r);
    }

    /**
     * PcqQueue's javadoc: "a failed get leaves the queue as it was". A take into a read-only buffer (room enough, so
     * it passes the size check) fails only after the consumer's next_seq was advanced in the consumer file, with
     * consumer_index left where it was: every later get expects one seq more than the bucket holds and fails its
     * seq check, so the queue is dead for good (the reference's fatal quirk, §13.8 step 6, reached from a
     * caller's mistake).
     */
    @Test
    void aTakeIntoAReadOnlyBufferLeavesTheQueueAsItWas() throws Exception {
        try (FileSystem fs = fresh(tmp.resolve("q.img"))) {
            Path q = fs.getPath("/q");
            PcqQueue.create(q, 4, 64);
            try (PcqQueue both = PcqQueue.open(q, PcqQueue.Role.BOTH)) {
                both.offer(ByteBuffer.wrap(new byte[] {7}));
                ByteBuffer readOnly = ByteBuffer.allocate(both.payloadSize()).asReadOnlyBuffer();
                assertThrows(RuntimeException.class, () -> both.poll(readOnly));
                ByteBuffer dst = ByteBuffer.allocate(both.payloadSize());
                assertEquals(0, both.poll(dst), "the message is still the next one, seq 0");
                assertEquals(7, dst.get(0));
            }
        }
    }

    /**
     * §13.11: -u/-g are parsed with strtol, "so a name parses as 0, which means default"; the reference's smoke test
     * passes names (pcq -C ... -u $USER -g $GROUP). famfs pcq, which claims the reference's options, refuses such a
     * command line with a usage error and creates nothing.
     */
    @Test
    void ownerNamesOnTheCreateCommandLineMeanTheDefaultAsInTheReference() throws Exception {
        Path img = tmp.resolve("q.img");
        assertEquals(0, R3ContractsTest.famfs("mkfs", "--size", "64M", "--system-uuid", MASTER, img.toString())
                .status());
        R3ContractsTest.Run r = R3ContractsTest.famfs("pcq", "-C", "-b", "64", "-n", "4", "-u", "root", "-g",
                "root", "--system-uuid", MASTER, img + ":/q");
        assertEquals(0, r.status(), () -> "famfs pcq -C -b 64 -n 4 -u root -g root: " + r);
    }

    /**
     * §13.8 step 6: a consumer's fatal CRC or seq error exits the process at once with status 255, "whatever
     * thread it is in". famfs pcq -p -c ends only the consumer thread: the producer thread fills the queue and then
     * waits for room for ever, and the command never exits. Here the consumer's next_seq is set to 5 first, so its
     * first get (seq 0) fails its seq check.
     */
    @Test
    void aFatalConsumerErrorInAProducerAndConsumerRunExits255() throws Exception {
        Path img = tmp.resolve("q.img");
        try (FileSystem fs = fresh(img)) {
            PcqQueue.create(fs.getPath("/q"), 4, 64);
            try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(fs.getPath("/q.consumer"),
                    java.nio.file.StandardOpenOption.READ, java.nio.file.StandardOpenOption.WRITE)) {
                ch.write(ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(0, 5), 1_048_592);
            }
        }
        io.github.famfs.testing.ChildJvm.Result r = io.github.famfs.testing.ChildJvm.run(
                io.github.famfs.cli.FamfsCli.class, 60, "pcq", "-p", "-c", "-N", "100", "--system-uuid", MASTER,
                img + ":/q");
        assertEquals(255, r.exitCode(), r::describe);
    }
}
