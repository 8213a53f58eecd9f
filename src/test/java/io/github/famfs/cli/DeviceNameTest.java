package io.github.famfs.cli;

import static io.github.famfs.cli.CliRunner.famfs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line takes device names literally: a '!' or a space in a name selects no other device. */
class DeviceNameTest {
    static final String MASTER = "00112233-4455-6677-8899-aabbccddeeff";

    @TempDir
    Path tmp;

    @Test
    void mkfsOfANameEndingInBangFormatsExactlyThatFile() throws Exception {
        Path prod = tmp.resolve("prod.img");
        famfs("mkfs", "--size", "32M", "--system-uuid", MASTER, prod.toString()).ok();
        famfs("mkdir", "--system-uuid", MASTER, prod + ":/keep").ok();
        byte[] before = Files.readAllBytes(prod);
        Path bang = tmp.resolve("prod.img!");
        Files.write(bang, new byte[32 << 20]);
        CliRunner.Result r = famfs("mkfs", "-f", "--system-uuid", MASTER, bang.toString()).ok();
        assertTrue(r.out().contains("formatted " + bang), r.toString());
        assertArrayEquals(before, Files.readAllBytes(prod), "prod.img must be untouched");
        byte[] magic = Arrays.copyOf(Files.readAllBytes(bang), 8);
        assertEquals(0x87b282ffL, java.nio.ByteBuffer.wrap(magic).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong(),
                "prod.img! holds the new famfs");
        famfs("mkdir", "--system-uuid", MASTER, bang + ":/new").ok();
        famfs("ls", bang + ":/").ok();
        assertTrue(famfs("ls", prod + ":/").ok().out().contains("keep"));
        assertTrue(!famfs("ls", bang + ":/").ok().out().contains("keep"));
    }

    @Test
    void devicesUnderDirectoriesWithBangsAndSpaces() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("x!").resolve("a b%21"));
        Path img = dir.resolve("i!.img");
        famfs("mkfs", "--size", "32M", "--system-uuid", MASTER, img.toString()).ok();
        famfs("mkdir", "--system-uuid", MASTER, img + ":/d!").ok();
        assertTrue(famfs("ls", "--device", img.toString(), "/").ok().out().contains("d!"));
    }

    @Test
    void mkfsWithoutASystemUuidSaysHowToGetOneAndWritesNothing() throws Exception {
        Path hostFile = Path.of("/opt/famfs/system_uuid");
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(hostFile), "this host has a system UUID");
        Path img = tmp.resolve("n.img");
        famfs("mkfs", "--size", "32M", img.toString()).fails(2, "--init-system-uuid");
        assertTrue(!Files.exists(img) && !Files.exists(hostFile));
    }

    @Test
    void mkfsRefusesAFileThatHoldsSomethingElseWithoutForce() throws Exception {
        Path other = tmp.resolve("other.bin");
        byte[] data = new byte[32 << 20];
        new java.util.Random(3).nextBytes(data);
        Files.write(other, data);
        famfs("mkfs", "--system-uuid", MASTER, other.toString()).fails(1, "-f");
        assertArrayEquals(data, Files.readAllBytes(other));
    }
}
