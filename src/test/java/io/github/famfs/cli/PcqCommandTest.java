package io.github.famfs.cli;

import static io.github.famfs.cli.CliRunner.famfs;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.testing.ReferenceImages;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** famfs pcq: the reference tool's options, output, status file and exit status, on the reference image. */
class PcqCommandTest {
    private static final String MASTER = "00112233-4455-6677-8899-aabbccddeeff";
    @TempDir
    Path tmp;

    private String[] reference() throws Exception {
        Path copy = tmp.resolve("pcq.img");
        ReferenceImages.writableCopy("pcq", copy);
        String master = ReferenceImages.manifest("pcq").getAsJsonObject("superblock").get("system_uuid")
                .getAsString();
        return new String[] {copy.toString(), master};
    }

    @Test
    void infoDrainAndAVerifyingConsumerOnTheReferenceImage() throws Exception {
        String[] r = reference();
        String img = r[0];
        CliRunner.Result info = famfs("pcq", "-i", img + ":/pcq/qb").ok();
        assertEquals("get_queue_info: queue " + img + ":/pcq/qb contains 5 messages p next_seq 11 c next_seq 6\n",
                info.out());
        CliRunner.Result c = famfs("pcq", "-c", "-N", "5", "-S", "7", "--system-uuid", r[1], img + ":/pcq/qb").ok();
        assertTrue(c.out().endsWith("pcq:    " + img + ":/pcq/qb\npcq producer: nsent=0 nerrors=0 nfull=0\n"
                + "pcq consumer: nreceived=5 nerrors=0 nempty=0 retries=0\n"), c::toString);
        Path status = tmp.resolve("status");
        CliRunner.Result d = famfs("pcq", "-d", "-f", status.toString(), "--system-uuid", r[1], img + ":/pcq/qa")
                .ok();
        assertEquals("pcq:    " + img + ":/pcq/qa\npcq drain: nreceived=4 nerrors=0 nempty=1 retries=0\n"
                + "pcq: drained 4 messages from queue " + img + ":/pcq/qa, with no errors\n", d.out());
        assertEquals("4", Files.readString(status));
        famfs("pcq", "-i", "-f", status.toString(), img + ":/pcq/qa").ok();
        assertEquals("0", Files.readString(status));
    }

    @Test
    void createProduceConsumeMiscompareAndTimedRuns() throws Exception {
        Path img = tmp.resolve("q.img");
        famfs("mkfs", "--size", "64M", "--system-uuid", MASTER, img.toString()).ok();
        String q = img + ":/q";
        CliRunner.Result cr = famfs("pcq", "-C", "-b", "0x100", "-n", "16", "--system-uuid", MASTER, q).ok();
        assertEquals("bucket_size=256\nnbuckets=16\npcq_create: Created queue " + q + "\n", cr.out());
        CliRunner.Result p = famfs("pcq", "-p", "-N", "3", "-S", "42", "-v", "--system-uuid", MASTER, q).ok();
        assertTrue(p.out().startsWith("pcq_open: sizeof(crc)=8\nbucket_size=256\npayload_size=240\n"
                + "pcq_producer_put: put_index=0 seq=0\npcq_producer_put: put_index=1 seq=1\n"), p::toString);
        Path status = tmp.resolve("status");
        CliRunner.Result bad = famfs("pcq", "-c", "-N", "3", "-S", "43", "-f", status.toString(), "--system-uuid",
                MASTER, q);
        assertEquals(3, bad.status(), bad::toString);
        assertTrue(bad.out().contains("run_consumer: miscompare seq=0 ofs=0\n"), bad::toString);
        assertEquals("-3", Files.readString(status));
        // a timed run of both sides as two threads: every message sent is received or still queued
        CliRunner.Result t = famfs("pcq", "-p", "-c", "-t", "1", "-S", "42", "--system-uuid", MASTER, q).ok();
        Matcher m = Pattern.compile("nsent=(\\d+) .*\\n.*nreceived=(\\d+) nerrors=0").matcher(t.out());
        assertTrue(m.find(), t::toString);
        long sent = Long.parseLong(m.group(1));
        long got = Long.parseLong(m.group(2));
        assertTrue(sent > 0 && got <= sent && sent - got <= 15, t::toString);
        CliRunner.Result i = famfs("pcq", "-i", q).ok();
        assertTrue(i.out().contains("contains " + (sent - got) + " messages p next_seq " + (3 + sent)
                + " c next_seq " + (3 + got)), i::toString);
    }

    /** -s 0 is no status line (it was one per loop turn), and an -s of 2^63-1 seconds does not overflow. */
    @Test
    void statusAndTimeIntervalsOfZeroOrHugeNeitherSpamNorOverflow() throws Exception {
        Path img = tmp.resolve("s.img");
        famfs("mkfs", "--size", "64M", "--system-uuid", MASTER, img.toString()).ok();
        String q = img + ":/q";
        famfs("pcq", "-C", "-b", "64", "-n", "4", "--system-uuid", MASTER, q).ok();
        for (String every : new String[] {"0", "0x7fffffffffffffff"}) {
            CliRunner.Result r = famfs("pcq", "-p", "-c", "-N", "200", "-s", every, "--system-uuid", MASTER, q).ok();
            assertTrue(!r.out().contains(" pcq=") && r.out().contains("nreceived=200"), r::toString);
        }
    }

    @Test
    void theReferencesCommandLineChecksAndAFatalMessage() throws Exception {
        Path img = tmp.resolve("c.img");
        famfs("mkfs", "--size", "64M", "--system-uuid", MASTER, img.toString()).ok();
        String q = img + ":/q";
        assertEquals(1, famfs("pcq", "-i", "-C", q).status());
        assertEquals(1, famfs("pcq", "-C", "-b", "64", q).status());
        assertEquals(1, famfs("pcq", "-p", "-u", "5", q).status());
        assertEquals(1, famfs("pcq", "-d", "-N", "5", q).status());
        assertEquals(1, famfs("pcq", "-p", "-t", "1", "-N", "5", q).status());
        CliRunner.Result none = famfs("pcq", "-i");
        assertEquals(1, none.status());
        assertTrue(none.err().contains("Must specify base filename"), none::toString);
        CliRunner.Result pow = famfs("pcq", "-C", "-b", "100", "-n", "4", "--system-uuid", MASTER, q);
        assertEquals(1, pow.status(), pow::toString);
        assertTrue(pow.out().contains("bucket_size 100 must be a power of 2"), pow::toString);
        assertEquals(1, famfs("pcq", "-i", q).status(), "info on a missing queue");
        famfs("pcq", "-C", "-b", "64", "-n", "4", "--system-uuid", MASTER, q).ok();
        famfs("pcq", "-p", "-N", "2", "--system-uuid", MASTER, q).ok();
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            // the producer file is the second allocation after the log: find bucket 0 by its seq 0 and CRC
            long bucket = findBucket(ch);
            ch.write(ByteBuffer.wrap(new byte[] {1}), bucket + 3);
        }
        CliRunner.Result fatal = famfs("pcq", "-c", "--system-uuid", MASTER, "--coherence", "software", q);
        assertEquals(255, fatal.status(), fatal::toString);
        assertTrue(fatal.err().contains("bad crc"), fatal::toString);
        assertTrue(fatal.err().contains("Cache coherency suspicious"), fatal::toString);
    }

    /** The device offset of the pcq bucket array of the only queue on a fresh image (after its consumer file). */
    private static long findBucket(FileChannel ch) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (long at = 0; at < ch.size(); at += 2 << 20) {
            ch.read(b.clear(), at);
            if (b.getLong(0) == 0x0BEEBEE3L) {
                return at + (2 << 20);
            }
        }
        throw new AssertionError("no producer file");
    }
}
