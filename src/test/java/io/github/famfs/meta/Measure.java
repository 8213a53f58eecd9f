package io.github.famfs.meta;

public class Measure {
    public static void main(String[] a) throws Exception {
        int n = Integer.parseInt(a[0]);
        ScaleLogs s = ScaleLogs.tree(n, 1000);
        com.sun.management.ThreadMXBean tm = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int r = 0; r < Integer.parseInt(a[1]); r++) {
            System.gc();
            long used0 = usedAfterGc();
            long b0 = tm.getCurrentThreadAllocatedBytes();
            long c0 = tm.getCurrentThreadCpuTime();
            LogReplay.Result res = s.replay();
            long c1 = tm.getCurrentThreadCpuTime();
            long b1 = tm.getCurrentThreadAllocatedBytes();
            Namespace ns = res.namespace();
            res = null;
            long used1 = usedAfterGc();
            System.out.printf("n=%d cpu %.1f ms (%.3f us/entry) alloc %d B/entry retained %d B/entry files %d%n", n,
                    (c1 - c0) / 1e6, (c1 - c0) / 1e3 / n, (b1 - b0) / n, (used1 - used0) / n, ns.stats().files());
            ns = null;
        }
    }

    static long usedAfterGc() {
        for (int i = 0; i < 3; i++) System.gc();
        Runtime rt = Runtime.getRuntime();
        return rt.totalMemory() - rt.freeMemory();
    }
}
