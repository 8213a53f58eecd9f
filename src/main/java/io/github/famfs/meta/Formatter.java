package io.github.famfs.meta;

import io.github.famfs.format.Layout;
import io.github.famfs.format.LogHeader;
import io.github.famfs.format.Superblock;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.UUID;

/**
 * mkfs: writes a fresh famfs (version 48, OMF 2.2) exactly as the reference's mkfs does, in an order that never
 * leaves a valid-looking superblock over a half-written log: the old superblock's magic is killed first, then
 * the log is zeroed and its header written, and the superblock (CRC last) goes in at the end.
 */
public final class Formatter {
    private Formatter() {}

    /** The smallest device famfs-nio formats: superblock, an 8 MiB log and a few allocation units. */
    public static final long MIN_DEVICE = 16L << 20;
    /** The smallest device the reference mkfs accepts. */
    public static final long REFERENCE_MIN_DEVICE = 4L << 30;

    /** Checks mkfs arguments; the message names the rule. */
    public static void check(long deviceSize, long logLen) {
        if (logLen < Layout.MIN_LOG_LEN || Long.bitCount(logLen) != 1) {
            throw new IllegalArgumentException("log length " + logLen + " must be a power of two of at least 8 MiB");
        }
        if (deviceSize < MIN_DEVICE) {
            throw new IllegalArgumentException("device size " + deviceSize + " is below famfs-nio's minimum of "
                    + MIN_DEVICE + " bytes (16 MiB; the reference mkfs wants at least 4 GiB)");
        }
        if (deviceSize < Layout.LOG_OFFSET + logLen + 2 * Layout.ALLOC_UNIT) {
            throw new IllegalArgumentException("device size " + deviceSize + " leaves no room for data after a "
                    + logLen + "-byte log");
        }
    }

    /**
     * Formats. {@code superblock} is the device's first bytes (at least 4096), {@code log} its {@code logLen}
     * log bytes from 0x200000.
     *
     * @return the superblock written
     */
    public static Superblock format(ByteBuffer superblock, ByteBuffer log, long deviceSize, long logLen,
            UUID systemUuid, String deviceName) {
        return format(superblock, log, deviceSize, logLen, systemUuid, deviceName, CacheMaintenance.FENCES);
    }

    /**
     * Formats, writing back the CPU caches as the reference's mkfs does: the log, then the superblock (and the
     * killed magic before the log is touched).
     */
    public static Superblock format(ByteBuffer superblock, ByteBuffer log, long deviceSize, long logLen,
            UUID systemUuid, String deviceName, CacheMaintenance caches) {
        check(deviceSize, logLen);
        ByteBuffer sbuf = superblock.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer lbuf = log.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        sbuf.putLong(0, 0);
        VarHandle.fullFence();
        caches.flush(sbuf, 0, Long.BYTES);
        ByteBuffer zeros = ByteBuffer.allocate(1 << 16);
        for (int at = 0; at < logLen; at += zeros.capacity()) {
            lbuf.put(at, zeros, 0, (int) Math.min(zeros.capacity(), logLen - at));
        }
        LogHeader.empty(logLen).encode(lbuf);
        caches.flush(lbuf, 0, (int) logLen);
        sbuf.put(0, zeros, 0, Math.min(4096, sbuf.capacity()));
        Superblock sb = Superblock.create(logLen, UUID.randomUUID(), UUID.randomUUID(), systemUuid, deviceSize,
                deviceName);
        ByteBuffer encoded = ByteBuffer.allocate(Layout.SUPERBLOCK_SIZE);
        sb.encode(encoded);
        sbuf.put(8, encoded, 8, Layout.SUPERBLOCK_SIZE - 8);
        VarHandle.fullFence();
        sbuf.putLong(0, Layout.SUPER_MAGIC);
        VarHandle.fullFence();
        caches.flush(sbuf, 0, Math.min(4096, sbuf.capacity()));
        return sb;
    }
}
