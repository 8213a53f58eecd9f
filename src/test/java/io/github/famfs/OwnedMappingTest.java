package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.memory.FileMapping;
import io.github.famfs.nio.FamfsOwnedMapping;
import io.github.famfs.testing.ChildJvm;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ReadOnlyBufferException;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.channels.NonWritableChannelException;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.ProviderMismatchException;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link FamfsOwnedMapping}: the public owned mapping that io.github.famfs.arrow is built on. It maps the file's
 * bytes, outlives its channel and file system, is unmapped by close() (the process's mapping count falls back),
 * refuses use after close, and refuses what FileChannel.map refuses; mapping races the file system's close.
 */
class OwnedMappingTest {
    private static final String MASTER = "00112233-4455-6677-8899-aabbccddeeff";
    @TempDir
    Path tmp;

    private static FileSystem create(Path img) throws Exception {
        return FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("create", "true", "deviceSize", "64M",
                "systemUuid", MASTER));
    }

    private static byte[] data(int n) {
        byte[] d = new byte[n];
        for (int i = 0; i < n; i++) {
            d[i] = (byte) (i * 13 + i / 4096);
        }
        return d;
    }

    @Test
    void mapsTheFileOutlivesItsFileSystemAndIsUnmappedByClose() throws Exception {
        byte[] d = data(5 << 20);
        FamfsOwnedMapping m;
        long live = FileMapping.liveMappings();
        try (FileSystem fs = create(tmp.resolve("a.img"))) {
            Files.write(fs.getPath("/f"), d);
            try (FileChannel ch = FileChannel.open(fs.getPath("/f"), StandardOpenOption.READ)) {
                m = FamfsOwnedMapping.map(ch, MapMode.READ_ONLY, 4097, 3 << 20);
            }
        }
        assertTrue(FileMapping.liveMappings() > live, "the mapping is live");
        assertEquals(3 << 20, m.size());
        assertFalse(m.isWritable());
        ByteBuffer b = m.buffer();
        assertTrue(b.isDirect() && b.isReadOnly());
        assertEquals(m.address(), io.github.famfs.memory.Native.address(b));
        byte[] got = new byte[3 << 20];
        b.get(got);
        assertArrayEquals(java.util.Arrays.copyOfRange(d, 4097, 4097 + (3 << 20)), got,
                "the file's bytes, after its channel and file system closed");
        assertThrows(ReadOnlyBufferException.class, () -> m.buffer().put(0, (byte) 1));
        m.close();
        assertTrue(m.isClosed());
        assertEquals(live, FileMapping.liveMappings(), "close() unmapped it");
        assertThrows(IllegalStateException.class, m::address);
        assertThrows(IllegalStateException.class, m::buffer);
        m.close(); // once
        assertEquals(live, FileMapping.liveMappings());
    }

    @Test
    void aWritableMappingWritesTheFile() throws Exception {
        try (FileSystem fs = create(tmp.resolve("w.img"))) {
            Path f = fs.getPath("/f");
            Files.write(f, new byte[1 << 20]);
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE);
                    FamfsOwnedMapping m = FamfsOwnedMapping.map(ch, MapMode.READ_WRITE, 0, 1 << 20)) {
                assertTrue(m.isWritable());
                m.buffer().put(100, (byte) 55);
            }
            assertEquals(55, Files.readAllBytes(f)[100]);
        }
    }

    @Test
    void hostileArgumentsAreRefusedAsFileChannelMapRefusesThem() throws Exception {
        try (FileSystem fs = create(tmp.resolve("h.img"))) {
            Path f = fs.getPath("/f");
            Files.write(f, new byte[1 << 20]);
            Path local = Files.write(tmp.resolve("local"), new byte[10]);
            try (FileChannel other = FileChannel.open(local, StandardOpenOption.READ)) {
                assertThrows(ProviderMismatchException.class, () -> FamfsOwnedMapping.map(other, MapMode.READ_ONLY,
                        0, 10));
            }
            FileChannel ch = FileChannel.open(f, StandardOpenOption.READ);
            assertThrows(UnsupportedOperationException.class, () -> FamfsOwnedMapping.map(ch, MapMode.PRIVATE, 0,
                    10));
            assertThrows(NonWritableChannelException.class, () -> FamfsOwnedMapping.map(ch, MapMode.READ_WRITE, 0,
                    10));
            assertThrows(IllegalArgumentException.class, () -> FamfsOwnedMapping.map(ch, MapMode.READ_ONLY, -1, 10));
            assertThrows(IllegalArgumentException.class, () -> FamfsOwnedMapping.map(ch, MapMode.READ_ONLY, 0, -1));
            assertThrows(IllegalArgumentException.class, () -> FamfsOwnedMapping.map(ch, MapMode.READ_ONLY,
                    Long.MAX_VALUE, 2));
            Exception past = assertThrows(Exception.class, () -> FamfsOwnedMapping.map(ch, MapMode.READ_ONLY, 0,
                    (1 << 20) + 1));
            assertTrue(past.getMessage() != null && past.getMessage().contains("/f"), past.toString());
            ch.close();
            assertThrows(ClosedChannelException.class, () -> FamfsOwnedMapping.map(ch, MapMode.READ_ONLY, 0, 10));
        }
    }

    /** Maps owned ranges in threads while the file system closes; checks each outcome (a child JVM runs it). */
    public static final class RaceMain {
        public static void main(String[] args) throws Exception {
            byte[] d = data(2 << 20);
            int rounds = Integer.parseInt(args[1]);
            AtomicInteger mapped = new AtomicInteger();
            AtomicInteger refused = new AtomicInteger();
            List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int round = 0; round < rounds; round++) {
                Path img = Path.of(args[0], "race" + round + ".img");
                FileSystem fs = create(img);
                Path f = fs.getPath("/f");
                Files.write(f, d);
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    threads.add(new Thread(() -> {
                        for (int i = 0; i < 20; i++) {
                            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ);
                                    FamfsOwnedMapping m = FamfsOwnedMapping.map(ch, MapMode.READ_ONLY, 4096,
                                            1 << 20)) {
                                if (m.buffer().get(5000) != d[4096 + 5000]) {
                                    problems.add("wrong byte in a mapping");
                                }
                                mapped.incrementAndGet();
                            } catch (ClosedFileSystemException | ClosedChannelException e) {
                                refused.incrementAndGet();
                            } catch (Throwable e) {
                                problems.add(e.toString());
                            }
                        }
                    }));
                }
                threads.forEach(Thread::start);
                fs.close();
                for (Thread t : threads) {
                    t.join();
                }
                Files.delete(img);
            }
            if (FileMapping.liveMappings() != 0) {
                problems.add(FileMapping.liveMappings() + " mappings left live");
            }
            System.out.println(problems.isEmpty() ? "OK mapped=" + mapped + " refused=" + refused
                    : "PROBLEMS " + problems);
        }
    }

    @Test
    void mappingRacesTheFileSystemsClose() throws Exception {
        ChildJvm.Result r = ChildJvm.run(RaceMain.class, 300, tmp.toString(), "30");
        assertTrue(r.exitCode() == 0 && r.output().contains("OK mapped="), r::describe);
        System.out.println(r.output().lines().filter(l -> l.startsWith("OK")).findFirst().orElse(""));
    }
}
