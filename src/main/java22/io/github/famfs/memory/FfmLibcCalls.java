package io.github.famfs.memory;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;

/**
 * {@link LibcCalls} through the JDK's foreign function API (Java 22+): each function is bound on its first call
 * (a downcall handle from the default lookup), so a program binds only what it uses. Addresses, sizes and offsets
 * are {@code long}s (x86-64 Linux: a pointer, {@code size_t} and {@code off_t} are all 64-bit integers); errno is
 * captured per call into a segment of the calling thread. Chosen by {@link Native} on Java 22 and later.
 */
final class FfmLibcCalls implements LibcCalls {
    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
    private static final long ERRNO_OFFSET = CAPTURE.byteOffset(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option SAVE_ERRNO = Linker.Option.captureCallState("errno");

    /** This thread's errno capture segment. */
    private static final ThreadLocal<MemorySegment> STATE = new ThreadLocal<>();

    // the functions, by index into HANDLES: bound on first use
    private static final int MMAP = 0;
    private static final int MUNMAP = 1;
    private static final int MADVISE = 2;
    private static final int MSYNC = 3;
    private static final int OPEN = 4;
    private static final int CLOSE = 5;
    private static final int FLOCK = 6;
    private static final int PWRITE = 7;
    private static final int FCNTL = 8;
    private static final int STRERROR = 9;
    private static final int GETEUID = 10;
    private static final int GETEGID = 11;
    private static final MethodHandle[] HANDLES = new MethodHandle[12];

    FfmLibcCalls() {
        // fails here, not at the first call, where the foreign function API cannot be used (native access denied)
        handle(CLOSE);
    }

    private static MethodHandle handle(int function) {
        MethodHandle h = HANDLES[function];
        if (h == null) {
            h = bind(function);
            HANDLES[function] = h; // a benign race: every thread binds the same function alike
        }
        return h;
    }

    private static MethodHandle bind(int function) {
        return switch (function) {
            case MMAP -> bind("mmap", FunctionDescriptor.of(JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, JAVA_INT,
                    JAVA_INT, JAVA_LONG), SAVE_ERRNO);
            case MUNMAP -> bind("munmap", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG), SAVE_ERRNO);
            case MADVISE -> bind("madvise", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT),
                    SAVE_ERRNO);
            case MSYNC -> bind("msync", FunctionDescriptor.of(JAVA_INT, JAVA_LONG, JAVA_LONG, JAVA_INT), SAVE_ERRNO);
            // open and fcntl are variadic after their second argument
            case OPEN -> bind("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT), SAVE_ERRNO,
                    Linker.Option.firstVariadicArg(2));
            case CLOSE -> bind("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT), SAVE_ERRNO);
            case FLOCK -> bind("flock", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), SAVE_ERRNO);
            case PWRITE -> bind("pwrite", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG),
                    SAVE_ERRNO);
            case FCNTL -> bind("fcntl", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS), SAVE_ERRNO,
                    Linker.Option.firstVariadicArg(2));
            case STRERROR -> bind("strerror", FunctionDescriptor.of(ADDRESS, JAVA_INT));
            case GETEUID -> bind("geteuid", FunctionDescriptor.of(JAVA_INT));
            case GETEGID -> bind("getegid", FunctionDescriptor.of(JAVA_INT));
            default -> throw new IllegalArgumentException("no libc function " + function);
        };
    }

    private static MethodHandle bind(String name, FunctionDescriptor descriptor, Linker.Option... options) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, options);
    }

    private static MemorySegment state() {
        MemorySegment s = STATE.get();
        if (s == null) {
            s = Arena.ofAuto().allocate(CAPTURE);
            STATE.set(s);
        }
        return s;
    }

    /** A call's failure to call (never libc's failure, which is a return value). */
    private static IllegalStateException failed(String call, Throwable t) {
        return new IllegalStateException("calling " + call + " through the foreign function API failed: " + t, t);
    }

    @Override
    public String name() {
        return "ffm";
    }

    @Override
    public long mmap(long addr, long length, int prot, int flags, int fd, long offset) {
        try {
            return (long) handle(MMAP).invokeExact(state(), addr, length, prot, flags, fd, offset);
        } catch (Throwable t) {
            throw failed("mmap", t);
        }
    }

    @Override
    public int munmap(long addr, long length) {
        try {
            return (int) handle(MUNMAP).invokeExact(state(), addr, length);
        } catch (Throwable t) {
            throw failed("munmap", t);
        }
    }

    @Override
    public int madvise(long addr, long length, int advice) {
        try {
            return (int) handle(MADVISE).invokeExact(state(), addr, length, advice);
        } catch (Throwable t) {
            throw failed("madvise", t);
        }
    }

    @Override
    public int msync(long addr, long length, int flags) {
        try {
            return (int) handle(MSYNC).invokeExact(state(), addr, length, flags);
        } catch (Throwable t) {
            throw failed("msync", t);
        }
    }

    @Override
    public int open(byte[] path, int flags, int mode) {
        LibcCalls.checkPath(path);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment p = arena.allocateFrom(JAVA_BYTE, path);
            return (int) handle(OPEN).invokeExact(state(), p, flags, mode);
        } catch (Throwable t) {
            throw failed("open", t);
        }
    }

    @Override
    public int close(int fd) {
        try {
            return (int) handle(CLOSE).invokeExact(state(), fd);
        } catch (Throwable t) {
            throw failed("close", t);
        }
    }

    @Override
    public int flock(int fd, int operation) {
        try {
            return (int) handle(FLOCK).invokeExact(state(), fd, operation);
        } catch (Throwable t) {
            throw failed("flock", t);
        }
    }

    @Override
    public long pwrite(int fd, ByteBuffer buf, long count, long offset) {
        LibcCalls.checkWrite(buf, count);
        try {
            if (buf.isDirect()) {
                // from the buffer's position (a read-only buffer's memory is only read)
                return (long) handle(PWRITE).invokeExact(state(), fd, MemorySegment.ofBuffer(buf), count, offset);
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment copy = arena.allocate(Math.max(1, count));
                copy.copyFrom(MemorySegment.ofBuffer(buf).asSlice(0, count));
                return (long) handle(PWRITE).invokeExact(state(), fd, copy, count, offset);
            }
        } catch (Throwable t) {
            throw failed("pwrite", t);
        }
    }

    @Override
    public int fcntl(int fd, int cmd, byte[] flock) {
        LibcCalls.checkFlock(flock);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment fl = arena.allocateFrom(JAVA_BYTE, flock);
            int r = (int) handle(FCNTL).invokeExact(state(), fd, cmd, fl);
            MemorySegment.copy(fl, JAVA_BYTE, 0, flock, 0, flock.length);
            return r;
        } catch (Throwable t) {
            throw failed("fcntl", t);
        }
    }

    @Override
    public String strerror(int errnum) {
        try {
            MemorySegment s = (MemorySegment) handle(STRERROR).invokeExact(errnum);
            return s.equals(MemorySegment.NULL) ? "errno " + errnum : s.reinterpret(Integer.MAX_VALUE).getString(0);
        } catch (Throwable t) {
            throw failed("strerror", t);
        }
    }

    @Override
    public int geteuid() {
        try {
            return (int) handle(GETEUID).invokeExact();
        } catch (Throwable t) {
            throw failed("geteuid", t);
        }
    }

    @Override
    public int getegid() {
        try {
            return (int) handle(GETEGID).invokeExact();
        } catch (Throwable t) {
            throw failed("getegid", t);
        }
    }

    @Override
    public int errno() {
        return state().get(JAVA_INT, ERRNO_OFFSET);
    }

    @Override
    public ByteBuffer buffer(long address, int capacity) {
        LibcCalls.checkBuffer(address, capacity);
        return MemorySegment.ofAddress(address).reinterpret(capacity).asByteBuffer();
    }

    @Override
    public long address(ByteBuffer buffer) {
        // the segment of a direct buffer begins at its position
        return buffer.isDirect() ? MemorySegment.ofBuffer(buffer).address() - buffer.position() : 0;
    }
}
