package io.github.famfs.memory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a famfs device path names: a DAX character device (size and alignment from sysfs; stat says 0) or a
 * regular image file standing in for one.
 *
 * @param path      the path as given
 * @param realPath  its real path, the identity of the device within this JVM
 * @param kind      image file or DAX device
 * @param size      bytes of the device
 * @param alignment the device's mapping alignment (2 MiB for images, so that huge pages can back them)
 */
public record DeviceInfo(Path path, Path realPath, Kind kind, long size, long alignment) {
    public enum Kind { IMAGE_FILE, DAX_DEVICE }

    public static final long DEFAULT_ALIGNMENT = 0x200000L;
    /** Where sysfs is; a system property lets tests point at a fake tree. */
    static final String SYSFS_PROPERTY = "famfs.sysfs";

    private static final int S_IFMT = 0170000;
    private static final int S_IFREG = 0100000;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFBLK = 0060000;
    private static final int S_IFDIR = 0040000;

    /** Finds out what {@code path} is without opening it for I/O (a FIFO would block, a DAX device refuses read(2)). */
    public static DeviceInfo probe(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such famfs device or image file");
        }
        Path real = path.toRealPath();
        Map<String, Object> attrs = Files.readAttributes(real, "unix:mode,rdev,size");
        int mode = (Integer) attrs.get("mode");
        switch (mode & S_IFMT) {
            case S_IFREG:
                return new DeviceInfo(path, real, Kind.IMAGE_FILE, (Long) attrs.get("size"), DEFAULT_ALIGNMENT);
            case S_IFCHR:
                return probeCharDevice(path, real, (Long) attrs.get("rdev"));
            case S_IFBLK:
                throw new NotADeviceException(path + " is a block device; famfs lives on DAX character devices"
                        + " (e.g. /dev/dax0.0) or image files");
            case S_IFDIR:
                throw new NotADeviceException(path + " is a directory, not a DAX device or famfs image file");
            default:
                throw new NotADeviceException(path + " is not a DAX character device or a regular image file");
        }
    }

    private static DeviceInfo probeCharDevice(Path path, Path real, long rdev) throws IOException {
        long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
        long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
        Path sys = Path.of(System.getProperty(SYSFS_PROPERTY, "/sys"), "dev", "char", major + ":" + minor);
        Path subsystem = sys.resolve("subsystem");
        String subsystemName = Files.exists(subsystem) ? subsystem.toRealPath().getFileName().toString() : "?";
        if (!subsystemName.equals("dax")) {
            throw new NotADeviceException(path + " is a character device " + major + ":" + minor
                    + " of subsystem '" + subsystemName + "', not a DAX device");
        }
        long size = readSysfsNumber(sys.resolve("size"), path);
        Path alignFile = sys.resolve("align");
        long align = Files.exists(alignFile) ? readSysfsNumber(alignFile, path) : DEFAULT_ALIGNMENT;
        if (align <= 0 || Long.bitCount(align) != 1) {
            throw new IOException("DAX device " + path + " reports alignment " + align + " in " + alignFile
                    + ", not a power of two");
        }
        return new DeviceInfo(path, real, Kind.DAX_DEVICE, size, align);
    }

    private static long readSysfsNumber(Path file, Path device) throws IOException {
        String text;
        try {
            text = new String(PseudoFiles.read(file), StandardCharsets.US_ASCII).trim();
        } catch (IOException e) {
            throw new IOException("cannot read " + file + " for DAX device " + device + ": " + e, e);
        }
        try {
            return text.startsWith("0x") ? Long.parseUnsignedLong(text.substring(2), 16) : Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IOException(file + " holds '" + text + "', not a number (DAX device " + device + ")");
        }
    }

    public boolean isDaxDevice() {
        return kind == Kind.DAX_DEVICE;
    }

    /** Thrown when a path names something that cannot hold a famfs at all. */
    public static final class NotADeviceException extends IOException {
        private static final long serialVersionUID = 1L;

        NotADeviceException(String message) {
            super(message);
        }
    }
}
