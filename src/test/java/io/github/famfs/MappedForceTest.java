package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.kenai.jffi.MemoryIO;
import io.github.famfs.format.Extent;
import io.github.famfs.format.FileEntry;
import io.github.famfs.format.InterleavedMap;
import io.github.famfs.nio.FamfsMappings;
import io.github.famfs.testing.TestImage;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileChannel.MapMode;
import java.nio.charset.StandardCharsets;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * MappedByteBuffer.force, load and Unsafe.invokeCleaner on famfs maps of an image file: the JDK made the map
 * (memory/ImageMapping), so force is msync of every stitched piece, and read-only maps are root buffers.
 */
class MappedForceTest {
    private static final long MIB = 1 << 20;
    private static final long CHUNK = 2 * MIB;
    private static final long STRIP = 4 * MIB;
    private static final long SIZE = 2 * STRIP;
    private static final int SEED = 7;

    @TempDir
    Path tmp;
    Path img;
    /** Device offsets of the two strips of /striped: chunk k of the file is at strip k%2, chunk k/2 of it. */
    long base;

    @BeforeEach
    void image() throws Exception {
        img = tmp.resolve("force.img");
        try (TestImage t = TestImage.create(img, 64 * MIB)) {
            base = t.nextDataOffset();
            t.entry(new FileEntry(t.nextIndex(), SIZE, 2, 1000, 1000, 0644,
                    "striped".getBytes(StandardCharsets.UTF_8),
                    new InterleavedMap(CHUNK, List.of(new Extent(base, STRIP), new Extent(base + STRIP, STRIP)))));
            t.fill(base, 2 * STRIP, SEED);
        }
    }

    private FileSystem master() throws Exception {
        return FileSystems.newFileSystem(URI.create("famfs:" + img),
                Map.of("systemUuid", TestImage.MASTER.toString()));
    }

    /** Device offset of file offset {@code o} of /striped. */
    private long deviceOffset(long o) {
        long chunk = o / CHUNK;
        return base + (chunk % 2) * STRIP + (chunk / 2) * CHUNK + o % CHUNK;
    }

    @Test
    void forceWritesEveryStitchedPieceBackToTheImageFile() throws Exception {
        byte[] mark = "forced through a famfs map".getBytes(StandardCharsets.UTF_8);
        try (FileSystem fs = master();
                FileChannel ch = FileChannel.open(fs.getPath("/striped"), StandardOpenOption.READ,
                        StandardOpenOption.WRITE)) {
            MappedByteBuffer rw = ch.map(MapMode.READ_WRITE, 0, SIZE);
            for (long o = 100; o < SIZE; o += CHUNK) {
                rw.put((int) o, mark);
            }
            long address = MemoryIO.getInstance().getDirectBufferAddress(rw);
            assertTrue(Smaps.dirtyKb(address, SIZE) > 0, "written pages are dirty before force (else this test"
                    + " could not see force work)");
            rw.force();
            assertEquals(0, Smaps.dirtyKb(address, SIZE), "force wrote every piece back (msync cleans the pages)");
            rw.put(5, mark);
            assertTrue(Smaps.dirtyKb(address, SIZE) > 0);
            FamfsMappings.force(rw);
            assertEquals(0, Smaps.dirtyKb(address, SIZE), "FamfsMappings.force msyncs too");
        }
        try (FileChannel raw = FileChannel.open(img)) {
            for (long o = 100; o < SIZE; o += CHUNK) {
                ByteBuffer b = ByteBuffer.allocate(mark.length);
                raw.read(b, deviceOffset(o));
                assertArrayEquals(mark, b.array(), "the image file holds file offset " + o);
            }
        }
    }

    @Test
    void readOnlyMapsAreRootBuffersThatInvokeCleanerReleases() throws Exception {
        FileSystem fs = master();
        FileChannel ch = FileChannel.open(fs.getPath("/striped"));
        MappedByteBuffer ro = ch.map(MapMode.READ_ONLY, 4096, SIZE - 8192);
        MappedByteBuffer other = ch.map(MapMode.READ_ONLY, 0, SIZE);
        assertTrue(ro.isReadOnly());
        FamfsMappings.load(ro);
        assertTrue(ro.isLoaded(), "load() is the JDK's: the pages are resident");
        assertThrows(IllegalArgumentException.class, () -> invokeCleaner(ro.slice(0, 10)),
                "a slice is refused, as for any JDK buffer");
        invokeCleaner(ro);
        invokeCleaner(ro);
        for (long o = 0; o < SIZE; o += MIB / 2) {
            assertEquals(TestImage.pattern(SEED, deviceOffset(o) - base), other.get((int) o),
                    "another map still reads file offset " + o);
        }
        ByteBuffer viaChannel = ByteBuffer.allocate(16);
        ch.read(viaChannel, 3 * CHUNK + 1);
        assertEquals(TestImage.pattern(SEED, deviceOffset(3 * CHUNK + 1) - base), viaChannel.get(0),
                "the file system's own mapping is untouched");
        MappedByteBuffer third = ch.map(MapMode.READ_ONLY, 0, 4096);
        fs.close();
        invokeCleaner(third);
        assertEquals(TestImage.pattern(SEED, 0), other.get(0), "maps outlive the file system");
        assertThrows(ClosedFileSystemException.class, () -> Files.size(fs.getPath("/striped")));
        invokeCleaner(other);
        assertFalse(ch.isOpen());
    }

    @Test
    void hostileArgumentsFailLikeTheDefaultProvider() throws Exception {
        try (FileSystem fs = master(); FileChannel ch = FileChannel.open(fs.getPath("/striped"))) {
            assertThrows(NullPointerException.class, () -> FamfsMappings.force(null));
            assertThrows(NullPointerException.class, () -> FamfsMappings.load(null));
            assertThrows(IllegalArgumentException.class, () -> invokeCleaner(ByteBuffer.allocate(8)));
            MappedByteBuffer empty = ch.map(MapMode.READ_ONLY, SIZE, 0);
            FamfsMappings.force(empty);
            FamfsMappings.load(empty);
            MappedByteBuffer ro = ch.map(MapMode.READ_ONLY, 0, 8192);
            FamfsMappings.force(ro);
            assertThrows(java.nio.ReadOnlyBufferException.class, () -> ro.put(0, (byte) 1));
        }
    }

    static void invokeCleaner(ByteBuffer b) throws Exception {
        Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
        Field f = unsafeClass.getDeclaredField("theUnsafe");
        f.setAccessible(true);
        Method m = unsafeClass.getMethod("invokeCleaner", ByteBuffer.class);
        try {
            m.invoke(f.get(null), b);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw (Exception) e.getCause();
        }
    }

    /** Dirty kilobytes of this process's mappings inside an address range, from /proc/self/smaps. */
    static final class Smaps {
        static long dirtyKb(long address, long length) throws Exception {
            long total = 0;
            boolean inside = false;
            for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
                int dash = line.indexOf('-');
                int space = line.indexOf(' ');
                if (dash > 0 && space > dash && line.substring(0, dash).matches("[0-9a-f]+")) {
                    long start = Long.parseUnsignedLong(line.substring(0, dash), 16);
                    long end = Long.parseUnsignedLong(line.substring(dash + 1, space), 16);
                    inside = start < address + length && end > address;
                } else if (inside && (line.startsWith("Shared_Dirty:") || line.startsWith("Private_Dirty:"))) {
                    total += Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
            return total;
        }
    }
}
