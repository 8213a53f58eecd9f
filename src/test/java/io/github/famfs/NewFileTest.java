package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.alloc.AllocationBitmap;
import io.github.famfs.alloc.Allocator;
import io.github.famfs.format.Extent;
import io.github.famfs.format.Layout;
import io.github.famfs.format.OutOfSpaceException;
import io.github.famfs.meta.Formatter;
import io.github.famfs.nio.FamfsFsck;
import io.github.famfs.nio.FamfsOption;
import io.github.famfs.nio.FamfsRuleException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** New files and the master's writes: names, reformat detection, zeroed gaps, fixed sizes, offsets, one extent, CREATE_NEW. */
class NewFileTest {
    private static final String MASTER = "00112233-4455-6677-8899-aabbccddeeff";
    private static final long MIB = 1 << 20;
    private static final Set<OpenOption> NEW = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
    @TempDir
    Path tmp;

    private FileSystem create(Path img, String size) throws IOException {
        return FileSystems.newFileSystem(URI.create("famfs:" + img),
                Map.of("create", "true", "deviceSize", size, "systemUuid", MASTER));
    }

    private static FileSystem client(Path img) throws IOException {
        return FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("systemUuid", UUID.randomUUID().toString()));
    }

    private static byte[] filled(int size, int value) {
        byte[] b = new byte[size];
        Arrays.fill(b, (byte) value);
        return b;
    }

    private static byte[] imageBytes(Path img, long offset, int length) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(length);
        try (FileChannel ch = FileChannel.open(img)) {
            ch.read(b, offset);
        }
        return b.array();
    }

    private static Extent onlyExtent(Path p) throws IOException {
        List<?> extents = (List<?>) Files.getAttribute(p, "famfs:extents");
        assertEquals(1, extents.size(), p + " is one extent: " + extents);
        return (Extent) extents.get(0);
    }

    private static long free(FileSystem fs) throws IOException {
        return Files.getFileStore(fs.getPath("/")).getUnallocatedSpace();
    }

    /** Leaves 3 MiB of 0x5a in units given back: an unpublished file of fixed size 4 MiB, written short. */
    private static void leaveOldBytes(FileSystem fs, String name) throws IOException {
        Path p = fs.getPath(name);
        FileChannel ch = FileChannel.open(p, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                FamfsOption.size(4 * MIB)));
        ch.write(ByteBuffer.wrap(filled((int) (3 * MIB), 0x5a)));
        IOException e = assertThrows(IOException.class, ch::close);
        assertTrue(e.getMessage().contains("not published"), e.getMessage());
        assertFalse(Files.exists(p));
    }

    // ---- item 2: names are encoded strictly

    @Test
    void aLoneSurrogateOrNulIsAnInvalidPathAsInTheDefaultProvider() throws Exception {
        Path img = tmp.resolve("names.img");
        try (FileSystem fs = create(img, "64M")) {
            for (String bad : List.of("/bad\uD800name", "/bad\uDC00", "/x\uD800", "/a\0b")) {
                InvalidPathException e = assertThrows(InvalidPathException.class, () -> fs.getPath(bad));
                InvalidPathException jdk = assertThrows(InvalidPathException.class, () -> Path.of(tmp.toString(), bad));
                assertEquals(jdk.getReason().substring(0, 10).equals("Nul charac"), e.getReason().contains("NUL"),
                        e.getReason() + " / " + jdk.getReason());
                assertThrows(InvalidPathException.class, () -> fs.getPath("/").resolve(bad.substring(1)));
                assertThrows(InvalidPathException.class, () -> fs.getPath("/dir", bad.substring(1)));
            }
            // the name the old encoder made of "/bad\uD800name" is its own file, and a pair is a real character
            Files.write(fs.getPath("/bad?name"), new byte[] {1});
            Files.write(fs.getPath("/smile\uD83D\uDE00"), new byte[] {2});
            Files.createDirectory(fs.getPath("/dir\uD83D\uDE00"));
        }
        try (FileSystem fs = client(img)) {
            assertArrayEquals(new byte[] {1}, Files.readAllBytes(fs.getPath("/bad?name")));
            assertArrayEquals(new byte[] {2}, Files.readAllBytes(fs.getPath("/smile\uD83D\uDE00")));
            assertTrue(Files.isDirectory(fs.getPath("/dir\uD83D\uDE00")));
            assertTrue(FamfsFsck.check(fs).isClean());
            assertEquals(3, FamfsFsck.check(fs).logEntries());
        }
    }

    // ---- item 5: a reformat by another process stops the master

    private static void reformatBehindItsBack(Path img) throws IOException {
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            MappedByteBuffer head = ch.map(FileChannel.MapMode.READ_WRITE, 0, Layout.LOG_OFFSET + 8 * MIB);
            Formatter.format(head.slice(0, 4096), head.slice((int) Layout.LOG_OFFSET, (int) (8 * MIB)), ch.size(),
                    8 * MIB, UUID.fromString(MASTER), img.toString());
            head.force();
        }
    }

    @Test
    void aMasterStopsWritingOnceAnotherProcessReformatted() throws Exception {
        Path img = tmp.resolve("reformat.img");
        try (FileSystem fs = create(img, "64M")) {
            Files.createDirectory(fs.getPath("/before"));
            Files.write(fs.getPath("/before/f"), new byte[] {1, 2, 3});
            FileChannel pending = FileChannel.open(fs.getPath("/pending"), NEW);
            pending.write(ByteBuffer.wrap(new byte[] {9}));
            reformatBehindItsBack(img);
            IOException e = assertThrows(IOException.class, () -> Files.createDirectory(fs.getPath("/after")));
            assertTrue(e.getMessage().contains("reformatted by another process") && e.getMessage().contains("reopen"),
                    e.getMessage());
            IOException again = assertThrows(IOException.class, () -> Files.createDirectory(fs.getPath("/x")));
            assertTrue(again.getMessage().contains("reformatted"), again.getMessage());
            IOException write = assertThrows(IOException.class, () -> Files.write(fs.getPath("/y"), new byte[] {1}));
            assertTrue(write.getMessage().contains("reformatted"), write.getMessage());
            assertThrows(IOException.class, pending::close);
        }
        try (FileSystem fs = client(img)) {
            assertEquals(0, FamfsFsck.check(fs).logEntries(), "nothing was appended to the new famfs");
        }
    }

    @Test
    void aMasterStopsWritingWhenTheLogWentBackwards() throws Exception {
        Path img = tmp.resolve("rewound.img");
        try (FileSystem fs = create(img, "64M")) {
            for (int i = 0; i < 3; i++) {
                Files.createDirectory(fs.getPath("/d" + i));
            }
            try (FileChannel ch = FileChannel.open(img, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                ByteBuffer one = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(0, 1);
                ch.write(one, Layout.LOG_OFFSET + 40); // next_index (outside the header CRC)
            }
            IOException e = assertThrows(IOException.class, () -> Files.createDirectory(fs.getPath("/d3")));
            assertTrue(e.getMessage().contains("went backwards"), e.getMessage());
            assertThrows(IOException.class, () -> Files.createDirectory(fs.getPath("/d4")));
        }
        try (FileSystem fs = client(img)) {
            assertEquals(1, FamfsFsck.check(fs).logEntries(), "no entry was appended over d1");
        }
    }

    // ---- item 7: every byte the user did not write reads as zero

    @Test
    void aGapBeforeTheFirstWriteAndTheLastPageReadAsZeros() throws Exception {
        Path img = tmp.resolve("gap.img");
        try (FileSystem fs = create(img, "64M")) {
            leaveOldBytes(fs, "/given-back");
            try (FileChannel ch = FileChannel.open(fs.getPath("/gap"), Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, StandardOpenOption.READ))) {
                ch.write(ByteBuffer.wrap(new byte[] {7, 7, 7}), MIB + 5);
                ByteBuffer back = ByteBuffer.allocate((int) MIB + 8);
                assertEquals(MIB + 8, ch.read(back, 0) + 0L);
            }
            leaveOldBytes(fs, "/given-back-2");
            try (FileChannel ch = FileChannel.open(fs.getPath("/truncated"), Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, StandardOpenOption.READ))) {
                ch.write(ByteBuffer.wrap(filled(100, 0x33)));
                ch.truncate(10);
                ch.write(ByteBuffer.wrap(new byte[] {4}), 50);
            }
        }
        byte[] expectGap = new byte[(int) MIB + 8];
        expectGap[(int) MIB + 5] = 7;
        expectGap[(int) MIB + 6] = 7;
        expectGap[(int) MIB + 7] = 7;
        byte[] expectTruncated = new byte[51];
        Arrays.fill(expectTruncated, 0, 10, (byte) 0x33);
        expectTruncated[50] = 4;
        try (FileSystem fs = client(img)) {
            assertArrayEquals(expectGap, Files.readAllBytes(fs.getPath("/gap")));
            assertArrayEquals(expectTruncated, Files.readAllBytes(fs.getPath("/truncated")));
            for (String name : List.of("/gap", "/truncated")) {
                Path p = fs.getPath(name);
                long size = Files.size(p);
                long pageEnd = (size + 4095) / 4096 * 4096;
                byte[] tail = imageBytes(img, onlyExtent(p).offset() + size, (int) (pageEnd - size));
                assertArrayEquals(new byte[tail.length], tail, name + ": the rest of its last page is zeros");
            }
        }
    }

    @Test
    void unitsOfAFreshFormatOverOldDataShowNoOldBytes() throws Exception {
        Path img = tmp.resolve("dirty.img");
        try (FileChannel ch = FileChannel.open(img, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer junk = ByteBuffer.wrap(filled((int) MIB, 0xa5));
            for (long at = 0; at < 64 * MIB; at += MIB) {
                ch.write(junk.clear(), at);
            }
        }
        // create alone refuses a device that is not blank; force formats over the old bytes
        try (FileSystem fs = FileSystems.newFileSystem(io.github.famfs.nio.FamfsFileSystemProvider.uri(img),
                Map.of("create", "true", "force", "true", "systemUuid", MASTER))) {
            try (FileChannel ch = FileChannel.open(fs.getPath("/sparse"), NEW)) {
                ch.write(ByteBuffer.wrap(new byte[] {1}), 100);
            }
        }
        byte[] expect = new byte[101];
        expect[100] = 1;
        try (FileSystem fs = client(img)) {
            Path p = fs.getPath("/sparse");
            assertArrayEquals(expect, Files.readAllBytes(p));
            byte[] page = imageBytes(img, onlyExtent(p).offset(), 4096);
            byte[] zeroPage = new byte[4096];
            zeroPage[100] = 1;
            assertArrayEquals(zeroPage, page, "the whole first page: written byte, zeros");
        }
    }

    // ---- item 8: a write past a fixed size fails before writing anything

    @Test
    void writesPastAFixedSizeAreRefusedWhole() throws Exception {
        Path img = tmp.resolve("fixed.img");
        Path src11 = Files.write(tmp.resolve("eleven"), filled(11, 0x11));
        try (FileSystem fs = create(img, "64M")) {
            Path p = fs.getPath("/ten");
            try (FileChannel ch = FileChannel.open(p, Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    StandardOpenOption.READ, FamfsOption.size(10)))) {
                ByteBuffer eleven = ByteBuffer.wrap(filled(11, 0x22));
                FamfsRuleException e = assertThrows(FamfsRuleException.class, () -> ch.write(eleven));
                assertTrue(e.getMessage().contains("10 bytes"), e.getMessage());
                assertEquals(0, eleven.position(), "nothing taken from the buffer");
                assertEquals(0, ch.position());
                assertThrows(FamfsRuleException.class, () -> ch.write(ByteBuffer.wrap(new byte[6]), 5));
                ByteBuffer[] gather = {ByteBuffer.wrap(filled(6, 0x33)), ByteBuffer.wrap(filled(5, 0x33))};
                assertThrows(FamfsRuleException.class, () -> ch.write(gather));
                assertEquals(0, gather[0].position());
                try (FileChannel in = FileChannel.open(src11)) {
                    assertThrows(FamfsRuleException.class, () -> ch.transferFrom(in, 0, 11));
                }
                ByteBuffer back = ByteBuffer.allocate(10);
                assertEquals(-1, ch.read(back, 0), "nothing was written");
                assertEquals(10, ch.write(ByteBuffer.wrap(filled(10, 0x44))));
            }
            try (OutputStream out = Files.newOutputStream(fs.getPath("/stream"), StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE, FamfsOption.size(10))) {
                assertThrows(FamfsRuleException.class, () -> out.write(filled(11, 0x55)));
                out.write(filled(10, 0x66));
            }
        }
        try (FileSystem fs = client(img)) {
            assertArrayEquals(filled(10, 0x44), Files.readAllBytes(fs.getPath("/ten")));
            assertArrayEquals(filled(10, 0x66), Files.readAllBytes(fs.getPath("/stream")));
        }
    }

    // ---- item 17: offsets near Long.MAX_VALUE

    @Test
    void aWriteAtAHugeOffsetIsAClearErrorAndTheSpaceIsUnchanged() throws Exception {
        Path img = tmp.resolve("huge.img");
        try (FileSystem fs = create(img, "64M")) {
            long before = free(fs);
            for (long pos : new long[] {Long.MAX_VALUE - 1, Long.MAX_VALUE, Long.MAX_VALUE / 2, 1L << 40}) {
                FileChannel ch = FileChannel.open(fs.getPath("/far"), NEW);
                IOException e = assertThrows(IOException.class, () -> ch.write(ByteBuffer.wrap(new byte[] {1}), pos));
                assertTrue(e.getMessage().contains("out of space") || e.getMessage().contains("largest file offset"),
                        e.getMessage());
                assertThrows(IOException.class, ch::close);
                Files.createDirectory(fs.getPath("/d" + Long.toHexString(pos)));
                assertEquals(before, free(fs), "after a write at " + pos);
            }
            FileChannel ch = FileChannel.open(fs.getPath("/far"), NEW);
            ch.position(Long.MAX_VALUE - 2);
            FileSystemException past = assertThrows(FileSystemException.class, () -> ch.write(new ByteBuffer[] {
                ByteBuffer.allocate(2), ByteBuffer.allocate(2)}, 0, 2));
            assertTrue(past.getMessage().contains("largest file offset"), past.getMessage());
            assertThrows(IOException.class, ch::close); // nothing written: no empty file
            Files.write(fs.getPath("/far"), new byte[] {5});
        }
    }

    @Test
    void theAllocatorRefusesAnySizeWithoutChangingItsAccounting() throws Exception {
        Allocator a = new Allocator(new AllocationBitmap(64 * MIB, 2 * MIB), 64 * MIB);
        long free = a.freeBytes();
        for (long bytes : new long[] {Long.MAX_VALUE, Long.MAX_VALUE - 1, 65 * MIB, 1L << 62}) {
            assertThrows(OutOfSpaceException.class, () -> a.contiguous(bytes));
            assertEquals(free, a.freeBytes());
        }
        Extent e = a.contiguous(1);
        assertEquals(null, a.extend(e, Long.MAX_VALUE));
        assertEquals(free - 2 * MIB, a.freeBytes());
    }

    // ---- item 20: every file published is one extent

    @Test
    void filesGrowingTogetherStayOneExtent() throws Exception {
        Path img = tmp.resolve("together.img");
        Random rnd = new Random(20);
        byte[][] data = new byte[4][];
        for (int i = 0; i < data.length; i++) {
            data[i] = new byte[(int) (3 * MIB + rnd.nextInt((int) (6 * MIB)))];
            rnd.nextBytes(data[i]);
        }
        try (FileSystem fs = create(img, "256M")) {
            OutputStream[] out = new OutputStream[data.length];
            for (int i = 0; i < out.length; i++) {
                out[i] = Files.newOutputStream(fs.getPath("/f" + i));
            }
            int chunk = (int) (MIB / 3);
            for (int at = 0; at < 10 * MIB; at += chunk) {
                for (int i = 0; i < out.length; i++) {
                    if (at < data[i].length) {
                        out[i].write(data[i], at, Math.min(chunk, data[i].length - at));
                    }
                }
            }
            for (OutputStream o : out) {
                o.close();
            }
        }
        try (FileSystem fs = client(img)) {
            for (int i = 0; i < data.length; i++) {
                Path p = fs.getPath("/f" + i);
                assertArrayEquals(data[i], Files.readAllBytes(p));
                onlyExtent(p);
            }
            assertTrue(FamfsFsck.check(fs).isClean());
        }
    }

    /** The only run big enough takes in the file's own units: it moves down over them, bytes intact. */
    @Test
    void aFileMovesIntoARunThatOverlapsItself() throws Exception {
        Path img = tmp.resolve("tight.img"); // 32 MiB: data units at 10..31 MiB, 11 units of 2 MiB
        byte[] a = new byte[(int) (3 * MIB)];
        new Random(3).nextBytes(a);
        try (FileSystem fs = create(img, "32M")) {
            FileChannel x = FileChannel.open(fs.getPath("/x"), NEW); // unit 0
            x.write(ByteBuffer.wrap(new byte[] {1}));
            FileChannel chA = FileChannel.open(fs.getPath("/a"), NEW); // unit 1
            chA.write(ByteBuffer.wrap(a, 0, (int) (2 * MIB)));
            FileChannel b = FileChannel.open(fs.getPath("/b"), NEW); // unit 2
            b.write(ByteBuffer.wrap(new byte[] {2}));
            Files.write(fs.getPath("/rest"), new byte[(int) (16 * MIB)]); // units 3..10
            x.truncate(0);
            assertThrows(IOException.class, x::close); // empty: unit 0 given back
            Files.createDirectory(fs.getPath("/refresh")); // the space figures are taken when the log is read
            long before = free(fs);
            assertEquals(2 * MIB, before);
            chA.write(ByteBuffer.wrap(a, (int) (2 * MIB), (int) MIB));
            chA.close();
            FileChannel c = FileChannel.open(fs.getPath("/c"), NEW);
            IOException full = assertThrows(IOException.class, () -> c.write(ByteBuffer.allocate(1)));
            assertTrue(full.getMessage().contains("out of space"), full.getMessage());
            assertThrows(IOException.class, c::close);
            b.close();
        }
        try (FileSystem fs = client(img)) {
            Path p = fs.getPath("/a");
            assertArrayEquals(a, Files.readAllBytes(p));
            assertEquals(new Extent(10 * MIB, 4 * MIB), onlyExtent(p));
            assertTrue(FamfsFsck.check(fs).isClean());
        }
    }

    // ---- item 21: CREATE_NEW is atomic

    @Test
    void aNameBeingMadeIsTaken() throws Exception {
        Path img = tmp.resolve("pending.img");
        try (FileSystem fs = create(img, "64M")) {
            Path p = fs.getPath("/p");
            FileChannel first = FileChannel.open(p, NEW);
            first.write(ByteBuffer.wrap(new byte[] {1}));
            assertThrows(FileAlreadyExistsException.class, () -> FileChannel.open(p, NEW));
            assertThrows(FileAlreadyExistsException.class, () -> Files.createDirectory(p));
            assertThrows(FileAlreadyExistsException.class, () -> FileChannel.open(p, StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE));
            first.close();
            assertThrows(FileAlreadyExistsException.class, () -> FileChannel.open(p, NEW));
            Path q = fs.getPath("/q");
            FileChannel dropped = FileChannel.open(q, NEW);
            assertThrows(IOException.class, dropped::close); // empty: given up, the name is free again
            Files.write(q, new byte[] {2}, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            assertArrayEquals(new byte[] {2}, Files.readAllBytes(q));
        }
    }

    @Test
    void racingCreatesOfOneNameMakeOneFile() throws Exception {
        Path img = tmp.resolve("race.img");
        int threads = 4;
        int rounds = 300;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (FileSystem fs = create(img, "1G")) {
            CyclicBarrier barrier = new CyclicBarrier(threads);
            List<Future<int[]>> results = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int me = t;
                results.add(pool.submit(() -> {
                    int[] made = new int[rounds];
                    try {
                        race(fs, barrier, me, rounds, made);
                    } catch (Exception | Error e) {
                        barrier.reset(); // the others stop waiting for this thread
                        throw e;
                    }
                    return made;
                }));
            }
            int[] perRound = new int[rounds];
            for (Future<int[]> f : results) {
                int[] made = f.get();
                for (int r = 0; r < rounds; r++) {
                    perRound[r] += made[r];
                }
            }
            for (int r = 0; r < rounds; r++) {
                assertEquals(1, perRound[r], "round " + r + ": exactly one create succeeded");
            }
        } finally {
            pool.shutdownNow();
        }
        try (FileSystem fs = client(img)) {
            assertEquals(rounds, FamfsFsck.check(fs).logEntries());
            assertTrue(FamfsFsck.check(fs).isClean());
        }
    }

    private static void race(FileSystem fs, CyclicBarrier barrier, int me, int rounds, int[] made) throws Exception {
        for (int r = 0; r < rounds; r++) {
            barrier.await();
            Path p = fs.getPath("/r" + r);
            // a create that loses is refused when it opens; one that opens publishes
            if (me == 0 && r % 3 == 0) {
                try {
                    Files.createDirectory(p);
                    made[r] = 1;
                } catch (FileAlreadyExistsException lost) {
                    made[r] = 0;
                }
                continue;
            }
            FileChannel ch;
            try {
                ch = FileChannel.open(p, NEW);
            } catch (FileAlreadyExistsException lost) {
                continue;
            }
            ch.write(ByteBuffer.wrap(new byte[] {(byte) me}));
            ch.close();
            made[r] = 1;
        }
    }
}
