package io.github.famfs.cli;

import io.github.famfs.nio.FamfsOption;
import io.github.famfs.nio.UnixAttributes;
import java.nio.file.attribute.FileAttribute;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Options of the commands that make files and directories. */
final class CreateOptions {
    private CreateOptions() {}

    /** {@code -m MODE -u UID -g GID}: the mode, owner and group recorded in the log entry. */
    static final class Owner {
        @Option(names = {"-m", "--mode"}, paramLabel = "MODE", converter = Converters.ModeConverter.class,
                description = "Mode in octal (e.g. 0644).")
        Integer mode;

        @Option(names = {"-u", "--uid"}, paramLabel = "UID", converter = Converters.IdConverter.class,
                description = "Owner's numeric id (default: this process's effective uid).")
        Integer uid;

        @Option(names = {"-g", "--gid"}, paramLabel = "GID", converter = Converters.IdConverter.class,
                description = "Group's numeric id (default: this process's effective gid).")
        Integer gid;

        /** The attributes for a new file or directory: {@code mode} (when not null), and the ids given. */
        FileAttribute<?>[] attributes(Integer mode) {
            List<FileAttribute<?>> a = new ArrayList<>();
            if (mode != null) {
                a.add(UnixAttributes.mode(mode));
            }
            if (uid != null) {
                a.add(UnixAttributes.uid(uid));
            }
            if (gid != null) {
                a.add(UnixAttributes.gid(gid));
            }
            return a.toArray(new FileAttribute<?>[0]);
        }
    }

    /** {@code -N -B -C}: interleaved allocation, as the reference's creat and cp have it. */
    static final class Interleave {
        @Option(names = {"-N", "--nstrips"}, paramLabel = "N",
                description = "Interleave the file over N strips (1..16, at most nbuckets).")
        Integer nstrips;

        @Option(names = {"-B", "--nbuckets"}, paramLabel = "N",
                description = "Buckets to place strips in, one strip per bucket; the device is cut into N equal"
                    + " buckets of at least 1 GiB each (default: nstrips).")
        Integer nbuckets;

        @Option(names = {"-C", "--chunk-size"}, paramLabel = "SIZE", converter = Converters.SizeConverter.class,
                description = "Interleave chunk size: a power of two multiple of 2M (default 2M).")
        Long chunkSize;

        /** The famfs open option, or null when no interleave option was given (contiguous, as the reference). */
        FamfsOption option() {
            if (nstrips == null && nbuckets == null && chunkSize == null) {
                return null;
            }
            if (nstrips == null) {
                throw new FamfsCli.UsageException("-B and -C need -N (the number of strips) too");
            }
            long chunk = chunkSize == null ? 2L << 20 : chunkSize;
            int buckets = nbuckets == null ? nstrips : nbuckets;
            return FamfsOption.interleave(nstrips, chunk, buckets);
        }
    }
}
