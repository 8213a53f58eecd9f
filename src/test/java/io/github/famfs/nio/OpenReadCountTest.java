package io.github.famfs.nio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.memory.CacheLines;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Open + read 4 KiB + close of a famfs file on an image (the {@code small-files} pair of the bench harness), asserted
 * by counting, not timing: once each file was read, it costs no read system call, no new mapping, no native
 * cache-line call and no page fault per operation. The same loop over the JDK's files shows that the counters see
 * this thread's system calls. Counters: {@code /proc/thread-self/io} (syscr, rchar), {@code /proc/thread-self/stat}
 * (minflt), the lines of {@code /proc/self/maps}.
 */
class OpenReadCountTest {
    private static final String MASTER = "5ca1e000-0000-4000-8000-0000000013ab";
    private static final String CLIENT = "c11e0000-0000-4000-8000-0000000013ab";
    private static final int FILES = 64;
    private static final int SIZE = 4096;
    private static final int PASSES = 4;

    @TempDir
    Path dir;

    /** syscr, rchar and minflt of this thread, and the number of mappings of this process. */
    private static long[] counters() throws IOException {
        long syscr = -1;
        long rchar = -1;
        for (String line : Files.readAllLines(Path.of("/proc/thread-self/io"))) {
            if (line.startsWith("syscr:")) {
                syscr = Long.parseLong(line.substring(6).trim());
            } else if (line.startsWith("rchar:")) {
                rchar = Long.parseLong(line.substring(6).trim());
            }
        }
        String stat = Files.readString(Path.of("/proc/thread-self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long minflt = Long.parseLong(f[7]); // field 10 of stat(5); f[0] is field 3
        long maps;
        try (var lines = Files.lines(Path.of("/proc/self/maps"))) {
            maps = lines.count();
        }
        return new long[] {syscr, rchar, minflt, maps};
    }

    private static void openRead(Path p, ByteBuffer buf) throws IOException {
        buf.clear();
        try (FileChannel ch = FileChannel.open(p)) {
            while (buf.hasRemaining() && ch.read(buf) >= 0) {
                // the whole 4 KiB
            }
        }
        if (buf.position() != SIZE) {
            throw new IllegalStateException(p + ": short read");
        }
    }

    /**
     * Counter deltas of {@link #PASSES} passes over {@code files}, less what reading the counters costs (the least
     * of five readings with nothing in between); the least of three tries (a class loaded or a collection in one
     * try does not count).
     */
    private static long[] perRun(Path[] files, ByteBuffer buf) throws IOException {
        long[] own = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, 0}; // maps is a level, not a count
        long[] last = counters();
        for (int t = 0; t < 5; t++) { // what reading the counters costs: the least of five readings
            long[] now = counters();
            for (int k = 0; k < 3; k++) {
                own[k] = Math.min(own[k], now[k] - last[k]);
            }
            last = now;
        }
        long[] best = {Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE, Long.MAX_VALUE};
        for (int t = 0; t < 3; t++) {
            long[] b = counters();
            for (int pass = 0; pass < PASSES; pass++) {
                for (Path p : files) {
                    openRead(p, buf);
                }
            }
            long[] c = counters();
            for (int k = 0; k < 4; k++) {
                best[k] = Math.min(best[k], c[k] - b[k] - own[k]);
            }
        }
        return best;
    }

    @Test
    void openReadCloseOfAnImageFileMakesNoSystemCallMappingOrFault() throws Exception {
        Path img = dir.resolve("small.img");
        Path plainDir = Files.createDirectory(dir.resolve("plain"));
        Path[] plain = new Path[FILES];
        byte[][] want = new byte[FILES][];
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("create", "true",
                "deviceSize", "256M", "systemUuid", MASTER))) {
            Files.createDirectory(fs.getPath("/s"));
            for (int i = 0; i < FILES; i++) {
                want[i] = new byte[SIZE];
                new java.util.Random(i).nextBytes(want[i]);
                Files.write(fs.getPath("/s/f" + i), want[i]);
                plain[i] = Files.write(plainDir.resolve("f" + i), want[i]);
            }
        }
        // a client, read-only, as the bench harness mounts it
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("systemUuid", CLIENT))) {
            assertTrue(fs.isReadOnly());
            Path[] famfs = new Path[FILES];
            ByteBuffer buf = ByteBuffer.allocateDirect(SIZE);
            byte[] got = new byte[SIZE];
            for (int i = 0; i < FILES; i++) {
                famfs[i] = fs.getPath("/s/f" + i);
                openRead(famfs[i], buf); // first reads: the pages of the mapping fault in once
                buf.get(0, got);
                assertArrayEquals(want[i], got, famfs[i].toString());
                openRead(plain[i], buf);
            }
            long helperCalls = CacheLines.callsDone();
            long[] f = perRun(famfs, buf);
            long[] j = perRun(plain, buf);
            int ops = PASSES * FILES;
            String what = ops + " open + read 4 KiB + close: famfs read syscalls " + f[0] + ", bytes read by syscalls "
                    + f[1] + ", page faults " + f[2] + ", new mappings " + f[3] + "; the JDK's: " + j[0] + ", " + j[1]
                    + ", " + j[2] + ", " + j[3];
            // the counters see this thread's reads: the JDK's loop makes at least one read(2) of 4 KiB per operation
            assertTrue(j[0] >= ops && j[1] >= (long) ops * SIZE, what);
            assertEquals(0, f[0], what);
            assertEquals(0, f[1], what);
            assertEquals(0, f[3], what);
            assertTrue(f[2] < ops / 8, what); // not a fault per operation (a few may come from the heap)
            assertEquals(helperCalls, CacheLines.callsDone(), "no native cache-line call on an image: " + what);
            System.out.println(what);
        }
    }
}
