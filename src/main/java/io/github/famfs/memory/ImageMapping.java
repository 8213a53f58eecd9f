package io.github.famfs.memory;

import io.github.famfs.format.FileMap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.function.ToLongFunction;

/**
 * A map of famfs file bytes on an image file that the JDK itself made, so that it is the JDK's own kind of
 * mapping: a root {@code MappedByteBuffer} (read-only ones too) or a mapped {@code MemorySegment}, whose
 * {@code force()} is msync(2) of its range, whose {@code load()}/{@code isLoaded()} work, and which
 * {@code Unsafe.invokeCleaner} (buffers) or the arena (segments) unmaps.
 *
 * <p>How: the JDK's {@code FileChannel.map} maps the image file (reopened through /proc/self/fd, so the very file
 * the file system has open) over a range as long as the request, then every device piece of the request (one per
 * extent, or per chunk of an interleaved file) is mapped with MAP_FIXED over its place inside that range. The
 * JDK's range is replaced piece by piece and covered whole, so the JDK's msync of the buffer's range syncs each
 * piece's bytes of the image file, and the JDK's munmap of its range removes every piece and nothing else.
 * Nothing here is shared with the file system's own mapping of the device: unmapping it never touches memory
 * the file system (or its {@link Lifecycle}) still uses.
 *
 * <p>DAX devices are character devices that the JDK cannot map; their maps stay {@link FileMapping}s.
 */
public final class ImageMapping {
    private ImageMapping() {}

    /** How the JDK maps {@code size} bytes of the image channel at {@code position}. */
    @FunctionalInterface
    public interface JdkMap<T> {
        T map(FileChannel image, long position) throws IOException;
    }

    /** A JDK mapping holding famfs pieces, and the action that stops counting them once the JDK unmapped it. */
    public record Mapped<T>(T mapping, Runnable unmapped) {}

    /**
     * Maps file bytes {@code [position, position+size)} through the JDK, or returns null when this device cannot
     * (a DAX device, an empty range, a range the image file is too short to frame). The caller holds an entry of
     * the device's {@link Lifecycle}.
     *
     * @param address the start address of what the JDK returned
     */
    public static <T> Mapped<T> map(Device device, FileMap map, long position, long size, boolean writable,
            String subject, JdkMap<T> jdk, ToLongFunction<T> address) throws IOException {
        DeviceInfo info = device.info();
        if (info.isDaxDevice() || size == 0) {
            return null;
        }
        if (writable && !device.isWritable()) {
            throw new IOException(subject + ": the device is open read-only, a writable mapping is impossible");
        }
        long start = position - position % AddressSpace.PAGE;
        long length = AddressSpace.roundUp(position + size - start, AddressSpace.PAGE);
        List<long[]> pieces = FileMapping.pieces(map, start, position + size, AddressSpace.PAGE, subject);
        long[] last = pieces.isEmpty() ? null : pieces.get(pieces.size() - 1);
        if (last == null || last[0] + last[2] != length) {
            return null;
        }
        // the JDK maps image bytes that exist (a read-only map may not extend the file): the first piece's place
        // when it fits, which is also where the kernel aligns the range for huge pages
        long frame = pieces.get(0)[1];
        if (frame > info.size() - length) {
            frame = 0;
            if (length > info.size()) {
                return null;
            }
        }
        FileMapping.makeRoom(pieces.size() + 1, subject);
        T mapping;
        try (FileChannel image = writable
                ? FileChannel.open(descriptorPath(device), StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(descriptorPath(device), StandardOpenOption.READ)) {
            mapping = jdk.map(image, frame + (position - start));
        }
        long base = address.applyAsLong(mapping) - (position - start);
        try {
            for (long[] p : pieces) {
                AddressSpace.mapFixed(base + p[0], p[2], writable, device.fd(), p[1], subject);
            }
        } catch (IOException e) {
            // leave no image bytes the caller did not ask for behind the JDK's range until the JDK unmaps it
            AddressSpace.fillInaccessible(base, length);
            throw e;
        }
        // registered for cache maintenance, until the action below runs (the JDK unmapped it, or is about to)
        MappedRanges.Range range = MappedRanges.add(base + (position - start), size, true, false, subject);
        Runnable untrack = FileMapping.track(pieces.size());
        return new Mapped<>(mapping, () -> {
            range.retire();
            untrack.run();
        });
    }

    private static Path descriptorPath(Device device) throws IOException {
        return Path.of("/proc/self/fd/" + device.fd());
    }

    /** msync(MS_SYNC) of {@code [address, address+length)}, widened to whole pages; false when the memory has
     * no file to sync to that accepts it (EINVAL: a DAX device, anonymous memory of some kinds). */
    public static boolean sync(long address, long length) throws IOException {
        if (length == 0) {
            return true;
        }
        long start = address & -AddressSpace.PAGE;
        if (Native.libc().msync(start, address + length - start, LibcCalls.MS_SYNC) == 0) {
            return true;
        }
        if (Native.errno() == 22) {
            return false;
        }
        throw Native.error("msync", String.format("[0x%x, %d bytes]", address, length));
    }

    /** The address of a direct buffer's first byte. */
    public static long addressOf(ByteBuffer buffer) {
        return Native.address(buffer);
    }
}
