package io.github.famfs.cli;

import io.github.famfs.nio.FamfsDevices;
import io.github.famfs.nio.HostIdentity;
import io.github.famfs.nio.NotFamfsException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileStore;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "mkfs", sortOptions = false,
        header = "Format a famfs on a DAX device or an image file.",
        description = {
            "Writes a new superblock (with this host's system UUID: this host becomes the master) and an empty log."
                + " A device that already holds a famfs is refused unless -f is given; -f formats over it and every"
                + " file in it is lost (the data bytes stay where they were).",
            "",
            "With --size, an image file that does not exist yet is made (sparse) and formatted.",
            "",
            "-k with -f (\"kill\") only zeroes the superblock magic, so nothing sees a famfs there any more; -k"
                + " without -f is ignored, as the reference's mkfs.famfs ignores it.",
            ""})
final class MkfsCommand extends FamfsCommand {
    @Option(names = {"-f", "--force"}, description = "Format even over an existing famfs (its files are lost).")
    boolean force;

    @Option(names = {"-k", "--kill"}, description = "With -f: only zero the superblock magic (the famfs is gone).")
    boolean kill;

    @Option(names = {"-l", "--loglen"}, paramLabel = "SIZE", converter = Converters.SizeConverter.class,
            description = "Log length: a power of two of at least 8M (default 8M; 8M holds 15420 entries).")
    Long logLength;

    @Option(names = {"-s", "--size"}, paramLabel = "SIZE", converter = Converters.SizeConverter.class,
            description = "Create DEVICE as an image file of SIZE bytes (sparse) when it does not exist, e.g. 4G."
                + " famfs-nio formats 16M and up (the reference wants at least 4G).")
    Long size;

    @Mixin
    SystemUuidOption uuid;

    @Option(names = "--init-system-uuid", description = "When this host has no famfs system UUID (no --system-uuid"
            + " and no /opt/famfs/system_uuid), create /opt/famfs/system_uuid with a new random one, as the"
            + " reference's mkfs.famfs does, and format with it. Without this option mkfs never writes that file.")
    boolean initSystemUuid;

    @Parameters(paramLabel = "DEVICE", description = "The DAX device (/dev/daxX.Y) or image file.")
    Path device;

    @Override
    int run() throws IOException {
        if (kill && force) {
            return kill();
        }
        if (kill) {
            warn("-k without -f is ignored (as the reference's mkfs.famfs ignores it): formatting normally");
        }
        boolean exists = Files.exists(device);
        if (!exists && size == null) {
            throw new NoSuchFileException(device.toString(), null, "no such device or image file; give --size"
                    + " (e.g. --size 4G) to create an image file");
        }
        if (exists && size == null && Files.isRegularFile(device) && Files.size(device) == 0) {
            throw new java.nio.file.FileSystemException(device.toString(), null, "an empty image file; give --size"
                    + " (e.g. --size 4G) to make it an image of that size");
        }
        if (exists && size != null && Files.isRegularFile(device) && Files.size(device) != size) {
            throw new FileAlreadyExistsException(device.toString(), null, "the image exists with "
                    + Files.size(device) + " bytes, not the " + size + " of --size (leave --size out to format it"
                    + " at its size)");
        }
        if (exists && !force) {
            refuseExistingFamfs();
        }
        Map<String, Object> env = new HashMap<>();
        env.put("create", "true");
        if (force) {
            env.put("force", "true");
        }
        if (size != null) {
            env.put("deviceSize", size);
        }
        if (logLength != null) {
            env.put("logLength", logLength);
        }
        java.util.UUID host = uuid.systemUuid;
        if (host == null) {
            host = HostIdentity.fromHostFile().orElse(null);
        }
        if (host == null && initSystemUuid) {
            host = HostIdentity.createSystemUuidFile();
            out().printf("famfs mkfs: this host had no system UUID: wrote %s to %s%n", host,
                    HostIdentity.SYSTEM_UUID_FILE);
        }
        if (host == null) {
            throw new FamfsCli.UsageException("this host has no famfs system UUID (" + HostIdentity.SYSTEM_UUID_FILE
                    + " does not hold one): give --system-uuid UUID, or --init-system-uuid to create that file");
        }
        env.put("systemUuid", host.toString());
        try (FileSystem fs = FileSystems.newFileSystem(Session.uri(device), env)) {
            mkfsReport(fs);
        } catch (io.github.famfs.nio.NotBlankException e) {
            throw new FileAlreadyExistsException(device.toString(), null, e.getReason().replace("force=true", "-f"));
        } catch (java.nio.file.FileSystemException | IllegalArgumentException e) {
            throw cliWords(e);
        }
        return 0;
    }

    /** The library's errors name its env keys; this command's user gave options: say those instead. */
    private static RuntimeException cliWords(Exception e) throws IOException {
        String[][] words = {{"famfs env key 'deviceSize'", "--size"}, {"env key 'deviceSize'", "--size"},
            {"famfs env key 'logLength'", "--loglen"}, {"env key 'systemUuid'", "--system-uuid"},
            {"deviceSize", "--size"}, {"logLength", "--loglen"}, {"force=true", "-f"}};
        String m = e instanceof java.nio.file.FileSystemException f && f.getReason() != null ? f.getReason()
                : e.getMessage();
        String said = m == null ? "" : m;
        for (String[] w : words) {
            said = said.replace(w[0], w[1]);
        }
        if (e instanceof java.nio.file.FileSystemException f) {
            throw new java.nio.file.FileSystemException(f.getFile(), f.getOtherFile(), said);
        }
        return new IllegalArgumentException(said, e);
    }

    private void mkfsReport(FileSystem fs) throws IOException {
        FileStore store = fs.getFileStores().iterator().next();
        long total = store.getTotalSpace();
        long capacity = ((Number) store.getAttribute("famfs:logCapacity")).longValue();
        long log = logLength == null ? 8L << 20 : logLength;
        long dataStart = (2L << 20) + log;
        out().printf("famfs mkfs: formatted %s%n", device);
        out().printf("  device %d bytes (%s); log %s, %d entries; file data from %s%n", total,
                Units.human(total), Units.human(log), capacity,
                Units.hex(dataStart));
        out().printf("  file system uuid %s; master system uuid %s (this host: %s)%n",
                store.getAttribute("famfs:uuid"), store.getAttribute("famfs:systemUuid"),
                store.getAttribute("famfs:role"));
    }

    /** Without -f, a device that holds a famfs (or what looks like one) is left alone. */
    private void refuseExistingFamfs() throws IOException {
        try (FileSystem fs = FileSystems.newFileSystem(Session.uri(device), Session.env(false,
                uuid.systemUuid))) {
            FileStore store = fs.getFileStores().iterator().next();
            throw new FileAlreadyExistsException(device.toString(), null, "already holds a famfs (uuid "
                    + store.getAttribute("famfs:uuid") + ", master " + store.getAttribute("famfs:systemUuid") + ", "
                    + store.getAttribute("famfs:files") + " files); -f formats over it and every file is lost");
        } catch (NotFamfsException blank) {
            // nothing there: format
        } catch (FileAlreadyExistsException e) {
            throw e;
        } catch (io.github.famfs.format.FormatException damaged) {
            throw new FileAlreadyExistsException(device.toString(), null, "holds a famfs superblock that cannot be"
                    + " used (" + Errors.describe(damaged) + "); -f formats over it");
        }
    }

    /** -k -f: zero the 8-byte superblock magic, as the reference's kill does; nothing else changes. */
    private int kill() throws IOException {
        FamfsDevices.kill(device);
        out().printf("famfs mkfs: killed the famfs on %s (superblock magic zeroed)%n", device);
        return 0;
    }
}
