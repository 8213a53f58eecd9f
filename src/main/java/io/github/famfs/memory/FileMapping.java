package io.github.famfs.memory;

import io.github.famfs.format.FileMap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One contiguous virtual range over a byte range of a famfs file: an aligned reservation, then one MAP_FIXED
 * mapping of the device per extent (or per chunk of each strip, in the order the interleave formula gives), so
 * that a multi-extent or interleaved file reads as one array of bytes. Only what the range needs is mapped.
 *
 * <p>The mapping is independent of the file system's own mapping: it stays valid after the file system closes,
 * until {@link #unmap()} (called by a Cleaner or an arena, never while a view can still be reached).
 */
public final class FileMapping {
    /** Mappings kept free for the JVM itself when checking vm.max_map_count. */
    private static final int MAP_COUNT_HEADROOM = 4096;
    /** Below this many pieces the map-count check is skipped (reading /proc costs more than the map). */
    private static final int MAP_COUNT_CHECK_FROM = 512;

    private final long reservation;
    private final long reservedLength;
    private final long address;
    private final long size;
    private final int pieces;

    private FileMapping(long reservation, long reservedLength, long address, long size, int pieces) {
        this.reservation = reservation;
        this.reservedLength = reservedLength;
        this.address = address;
        this.size = size;
        this.pieces = pieces;
    }

    /**
     * Maps file bytes {@code [position, position+size)} (which must lie within the file) of a file with map
     * {@code map} on {@code device}.
     *
     * @param writable PROT_WRITE as well as PROT_READ (the device must be open read-write)
     */
    public static FileMapping map(Device device, FileMap map, long position, long size, boolean writable,
            String subject) throws IOException {
        if (writable && !device.isWritable()) {
            throw new IOException(subject + ": the device is open read-only, a writable mapping is impossible");
        }
        DeviceInfo info = device.info();
        long granule = info.isDaxDevice() ? info.alignment() : AddressSpace.PAGE;
        long start = position - position % granule;
        long end = position + size;
        List<long[]> ranges = new ArrayList<>();
        map.visit(start, end - start, (fileOff, devOff, len) -> {
            if (devOff % granule != 0) {
                throw new IOException(String.format("%s: device offset 0x%x is not aligned to the device's %d-byte"
                        + " mapping granule", subject, devOff, granule));
            }
            ranges.add(new long[] {fileOff - start, devOff, AddressSpace.roundUp(len, granule)});
        });
        checkMapCount(ranges.size(), subject);
        long span = ranges.isEmpty() ? granule : ranges.get(ranges.size() - 1)[0] + ranges.get(ranges.size() - 1)[2];
        long reservation = AddressSpace.reserve(span, info.alignment());
        int done = 0;
        try {
            device.acquire();
            try {
                for (long[] r : ranges) {
                    AddressSpace.mapFixed(reservation + r[0], r[2], writable, device.fd(), r[1], subject);
                    done++;
                }
            } finally {
                device.release();
            }
        } catch (IOException e) {
            AddressSpace.unmap(reservation, span);
            if (e.getMessage() != null && e.getMessage().contains("errno 12")) {
                throw new IOException(subject + ": mapping needs " + ranges.size() + " mappings and the kernel"
                        + " refused the " + (done + 1) + "th (vm.max_map_count is " + maxMapCount() + ")", e);
            }
            throw e;
        }
        return new FileMapping(reservation, span, reservation + (position - start), size, ranges.size());
    }

    private static void checkMapCount(int needed, String subject) throws IOException {
        if (needed < MAP_COUNT_CHECK_FROM) {
            return;
        }
        long max = maxMapCount();
        long used = currentMapCount();
        if (used + needed + MAP_COUNT_HEADROOM > max) {
            throw new IOException(subject + ": mapping it needs " + needed + " mappings (one per extent or chunk) but"
                    + " this process already has " + used + " of vm.max_map_count = " + max + "; map a smaller range,"
                    + " or raise vm.max_map_count");
        }
    }

    static long maxMapCount() {
        try {
            return Long.parseLong(new String(PseudoFiles.read(Path.of("/proc/sys/vm/max_map_count")),
                    java.nio.charset.StandardCharsets.US_ASCII).trim());
        } catch (IOException | NumberFormatException e) {
            return 65530;
        }
    }

    /** Mappings this process holds now (lines of /proc/self/maps). */
    public static long currentMapCount() {
        try {
            byte[] maps = PseudoFiles.read(Path.of("/proc/self/maps"));
            long lines = 0;
            for (byte b : maps) {
                if (b == '\n') {
                    lines++;
                }
            }
            return lines;
        } catch (IOException e) {
            return 0;
        }
    }

    /** Address of the first byte of the requested range. */
    public long address() {
        return address;
    }

    public long size() {
        return size;
    }

    /** How many device mappings back the range. */
    public int pieces() {
        return pieces;
    }

    /** A direct buffer over the range (at most 2 GiB); it is a {@code java.nio.MappedByteBuffer}. */
    public ByteBuffer buffer() {
        if (size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("a buffer holds at most 2 GiB; " + size + " bytes asked");
        }
        return Native.buffer(address, (int) size);
    }

    /** The action that releases the range; safe to run once, from any thread, holding no reference to a view. */
    public Runnable unmapper() {
        long r = reservation;
        long len = reservedLength;
        return () -> AddressSpace.unmap(r, len);
    }

    /** Releases the range now. The caller guarantees that no view of it is used again. */
    public void unmap() {
        unmapper().run();
    }

    @Override
    public String toString() {
        return String.format("FileMapping[0x%x, %d bytes, %d pieces]", address, size, pieces);
    }

}
