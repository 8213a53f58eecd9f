package io.github.famfs.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.format.FamfsProblem;
import io.github.famfs.format.Layout;
import io.github.famfs.format.MkdirEntry;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The namespace at scale, asserted by counting (bytes allocated by the replaying thread, bytes retained on the
 * heap, slots probed), never by timing: mount cost and retained heap per entry stay flat from 1,000 entries to a
 * full 256 MiB log (493,447 entries); a lookup and a create cost the same with 10 and 100,000 files; hostile
 * logs (every entry in one directory under names that collide for {@code String.hashCode}, 79-byte names, the
 * deepest paths famfs stores, names made to collide in the table's own hash) stay within the same bounds.
 */
class NamespaceScaleTest {
    /** Targets of issue 13: bytes allocated while replaying, and bytes kept by the namespace, per entry. */
    static final long MAX_ALLOCATED_PER_ENTRY = 200;
    static final long MAX_RETAINED_PER_ENTRY = 130;

    private static final com.sun.management.ThreadMXBean THREADS =
            (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

    static long allocated() {
        return THREADS.getCurrentThreadAllocatedBytes();
    }

    /** Heap in use after full collections (System.gc() is a full collection on the JVMs this runs on). */
    static long usedHeap() {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /**
     * Replays a 20,000-entry log ten times, so that the replay code is compiled with escape analysis (which
     * removes short-lived objects) on every JDK before anything is counted; the interpreter allocates more.
     */
    static void warm() throws Exception {
        ScaleLogs log = ScaleLogs.tree(20_000, 1000);
        for (int i = 0; i < 10; i++) {
            log.replay();
        }
    }

    /** Replays {@code log} twice (the first warms the code) and returns bytes allocated per entry by the second. */
    static long allocatedPerEntry(ScaleLogs log, long entries) throws Exception {
        log.replay();
        long before = allocated();
        LogReplay.Result r = log.replay();
        long after = allocated();
        assertEquals(entries, r.namespace().replayedEntries());
        return (after - before) / entries;
    }

    @Test
    void mountAllocatesAndRetainsTheSamePerEntryFromOneThousandToAFull256MiBLog() throws Exception {
        warm();
        List<String> curve = new ArrayList<>();
        long[] sizes = {1000, 10_000, 100_000, ScaleLogs.FULL_256M};
        long[] alloc = new long[sizes.length];
        long[] kept = new long[sizes.length];
        for (int k = 0; k < sizes.length; k++) {
            int n = (int) sizes[k];
            ScaleLogs log = ScaleLogs.tree(n, 1000);
            alloc[k] = allocatedPerEntry(log, n);
            long before = usedHeap();
            Namespace ns = log.replay().namespace();
            kept[k] = (usedHeap() - before) / n;
            assertEquals(n - (n + 999) / 1000, ns.stats().files());
            curve.add(n + " entries: " + alloc[k] + " B allocated, " + kept[k] + " B retained per entry");
        }
        System.out.println("[NamespaceScaleTest] " + String.join("; ", curve));
        for (int k = 1; k < sizes.length; k++) {
            assertTrue(alloc[k] <= MAX_ALLOCATED_PER_ENTRY, curve.toString());
            assertTrue(kept[k] <= MAX_RETAINED_PER_ENTRY, curve.toString());
        }
        // linear: the per-entry cost at 493k is no more than at 10k (plus a little for the larger tables)
        assertTrue(alloc[3] <= alloc[1] + 16, curve.toString());
        assertTrue(kept[3] <= kept[1] + 16, curve.toString());
    }

    /** A log with one directory "big" holding {@code files} files "big/fNNNNNNN". */
    static ScaleLogs oneDirectory(int files) throws Exception {
        ScaleLogs log = ScaleLogs.empty(ScaleLogs.logFor(files + 100), files + 100);
        log.mkdir("big");
        for (int i = 0; i < files; i++) {
            log.file(String.format("big/f%07d", i));
        }
        return log;
    }

    @Test
    void aLookupAndACreateCostTheSameWithTenAndOneHundredThousandFiles() throws Exception {
        long[] lookupProbes = new long[2];
        long[] lookupBytes = new long[2];
        long[] createBytes = new long[2];
        int[] sizes = {10, 100_000};
        for (int k = 0; k < 2; k++) {
            ScaleLogs log = oneDirectory(sizes[k]);
            LogReplay.Result r = log.replay();
            DirNode big = (DirNode) r.namespace().root().child("big");
            assertEquals(sizes[k], big.size());
            long probes = 0;
            int worst = 0;
            for (int i = 0; i < sizes[k]; i++) {
                int p = big.probes(String.format("f%07d", i));
                probes += p;
                worst = Math.max(worst, p);
            }
            lookupProbes[k] = probes * 100 / sizes[k];
            assertTrue(worst < ChildTable.LONG_RUN, "worst probe run " + worst);
            String name = String.format("f%07d", sizes[k] / 2);
            for (int i = 0; i < 1000; i++) {
                big.child(name); // warm
            }
            long before = allocated();
            for (int i = 0; i < 1000; i++) {
                assertNotNull(big.child(name));
            }
            lookupBytes[k] = allocated() - before;
            long[] creates = new long[21];
            for (int i = 0; i < creates.length; i++) {
                log.file(String.format("big/new%03d", i));
                long b = allocated();
                r.replayer().catchUp();
                creates[i] = allocated() - b;
                assertNotNull(big.child(String.format("new%03d", i)));
            }
            Arrays.sort(creates);
            createBytes[k] = creates[creates.length / 2];
        }
        String what = "probes x100 per lookup " + Arrays.toString(lookupProbes) + ", bytes per 1000 lookups "
                + Arrays.toString(lookupBytes) + ", bytes per create (median) " + Arrays.toString(createBytes);
        System.out.println("[NamespaceScaleTest] 10 and 100,000 files: " + what);
        assertTrue(lookupProbes[0] <= 300 && lookupProbes[1] <= 300, what); // about 1.5 slots per lookup
        assertEquals(0, lookupBytes[0], what);
        assertEquals(0, lookupBytes[1], what);
        assertTrue(createBytes[1] <= createBytes[0] + 64, what);
    }

    /**
     * 2^n distinct names of {@code 2n} bytes with one String.hashCode: each is n blocks of "Aa" or "BB", which
     * hash alike ({@code 'A'*31+'a' == 'B'*31+'B'}).
     */
    static String collidingName(int n, int i) {
        StringBuilder b = new StringBuilder(2 * n);
        for (int k = n - 1; k >= 0; k--) {
            b.append((i >>> k & 1) == 0 ? "Aa" : "BB");
        }
        return b.toString();
    }

    /** A log of {@code n} files in the root, named {@link #collidingName}(19, i): 38 bytes each. */
    static ScaleLogs collidingInOneDirectory(int n) throws Exception {
        ScaleLogs log = ScaleLogs.empty(ScaleLogs.logFor(n), n);
        for (int i = 0; i < n; i++) {
            log.file(collidingName(19, i));
        }
        return log;
    }

    @Test
    void aFullLogInOneDirectoryUnderNamesThatCollideForStringHashCodeStaysLinear() throws Exception {
        int n = ScaleLogs.FULL_256M;
        assertEquals(collidingName(19, 0).hashCode(), collidingName(19, n - 1).hashCode());
        warm();
        int small = 1 << 14;
        long smallPerEntry = allocatedPerEntry(collidingInOneDirectory(small), small);
        ScaleLogs log = collidingInOneDirectory(n);
        long perEntry = allocatedPerEntry(log, n);
        Namespace ns = log.replay().namespace();
        DirNode root = ns.root();
        assertEquals(n, root.size());
        long probes = 0;
        for (int i = 0; i < n; i += 97) {
            String name = collidingName(19, i);
            assertEquals(name, root.child(name).name());
            probes += root.probes(name);
        }
        long lookups = (n + 96) / 97;
        String what = n + " colliding names in one directory: " + perEntry + " B allocated per entry (" + smallPerEntry
                + " at " + small + "), " + probes * 100 / lookups + " probes x100 per lookup";
        System.out.println("[NamespaceScaleTest] " + what);
        // the names are 25 bytes longer than the tree's, and the node's array grows with them
        assertTrue(perEntry <= MAX_ALLOCATED_PER_ENTRY + 32, what);
        assertTrue(perEntry <= smallPerEntry + 16, what);
        assertTrue(probes <= 3 * lookups, what);
    }

    @Test
    void namesMadeToCollideInTheTablesOwnHashGetTheTableReseeded() {
        long seed = 0x5eed;
        ChildTable probe = ChildTable.empty(seed);
        int mask = 1023;
        List<byte[]> names = new ArrayList<>();
        int target = -1;
        for (int i = 0; names.size() < 2 * ChildTable.LONG_RUN; i++) {
            byte[] b = ScaleLogs.bytes("n" + i);
            int slot = (int) ChildTable.hash(probe.seed(), b, 0, b.length) & mask;
            if (target < 0) {
                target = slot;
            }
            if (slot == target) {
                names.add(b);
            }
        }
        ChildTable t = probe;
        for (byte[] b : names) {
            t = t.add(new FileNode(b, 0644, 0, 0, 0, 0, 0, null));
        }
        assertTrue(t.seed() != probe.seed(), "a run of " + ChildTable.LONG_RUN + " made the table reseed");
        assertEquals(names.size(), t.count());
        int worst = 0;
        for (byte[] b : names) {
            long at = t.locate(b, 0, b.length);
            assertNotNull(t.get(b, 0, b.length));
            worst = Math.max(worst, (int) (at >>> 32));
        }
        assertTrue(worst < ChildTable.LONG_RUN, "worst run after reseeding: " + worst);
    }

    @Test
    void longNamesDeepPathsAndNonAsciiNamesAreFoundAtTheCostOfTheirDepth() throws Exception {
        ScaleLogs log = ScaleLogs.empty(Layout.MIN_LOG_LEN, 2000);
        // the deepest path famfs stores: 40 one-byte names, 79 bytes
        StringBuilder deep = new StringBuilder("a");
        log.mkdir("a");
        for (int d = 1; d < 39; d++) {
            deep.append("/a");
            log.mkdir(deep.toString());
        }
        log.file(deep + "/z");
        // 79-byte names, and names in other scripts (UTF-8 of 2 to 4 bytes per character)
        List<String> longNames = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            String name = String.format("%079d", i);
            longNames.add(name);
            log.file(name);
        }
        String[] utf8 = {"été", "файл", "文件", "\uD83D\uDCC1dir"};
        for (String s : utf8) {
            log.file(s);
        }
        // what the reference refuses: the entry is skipped, with RelPath.decode's message
        log.mkdir("x");
        log.append(new MkdirEntry(0, 0, 0, 0755, ScaleLogs.bytes("x/../y")));
        log.append(new MkdirEntry(0, 0, 0, 0755, new byte[] {'x', '/', (byte) 0xc0, (byte) 0x80}));
        log.append(new MkdirEntry(0, 0, 0, 0755, ScaleLogs.bytes("x//y")));
        Namespace ns = log.replay().namespace();
        List<String> names = new ArrayList<>();
        for (int d = 0; d < 39; d++) {
            names.add("a");
        }
        names.add("z");
        Node z = ns.lookup(names);
        assertInstanceOf(FileNode.class, z);
        int probes = 0;
        DirNode dir = ns.root();
        for (String s : names) {
            probes += dir.probes(s);
            Node next = dir.child(s);
            if (next instanceof DirNode d) {
                dir = d;
            }
        }
        assertTrue(probes <= 2 * names.size(), probes + " probes for a path of depth " + names.size());
        for (String s : longNames) {
            assertEquals(s, ns.root().child(s).name());
        }
        for (String s : utf8) {
            assertEquals(s, ns.root().child(s).name());
        }
        assertNull(ns.root().child("ete"));
        // a name with no UTF-8 form (a lone surrogate) is no stored name, not even the '?' Java would encode it as
        log.file("?");
        Namespace again = log.replay().namespace();
        assertNotNull(again.root().child("?"));
        assertNull(again.root().child("\uD800"));
        assertNull(again.root().child("a\uDC00"));
        List<String> problems = new ArrayList<>();
        for (FamfsProblem p : ns.problems()) {
            problems.add(p.toString());
        }
        assertEquals(3, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("has a '..' component"), problems.toString());
        assertTrue(problems.get(1).contains("is not valid UTF-8"), problems.toString());
        assertTrue(problems.get(2).contains("has an empty component"), problems.toString());
        assertEquals(0, ((DirNode) ns.root().child("x")).size());
    }
}
