package io.github.famfs.nio;

import io.github.famfs.format.Layout;
import io.github.famfs.memory.Device;
import io.github.famfs.memory.DeviceInfo;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Operations on a famfs device or image as a whole, apart from an open file system. (Formatting is
 * {@code FileSystems.newFileSystem} with {@code create=true}, see {@link Environment}.)
 */
public final class FamfsDevices {
    private FamfsDevices() {}

    /**
     * "Kills" the famfs on {@code device} as the reference's {@code mkfs.famfs -k -f} does: zeroes the 8-byte
     * superblock magic (and syncs it to an image file's storage), so that nothing sees a famfs there any more;
     * no other byte changes. A later format with {@code create=true} accepts the device without {@code force}.
     * Only a device that holds a famfs superblock (its magic) is written: anything else (a user's data file given
     * by mistake, a famfs killed already) is refused, whatever {@code -f} says; the library never writes to what
     * is not a famfs.
     *
     * @throws NoSuchFileException when there is no such device or image file
     * @throws FileSystemException when the device is not a DAX device or image file (a directory, say), is too
     *     small to hold a superblock, holds no famfs superblock, or a famfs on it (by any name: a link, another
     *     path to the same file) is open in this JVM (close it first: it would go on using a superblock that is
     *     gone)
     * @throws IOException when the device cannot be opened for writing
     */
    public static void kill(Path device) throws IOException {
        if (!Files.exists(device)) {
            throw new NoSuchFileException(device.toString(), null, "no such device or image file");
        }
        DeviceInfo info = probe(device);
        if (info.size() < Layout.SUPERBLOCK_SIZE) {
            throw new FileSystemException(device.toString(), null, "holds " + info.size() + " bytes, too few to hold"
                    + " a famfs (its superblock alone takes " + Layout.SUPERBLOCK_SIZE + "): there is no famfs to"
                    + " kill");
        }
        if (Famfs.provider().openOn(device) != null) {
            throw new FileSystemException(device.toString(), null, "a famfs on it is open in this JVM; close it"
                    + " before killing it");
        }
        try (Device d = Device.open(info, true)) {
            d.acquire();
            try {
                ByteBuffer magic = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                d.copyTo(0, magic, 8);
                if (magic.getLong(0) != Layout.SUPER_MAGIC) {
                    throw new FileSystemException(device.toString(), null, String.format("holds no famfs superblock"
                            + " (magic 0x%x at offset 0, not 0x%x): there is no famfs to kill; nothing written",
                            magic.getLong(0), Layout.SUPER_MAGIC));
                }
                d.copyFrom(ByteBuffer.allocate(8), 0, 8);
                d.sync(0, 8);
            } finally {
                d.release();
            }
        }
    }

    /**
     * {@link DeviceInfo#probe}, with what is not a DAX device or image file (a directory, a fifo, a block device)
     * a FileSystemException naming it: the library's exception for it is of a package the module does not
     * export, and must not reach callers.
     */
    static DeviceInfo probe(Path device) throws IOException {
        try {
            return DeviceInfo.probe(device);
        } catch (DeviceInfo.NotADeviceException e) {
            throw (FileSystemException) new FileSystemException(device.toString(), null, e.getMessage()).initCause(e);
        }
    }
}
