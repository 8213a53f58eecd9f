package io.github.famfs.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The two libc bindings, call for call: on Java 22+ (where the test class path holds the Java 22 layer) the
 * foreign-function binding and the jnr-ffi one must give the same results and the same errno for every call, on
 * good and on hostile input (bad and closed descriptors, misaligned addresses, short or unterminated arrays,
 * counts past a buffer's end); on Java 17 the jnr-ffi binding alone is held to the same expectations. Also which
 * binding {@link Native} chooses.
 */
class LibcBindingsTest {
    private static final int ENOENT = 2;
    private static final int EBADF = 9;
    private static final int EINVAL = 22;

    @TempDir
    Path tmp;

    /** Every binding this JVM can run: jnr-ffi always, the foreign-function one on Java 22+. */
    static List<LibcCalls> bindings() throws Exception {
        List<LibcCalls> all = new ArrayList<>();
        all.add(new JnrLibcCalls());
        LibcCalls ffm = ffm();
        if (ffm != null) {
            all.add(ffm);
        }
        return all;
    }

    private static LibcCalls ffm() throws Exception {
        if (Runtime.version().feature() < 22) {
            return null;
        }
        var c = Class.forName("io.github.famfs.memory.FfmLibcCalls").getDeclaredConstructor();
        c.setAccessible(true);
        return (LibcCalls) c.newInstance();
    }

    private static byte[] c(Path p) {
        return Native.cString(p);
    }

    @Test
    void nativeChoosesTheForeignFunctionApiOnJava22AndJnrBefore() throws Exception {
        String expected = Runtime.version().feature() >= 22 && !"jnr".equals(System.getProperty(
                Native.BINDING_PROPERTY)) ? "ffm" : "jnr";
        assertEquals(expected, Native.libc().name());
    }

    @Test
    void bothBindingsAreHereOnJava22() throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() >= 22, "Java " + Runtime.version().feature()
                + " has only the jnr-ffi binding: the comparison runs on Java 22+");
        assertEquals(List.of("jnr", "ffm"), bindings().stream().map(LibcCalls::name).toList());
    }

    @Test
    void identityAndMessagesAgree() throws Exception {
        List<LibcCalls> all = bindings();
        for (LibcCalls b : all) {
            assertEquals(all.get(0).geteuid(), b.geteuid(), b.name());
            assertEquals(all.get(0).getegid(), b.getegid(), b.name());
            for (int e = -1; e <= 140; e++) {
                assertEquals(all.get(0).strerror(e), b.strerror(e), b.name() + " errno " + e);
            }
            assertEquals("No such file or directory", b.strerror(ENOENT), b.name());
        }
    }

    @Test
    void descriptorsAndTheirFailures() throws Exception {
        Path f = Files.write(tmp.resolve("f"), new byte[8192]);
        for (LibcCalls b : bindings()) {
            String n = b.name();
            assertEquals(-1, b.open(c(tmp.resolve("absent")), LibcCalls.O_RDONLY | LibcCalls.O_CLOEXEC, 0), n);
            assertEquals(ENOENT, b.errno(), n);
            int fd = b.open(c(f), LibcCalls.O_RDWR | LibcCalls.O_CLOEXEC, 0);
            assertTrue(fd >= 0, n + ": " + b.strerror(b.errno()));
            assertEquals(0, b.flock(fd, LibcCalls.LOCK_EX | LibcCalls.LOCK_NB), n);
            assertEquals(0, b.flock(fd, LibcCalls.LOCK_UN), n);
            assertEquals(0, b.close(fd), n);
            // descriptors that are not open (none reused: another thread may open one with a closed number)
            for (int bad : new int[] {-1, 1 << 24, Integer.MAX_VALUE}) {
                assertEquals(-1, b.close(bad), n);
                assertEquals(EBADF, b.errno(), n);
                assertEquals(-1, b.flock(bad, LibcCalls.LOCK_EX | LibcCalls.LOCK_NB), n);
                assertEquals(EBADF, b.errno(), n);
                assertEquals(-1, b.fcntl(bad, LibcCalls.F_OFD_SETLK, flock(LibcCalls.F_WRLCK, 0, 1)), n);
                assertEquals(EBADF, b.errno(), n);
                assertEquals(-1, b.pwrite(bad, ByteBuffer.allocateDirect(4), 4, 0), n);
                assertEquals(EBADF, b.errno(), n);
                assertEquals(LibcCalls.MAP_FAILED, b.mmap(0, 4096, LibcCalls.PROT_READ, LibcCalls.MAP_SHARED, bad, 0),
                        n);
                assertEquals(EBADF, b.errno(), n);
            }
        }
    }

    private static byte[] flock(short type, long start, long length) {
        byte[] fl = new byte[LibcCalls.FLOCK_SIZE];
        ByteBuffer.wrap(fl).order(ByteOrder.nativeOrder()).putShort(0, type).putShort(2, LibcCalls.SEEK_SET)
                .putLong(8, start).putLong(16, length);
        return fl;
    }

    @Test
    void locksTakenThroughOneBindingAreSeenThroughTheOther() throws Exception {
        Path f = Files.write(tmp.resolve("locked"), new byte[4096]);
        List<LibcCalls> all = bindings();
        for (LibcCalls holder : all) {
            for (LibcCalls other : all) {
                int a = holder.open(c(f), LibcCalls.O_RDWR | LibcCalls.O_CLOEXEC, 0);
                int b = other.open(c(f), LibcCalls.O_RDWR | LibcCalls.O_CLOEXEC, 0);
                try {
                    String n = holder.name() + " holds, " + other.name() + " tries";
                    assertEquals(0, holder.fcntl(a, LibcCalls.F_OFD_SETLK, flock(LibcCalls.F_WRLCK, 100, 10)), n);
                    assertEquals(-1, other.fcntl(b, LibcCalls.F_OFD_SETLK, flock(LibcCalls.F_RDLCK, 105, 1)), n);
                    assertTrue(other.errno() == LibcCalls.EAGAIN || other.errno() == LibcCalls.EACCES, n);
                    assertEquals(0, other.fcntl(b, LibcCalls.F_OFD_SETLK, flock(LibcCalls.F_WRLCK, 110, 1)), n);
                    assertEquals(0, holder.flock(a, LibcCalls.LOCK_EX | LibcCalls.LOCK_NB), n);
                    assertEquals(-1, other.flock(b, LibcCalls.LOCK_EX | LibcCalls.LOCK_NB), n);
                    assertEquals(LibcCalls.EWOULDBLOCK, other.errno(), n);
                } finally {
                    holder.close(a);
                    other.close(b);
                }
            }
        }
    }

    @Test
    void pwriteFromEveryKindOfBuffer() throws Exception {
        byte[] data = "famfs pwrite through either binding".getBytes(StandardCharsets.US_ASCII);
        for (LibcCalls b : bindings()) {
            Path f = Files.write(tmp.resolve("w-" + b.name()), new byte[0]);
            int fd = b.open(c(f), LibcCalls.O_RDWR | LibcCalls.O_CLOEXEC, 0);
            try {
                ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data).flip();
                List<ByteBuffer> kinds = List.of(ByteBuffer.wrap(data), ByteBuffer.wrap(data).asReadOnlyBuffer(),
                        direct, direct.asReadOnlyBuffer(), ByteBuffer.wrap(data, 6, 6).slice());
                long at = 0;
                StringBuilder expected = new StringBuilder();
                for (ByteBuffer buf : kinds) {
                    int before = buf.position();
                    long w = b.pwrite(fd, buf, buf.remaining(), at);
                    assertEquals(buf.remaining(), w, b.name() + " " + buf);
                    assertEquals(before, buf.position(), "pwrite leaves the position to the caller");
                    byte[] piece = new byte[buf.remaining()];
                    buf.duplicate().get(piece);
                    expected.append(new String(piece, StandardCharsets.US_ASCII));
                    at += w;
                }
                // from a position inside the buffer, fewer bytes than remain
                ByteBuffer mid = ByteBuffer.wrap(data).position(10);
                assertEquals(3, b.pwrite(fd, mid, 3, at), b.name());
                expected.append(new String(data, 10, 3, StandardCharsets.US_ASCII));
                assertEquals(expected.toString(), Files.readString(f, StandardCharsets.US_ASCII), b.name());
                // hostile: a count past the buffer's end never reaches native code
                String n = b.name();
                assertThrows(IllegalArgumentException.class, () -> b.pwrite(fd, ByteBuffer.allocate(4), 5, 0), n);
                assertThrows(IllegalArgumentException.class, () -> b.pwrite(fd, ByteBuffer.allocateDirect(4), 5, 0),
                        n);
                assertThrows(IllegalArgumentException.class, () -> b.pwrite(fd, ByteBuffer.allocate(4), -1, 0), n);
                assertEquals(expected.length(), Files.size(f), n);
                // a negative file offset: EINVAL from the kernel
                assertEquals(-1, b.pwrite(fd, ByteBuffer.allocate(1), 1, -1), n);
                assertEquals(EINVAL, b.errno(), n);
            } finally {
                b.close(fd);
            }
        }
    }

    @Test
    void hostileArraysAndAddressesAreRefusedBeforeNativeCode() throws Exception {
        for (LibcCalls b : bindings()) {
            String n = b.name();
            byte[] unterminated = tmp.toString().getBytes(StandardCharsets.UTF_8);
            assertThrows(IllegalArgumentException.class, () -> b.open(unterminated, LibcCalls.O_RDONLY, 0), n);
            assertThrows(IllegalArgumentException.class, () -> b.open(new byte[0], LibcCalls.O_RDONLY, 0), n);
            assertThrows(IllegalArgumentException.class, () -> b.fcntl(0, LibcCalls.F_OFD_SETLK, new byte[31]), n);
            assertThrows(IllegalArgumentException.class, () -> b.buffer(0, 16), n);
            assertThrows(IllegalArgumentException.class, () -> b.buffer(4096, -1), n);
            // an empty path is a path the kernel refuses
            assertEquals(-1, b.open(new byte[] {0}, LibcCalls.O_RDONLY, 0), n);
            assertEquals(ENOENT, b.errno(), n);
        }
    }

    @Test
    void mappingsAndTheirFailures() throws Exception {
        List<LibcCalls> all = bindings();
        for (LibcCalls b : all) {
            String n = b.name();
            long a = b.mmap(0, 1 << 20, LibcCalls.PROT_READ | LibcCalls.PROT_WRITE,
                    LibcCalls.MAP_PRIVATE | LibcCalls.MAP_ANONYMOUS, -1, 0);
            assertNotEquals(LibcCalls.MAP_FAILED, a, n);
            assertEquals(0, a % AddressSpace.PAGE, n);
            try {
                // a buffer over it from each binding sees the same memory
                b.buffer(a, 1 << 20).putLong(4096, 0x1122334455667788L);
                for (LibcCalls other : all) {
                    ByteBuffer view = other.buffer(a, 1 << 20);
                    assertTrue(view.isDirect(), other.name());
                    assertTrue(view instanceof java.nio.MappedByteBuffer, other.name());
                    assertEquals(ByteOrder.BIG_ENDIAN, view.order(), other.name());
                    assertEquals(1 << 20, view.capacity(), other.name());
                    assertEquals(0x1122334455667788L, view.getLong(4096), other.name());
                }
                int advised = b.madvise(a, 1 << 20, LibcCalls.MADV_HUGEPAGE);
                assertTrue(advised == 0 || b.errno() == EINVAL, n); // without THP: EINVAL, never another error
                assertEquals(0, b.msync(a, 1 << 20, LibcCalls.MS_SYNC), n);
                // misaligned addresses: EINVAL, nothing unmapped
                assertEquals(-1, b.munmap(a + 1, 4096), n);
                assertEquals(EINVAL, b.errno(), n);
                assertEquals(-1, b.msync(a + 1, 4096, LibcCalls.MS_SYNC), n);
                assertEquals(EINVAL, b.errno(), n);
                assertEquals(-1, b.madvise(a + 1, 4096, LibcCalls.MADV_HUGEPAGE), n);
                assertEquals(EINVAL, b.errno(), n);
                assertEquals(0x1122334455667788L, b.buffer(a, 1 << 20).getLong(4096), n);
                // a bad advice, and a zero-length or absurd mapping
                assertEquals(-1, b.madvise(a, 4096, 12345), n);
                assertEquals(EINVAL, b.errno(), n);
                assertEquals(LibcCalls.MAP_FAILED, b.mmap(0, 0, LibcCalls.PROT_READ,
                        LibcCalls.MAP_PRIVATE | LibcCalls.MAP_ANONYMOUS, -1, 0), n);
                assertEquals(EINVAL, b.errno(), n);
                assertEquals(LibcCalls.MAP_FAILED, b.mmap(0, 4096, LibcCalls.PROT_READ, LibcCalls.MAP_ANONYMOUS,
                        -1, 0), n); // neither shared nor private
                assertEquals(EINVAL, b.errno(), n);
            } finally {
                assertEquals(0, b.munmap(a, 1 << 20), n);
            }
        }
    }

    @Test
    void aSharedFileMappingShowsTheFile() throws Exception {
        byte[] data = new byte[8192];
        new java.util.Random(7).nextBytes(data);
        Path f = Files.write(tmp.resolve("mapped"), data);
        for (LibcCalls b : bindings()) {
            int fd = b.open(c(f), LibcCalls.O_RDONLY | LibcCalls.O_CLOEXEC, 0);
            long a = b.mmap(0, 8192, LibcCalls.PROT_READ, LibcCalls.MAP_SHARED, fd, 0);
            try {
                assertNotEquals(LibcCalls.MAP_FAILED, a, b.name());
                byte[] got = new byte[8192];
                b.buffer(a, 8192).get(got);
                assertArrayEquals(data, got, b.name());
                // a writable shared mapping of a read-only descriptor: EACCES
                assertEquals(LibcCalls.MAP_FAILED, b.mmap(0, 8192, LibcCalls.PROT_READ | LibcCalls.PROT_WRITE,
                        LibcCalls.MAP_SHARED, fd, 0), b.name());
                assertEquals(LibcCalls.EACCES, b.errno(), b.name());
            } finally {
                b.munmap(a, 8192);
                b.close(fd);
            }
        }
    }

    @Test
    void errnoIsPerThread() throws Exception {
        for (LibcCalls b : bindings()) {
            assertEquals(-1, b.close(-1));
            assertEquals(EBADF, b.errno());
            AtomicInteger other = new AtomicInteger();
            Thread t = new Thread(() -> {
                b.open(c(tmp.resolve("absent")), LibcCalls.O_RDONLY, 0);
                other.set(b.errno());
            });
            t.start();
            t.join();
            assertEquals(ENOENT, other.get(), b.name());
            assertEquals(EBADF, b.errno(), b.name() + ": another thread's failure is not this thread's errno");
        }
    }

    @Test
    void aBuffersAddressIsItsByteZeroWhateverItsPosition() throws Exception {
        for (LibcCalls b : bindings()) {
            long a = b.mmap(0, 8192, LibcCalls.PROT_READ | LibcCalls.PROT_WRITE,
                    LibcCalls.MAP_PRIVATE | LibcCalls.MAP_ANONYMOUS, -1, 0);
            assertNotEquals(LibcCalls.MAP_FAILED, a, b.name());
            try {
                ByteBuffer over = b.buffer(a, 8192);
                assertEquals(a, b.address(over), b.name());
                over.position(100).limit(200);
                assertEquals(a, b.address(over), b.name() + ": the position does not move byte 0");
                assertEquals(a, b.address(over.asReadOnlyBuffer()), b.name());
                assertEquals(a + 100, b.address(over.slice()), b.name() + ": a slice begins at its own byte 0");
                assertEquals(a + 8192, b.address(over.clear().slice(8192, 0)), b.name() + ": an empty slice at the end");
                assertEquals(0, b.address(ByteBuffer.allocate(16).position(3)), b.name() + ": a heap buffer");
                ByteBuffer direct = ByteBuffer.allocateDirect(64);
                direct.put(0, (byte) 77);
                assertEquals(77, b.buffer(b.address(direct), 1).get(0), b.name());
            } finally {
                b.munmap(a, 8192);
            }
        }
    }
}
