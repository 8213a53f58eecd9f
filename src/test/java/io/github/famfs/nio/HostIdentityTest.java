package io.github.famfs.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * This host's system UUID when the env gives none: on a host without {@link HostIdentity#SYSTEM_UUID_FILE} a
 * format is refused saying so, and a mount is a client's (tests never write that host-wide file).
 */
class HostIdentityTest {
    @TempDir
    Path dir;

    @Test
    void withoutTheHostFileAFormatIsRefusedByNameAndAMountIsAClients() throws Exception {
        if (Files.exists(HostIdentity.SYSTEM_UUID_FILE)) {
            System.out.println("HostIdentityTest skipped: this host has " + HostIdentity.SYSTEM_UUID_FILE);
            Assumptions.abort("this host has " + HostIdentity.SYSTEM_UUID_FILE);
        }
        Path img = dir.resolve("h.img");
        URI uri = URI.create("famfs:" + img);
        FileSystemException e = assertThrows(FileSystemException.class,
                () -> FileSystems.newFileSystem(uri, Map.of("create", "true", "deviceSize", "64M")));
        assertTrue(e.getMessage().contains(HostIdentity.SYSTEM_UUID_FILE + " does not exist")
                && e.getMessage().contains(Environment.SYSTEM_UUID), e.getMessage());
        assertFalse(Files.exists(img) && Files.size(img) > 0, "a refused format wrote the image");
        try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of("create", "true", "deviceSize", "64M",
                "systemUuid", "5ca1e000-0000-4000-8000-00000000a11d"))) {
            Files.writeString(fs.getPath("/a"), "a");
        }
        for (int i = 0; i < 3; i++) { // each mount asks again (the file may appear): a client every time
            try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of())) {
                assertTrue(fs.isReadOnly());
                assertEquals("a", Files.readString(fs.getPath("/a")));
            }
        }
    }
}
