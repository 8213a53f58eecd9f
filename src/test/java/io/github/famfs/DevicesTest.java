package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.nio.FamfsDevices;
import io.github.famfs.nio.NotFamfsException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FamfsDevices.kill, the public operation behind famfs mkfs -k -f. */
class DevicesTest {
    @TempDir
    Path tmp;

    @Test
    void killZeroesTheMagicOnlyAndRefusesHostileTargets() throws Exception {
        Path img = tmp.resolve("k.img");
        try (FileSystem fs = UrlHandlerTest.create(img)) {
            Files.write(fs.getPath("/f"), new byte[] {1, 2, 3});
            FileSystemException open = assertThrows(FileSystemException.class, () -> FamfsDevices.kill(img));
            assertTrue(open.getMessage().contains("open in this JVM"), open.getMessage());
        }
        byte[] before = Files.readAllBytes(img);
        FamfsDevices.kill(img);
        byte[] after = Files.readAllBytes(img);
        assertArrayEquals(new byte[8], Arrays.copyOf(after, 8), "the magic is zero");
        assertArrayEquals(Arrays.copyOfRange(before, 8, before.length), Arrays.copyOfRange(after, 8, after.length),
                "no other byte changed");
        assertThrows(NotFamfsException.class,
                () -> FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of()));
        // killed already: no famfs superblock left, so a second kill is refused and writes nothing
        FileSystemException again = assertThrows(FileSystemException.class, () -> FamfsDevices.kill(img));
        assertTrue(again.getMessage().contains("holds no famfs superblock"), again.getMessage());
        assertArrayEquals(after, Files.readAllBytes(img));
        assertThrows(NoSuchFileException.class, () -> FamfsDevices.kill(tmp.resolve("absent.img")));
        Path tiny = Files.write(tmp.resolve("tiny.img"), new byte[100]);
        FileSystemException small = assertThrows(FileSystemException.class, () -> FamfsDevices.kill(tiny));
        assertTrue(small.getMessage().contains("too few"), small.getMessage());
        assertArrayEquals(new byte[100], Files.readAllBytes(tiny));
    }
}
