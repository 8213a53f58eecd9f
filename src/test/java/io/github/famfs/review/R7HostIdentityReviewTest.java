package io.github.famfs.review;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.io.RandomAccessFile;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Review of 51884e0 (HostIdentity.fromFile). The reference reads the system UUID file with {@code fscanf("%36s")}
 * and {@code uuid_parse} (famfs-format.md s6): it skips C white space (space, \t \n \v \f \r, any number of them),
 * takes at most 36 non-space bytes, and {@code uuid_parse} accepts exactly 36 characters in the 8-4-4-4-12 layout.
 * The expected answers below were checked with a C program doing exactly that against libuuid 1.3.0 on this host.
 * Tests use files of their own, never /opt/famfs.
 */
class R7HostIdentityReviewTest {
    private static final String ID = "5ca1e000-0000-4000-8000-0000000001d5";
    private static final String OTHER = "0be70000-0000-4000-8000-00000000fee0";

    @TempDir
    Path dir;

    @SuppressWarnings("unchecked")
    private static Optional<UUID> fromFile(Path file, String[] why) throws Exception {
        Class<?> c = Class.forName("io.github.famfs.nio.HostIdentity");
        Method m = c.getDeclaredMethod("fromFile", Path.class, String[].class);
        m.setAccessible(true);
        return (Optional<UUID>) m.invoke(null, file, why);
    }

    private Optional<UUID> read(byte[] content) throws Exception {
        Path f = Files.write(dir.resolve("system_uuid"), content);
        return fromFile(f, new String[1]);
    }

    private Optional<UUID> read(String content) throws Exception {
        return read(content.getBytes(StandardCharsets.ISO_8859_1));
    }

    /**
     * UUID.fromString accepts short, non-canonical forms that uuid_parse refuses: the reference is a client with
     * such a file (and its mkfs refuses), we take a UUID from it, so the two disagree on the host's role.
     */
    @Test
    void nonCanonicalTextIsRefusedAsTheReferenceRefusesIt() throws Exception {
        for (String text : new String[] {"1-1-1-1-1\n", "+1-1-1-1-1\0", "0-0-0-0-0\0"}) {
            assertEquals(Optional.empty(), read(text), "reference: ERROR (client) for " + text.strip());
        }
    }

    /**
     * A file whose 36th character is lost (truncated write, or a stray space inside) is refused by the
     * reference; we read the 35-character prefix as a DIFFERENT UUID (the last group shifted by a nibble).
     */
    @Test
    void aUuidOneCharacterShortIsNotReadAsAnotherUuid() throws Exception {
        String shortId = ID.substring(0, 35);
        Optional<UUID> got = read(shortId + "\0");
        assertEquals(Optional.empty(), got, "reference: ERROR; we read " + got);
        got = read(shortId + " 5\n");
        assertEquals(Optional.empty(), got, "reference: ERROR; we read " + got);
    }

    /**
     * String.trim drops every char <= U+0020, so a leading NUL or control byte is skipped; fscanf skips only
     * C white space, so the reference reads the NUL/control byte into its token and refuses the file.
     */
    @Test
    void leadingNulOrControlBytesAreNotSkipped() throws Exception {
        for (String lead : new String[] {"\0", "\u0001", "\u001c"}) {
            assertEquals(Optional.empty(), read(lead + ID + "\0"),
                    "reference: ERROR for a leading 0x" + Integer.toHexString(lead.charAt(0)));
        }
    }

    /**
     * fscanf skips any number of leading blanks; reading only the first 64 bytes (new in 51884e0) refuses a file
     * the reference (and the code before 51884e0) reads when more than 28 blanks come first.
     */
    @Test
    void leadingBlanksBeyondTheFirst64BytesAreSkippedAsTheReferenceDoes() throws Exception {
        String text = " ".repeat(40) + ID + "\0";
        String[] why = new String[1];
        Path f = Files.writeString(dir.resolve("system_uuid"), text);
        assertEquals(Optional.of(UUID.fromString(ID)), fromFile(f, why), "reference reads it; we say: " + why[0]);
    }

    /**
     * The regular-file check and the open are two look-ups of the name: a FIFO put there in between is opened
     * (and would block the mount until a writer came). Here the name is a symlink flipped between a regular file
     * (holding ID) and a FIFO (fed OTHER by a helper so that nothing stays blocked): any OTHER returned was read
     * from a FIFO that passed the "regular file" check.
     */
    @Test
    void aFifoSwappedInAfterTheAttributeReadIsNeverOpened() throws Exception {
        Path regular = Files.writeString(dir.resolve("regular"), ID + "\0");
        Path fifo = dir.resolve("fifo");
        assertEquals(0, new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start().waitFor());
        Path name = dir.resolve("system_uuid");
        Path tmp = dir.resolve("tmp-link");
        Files.createSymbolicLink(name, regular);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean feederStop = new AtomicBoolean();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        byte[] feed = (OTHER + "\0" + "x".repeat(27)).getBytes(StandardCharsets.US_ASCII); // 64 bytes
        Thread flipper = new Thread(() -> {
            try {
                for (long i = 0; !stop.get(); i++) {
                    Files.deleteIfExists(tmp);
                    Files.createSymbolicLink(tmp, (i & 1) == 0 ? fifo : regular);
                    Files.move(tmp, name, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        Thread feeder = new Thread(() -> {
            try {
                while (!feederStop.get()) {
                    // O_RDWR on a FIFO does not block; it releases a reader blocked in open()
                    try (RandomAccessFile w = new RandomAccessFile(fifo.toFile(), "rw")) {
                        w.write(feed);
                    }
                }
            } catch (Throwable t) {
                failure.set(t);
            }
        });
        flipper.start();
        // a daemon, waited for a bounded time: once reads refuse the FIFO without reading it, the feeder's write can
        // fill the pipe (an open of the FIFO by the code under test keeps it alive) and block
        feeder.setDaemon(true);
        feeder.start();
        int fromFifo = 0;
        int regularReads = 0;
        int refusals = 0;
        try {
            for (int i = 0; i < 200_000 && fromFifo == 0; i++) {
                Optional<UUID> got = fromFile(name, new String[1]);
                if (got.isEmpty()) {
                    refusals++;
                } else if (got.get().equals(UUID.fromString(OTHER))) {
                    fromFifo++;
                } else {
                    regularReads++;
                }
            }
        } finally {
            stop.set(true);
            flipper.join();
            feederStop.set(true);
            feeder.join(5000);
        }
        assertEquals(null, failure.get());
        assertNotEquals(0, regularReads + refusals);
        assertEquals(0, fromFifo, "a FIFO passed the regular-file check and was read (" + regularReads
                + " regular reads, " + refusals + " refusals before it)");
    }
}
