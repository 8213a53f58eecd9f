package io.github.famfs.memory;

import io.github.famfs.format.FileMap;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One contiguous virtual range over a byte range of a famfs file: an aligned reservation, then one MAP_FIXED
 * mapping of the device per extent (or per chunk of each strip, in the order the interleave formula gives), so
 * that a multi-extent or interleaved file reads as one array of bytes. Only what the range needs is mapped.
 *
 * <p>The mapping is independent of the file system's own mapping: it stays valid after the file system closes,
 * until {@link #unmap()} (called by a Cleaner or an arena, never while a view can still be reached).
 *
 * <p>Mappings count against vm.max_map_count, and the JVM aborts when it cannot map memory for itself. Buffers
 * and automatic segments are unmapped only when the garbage collector finds them unreachable, which a program
 * that maps window after window (as {@code famfs verify} does) outruns, because the buffers weigh nothing on
 * the heap. So every piece is counted, and a map that would take the pieces of this library past half of
 * vm.max_map_count, or that the kernel refuses for lack of room, first reclaims the unreachable ones (a garbage
 * collection, then a wait for their Cleaners, as the JDK's own {@code FileChannel.map} does when a map fails),
 * and is tried once more; then it is an IOException that says how many mappings it needs and how many are taken.
 */
public final class FileMapping {
    /** Mappings kept free for the JVM itself when checking vm.max_map_count. */
    private static final int MAP_COUNT_HEADROOM = 4096;
    /** Below this many pieces of one map, and below half the limit overall, /proc is not read (it costs more). */
    private static final int MAP_COUNT_CHECK_FROM = 512;
    /** How long a reclaim waits for the Cleaners of unreachable mappings. */
    private static final long RECLAIM_WAIT_NANOS = 2_000_000_000L;
    private static final long MAX_MAP_COUNT = maxMapCount();
    /** Mappings (pieces and reservations) of this library that are not unmapped yet. */
    private static final AtomicLong LIVE = new AtomicLong();
    /** Above this many live mappings a map first reclaims the unreachable ones. */
    private static volatile long reclaimAt = MAX_MAP_COUNT / 2;
    /** Mappings not made here, as last counted in /proc/self/maps (-1: not yet). */
    private static volatile long othersSeen = -1;

    private final long reservation;
    private final long reservedLength;
    private final long address;
    private final long size;
    private final int pieces;
    private final Runnable unmapper;

    private FileMapping(long reservation, long reservedLength, long address, long size, int pieces, boolean dax,
            String subject) {
        this.reservation = reservation;
        this.reservedLength = reservedLength;
        this.address = address;
        this.size = size;
        this.pieces = pieces;
        long count = pieces + 1L;
        AtomicBoolean done = new AtomicBoolean();
        // registered for cache maintenance: its unmap waits for the maintenances in flight over it
        MappedRanges.Range range = MappedRanges.add(address, size, false, dax, subject);
        this.unmapper = () -> {
            if (done.compareAndSet(false, true)) {
                range.retire();
                AddressSpace.unmap(reservation, reservedLength);
                LIVE.addAndGet(-count);
            }
        };
    }

    /**
     * Maps file bytes {@code [position, position+size)} (which must lie within the file) of a file with map
     * {@code map} on {@code device}.
     *
     * The caller holds an entry of the device's {@link Lifecycle} (the descriptor stays open meanwhile).
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
        List<long[]> ranges = pieces(map, start, position + size, granule, subject);
        long span = ranges.isEmpty() ? granule : ranges.get(ranges.size() - 1)[0] + ranges.get(ranges.size() - 1)[2];
        int needed = ranges.size() + 1;
        boolean reclaimed = makeRoom(needed, subject);
        while (true) {
            try {
                long reservation = mapPieces(ranges, span, writable, device, info, subject);
                return new FileMapping(reservation, span, reservation + (position - start), size, ranges.size(),
                        info.isDaxDevice(), subject);
            } catch (MapRefused refused) {
                if (!reclaimed) {
                    reclaimed = true;
                    reclaim(needed);
                    continue;
                }
                throw new IOException(subject + ": mapping it needs " + ranges.size() + " mappings and the kernel"
                        + " refused the " + (refused.done + 1) + "th even after unreachable mappings were reclaimed"
                        + " (this process holds " + currentMapCount() + " of vm.max_map_count = " + MAX_MAP_COUNT
                        + ", famfs holding up to " + LIVE.get() + " still reachable); map a smaller range, drop"
                        + " mappings no longer used (close their arenas), or raise vm.max_map_count",
                        refused.getCause());
            }
        }
    }

    /**
     * The device pieces of file bytes {@code [start, end)}, {@code start} a multiple of {@code granule}: one
     * {@code {offset from start, device offset, length rounded up to the granule}} per extent or chunk, in file
     * order.
     */
    static List<long[]> pieces(FileMap map, long start, long end, long granule, String subject) throws IOException {
        List<long[]> ranges = new ArrayList<>();
        map.visit(start, end - start, (fileOff, devOff, len) -> {
            if (devOff % granule != 0) {
                throw new IOException(String.format("%s: device offset 0x%x is not aligned to the device's %d-byte"
                        + " mapping granule", subject, devOff, granule));
            }
            ranges.add(new long[] {fileOff - start, devOff, AddressSpace.roundUp(len, granule)});
        });
        return ranges;
    }

    /**
     * Counts {@code count} mappings made elsewhere (by the JDK, see {@link ImageMapping}) as this library's; the
     * action returned, run once when they are unmapped, stops counting them.
     */
    static Runnable track(int count) {
        LIVE.addAndGet(count);
        AtomicBoolean done = new AtomicBoolean();
        return () -> {
            if (done.compareAndSet(false, true)) {
                LIVE.addAndGet(-count);
            }
        };
    }

    /**
     * Before mapping {@code needed} more pieces: reclaims the unreachable mappings when the count calls for it,
     * and fails when there is still no room. True when it reclaimed.
     */
    static boolean makeRoom(int needed, String subject) throws IOException {
        boolean reclaimed = false;
        if (LIVE.get() + needed > reclaimAt) {
            reclaim(needed);
            reclaimed = true;
        }
        if (!roomFor(needed)) {
            if (!reclaimed) {
                reclaim(needed);
                reclaimed = true;
            }
            checkMapCount(needed - 1, subject);
        }
        return reclaimed;
    }

    /** A map the kernel refused for lack of room (ENOMEM), after {@code done} pieces. */
    private static final class MapRefused extends Exception {
        private static final long serialVersionUID = 1L;
        final int done;

        MapRefused(int done, IOException cause) {
            super(null, cause, false, false);
            this.done = done;
        }
    }

    private static long mapPieces(List<long[]> ranges, long span, boolean writable, Device device, DeviceInfo info,
            String subject) throws IOException, MapRefused {
        long reservation;
        try {
            reservation = AddressSpace.reserve(span, info.alignment());
        } catch (IOException e) {
            if (isNoMemory(e)) {
                throw new MapRefused(0, e);
            }
            throw e;
        }
        LIVE.addAndGet(ranges.size() + 1);
        int done = 0;
        try {
            for (long[] r : ranges) {
                AddressSpace.mapFixed(reservation + r[0], r[2], writable, device.fd(), r[1], subject);
                done++;
            }
        } catch (IOException e) {
            AddressSpace.unmap(reservation, span);
            LIVE.addAndGet(-(ranges.size() + 1));
            if (isNoMemory(e)) {
                throw new MapRefused(done, e);
            }
            throw e;
        }
        return reservation;
    }

    private static boolean isNoMemory(IOException e) {
        return e.getMessage() != null && e.getMessage().contains("(errno 12)");
    }

    /**
     * Unmaps what is unreachable: a garbage collection, then a wait (at most 2 s) for the Cleaners to run, until
     * the live count leaves room for {@code needed} more below half the limit, or stops falling for 100 ms. The
     * next reclaim comes when an eighth of the limit more is mapped, so that mappings that are all still
     * reachable do not cost a collection per map.
     */
    private static void reclaim(int needed) {
        System.gc();
        long deadline = System.nanoTime() + RECLAIM_WAIT_NANOS;
        long last = LIVE.get();
        int still = 0;
        while (LIVE.get() + needed > MAX_MAP_COUNT / 2 && System.nanoTime() < deadline && still < 10) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long now = LIVE.get();
            still = now < last ? 0 : still + 1;
            last = now;
        }
        reclaimAt = Math.max(MAX_MAP_COUNT / 2, LIVE.get() + MAX_MAP_COUNT / 8);
    }

    /**
     * Whether {@code needed} more mappings fit. /proc/self/maps is read (it costs milliseconds when long) only for
     * a large map, or when the live count plus the other mappings last seen there comes within a sixteenth of
     * the limit.
     */
    private static boolean roomFor(int needed) {
        long live = LIVE.get();
        if (needed < MAP_COUNT_CHECK_FROM && live + needed <= MAX_MAP_COUNT / 2) {
            return true;
        }
        long others = othersSeen;
        if (needed < MAP_COUNT_CHECK_FROM && others >= 0
                && live + others + needed + MAP_COUNT_HEADROOM <= MAX_MAP_COUNT - MAX_MAP_COUNT / 16) {
            return true;
        }
        long used = currentMapCount();
        othersSeen = Math.max(0, used - LIVE.get());
        return used + needed + MAP_COUNT_HEADROOM <= MAX_MAP_COUNT;
    }

    private static void checkMapCount(int needed, String subject) throws IOException {
        long max = MAX_MAP_COUNT;
        long used = currentMapCount();
        if (used + needed + MAP_COUNT_HEADROOM > max) {
            throw new IOException(subject + ": mapping it needs " + needed + " mappings (one per extent or chunk) but"
                    + " this process already has " + used + " of vm.max_map_count = " + max + ", famfs holding up to "
                    + LIVE.get() + " still reachable after the unreachable ones were reclaimed); map a"
                    + " smaller range, drop mappings no longer used (close their arenas), or raise vm.max_map_count");
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

    /**
     * The action that releases the range, from any thread, holding no reference to a view; it unmaps once, however
     * often it runs.
     */
    public Runnable unmapper() {
        return unmapper;
    }

    /** Mappings (pieces and reservations) made here and not unmapped yet, in this JVM. */
    public static long liveMappings() {
        return LIVE.get();
    }

    /** Releases the range now (once, also when {@link #unmapper()} ran). The caller guarantees that no view of
     * it is used again. */
    public void unmap() {
        unmapper.run();
    }

    @Override
    public String toString() {
        return String.format("FileMapping[0x%x, %d bytes, %d pieces]", address, size, pieces);
    }

}
