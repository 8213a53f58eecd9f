package io.github.famfs.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Kernel famfs mounts of a device are found in the mount table, and their .meta/.log is really flocked. */
class KernelMountsTest {
    @TempDir
    Path tmp;

    @AfterEach
    void reset() {
        System.clearProperty(KernelMounts.MOUNTS_PROPERTY);
    }

    @Test
    void findsTheLogFilesOfFamfsMountsOfTheDevice() throws Exception {
        Path device = Files.createFile(tmp.resolve("dax image"));
        Path other = Files.createFile(tmp.resolve("other"));
        Path mnt = tmp.resolve("mnt point");
        Files.createDirectories(mnt.resolve(".meta"));
        Files.createFile(mnt.resolve(".meta/.log"));
        String escDevice = device.toString().replace(" ", "\\040");
        String escMnt = mnt.toString().replace(" ", "\\040");
        Path table = Files.writeString(tmp.resolve("mounts"), String.join("\n",
                "proc /proc proc rw 0 0",
                escDevice + " " + escMnt + " famfs rw,relatime 0 0",
                other + " /elsewhere famfs rw 0 0",
                escDevice + " /not/famfs ext4 rw 0 0",
                escDevice + " " + escMnt + " fuse.famfs rw 0 0", ""));
        System.setProperty(KernelMounts.MOUNTS_PROPERTY, table.toString());
        List<Path> logs = KernelMounts.logFilesOf(device);
        assertEquals(List.of(mnt.resolve(".meta/.log"), mnt.resolve(".meta/.log")), logs);
        assertEquals(List.of(), KernelMounts.logFilesOf(Files.createFile(tmp.resolve("unmounted"))));
    }

    /** While a master writes a new file, the reference CLI (flock on the mount's .meta/.log) has to wait. */
    @Test
    void aMasterWritingHoldsTheMountsLogLock() throws Exception {
        Path img = tmp.resolve("dev.img");
        Path mnt = tmp.resolve("mnt");
        Files.createDirectories(mnt.resolve(".meta"));
        Path log = Files.createFile(mnt.resolve(".meta/.log"));
        Path table = Files.writeString(tmp.resolve("mounts"), img + " " + mnt + " famfs rw 0 0\n");
        System.setProperty(KernelMounts.MOUNTS_PROPERTY, table.toString());
        String master = "0c0c0c0c-0000-4000-8000-000000000000";
        try (java.nio.file.FileSystem fs = java.nio.file.FileSystems.newFileSystem(
                io.github.famfs.nio.FamfsFileSystemProvider.uri(img),
                java.util.Map.of("create", "true", "deviceSize", "32M", "systemUuid", master))) {
            try (java.io.OutputStream out = Files.newOutputStream(fs.getPath("/f"))) {
                out.write(1);
                assertEquals(1, tryLock(log), "held while the new file is unpublished");
            }
            assertEquals(0, tryLock(log), "released once it is published");
        }
    }

    private static int tryLock(Path file) throws Exception {
        Process p = new ProcessBuilder("flock", "-n", file.toString(), "true").start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return p.exitValue();
    }

    @Test
    void theLockExcludesAnotherProcess() throws Exception {
        Path log = Files.createFile(tmp.resolve(".log"));
        try (KernelMounts.FileLock lock = KernelMounts.FileLock.exclusive(log)) {
            Process p = new ProcessBuilder("flock", "-n", log.toString(), "true").start();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
            assertEquals(1, p.exitValue(), "flock(1) -n cannot take the lock while we hold it");
        }
        Process p = new ProcessBuilder("flock", "-n", log.toString(), "true").start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), "released");
        try (FileChannel ch = FileChannel.open(log, StandardOpenOption.READ)) {
            assertTrue(ch.isOpen());
        }
    }
}
