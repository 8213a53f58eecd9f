package io.github.famfs.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.github.famfs.alloc.Allocator;
import io.github.famfs.format.Extent;
import io.github.famfs.format.FileMap;
import io.github.famfs.format.FormatException;
import io.github.famfs.format.Layout;
import io.github.famfs.format.OutOfSpaceException;
import io.github.famfs.format.Superblock;
import io.github.famfs.meta.DirNode;
import io.github.famfs.meta.FileNode;
import io.github.famfs.meta.LogReplay;
import io.github.famfs.meta.Namespace;
import io.github.famfs.meta.Node;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The fast fuzz target: the pure codecs and the replay, over a superblock and log made of the input (see
 * {@link FuzzImage}), no I/O. What it checks on every input besides "no exception but FormatException/IOException":
 * every map that replay accepts serves only bytes inside the device's data area, the space figures are
 * sane, and what the allocator hands out afterwards never overlaps a unit some FILE entry claims.
 *
 * <p>{@code mvn test} runs the committed corpus ({@code src/test/resources/io/github/famfs/fuzz/ReplayFuzzTestInputs});
 * {@code JAZZER_FUZZ=1 mvn test -Dtest=ReplayFuzzTest} fuzzes (see {@code .ci/run}).
 */
class ReplayFuzzTest {
    private static final Map<Integer, ByteBuffer> LOGS = new HashMap<>();

    @FuzzTest(maxDuration = "2m")
    void replay(byte[] raw) throws Exception {
        byte[] input = FuzzImage.prepare(raw);
        Superblock sb = Superblock.decode(FuzzImage.superblock(input));
        try {
            sb.validate(FuzzImage.superblock(input));
        } catch (FormatException refused) {
            return;
        }
        if (sb.logLen() > FuzzImage.MAX_PURE_LOG) {
            return;
        }
        long real = FuzzImage.realSize(input);
        if (real < sb.dataStart()) {
            return; // the file system refuses a device shorter than its log (FamfsFileSystem.open)
        }
        ByteBuffer log = LOGS.computeIfAbsent((int) sb.logLen(), n -> ByteBuffer.allocate(n)
                .order(ByteOrder.LITTLE_ENDIAN));
        int n = Math.min(FuzzImage.logBytes(input), log.capacity());
        if (n > 0) {
            log.put(0, input, Layout.SUPERBLOCK_SIZE, n);
        }
        try {
            check(sb, log, real);
        } finally {
            log.put(0, new byte[n]);
        }
    }

    private static void check(Superblock sb, ByteBuffer log, long real) throws IOException {
        LogReplay.Result r;
        try {
            r = LogReplay.replay(sb, log, real);
        } catch (FormatException refused) {
            return;
        }
        Namespace ns = r.namespace();
        long limit = ns.deviceLimit();
        require(limit <= real && Long.compareUnsigned(limit, sb.deviceSize()) <= 0, "device limit " + limit);
        Namespace.Stats st = ns.stats();
        require(st.freeBytes() >= 0 && st.freeBytes() <= limit, "free bytes " + st.freeBytes());
        require(ns.replayedEntries() >= 0 && ns.replayedEntries() <= ns.header().capacity(), "replayed entries");
        long next = ns.header().nextIndex();
        long inUse = Long.compareUnsigned(next, ns.header().capacity()) > 0 ? ns.header().capacity() : next;
        require(ns.replayedEntries() == inUse || r.replayer().badEntry() == ns.replayedEntries(),
                "replay serves every entry in use up to the first invalid one: replayed " + ns.replayedEntries()
                + " of next index " + Long.toUnsignedString(next));
        List<FileMap> served = new ArrayList<>();
        walk(ns, ns.root(), "", log, sb, limit, served);
        require(r.replayer().catchUp() == ns.replayedEntries(), "a second catch-up replays nothing new");

        Allocator alloc = new Allocator(r.bitmap(), limit);
        require(alloc.freeBytes() == st.freeBytes(), "allocator and stats agree on free space: "
                + alloc.freeBytes() + " vs " + st.freeBytes());
        List<Extent> given = new ArrayList<>();
        try {
            given.add(alloc.contiguous(1));
            given.add(alloc.contiguous(3 * Layout.ALLOC_UNIT + 1));
        } catch (OutOfSpaceException full) {
            // fine
        }
        BitSet claimed = claimedByLog(sb, log, limit, ns.replayedEntries());
        for (Extent e : given) {
            require(e.offset() >= sb.dataStart() && e.length() > 0 && e.offset() + e.length() <= limit,
                    "allocation " + e + " inside the device " + limit);
            require(!anySet(claimed, e, sb.allocUnit()), "allocation " + e + " overlaps units the log claims");
        }
    }

    /**
     * Every unit (inside the device, rounded outward) that a replayed FILE entry claims, served or not, rebuilt
     * here independently of the replay's bitmap.
     */
    private static BitSet claimedByLog(Superblock sb, ByteBuffer log, long limit, long entries) {
        long unit = sb.allocUnit();
        BitSet b = new BitSet();
        mark(b, 0, sb.dataStart(), unit, limit);
        ByteBuffer e = ByteBuffer.allocate(Layout.ENTRY_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < entries; i++) {
            log.get((int) (Layout.LOG_HEADER_SIZE + Layout.ENTRY_SIZE * i), e.array());
            if (e.getInt(8) != 0) {
                continue; // not a FILE entry
            }
            int type = e.getInt(FileMap.OFF_EXT_TYPE);
            long count = Integer.toUnsignedLong(e.getInt(FileMap.OFF_COUNT));
            int at;
            long n;
            if (type == FileMap.EXT_SIMPLE) {
                at = FileMap.OFF_EXTENTS;
                n = Math.min(count, 16);
            } else if (type == FileMap.EXT_INTERLEAVE && count >= 1) {
                at = FileMap.OFF_STRIPS;
                long s = e.getLong(FileMap.OFF_NSTRIPS);
                n = Long.compareUnsigned(s, 16) > 0 ? 16 : s;
            } else {
                continue;
            }
            for (int k = 0; k < n; k++) {
                mark(b, e.getLong(at + 24 * k + 8), e.getLong(at + 24 * k + 16), unit, limit);
            }
        }
        return b;
    }

    /** Marks the units of u64 range [offset, offset+length) that lie inside [0, limit). */
    private static void mark(BitSet b, long offset, long length, long unit, long limit) {
        if (length == 0 || Long.compareUnsigned(offset, limit) >= 0) {
            return;
        }
        long end = Long.compareUnsigned(length, limit - offset) > 0 ? limit : offset + length;
        b.set((int) (offset / unit), (int) ((end + unit - 1) / unit));
    }

    private static boolean anySet(BitSet b, Extent e, long unit) {
        int first = (int) (e.offset() / unit);
        int end = (int) ((e.offset() + e.length() + unit - 1) / unit);
        int hit = b.nextSetBit(first);
        return hit >= 0 && hit < end;
    }

    private static void walk(Namespace ns, DirNode dir, String path, ByteBuffer log, Superblock sb, long limit,
            List<FileMap> served) {
        for (Node n : dir.children()) {
            String p = path + "/" + n.name();
            if (n instanceof DirNode d) {
                walk(ns, d, p, log, sb, limit, served);
                continue;
            }
            FileNode f = (FileNode) n;
            FileMap map;
            try {
                map = ns.fileMap(f, log, p);
            } catch (IOException refused) {
                require(f.mapProblem() != null, p + " refused though replay accepted it");
                continue;
            }
            require(f.size() >= 0 && f.size() <= map.allocatedBytes(), p + " size within its map");
            long[] seen = {0};
            map.visit(0, f.size(), (fileOffset, deviceOffset, length) -> {
                require(length > 0 && deviceOffset >= sb.dataStart() && deviceOffset <= limit - length,
                        p + " serves [" + deviceOffset + ", +" + length + ") outside the data area");
                require(fileOffset == seen[0], p + " visits in file order");
                seen[0] += length;
            });
            require(seen[0] == f.size(), p + " covered");
            served.add(map);
        }
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new AssertionError("fuzz oracle: " + what);
        }
    }
}
