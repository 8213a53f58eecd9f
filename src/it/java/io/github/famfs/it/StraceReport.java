package io.github.famfs.it;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the strace lines a guest printed ({@code strace -ff -y}: one thread per file, descriptors shown as
 * {@code 17</dev/dax0.0>}) and judges what the JVM did to the device: which system calls it made on a descriptor
 * of the device (only open, mmap, flock, close and the like are allowed: device-DAX refuses read, write and
 * msync), whether every mmap of it was shared and aligned to the device's alignment, whether any msync hit a
 * mapping of it, and whether the descriptors were opened read-only where they should be.
 */
public final class StraceReport {
    /** Calls a DAX descriptor may see: opening, mapping, locking, closing, stat. */
    static final Set<String> ALLOWED = Set.of("openat", "open", "mmap", "flock", "close", "fstat", "newfstatat",
            "statx", "fcntl");

    private static final Pattern CALL = Pattern.compile("^(\\w+)\\((.*)\\)\\s+=\\s+(.*)$");
    private static final Pattern FIRST_FD = Pattern.compile("^(\\d+)<([^>]*)>");

    /** One traced call: name, the text between its parentheses, the result text. */
    public record Call(String name, String args, String result, String line) {
        boolean failed() {
            return result.startsWith("-1 ");
        }
    }

    /** One mmap of the device. */
    public record Mmap(long addr, long length, String prot, String flags, long offset, String result, String line) {}

    private final String device;
    private final List<Call> onDevice = new ArrayList<>();
    private final List<Mmap> mmaps = new ArrayList<>();
    private final List<String> opens = new ArrayList<>();
    private final List<Call> msyncs = new ArrayList<>();
    private final List<String> signals = new ArrayList<>();
    private final List<String> unparsed = new ArrayList<>();

    private StraceReport(String device) {
        this.device = device;
    }

    /** Parses trace lines (without the guest's {@code STRACE } prefix). */
    public static StraceReport parse(String device, List<String> lines) {
        StraceReport r = new StraceReport(device);
        String tag = "<" + device + ">";
        for (String raw : lines) {
            String line = raw.strip();
            if (line.startsWith("---") || line.startsWith("+++")) {
                if (line.contains("SIGBUS")) {
                    r.signals.add(line);
                }
                continue;
            }
            Matcher m = CALL.matcher(line);
            if (!m.matches()) {
                if (line.contains(tag)) {
                    r.unparsed.add(line);
                }
                continue;
            }
            Call c = new Call(m.group(1), m.group(2), m.group(3), line);
            if (c.name().equals("msync")) {
                r.msyncs.add(c);
                continue;
            }
            if ((c.name().equals("openat") || c.name().equals("open")) && c.result().endsWith(tag)) {
                r.opens.add(line);
                r.onDevice.add(c);
                continue;
            }
            if (c.name().equals("mmap") && c.args().contains(tag)) {
                r.onDevice.add(c);
                r.mmaps.add(mmap(c));
                continue;
            }
            Matcher fd = FIRST_FD.matcher(c.args());
            if (fd.find() && fd.group(2).equals(device)) {
                r.onDevice.add(c);
            }
        }
        return r;
    }

    private static Mmap mmap(Call c) {
        String[] a = c.args().split(",\\s*");
        return new Mmap(number(a[0]), number(a[1]), a[2], a[3], number(a[5]), c.result(), c.line());
    }

    private static long number(String s) {
        s = s.strip();
        if (s.equals("NULL")) {
            return 0;
        }
        return s.startsWith("0x") ? Long.parseUnsignedLong(s.substring(2), 16) : Long.parseLong(s);
    }

    /** How many calls of each kind were made on descriptors of the device. */
    public Map<String, Integer> histogram() {
        Map<String, Integer> h = new TreeMap<>();
        for (Call c : onDevice) {
            h.merge(c.name(), 1, Integer::sum);
        }
        return h;
    }

    public List<Mmap> mmaps() {
        return List.copyOf(mmaps);
    }

    /**
     * The checks the trace supports: no forbidden call on the device, no msync of a device mapping, every mmap
     * aligned and shared (and read-only when {@code readOnly}), descriptors opened read-only when
     * {@code readOnly}, and no SIGBUS. {@code prefix} goes before each check's name.
     */
    public List<Checks.Line> checks(String prefix, long align, boolean readOnly) {
        List<Checks.Line> out = new ArrayList<>();
        List<String> bad = new ArrayList<>();
        for (Call c : onDevice) {
            if (!ALLOWED.contains(c.name())) {
                bad.add(c.line());
            }
        }
        List<String> badSync = new ArrayList<>();
        for (Call c : msyncs) {
            long addr = number(c.args().split(",\\s*")[0]);
            for (Mmap m : mmaps) {
                if (addr >= m.addr() && addr < m.addr() + m.length()) {
                    badSync.add(c.line());
                    break;
                }
            }
        }
        if (onDevice.isEmpty() || mmaps.isEmpty()) {
            out.add(new Checks.Line(Checks.Status.FAIL, prefix + "trace", "the trace shows no open or mmap of "
                    + device + ": it did not trace the JVM (" + onDevice.size() + " calls, " + unparsed.size()
                    + " unparsed lines)"));
            return out;
        }
        if (bad.isEmpty() && badSync.isEmpty() && unparsed.isEmpty()) {
            out.add(new Checks.Line(Checks.Status.PASS, prefix + "no-io-on-device", onDevice.size()
                    + " system calls on descriptors of " + device + ": " + histogram()
                    + "; no read/write/pread64/pwrite64/readv/writev/sendfile/fsync/lseek...; " + msyncs.size()
                    + " msync in the whole JVM, none on a device mapping"));
        } else {
            List<String> all = new ArrayList<>(bad);
            all.addAll(badSync);
            all.addAll(unparsed);
            out.add(new Checks.Line(Checks.Status.FAIL, prefix + "no-io-on-device", all.size()
                    + " forbidden or unreadable calls on " + device + ": " + all));
        }
        List<String> badMaps = new ArrayList<>();
        for (Mmap m : mmaps) {
            List<String> why = new ArrayList<>();
            if (m.result().startsWith("-1")) {
                why.add("failed");
            } else if (m.addr() != 0 && !m.result().equals("0x" + Long.toHexString(m.addr()))) {
                why.add("placed elsewhere");
            }
            if (m.addr() % align != 0 || m.length() % align != 0 || m.offset() % align != 0) {
                why.add("not " + align + "-aligned");
            }
            if (!m.flags().contains("MAP_SHARED") || m.flags().contains("MAP_PRIVATE")) {
                why.add("not MAP_SHARED");
            }
            if (readOnly && m.prot().contains("PROT_WRITE")) {
                why.add("writable in a read-only process");
            }
            if (!why.isEmpty()) {
                badMaps.add(why + " " + m.line());
            }
        }
        long bytes = mmaps.stream().mapToLong(Mmap::length).sum();
        out.add(badMaps.isEmpty()
                ? new Checks.Line(Checks.Status.PASS, prefix + "mmaps-aligned", mmaps.size() + " mmaps of " + device
                        + " (" + (bytes >> 20) + " MiB), every one MAP_SHARED"
                        + (readOnly ? ", PROT_READ only" : "") + ", address, length and offset multiples of " + align
                        + ", none failed; e.g. " + mmaps.get(mmaps.size() - 1).line())
                : new Checks.Line(Checks.Status.FAIL, prefix + "mmaps-aligned", badMaps.size() + " bad mmaps: "
                        + badMaps));
        List<String> writableOpens = opens.stream().filter(o -> !o.contains("O_RDONLY")).toList();
        if (readOnly) {
            out.add(writableOpens.isEmpty()
                    ? new Checks.Line(Checks.Status.PASS, prefix + "opened-readonly", opens.size() + " opens of "
                            + device + ", all O_RDONLY")
                    : new Checks.Line(Checks.Status.FAIL, prefix + "opened-readonly", "opened for writing: "
                            + writableOpens));
        } else {
            out.add(writableOpens.isEmpty()
                    ? new Checks.Line(Checks.Status.FAIL, prefix + "opened-readwrite", "a master never opened "
                            + device + " O_RDWR: " + opens)
                    : new Checks.Line(Checks.Status.PASS, prefix + "opened-readwrite", opens.size() + " opens of "
                            + device + ", " + writableOpens.size() + " of them O_RDWR"));
        }
        out.add(signals.isEmpty()
                ? new Checks.Line(Checks.Status.PASS, prefix + "no-sigbus", "no SIGBUS in any thread")
                : new Checks.Line(Checks.Status.FAIL, prefix + "no-sigbus", signals.toString()));
        return out;
    }
}
