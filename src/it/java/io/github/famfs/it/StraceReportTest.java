package io.github.famfs.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The host-side judges of the VM suite, on trace and console lines shaped like real guests' (no VM needed). */
class StraceReportTest {
    private static final String DEV = "/dev/dax0.0";
    private static final long ALIGN = 2 << 20;

    private static final List<String> MASTER = List.of(
            "openat(AT_FDCWD</>, \"/dev/dax0.0\", O_RDONLY|O_CLOEXEC) = 17</dev/dax0.0>",
            "mmap(0x7fa584000000, 1071644672, PROT_READ, MAP_SHARED|MAP_FIXED, 17</dev/dax0.0>, 0) = 0x7fa584000000",
            "close(17</dev/dax0.0>)            = 0",
            "openat(AT_FDCWD</>, \"/dev/dax0.0\", O_RDWR|O_CLOEXEC) = 17</dev/dax0.0>",
            "mmap(0x7fa584000000, 1071644672, PROT_READ|PROT_WRITE, MAP_SHARED|MAP_FIXED, 17</dev/dax0.0>, 0)"
                    + " = 0x7fa584000000",
            "write(1</dev/null>, \"opened famfs:/dev/dax0.0 (read-w\"..., 57) = 57",
            "read(15</sys/devices/LNXSYSTM:00/ndbus0/region0/dax0.1/dax0.0/size>, \"1071644672\\n\", 4096) = 11",
            "flock(17</dev/dax0.0>, LOCK_EX)   = 0",
            "flock(17</dev/dax0.0>, LOCK_UN)   = 0",
            "mmap(0x7ff04a000000, 4194304, PROT_READ, MAP_SHARED|MAP_FIXED, 17</dev/dax0.0>, 0x4200000)"
                    + " = 0x7ff04a000000",
            "msync(0x7f0000001000, 4096, MS_SYNC) = 0",
            "+++ exited with 0 +++");

    private static Map<String, Checks.Status> statuses(List<Checks.Line> lines) {
        return lines.stream().collect(java.util.stream.Collectors.toMap(Checks.Line::name, Checks.Line::status));
    }

    @Test
    void aCleanMasterTracePasses() {
        StraceReport r = StraceReport.parse(DEV, MASTER);
        assertEquals(Map.of("close", 1, "flock", 2, "mmap", 3, "openat", 2), r.histogram());
        Map<String, Checks.Status> s = statuses(r.checks("strace-", ALIGN, false));
        assertEquals(Map.of("strace-no-io-on-device", Checks.Status.PASS, "strace-mmaps-aligned", Checks.Status.PASS,
                "strace-opened-readwrite", Checks.Status.PASS, "strace-no-sigbus", Checks.Status.PASS), s);
    }

    @Test
    void readWriteOrMsyncOnTheDeviceFails() {
        for (String bad : List.of("read(17</dev/dax0.0>, 0x7f00, 4096) = -1 EINVAL (Invalid argument)",
                "pwrite64(17</dev/dax0.0>, \"x\", 1, 0) = -1 EINVAL (Invalid argument)",
                "msync(0x7ff04a001000, 4096, MS_SYNC) = -1 EINVAL (Invalid argument)",
                "fsync(17</dev/dax0.0>) = -1 EINVAL (Invalid argument)")) {
            List<String> trace = new java.util.ArrayList<>(MASTER);
            trace.add(bad);
            Map<String, Checks.Status> s = statuses(StraceReport.parse(DEV, trace).checks("", ALIGN, false));
            assertEquals(Checks.Status.FAIL, s.get("no-io-on-device"), bad);
        }
    }

    @Test
    void misalignedPrivateOrWritableMapsFail() {
        for (String bad : List.of(
                "mmap(0x7ff04a001000, 2097152, PROT_READ, MAP_SHARED|MAP_FIXED, 17</dev/dax0.0>, 0) = 0x7ff04a001000",
                "mmap(0x7ff04a000000, 4096, PROT_READ, MAP_SHARED|MAP_FIXED, 17</dev/dax0.0>, 0) = 0x7ff04a000000",
                "mmap(0x7ff04a000000, 2097152, PROT_READ, MAP_SHARED|MAP_FIXED, 17</dev/dax0.0>, 0x1000)"
                        + " = 0x7ff04a000000",
                "mmap(NULL, 2097152, PROT_READ, MAP_PRIVATE, 17</dev/dax0.0>, 0) = -1 EINVAL (Invalid argument)")) {
            List<String> trace = new java.util.ArrayList<>(MASTER);
            trace.add(bad);
            assertEquals(Checks.Status.FAIL, statuses(StraceReport.parse(DEV, trace).checks("", ALIGN, false))
                    .get("mmaps-aligned"), bad);
        }
        Map<String, Checks.Status> client = statuses(StraceReport.parse(DEV, MASTER).checks("", ALIGN, true));
        assertEquals(Checks.Status.FAIL, client.get("mmaps-aligned"), "PROT_WRITE in a read-only process");
        assertEquals(Checks.Status.FAIL, client.get("opened-readonly"), "O_RDWR in a read-only process");
    }

    @Test
    void anEmptyTraceOrASigbusFails() {
        assertEquals(Checks.Status.FAIL, StraceReport.parse(DEV, List.of()).checks("", ALIGN, false).get(0).status());
        List<String> trace = new java.util.ArrayList<>(MASTER);
        trace.add("--- SIGBUS {si_signo=SIGBUS, si_code=BUS_ADRERR, si_addr=0x7ff04a000000} ---");
        assertEquals(Checks.Status.FAIL, statuses(StraceReport.parse(DEV, trace).checks("", ALIGN, false))
                .get("no-sigbus"));
    }

    @Test
    void checkAndVerdictLinesAreFoundInConsoleNoise() {
        List<String> out = List.of("vm-init[2.79]: running script",
                "[   14.71] x CHECK PASS read-channel:/data/a.bin: 1048579 bytes, simple map: 1 extent [12 ms]",
                "CHECK FAIL write-copy:/x: java.io.IOException: boom: more",
                "CHECK SKIP read-segment: Java 17: MemorySegment maps need Java 22+",
                "VERDICT FAIL master checks=3 failed=1 skipped=1 java=17 time=5ms");
        List<Checks.Line> l = Checks.parse(out);
        assertEquals(3, l.size());
        assertEquals("read-channel:/data/a.bin", l.get(0).name());
        assertEquals("1048579 bytes, simple map: 1 extent [12 ms]", l.get(0).detail());
        assertEquals("write-copy:/x", l.get(1).name());
        assertEquals(Checks.Status.FAIL, l.get(1).status());
        assertEquals("read-segment", l.get(2).name());
        assertTrue(Checks.verdict(out, "master").startsWith("VERDICT FAIL master"));
        assertNull(Checks.verdict(out, "jdk17"));
    }

    @Test
    void corpusBytesAreTheSameWhicheverWayTheyAreMade() {
        int seed = Corpus.seedOf("/data/x.bin");
        byte[] all = Corpus.bytes(seed, 0, 100);
        for (int from = 0; from < 90; from += 3) {
            byte[] part = Corpus.bytes(seed, from, 10);
            for (int i = 0; i < 10; i++) {
                assertEquals(all[from + i], part[i]);
                assertEquals(all[from + i], Corpus.byteAt(seed, from + i));
            }
        }
    }
}
