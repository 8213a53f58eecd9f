package io.github.famfs.memory.libc;

import java.nio.ByteBuffer;
import jnr.ffi.Pointer;
import jnr.ffi.annotations.In;
import jnr.ffi.annotations.Out;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.types.off_t;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The few libc calls famfs-nio needs (Linux, x86-64). Addresses travel as jnr {@link Pointer}s: with a plain
 * {@code long} return, jnr-ffi 2.3.4's fast path passes the sixth argument of mmap wrongly (glibc then refuses
 * the call with EINVAL before any system call).
 *
 * <p><b>Not API.</b> This interface is alone in its package because jnr-ffi implements it with a class it
 * generates in a class loader of its own (so in another module): on the module path that class may implement
 * {@code LibC} only if this package is accessible to every module at run time. {@code module-info} therefore
 * {@code opens} this package (run-time access only: nothing compiles against it), and nothing else.
 */
public interface LibC {
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
    int LOCK_SH = 1;
    int LOCK_EX = 2;
    int LOCK_NB = 4;
    int LOCK_UN = 8;
    int MADV_WILLNEED = 3;
    int MADV_HUGEPAGE = 14;
    int MADV_POPULATE_WRITE = 23;
    int MS_SYNC = 4;
    long MAP_FAILED = -1L;

    @SaveError
    Pointer mmap(Pointer addr, @size_t long length, int prot, int flags, int fd, @off_t long offset);

    @SaveError
    int munmap(Pointer addr, @size_t long length);

    @SaveError
    int madvise(Pointer addr, @size_t long length, int advice);

    @SaveError
    int msync(Pointer addr, @size_t long length, int flags);

    @SaveError
    int open(@In byte[] path, int flags, int mode);

    @SaveError
    int close(int fd);

    @SaveError
    int flock(int fd, int operation);

    /**
     * pwrite(2) of {@code count} bytes from {@code buf} at its position (a direct buffer is passed by address, a
     * heap buffer's array region is copied in); never interrupted by {@code Thread.interrupt}.
     */
    @SaveError
    @ssize_t
    long pwrite(int fd, @In ByteBuffer buf, @size_t long count, @off_t long offset);

    int F_OFD_SETLK = 37;
    short F_RDLCK = 0;
    short F_WRLCK = 1;
    short F_UNLCK = 2;
    short SEEK_SET = 0;
    int EAGAIN = 11;
    int EACCES = 13;

    /** fcntl(2) with a {@code struct flock} (32 bytes on x86-64): l_type, l_whence, l_start, l_len, l_pid. */
    @SaveError
    int fcntl(int fd, int cmd, @In @Out byte[] flock);

    String strerror(int errnum);

    int geteuid();

    int getegid();
}
