package io.github.famfs.cli;

import io.github.famfs.nio.FamfsOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "creat", sortOptions = false,
        header = "Create a famfs file of a given size (master only).",
        description = {
            "Allocates SIZE bytes (contiguous, or interleaved with -N/-B/-C) and appends one FILE log entry. The"
                + " file is filled with zeros, or with -r -S SEED with the reference's pseudo-random stream, so"
                + " that famfs verify -S SEED (this one or the reference's) agrees.",
            "",
            "An existing file of the same size is left as it is (success); with -r -S it is filled again. Without"
                + " -s an existing file keeps its size. Another size is an error: famfs files never change size.",
            ""})
final class CreatCommand extends FamfsCommand {
    @Option(names = {"-s", "--size"}, paramLabel = "SIZE", converter = Converters.SizeConverter.class,
            description = "Size in bytes, with an optional k/m/g suffix (e.g. 64M). Must be > 0.")
    Long size;

    @Mixin
    CreateOptions.Owner owner;

    @Option(names = {"-r", "--randomize"}, description = "Fill with the pseudo-random stream of -S SEED.")
    boolean randomize;

    @Option(names = {"-S", "--seed"}, paramLabel = "SEED", converter = Converters.SeedConverter.class,
            description = "Seed for -r (non-zero; only its low 32 bits count, as in the reference).")
    Long seed;

    @Mixin
    CreateOptions.Interleave interleave;

    @Mixin
    DeviceOption deviceOption;

    @Mixin
    SystemUuidOption uuid;

    @Parameters(paramLabel = "FILE", description = "DEVICE:/path, or /path with --device.")
    String file;

    @Override
    int run() throws IOException {
        if (seed != null && !randomize) {
            throw new FamfsCli.UsageException("-S SEED goes with -r (randomize)");
        }
        if (randomize && (seed == null || (seed & 0xffffffffL) == 0)) {
            throw new FamfsCli.UsageException("-r needs -S SEED with a non-zero seed (its low 32 bits)");
        }
        if (size != null && size <= 0) {
            throw new FamfsCli.UsageException("-s SIZE must be more than 0 (famfs files are never empty)");
        }
        FamfsOption il = interleave.option();
        try (Session s = new Session(uuid.systemUuid)) {
            Path p = s.path(Target.parse(file, deviceOption.device), true);
            if (Files.exists(p)) {
                return existing(p);
            }
            if (size == null) {
                throw new NoSuchFileException(p.toString(), null, "does not exist; give -s SIZE to create it");
            }
            Set<OpenOption> opts = new HashSet<>(List.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                    FamfsOption.size(size)));
            if (il != null) {
                opts.add(il);
            }
            try (Progress progress = new Progress(err(), "creat", size)) {
                FileChannel ch = FileChannel.open(p, opts, owner.attributes(owner.mode == null ? 0644
                        : owner.mode));
                try {
                    fill(ch, size, randomize ? new Prng(seed) : null, progress);
                } catch (IOException | RuntimeException e) {
                    try {
                        ch.close(); // short of its size: not published, the space goes back
                    } catch (IOException expected) {
                        e.addSuppressed(expected);
                    }
                    throw e;
                }
                ch.close();
            }
        }
        return 0;
    }

    private int existing(Path p) throws IOException {
        if (Files.isDirectory(p)) {
            throw new FileSystemException(p.toString(), null, "is a directory");
        }
        long have = Files.size(p);
        if (size != null && size != have) {
            throw new FileAlreadyExistsException(p.toString(), null, "exists with " + have + " bytes, not "
                    + size + " (famfs files never change size)");
        }
        if (randomize) {
            try (FileChannel ch = FileChannel.open(p, StandardOpenOption.WRITE);
                    Progress progress = new Progress(err(), "creat", have)) {
                fill(ch, have, new Prng(seed), progress);
                ch.force(false);
            }
        }
        return 0;
    }

    /** Writes {@code size} bytes from offset 0: the PRNG stream, or zeros when {@code prng} is null. */
    static void fill(FileChannel ch, long size, Prng prng, Progress progress) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect(4 << 20);
        boolean zeros = prng == null;
        long done = 0;
        while (done < size) {
            int n = (int) Math.min(buf.capacity(), size - done);
            buf.clear().limit(n);
            if (!zeros) {
                prng.fill(buf);
            }
            buf.position(0).limit(n);
            while (buf.hasRemaining()) {
                ch.write(buf, done + buf.position());
            }
            done += n;
            progress.add(n);
        }
    }
}
