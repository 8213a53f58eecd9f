package io.github.famfs.nio;

import io.github.famfs.format.FormatException;
import io.github.famfs.format.Layout;
import io.github.famfs.format.Superblock;
import io.github.famfs.memory.Device;
import io.github.famfs.memory.DeviceInfo;
import io.github.famfs.meta.Formatter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

/**
 * The {@code create} and {@code force} env keys: an absent image file is made ({@code deviceSize} bytes,
 * sparse), and a device or image that holds no famfs is formatted. One that holds a valid famfs is opened as
 * it is, unless {@code force} asks to format over it; anything else that looks like a famfs superblock (another
 * version, a damaged one) is refused without {@code force}, naming what is there.
 */
final class Formatting {
    private Formatting() {}

    /**
     * Makes the image file when {@code path} does not exist, or gives an empty one its {@code deviceSize}; returns
     * whether it did. Formatting needs this host's system UUID, so that is checked first: nothing is created for a
     * format that would fail.
     */
    static boolean createImageIfAbsent(Path path, Environment env) throws IOException {
        boolean exists = Files.exists(path);
        boolean empty = exists && Files.isRegularFile(path) && Files.size(path) == 0;
        if (exists && !empty) {
            if (env.deviceSize().isPresent() && Files.isRegularFile(path)
                    && Files.size(path) != env.deviceSize().get()) {
                throw new IllegalArgumentException("famfs env key 'deviceSize' is " + env.deviceSize().get()
                        + " but the image " + path + " exists with " + Files.size(path) + " bytes");
            }
            return false;
        }
        long size = env.deviceSize().orElseThrow(() -> new NoSuchFileException(path.toString(), null,
                (empty ? "an empty image file" : "no such famfs device or image file")
                        + "; to make an image of it pass deviceSize (e.g. 4G) with create=true"));
        Formatter.check(size, env.logLength());
        HostIdentity.systemUuidForFormat(env, path);
        if (empty) {
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
                if (ch.size() != 0) {
                    throw new FileAlreadyExistsException(path.toString(), null, "was empty and is not any more");
                }
                ch.write(ByteBuffer.wrap(new byte[1]), size - 1);
            }
            return true;
        }
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[1]), size - 1);
        }
        return true;
    }

    /**
     * Formats {@code info}'s device when it holds no data to lose: all its bytes up to where file data starts (the
     * superblock, the log) are zero, as on a new sparse image. A valid famfs is left as it is; anything else is
     * refused with {@link NotBlankException} unless {@code force} asks to format over whatever is there.
     */
    static void formatIfNeeded(DeviceInfo info, Environment env) throws IOException {
        try (Device device = Device.open(info, true)) {
            device.acquire();
            try {
                if (!env.force() && info.size() >= Layout.SUPERBLOCK_SIZE && holdsFamfs(device, info)) {
                    return;
                }
                if (!env.force() && !killedFamfs(device)) {
                    refuseUnlessBlank(device, info, Layout.LOG_OFFSET + env.logLength());
                }
                Formatter.check(info.size(), env.logLength());
                UUID host = HostIdentity.systemUuidForFormat(env, info.path());
                Formatter.format(device.slice(0, 4096), device.slice(Layout.LOG_OFFSET, (int) env.logLength()),
                        info.size(), env.logLength(), host, info.path().toString());
                device.sync(0, Layout.LOG_OFFSET + env.logLength());
            } finally {
                device.release();
            }
        }
    }

    /**
     * True for a famfs whose superblock magic was zeroed on purpose ({@code famfs mkfs -k -f}, as the reference's
     * kill does): with the magic put back, the superblock is valid. Its owner already chose to give it up, so it
     * may be formatted again without {@code force}, as the reference's mkfs does.
     */
    private static boolean killedFamfs(Device device) {
        if (device.size() < Layout.SUPERBLOCK_SIZE) {
            return false;
        }
        ByteBuffer raw = ByteBuffer.allocate(Layout.SUPERBLOCK_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        device.copyTo(0, raw, Layout.SUPERBLOCK_SIZE);
        raw.flip();
        if (raw.getLong(0) != 0) {
            return false;
        }
        raw.putLong(0, Layout.SUPER_MAGIC);
        try {
            Superblock sb = Superblock.decode(raw.duplicate());
            sb.validate(raw.duplicate());
            return true;
        } catch (FormatException | RuntimeException e) {
            return false;
        }
    }

    /** Throws NotBlankException when any of the first {@code length} bytes of the device is not zero. */
    private static void refuseUnlessBlank(Device device, DeviceInfo info, long length) throws NotBlankException {
        long end = Math.min(length, info.size());
        final int piece = 1 << 20;
        for (long off = 0; off < end; off += piece) {
            ByteBuffer b = device.slice(off, (int) Math.min(piece, end - off)).order(ByteOrder.LITTLE_ENDIAN);
            int i = 0;
            int n = b.remaining();
            for (; i + 8 <= n; i += 8) {
                if (b.getLong(i) != 0) {
                    break;
                }
            }
            for (; i < n; i++) {
                if (b.get(i) != 0) {
                    throw new NotBlankException(info.path().toString(), "holds no famfs but is not blank (byte "
                            + (off + i) + " is 0x" + Integer.toHexString(b.get(i) & 0xff) + "): create formats only"
                            + " an absent or empty image, or a device whose first " + end + " bytes (superblock and"
                            + " log) are zero; force=true formats over it and what it holds is lost");
                }
            }
        }
    }

    /** True for a valid famfs; false for no famfs; refuses (throws) for a superblock that is neither. */
    private static boolean holdsFamfs(Device device, DeviceInfo info) throws IOException {
        ByteBuffer raw = ByteBuffer.allocate(Layout.SUPERBLOCK_SIZE);
        device.copyTo(0, raw, Layout.SUPERBLOCK_SIZE);
        raw.flip();
        Superblock old = Superblock.decode(raw);
        if (!old.hasMagic()) {
            return false;
        }
        try {
            old.validate(raw);
            return true;
        } catch (FormatException e) {
            throw new FileAlreadyExistsException(info.path().toString(), null, "holds a famfs superblock that"
                    + " this implementation cannot use (" + e.getMessage() + "; file system " + old.uuid()
                    + ", master " + old.systemUuid() + "); formatting over it needs force=true");
        }
    }
}
