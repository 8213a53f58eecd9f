package io.github.famfs.memory;

import com.kenai.jffi.MemoryIO;
import io.github.famfs.memory.libc.LibC;
import java.nio.ByteBuffer;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * {@link LibcCalls} through jnr-ffi (the binding on Java 17 to 21, and the fallback where the foreign function
 * API cannot be used). Loading it binds libc, which takes a few hundred milliseconds in a fresh JVM.
 */
public final class JnrLibcCalls implements LibcCalls {
    private final LibC lib;
    private final Runtime runtime;

    /** Binds libc through jnr-ffi (loading jffi's native stub). */
    public JnrLibcCalls() {
        lib = LibraryLoader.create(LibC.class).load("c");
        runtime = Runtime.getRuntime(lib);
    }

    @Override
    public String name() {
        return "jnr";
    }

    private Pointer pointer(long address) {
        return address == 0 ? null : Pointer.wrap(runtime, address);
    }

    @Override
    public long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
        Pointer p = lib.mmap(pointer(addr), length, prot, flags, fd, offset);
        return p == null ? 0 : p.address();
    }

    @Override
    public int munmap(long addr, long length) {
        return lib.munmap(pointer(addr), length);
    }

    @Override
    public int madvise(long addr, long length, int advice) {
        return lib.madvise(pointer(addr), length, advice);
    }

    @Override
    public int msync(long addr, long length, int flags) {
        return lib.msync(pointer(addr), length, flags);
    }

    @Override
    public int open(byte[] path, int flags, int mode) {
        LibcCalls.checkPath(path);
        return lib.open(path, flags, mode);
    }

    @Override
    public int close(int fd) {
        return lib.close(fd);
    }

    @Override
    public int flock(int fd, int operation) {
        return lib.flock(fd, operation);
    }

    @Override
    public long pwrite(int fd, ByteBuffer buf, long count, long offset) {
        LibcCalls.checkWrite(buf, count);
        ByteBuffer from = buf;
        if (!buf.isDirect() && buf.isReadOnly()) {
            // jnr-ffi marshals a heap buffer through its array, which a read-only one does not give
            byte[] copy = new byte[(int) count];
            buf.get(buf.position(), copy);
            from = ByteBuffer.wrap(copy);
        }
        return lib.pwrite(fd, from, count, offset);
    }

    @Override
    public int fcntl(int fd, int cmd, byte[] flock) {
        LibcCalls.checkFlock(flock);
        return lib.fcntl(fd, cmd, flock);
    }

    @Override
    public String strerror(int errnum) {
        return lib.strerror(errnum);
    }

    @Override
    public int geteuid() {
        return lib.geteuid();
    }

    @Override
    public int getegid() {
        return lib.getegid();
    }

    @Override
    public int errno() {
        return runtime.getLastError();
    }

    @Override
    public ByteBuffer buffer(long address, int capacity) {
        LibcCalls.checkBuffer(address, capacity);
        return MemoryIO.getInstance().newDirectByteBuffer(address, capacity);
    }

    @Override
    public long address(ByteBuffer buffer) {
        return buffer.isDirect() ? MemoryIO.getInstance().getDirectBufferAddress(buffer) : 0;
    }
}
