package io.github.famfs.nio;

import io.github.famfs.format.FamfsProblem;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;

/**
 * What fsck found on a famfs: the superblock and log (valid, or the open would have failed), bad log entries,
 * cross-linked allocation units (which files share them), maps outside the device or otherwise unusable,
 * skipped entries, and the space figures.
 *
 * @param allocatedBytes device bytes in use, superblock and log included
 * @param problems       everything replay found wrong, in log order
 */
public record FsckReport(Path device, UUID uuid, UUID systemUuid, long deviceSize, long logEntries, long logCapacity,
        long files, long directories, long fileBytes, long allocatedBytes, long freeBytes, long collisions,
        List<FamfsProblem> problems) {

    /** Entries with a bad seqnum or CRC (replay stops at the first). */
    public List<String> badEntries() {
        return of(FamfsProblem.Kind.BAD_ENTRY);
    }

    /** Files whose allocation units an earlier file holds, naming both. */
    public List<String> crossLinks() {
        return of(FamfsProblem.Kind.CROSS_LINK);
    }

    /** Files whose maps are unusable (outside the device, misaligned, too short, bad counts). */
    public List<String> invalidMaps() {
        return of(FamfsProblem.Kind.INVALID_MAP);
    }

    /** Entries not applied: bad paths, missing parents, duplicates, unknown types. */
    public List<String> skipped() {
        return of(FamfsProblem.Kind.SKIPPED);
    }

    /** Problems of the log header or the device as a whole. */
    public List<String> deviceProblems() {
        return of(FamfsProblem.Kind.DEVICE);
    }

    private List<String> of(FamfsProblem.Kind kind) {
        return problems.stream().filter(p -> p.kind() == kind).map(FamfsProblem::toString).toList();
    }

    /** No bad entry, no cross-link, no invalid map, nothing skipped, no device problem. */
    public boolean isClean() {
        return problems.isEmpty();
    }

    /** A report in the spirit of the reference's {@code famfs fsck}. */
    public String format() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("famfs fsck of %s%n", device));
        sb.append(String.format("  file system uuid %s, master system uuid %s%n", uuid, systemUuid));
        sb.append(String.format("  log: %d of %d entries used%n", logEntries, logCapacity));
        sb.append(String.format("  %d files, %d directories%n", files, directories));
        sb.append(String.format("  device %d bytes; allocated %d; free %d; sum of file sizes %d%n", deviceSize,
                allocatedBytes, freeBytes, fileBytes));
        if (fileBytes > 0) {
            sb.append(String.format("  space amplification %.2f; %.1f%% used%n",
                    (double) (allocatedBytes) / Math.max(1, fileBytes), 100.0 * allocatedBytes / deviceSize));
        }
        section(sb, "bad log entries", badEntries());
        section(sb, "ALLOCATION COLLISIONS (cross-linked files)", crossLinks());
        section(sb, "invalid file maps", invalidMaps());
        section(sb, "skipped entries", skipped());
        section(sb, "device and log", deviceProblems());
        sb.append(isClean() ? "  clean\n" : "  NOT clean\n");
        return sb.toString();
    }

    private static void section(StringBuilder sb, String title, List<String> items) {
        if (items.isEmpty()) {
            return;
        }
        sb.append("  ").append(items.size()).append(' ').append(title).append(":\n");
        for (String s : items) {
            sb.append("    ").append(s).append('\n');
        }
    }
}
