package io.github.famfs.memory;

import java.nio.ByteBuffer;

/**
 * The few libc calls famfs-nio makes (Linux, x86-64), in plain Java types: addresses are {@code long}s, a failed
 * call returns what libc returns (-1, or {@link #MAP_FAILED} for mmap) and leaves its errno for {@link #errno()}.
 * The rest of the library calls libc only through this interface, as {@link Native#libc()} gives it.
 *
 * <p>Two implementations, chosen once per JVM by {@link Native}: {@code FfmLibcCalls} (the JDK's foreign function
 * API, Java 22+, in the multi-release layer) and {@link JnrLibcCalls} (jnr-ffi, for Java 17 to 21, and wherever
 * the first cannot be used). They behave alike call for call; arguments that would make native code read or write
 * outside a Java array or buffer are refused with {@link IllegalArgumentException} before any native call.
 */
public interface LibcCalls {
    int PROT_NONE = 0;
    int PROT_READ = 1;
    int PROT_WRITE = 2;
    int MAP_SHARED = 0x01;
    int MAP_PRIVATE = 0x02;
    int MAP_FIXED = 0x10;
    int MAP_ANONYMOUS = 0x20;
    int MAP_NORESERVE = 0x4000;
    int O_RDONLY = 0;
    int O_RDWR = 2;
    int O_CLOEXEC = 0x80000;
    int O_NONBLOCK = 0x800;
    int LOCK_SH = 1;
    int LOCK_EX = 2;
    int LOCK_NB = 4;
    int LOCK_UN = 8;
    int MADV_WILLNEED = 3;
    int MADV_HUGEPAGE = 14;
    int MADV_POPULATE_WRITE = 23;
    int MS_SYNC = 4;
    int MS_ASYNC = 1;
    long MAP_FAILED = -1L;
    int F_OFD_SETLK = 37;
    short F_RDLCK = 0;
    short F_WRLCK = 1;
    short F_UNLCK = 2;
    short SEEK_SET = 0;
    int EINTR = 4;
    int EAGAIN = 11;
    int EWOULDBLOCK = EAGAIN;
    int EACCES = 13;
    /** The size of a {@code struct flock} on x86-64 (l_type, l_whence, l_start, l_len, l_pid). */
    int FLOCK_SIZE = 32;

    /** Which binding this is ("ffm" or "jnr"), for messages and tests. */
    String name();

    /** mmap(2); the address, or {@link #MAP_FAILED}. */
    long mmap(long addr, long length, int prot, int flags, int fd, long offset);

    int munmap(long addr, long length);

    int madvise(long addr, long length, int advice);

    int msync(long addr, long length, int flags);

    /** open(2) of a NUL-terminated path (see {@link Native#cString}); the descriptor, or -1. */
    int open(byte[] path, int flags, int mode);

    int close(int fd);

    int flock(int fd, int operation);

    /**
     * pwrite(2) of {@code count} bytes from {@code buf} at its position (a direct buffer is passed by address, a
     * heap buffer's region is copied to native memory first); {@code count} must not exceed its remaining bytes.
     * Never interrupted by {@code Thread.interrupt}.
     */
    long pwrite(int fd, ByteBuffer buf, long count, long offset);

    /**
     * fcntl(2) with a {@code struct flock} of {@link #FLOCK_SIZE} bytes in {@code flock} (read, and written back:
     * F_GETLK reports into it).
     */
    int fcntl(int fd, int cmd, byte[] flock);

    String strerror(int errnum);

    int geteuid();

    int getegid();

    /** The errno that this thread's last call through this binding left (calls other than strerror/get*id). */
    int errno();

    /** A direct buffer (a {@code java.nio.MappedByteBuffer}) over native memory; big-endian, as any new buffer. */
    ByteBuffer buffer(long address, int capacity);

    /**
     * The address of a direct buffer's byte 0, whatever its position (0 for a heap buffer). No native call: on
     * Java 22+ the JDK's {@code MemorySegment.ofBuffer}, on jnr-ffi jffi's {@code MemoryIO}.
     */
    long address(ByteBuffer buffer);

    /** The checks both bindings make before open: a NUL-terminated path. */
    static void checkPath(byte[] path) {
        if (path.length == 0 || path[path.length - 1] != 0) {
            throw new IllegalArgumentException("a path for open(2) must end with a NUL byte");
        }
    }

    /** The checks both bindings make before pwrite: {@code count} bytes within {@code buf}. */
    static void checkWrite(ByteBuffer buf, long count) {
        if (count < 0 || count > buf.remaining()) {
            throw new IllegalArgumentException("pwrite of " + count + " bytes from a buffer with " + buf.remaining()
                    + " remaining");
        }
    }

    /** The checks both bindings make before fcntl: a whole {@code struct flock}. */
    static void checkFlock(byte[] flock) {
        if (flock.length < FLOCK_SIZE) {
            throw new IllegalArgumentException("fcntl needs a " + FLOCK_SIZE + "-byte struct flock, got "
                    + flock.length + " bytes");
        }
    }

    /** The checks both bindings make before a buffer over native memory. */
    static void checkBuffer(long address, int capacity) {
        if (address == 0 || capacity < 0) {
            throw new IllegalArgumentException("no buffer over address 0x" + Long.toHexString(address) + ", "
                    + capacity + " bytes");
        }
    }
}
