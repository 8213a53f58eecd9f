package io.github.famfs.nio;

import io.github.famfs.format.FormatException;
import io.github.famfs.format.Layout;
import io.github.famfs.format.Superblock;
import io.github.famfs.memory.Device;
import io.github.famfs.memory.DeviceInfo;
import io.github.famfs.meta.Formatter;
import java.io.IOException;
import java.nio.ByteBuffer;
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

    /** Makes the image file when {@code path} does not exist; returns whether it did. */
    static boolean createImageIfAbsent(Path path, Environment env) throws IOException {
        if (Files.exists(path)) {
            if (env.deviceSize().isPresent() && Files.isRegularFile(path)
                    && Files.size(path) != env.deviceSize().get()) {
                throw new IllegalArgumentException("famfs env key 'deviceSize' is " + env.deviceSize().get()
                        + " but the image " + path + " exists with " + Files.size(path) + " bytes");
            }
            return false;
        }
        long size = env.deviceSize().orElseThrow(() -> new NoSuchFileException(path.toString(), null,
                "no such famfs device or image file; to create an image pass deviceSize (e.g. 4G) with create=true"));
        Formatter.check(size, env.logLength());
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[1]), size - 1);
        }
        return true;
    }

    /** Formats {@code info}'s device unless it holds a valid famfs (with {@code force}, always). */
    static void formatIfNeeded(DeviceInfo info, Environment env) throws IOException {
        try (Device device = Device.open(info, true)) {
            device.acquire();
            try {
                if (!env.force() && info.size() >= Layout.SUPERBLOCK_SIZE && holdsFamfs(device, info)) {
                    return;
                }
                Formatter.check(info.size(), env.logLength());
                UUID host = HostIdentity.systemUuidForFormat(env);
                Formatter.format(device.slice(0, 4096), device.slice(Layout.LOG_OFFSET, (int) env.logLength()),
                        info.size(), env.logLength(), host, info.path().toString());
                device.sync(0, Layout.LOG_OFFSET + env.logLength());
            } finally {
                device.release();
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
