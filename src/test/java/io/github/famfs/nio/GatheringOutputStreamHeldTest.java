package io.github.famfs.nio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Streams never closed give their staging buffers back once collected: the cap on held buffers (GatheringOutputStream.HELD) is not used up by leaked streams, and their files are never published. */
class GatheringOutputStreamHeldTest {
    @TempDir
    Path tmp;

    static int held() throws Exception {
        var f = GatheringOutputStream.class.getDeclaredField("held");
        f.setAccessible(true);
        var l = GatheringOutputStream.class.getDeclaredField("POOL");
        l.setAccessible(true);
        synchronized (l.get(null)) {
            return f.getInt(null);
        }
    }

    @Test
    void unclosedStreamsGiveTheirBuffersBack() throws Exception {
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + tmp.resolve("h.img")),
                Map.of("create", "true", "deviceSize", "256M", "systemUuid", "00112233-4455-6677-8899-aabbccddeeff"))) {
            for (int i = 0; i < 600 && held() != 0; i++) {
                System.gc(); // streams another test of this JVM left unclosed
                Thread.sleep(50);
            }
            int before = held();
            assertEquals(0, before, "no stream of another test holds a staging buffer");
            for (int i = 0; i < 30; i++) {
                OutputStream out = Files.newOutputStream(fs.getPath("/u" + i));
                out.write(1);
            }
            assertEquals(GatheringOutputStream.HELD, held() - before);
            for (int i = 0; i < 600 && held() != before; i++) {
                System.gc();
                Thread.sleep(50);
            }
            assertEquals(before, held());
            OutputStream out = Files.newOutputStream(fs.getPath("/after"));
            out.write(new byte[] {1, 2, 3});
            out.close();
            assertEquals(before, held());
            assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(fs.getPath("/after")));
            for (int i = 0; i < 30; i++) {
                assertFalse(Files.exists(fs.getPath("/u" + i)));
            }
            assertTrue(FamfsFsck.check(fs).isClean());
        }
    }
}
