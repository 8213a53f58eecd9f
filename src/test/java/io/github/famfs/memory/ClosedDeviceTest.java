package io.github.famfs.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A closed device, through whichever libc binding this JVM chose (the foreign function API on Java 22+, jnr-ffi
 * on 17): its descriptor and mapping are gone, and the calls that reach libc on their own refuse without touching
 * either (no call on a descriptor number the kernel may have given to someone else).
 */
class ClosedDeviceTest {
    @TempDir
    Path tmp;

    @Test
    void aClosedDeviceRefusesAndLeavesNothingBehind() throws Exception {
        Path img = tmp.resolve("img");
        try (FileChannel f = FileChannel.open(img, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            f.write(ByteBuffer.allocate(1), (8 << 20) - 1);
        }
        Device d = Device.open(DeviceInfo.probe(img), true);
        int fd = d.fd();
        Path real = img.toRealPath();
        assertEquals(real, Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)));
        assertTrue(mapsMention(real), "the device is mapped while open");
        assertTrue(d.rangeLock(0, 4096, LibcCalls.F_WRLCK));
        d.flock(true);
        d.close();
        d.close(); // idempotent

        assertFalse(d.isOpen());
        assertFalse(d.rangeLock(0, 4096, LibcCalls.F_WRLCK), "a closing device takes no lock");
        assertFalse(d.rangeLock(0, 4096, LibcCalls.F_UNLCK));
        assertThrows(ClosedFileSystemException.class, () -> d.flock(true));
        d.flock(false); // releasing after close: nothing to do (closing the descriptor released it)
        assertThrows(ClosedFileSystemException.class, d::acquire);
        assertFalse(mapsMention(real), "the mapping is gone after close");
        Path link = Path.of("/proc/self/fd/" + fd);
        assertTrue(!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)
                || !Files.readSymbolicLink(link).equals(real), "the descriptor is closed");

        // the locks went with the descriptor: another open of the image takes both at once
        try (Device again = Device.open(DeviceInfo.probe(img), true)) {
            assertTrue(again.rangeLock(0, 4096, LibcCalls.F_WRLCK));
            again.flock(true);
        }
    }

    @Test
    void aFailedOpenNamesTheCallAndErrno() throws Exception {
        Path img = Files.write(tmp.resolve("gone.img"), new byte[8192]);
        DeviceInfo info = DeviceInfo.probe(img);
        Files.delete(img); // gone between the probe and the open(2)
        var e = assertThrows(java.io.IOException.class, () -> Device.open(info, false));
        assertTrue(e.getMessage().startsWith("open " + img + " failed: No such file or directory (errno 2)"),
                e.getMessage());
    }

    private static boolean mapsMention(Path file) throws Exception {
        return Files.readAllLines(Path.of("/proc/self/maps")).stream().anyMatch(l -> l.endsWith(" " + file));
    }
}
