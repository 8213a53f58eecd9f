package io.github.famfs.cli;

import static io.github.famfs.cli.CliRunner.famfs;
import static io.github.famfs.cli.FamfsCliTest.MASTER;
import static io.github.famfs.cli.FamfsCliTest.OTHER;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.testing.ReferenceImages;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Every documented error: one line on stderr naming the problem, the documented exit status, no stack trace. */
class CliErrorsTest {
    @TempDir
    Path tmp;
    String dev;

    @BeforeEach
    void format() {
        dev = tmp.resolve("famfs.img").toString();
        famfs("mkfs", "--size", "32M", "--system-uuid", MASTER, dev).ok();
    }

    @Test
    void missingDevice() {
        String absent = tmp.resolve("absent.img").toString();
        famfs("ls", absent + ":/").fails(1, absent + ": no such famfs device or image file");
        famfs("cat", "--device", absent, "/f").fails(1, "no such famfs device");
        famfs("mkfs", absent).fails(1, "give --size");
        famfs("df", absent).fails(1, "no such famfs device");
        famfs("ls", tmp + ":/").fails(1, "is a directory, not a DAX device or famfs image file");
    }

    @Test
    void notAFamfs() throws Exception {
        Path junk = tmp.resolve("junk.img");
        Files.write(junk, new byte[4 << 20]);
        famfs("ls", junk + ":/").fails(1, "holds no famfs");
    }

    @Test
    void badSize() {
        famfs("mkfs", "--size", "lots", tmp.resolve("x.img").toString()).fails(2, "'lots' is not a size");
        famfs("creat", "-s", "12Q", dev + ":/f").fails(2, "'12Q' is not a size");
        famfs("mkfs", "--size", "1M", "--system-uuid", MASTER, tmp.resolve("y.img").toString())
                .fails(1, "below famfs-nio's minimum");
        famfs("mkfs", "-f", "-l", "12M", "--system-uuid", MASTER, dev).fails(1, "power of two");
        famfs("mkfs", "--size", "64M", dev).fails(1, "exists with 33554432 bytes");
    }

    /**
     * --system-uuid takes what the reference's uuid_parse takes and nothing else: UUID.fromString reads short or
     * over-long fields and other scripts' digits as some other UUID, which could make a client the master.
     */
    @Test
    void systemUuidOnlyInTheReferenceForm() throws Exception {
        byte[] before = Files.readAllBytes(Path.of(dev));
        String arabicIndic = "\u0660\u0660\u0660\u0660\u0660\u0660\u0660\u0661-0000-4000-8000-000000000000";
        String fullwidth = "\uff10\uff10\uff10\uff10\uff10\uff10\uff10\uff11-0000-4000-8000-000000000000";
        for (String bad : new String[] {"1-1-1-1-1", "000000001-001-0001-0001-000000000001", arabicIndic, fullwidth,
                MASTER.substring(1), MASTER + "0", MASTER.replace('-', '_')}) {
            famfs("mkdir", "--system-uuid", bad, dev + ":/d").fails(2, "'" + bad + "' is not a UUID");
        }
        assertArrayEquals(before, Files.readAllBytes(Path.of(dev)), "a refused command wrote to the image");
        famfs("mkdir", "--system-uuid", " " + MASTER.toUpperCase(java.util.Locale.ROOT) + " ", dev + ":/d").ok();
        famfs("ls", dev + ":/").ok();
    }

    @Test
    void existingTarget() throws Exception {
        famfs("mkdir", "--system-uuid", MASTER, dev + ":/d").ok();
        famfs("mkdir", "--system-uuid", MASTER, dev + ":/d").fails(1, "/d: already exists");
        famfs("creat", "--system-uuid", MASTER, "-s", "10", dev + ":/f").ok();
        famfs("creat", "--system-uuid", MASTER, "-s", "11", dev + ":/f").fails(1, "exists with 10 bytes, not 11");
        famfs("mkdir", "-p", "--system-uuid", MASTER, dev + ":/f/g").fails(1, "not a directory");
        Path src = tmp.resolve("src.txt");
        Files.writeString(src, "twelve bytes");
        famfs("cp", "--system-uuid", MASTER, src.toString(), dev + ":/f").fails(1, "exists with 10 bytes");
        famfs("creat", "--system-uuid", MASTER, "-s", "1", dev + ":/d").fails(1, "is a directory");
    }

    @Test
    void logFull() throws Exception {
        Path full = tmp.resolve("full-log.img");
        ReferenceImages.writableCopy("full-log", full);
        String master = ReferenceImages.manifest("full-log").getAsJsonObject("superblock").get("system_uuid")
                .getAsString();
        famfs("mkdir", "--system-uuid", master, full + ":/one-more").fails(1, "log");
        CliRunner.Result r = famfs("mkdir", "--system-uuid", master, full + ":/one-more");
        assertTrue(r.err().toLowerCase().contains("full"), r::toString);
        // cp stops at a full log (it is not a per-file error)
        Path a = tmp.resolve("a");
        Path b = tmp.resolve("b");
        Files.write(a, new byte[] {1});
        Files.write(b, new byte[] {2});
        CliRunner.Result cp = famfs("cp", "--system-uuid", master, a.toString(), b.toString(), full + ":/");
        assertEquals(1, cp.status(), cp::toString);
        assertEquals(1, cp.err().strip().lines().count(), cp::toString);
        assertTrue(cp.err().toLowerCase().contains("full"), cp::toString);
    }

    @Test
    void outOfSpace() throws Exception {
        famfs("creat", "--system-uuid", MASTER, "-s", "100M", dev + ":/huge").fails(1, "out of space");
        // the space went back: a file that fits still fits
        famfs("creat", "--system-uuid", MASTER, "-s", "20M", dev + ":/fits").ok();
        Path big = tmp.resolve("big.bin");
        Files.write(big, new byte[8 << 20]);
        Path small = tmp.resolve("small.bin");
        Files.write(small, new byte[] {1});
        famfs("mkdir", "--system-uuid", MASTER, dev + ":/d").ok();
        // cp stops at out of space: the second file is not tried
        CliRunner.Result cp = famfs("cp", "--system-uuid", MASTER, big.toString(), small.toString(), dev + ":/d");
        assertEquals(1, cp.status(), cp::toString);
        assertTrue(cp.err().contains("out of space"), cp::toString);
        assertEquals("", famfs("ls", dev + ":/d").ok().out());
        famfs("fsck", dev).ok();
    }

    @Test
    void clientTryingToWrite() throws Exception {
        byte[] before = Files.readAllBytes(Path.of(dev));
        famfs("mkdir", "--system-uuid", OTHER, dev + ":/x").fails(1, "this host is a famfs client");
        famfs("creat", "--system-uuid", OTHER, "-s", "1", dev + ":/x").fails(1, "client");
        Path src = tmp.resolve("s");
        Files.write(src, new byte[] {1});
        famfs("cp", "--system-uuid", OTHER, src.toString(), dev + ":/x").fails(1, "client");
        assertArrayEquals(before, Files.readAllBytes(Path.of(dev)), "a client changed the image");
        // a client reads
        famfs("ls", dev + ":/").ok();
        assertTrue(famfs("df", "--system-uuid", OTHER, dev).ok().out().contains("client"));
    }

    @Test
    void debugAddsTheStackTrace() {
        String absent = tmp.resolve("absent.img").toString();
        CliRunner.Result r = famfs("ls", "--debug", absent + ":/");
        assertEquals(1, r.status());
        assertTrue(r.err().contains("\tat "), r::toString);
        assertTrue(r.err().strip().endsWith("no such famfs device or image file"), r::toString);
        CliRunner.Result top = famfs("--debug", "ls", absent + ":/");
        assertTrue(top.err().contains("\tat "), top::toString);
    }
}
