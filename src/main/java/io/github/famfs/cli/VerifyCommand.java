package io.github.famfs.cli;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "verify", sortOptions = false,
        header = "Check that a famfs file holds the pseudo-random stream of a seed (see creat -r -S).",
        description = {
            "Maps the file (no copy) and compares it with the stream of SEED, as the reference's famfs verify"
                + " does; the first mismatch is reported at 4-byte granularity and the exit status is 1.",
            ""})
final class VerifyCommand extends FamfsCommand {
    static final long WINDOW = 256L << 20;
    /** Progress is counted every 16 MiB compared. */
    private static final int PROGRESS_MASK = (16 << 20) - 1;

    @Option(names = {"-S", "--seed"}, paramLabel = "SEED", required = true,
            converter = Converters.SeedConverter.class, description = "The seed the file was filled with.")
    long seed;

    @Option(names = {"-f", "--filename"}, paramLabel = "FILE", required = true,
            description = "DEVICE:/path, or /path with --device.")
    String file;

    @Mixin
    DeviceOption deviceOption;

    @Override
    int run() throws IOException {
        if ((seed & 0xffffffffL) == 0) {
            throw new FamfsCli.UsageException("the seed must be non-zero (its low 32 bits)");
        }
        try (Session s = new Session(null)) {
            Path p = s.path(Target.parse(file, deviceOption.device), false);
            long mismatch;
            long size;
            try (FileChannel ch = FileChannel.open(p)) {
                size = ch.size();
                try (Progress progress = new Progress(err(), "verify", size)) {
                    mismatch = firstMismatch(ch, size, new Prng(seed), progress);
                }
            }
            if (mismatch >= 0) {
                warn(p + ": mismatch at offset " + mismatch + " (" + Units.hex(mismatch) + ") of " + size
                        + ": the file does not hold the stream of seed " + seed);
                return FamfsCli.FAILED;
            }
            out().printf("%s: %d bytes verified against seed %d%n", p, size, seed);
            return 0;
        }
    }

    /** The offset (a multiple of 4) of the first 4-byte word that differs from the stream, or -1. */
    static long firstMismatch(FileChannel ch, long size, Prng prng, Progress progress) throws IOException {
        long pos = 0;
        while (pos < size) {
            long len = Math.min(WINDOW, size - pos);
            MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, pos, len);
            ByteBuffer b = m.order(ByteOrder.LITTLE_ENDIAN);
            int n = (int) len;
            int i = 0;
            for (; i + 4 <= n; i += 4) {
                if (b.getInt(i) != prng.nextInt()) {
                    return pos + i;
                }
                if ((i & PROGRESS_MASK) == PROGRESS_MASK - 3) {
                    progress.add(PROGRESS_MASK + 1);
                }
            }
            if (i < n) {
                int v = prng.nextInt();
                for (int k = 0; i + k < n; k++) {
                    if (b.get(i + k) != (byte) (v >>> (8 * k))) {
                        return pos + i;
                    }
                }
            }
            progress.add(len % (PROGRESS_MASK + 1));
            pos += len;
        }
        return -1;
    }
}
