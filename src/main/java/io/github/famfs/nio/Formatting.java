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
import java.nio.file.FileSystemException;
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
     * What {@link #createImageIfAbsent} made: undone when the open that follows fails, so that a failed create
     * leaves no file it made (and an empty image it was given stays empty).
     */
    static final class MadeImage {
        private final Path path;
        private final boolean wasEmpty;

        private MadeImage(Path path, boolean wasEmpty) {
            this.path = path;
            this.wasEmpty = wasEmpty;
        }

        /** Deletes the image (or truncates the once-empty one back to 0); a failure is added to {@code cause}. */
        void undo(Throwable cause) {
            try {
                if (wasEmpty) {
                    try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
                        ch.truncate(0);
                    }
                } else {
                    Files.deleteIfExists(path);
                }
            } catch (IOException | RuntimeException e) {
                cause.addSuppressed(e);
            }
        }
    }

    /**
     * Makes the image file when {@code path} does not exist, or gives an empty one its {@code deviceSize}; returns
     * what it made (null when it made nothing). Formatting needs this host's system UUID and the interleave keys
     * must suit the size, so those are checked first: nothing is created for a format that would fail. When the
     * file cannot be given its size, it is removed (the empty one truncated back) and the error names deviceSize.
     */
    static MadeImage createImageIfAbsent(Path path, Environment env) throws IOException {
        boolean exists = Files.exists(path);
        boolean empty = exists && Files.isRegularFile(path) && Files.size(path) == 0;
        if (exists && !empty) {
            return null; // a size other than deviceSize is checked once what the file holds is known
        }
        long size = env.deviceSize().orElseThrow(() -> new NoSuchFileException(path.toString(), null,
                (empty ? "an empty image file" : "no such famfs device or image file")
                        + "; to make an image of it pass deviceSize (e.g. 4G) with create=true"));
        Formatter.check(size, env.logLength());
        env.checkInterleave(size);
        HostIdentity.systemUuidForFormat(env, path);
        if (empty) {
            try (FileChannel ch = FileChannel.open(path, StandardOpenOption.WRITE)) {
                if (ch.size() != 0) {
                    throw new FileAlreadyExistsException(path.toString(), null, "was empty and is not any more");
                }
                try {
                    ch.write(ByteBuffer.wrap(new byte[1]), size - 1);
                } catch (IOException e) {
                    FileSystemException x = cannotMake(path, size, e);
                    try {
                        ch.truncate(0);
                    } catch (IOException t) {
                        x.addSuppressed(t);
                    }
                    throw x;
                }
            }
            return new MadeImage(path, true);
        }
        MadeImage made = new MadeImage(path, false);
        FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        try (ch) {
            ch.write(ByteBuffer.wrap(new byte[1]), size - 1);
        } catch (IOException e) {
            FileSystemException x = cannotMake(path, size, e);
            made.undo(x);
            throw x;
        } catch (RuntimeException | Error e) {
            made.undo(e);
            throw e;
        }
        return made;
    }

    private static FileSystemException cannotMake(Path path, long size, IOException e) {
        FileSystemException x = new FileSystemException(path.toString(), null, "cannot make an image file of "
                + size + " bytes (famfs env key 'deviceSize' is " + size + "): " + e.getMessage());
        x.initCause(e);
        return x;
    }

    /** With {@code deviceSize}, an image file must have that size (a device's size is its own). */
    private static void checkDeviceSize(DeviceInfo info, Environment env) {
        if (env.deviceSize().isPresent() && !info.isDaxDevice() && info.size() != env.deviceSize().get()) {
            throw new IllegalArgumentException("famfs env key 'deviceSize' is " + env.deviceSize().get()
                    + " but the image " + info.path() + " exists with " + info.size() + " bytes");
        }
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
                device.invalidateCaches(0, Math.min(info.size(), Layout.LOG_OFFSET + env.logLength()));
                if (!env.force() && info.size() >= Layout.SUPERBLOCK_SIZE && holdsFamfs(device, info)) {
                    checkDeviceSize(info, env);
                    return;
                }
                if (!env.force() && !killedFamfs(device)) {
                    refuseUnlessBlank(device, info, Layout.LOG_OFFSET + env.logLength());
                }
                checkDeviceSize(info, env);
                Formatter.check(info.size(), env.logLength());
                UUID host = HostIdentity.systemUuidForFormat(env, info.path());
                Formatter.format(device.slice(0, 4096), device.slice(Layout.LOG_OFFSET, (int) env.logLength()),
                        info.size(), env.logLength(), host, info.path().toString(), device.cacheMaintenance());
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
