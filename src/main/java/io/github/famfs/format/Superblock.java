package io.github.famfs.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.UUID;

/**
 * The famfs superblock ({@code struct famfs_superblock}, 200 bytes at device offset 0).
 *
 * <p>{@link #decode} reads the fields as they are; {@link #validate} applies the reference's checks (magic,
 * version, CRC over bytes [0,96), allocation unit) plus the layout facts a reader relies on.
 */
public record Superblock(
        long magic,
        long version,
        long logOffset,
        long logLen,
        long allocUnit,
        int omfMajor,
        int omfMinor,
        UUID uuid,
        UUID devUuid,
        UUID systemUuid,
        long crc,
        int flags,
        long deviceSize,
        UUID daxdevUuid,
        byte[] daxdevName) {

    public Superblock {
        daxdevName = daxdevName.clone();
    }

    /** A fresh superblock as mkfs writes it, with its CRC computed. */
    public static Superblock create(long logLen, UUID uuid, UUID devUuid, UUID systemUuid, long deviceSize,
            String daxdevName) {
        byte[] name = daxdevName.getBytes(StandardCharsets.UTF_8);
        Superblock sb = new Superblock(Layout.SUPER_MAGIC, Layout.CURRENT_VERSION, Layout.LOG_OFFSET, logLen,
                Layout.ALLOC_UNIT, Layout.OMF_MAJOR, Layout.OMF_MINOR, uuid, devUuid, systemUuid, 0, 0, deviceSize,
                new UUID(0, 0), Arrays.copyOf(name, Math.min(name.length, Layout.DEVNAME_LEN)));
        ByteBuffer buf = ByteBuffer.allocate(Layout.SUPERBLOCK_SIZE);
        sb.encode(buf);
        return decode(buf);
    }

    public static Superblock decode(ByteBuffer src) {
        ByteBuffer b = src.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        byte[] name = new byte[Layout.DEVNAME_LEN];
        b.get(136, name);
        int len = 0;
        while (len < name.length && name[len] != 0) {
            len++;
        }
        return new Superblock(b.getLong(0), b.getLong(8), b.getLong(16), b.getLong(24), b.getLong(32),
                b.getInt(40), b.getInt(44), Uuids.get(b, 48), Uuids.get(b, 64), Uuids.get(b, 80), b.getLong(96),
                b.getInt(104), b.getLong(112), Uuids.get(b, 120), Arrays.copyOf(name, len));
    }

    /**
     * Writes the 200 bytes of the superblock at {@code dst[0,200)}: every field, padding zeroed, and a CRC
     * computed over the first 96 bytes (the stored {@link #crc()} is ignored).
     */
    public void encode(ByteBuffer dst) {
        ByteBuffer b = dst.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < Layout.SUPERBLOCK_SIZE; i++) {
            b.put(i, (byte) 0);
        }
        b.putLong(0, magic).putLong(8, version).putLong(16, logOffset).putLong(24, logLen).putLong(32, allocUnit);
        b.putInt(40, omfMajor).putInt(44, omfMinor);
        Uuids.put(b, 48, uuid);
        Uuids.put(b, 64, devUuid);
        Uuids.put(b, 80, systemUuid);
        b.putInt(104, flags);
        b.putLong(112, deviceSize);
        Uuids.put(b, 120, daxdevUuid);
        b.put(136, daxdevName, 0, Math.min(daxdevName.length, Layout.DEVNAME_LEN));
        b.putLong(96, Crc.of(b, 0, Layout.SUPERBLOCK_CRC_COVERS));
    }

    /** The CRC the superblock's first 96 bytes should carry. */
    public static long computeCrc(ByteBuffer src) {
        return Crc.of(src, 0, Layout.SUPERBLOCK_CRC_COVERS);
    }

    public boolean hasMagic() {
        return magic == Layout.SUPER_MAGIC;
    }

    /**
     * Checks the superblock as the reference does, and the layout this reader relies on. {@code src} holds the
     * raw bytes (for the CRC).
     *
     * @throws FormatException naming the first problem found
     */
    public void validate(ByteBuffer src) throws FormatException {
        if (magic != Layout.SUPER_MAGIC) {
            throw new FormatException(String.format(
                    "no famfs superblock: magic 0x%x at offset 0 (expected 0x%x)", magic, Layout.SUPER_MAGIC));
        }
        if (version != Layout.CURRENT_VERSION) {
            throw new FormatException(String.format(
                    "unsupported famfs superblock version %d (this implementation reads version %d, OMF %d.%d;"
                            + " the reference famfs refuses other versions too)",
                    version, Layout.CURRENT_VERSION, Layout.OMF_MAJOR, Layout.OMF_MINOR));
        }
        long expected = computeCrc(src);
        if (crc != expected) {
            throw new FormatException(String.format(
                    "superblock CRC mismatch: stored 0x%x, computed 0x%x over bytes [0,96)", crc, expected));
        }
        if (allocUnit != Layout.ALLOC_UNIT && allocUnit != Layout.SMALL_ALLOC_UNIT) {
            throw new FormatException(String.format(
                    "superblock allocation unit %d is neither 2 MiB nor 4096", allocUnit));
        }
        if (logOffset != Layout.LOG_OFFSET) {
            throw new FormatException(String.format(
                    "superblock log offset 0x%x, famfs always puts the log at 0x%x", logOffset, Layout.LOG_OFFSET));
        }
        if (logLen < Layout.MIN_LOG_LEN || Long.bitCount(logLen) != 1) {
            throw new FormatException(String.format(
                    "superblock log length %d is not a power of two of at least 8 MiB", logLen));
        }
        if (Long.compareUnsigned(deviceSize, dataStart()) < 0) {
            throw new FormatException(String.format(
                    "superblock device size (dd_size) %d is smaller than the superblock and log (%d bytes)",
                    deviceSize, dataStart()));
        }
    }

    /** First device byte available for file data: after the superblock region and the log. */
    public long dataStart() {
        return Layout.LOG_OFFSET + logLen;
    }

    public String daxdevNameString() {
        return new String(daxdevName, StandardCharsets.UTF_8);
    }

    @Override
    public byte[] daxdevName() {
        return daxdevName.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Superblock s && magic == s.magic && version == s.version && logOffset == s.logOffset
                && logLen == s.logLen && allocUnit == s.allocUnit && omfMajor == s.omfMajor
                && omfMinor == s.omfMinor && uuid.equals(s.uuid) && devUuid.equals(s.devUuid)
                && systemUuid.equals(s.systemUuid) && crc == s.crc && flags == s.flags
                && deviceSize == s.deviceSize && daxdevUuid.equals(s.daxdevUuid)
                && Arrays.equals(daxdevName, s.daxdevName);
    }

    @Override
    public int hashCode() {
        return uuid.hashCode() * 31 + Long.hashCode(crc);
    }

    @Override
    public String toString() {
        return String.format("Superblock[version=%d, omf=%d.%d, logLen=%d, allocUnit=%d, uuid=%s, devUuid=%s,"
                + " systemUuid=%s, crc=0x%x, deviceSize=%d, daxdev=%s]", version, omfMajor, omfMinor, logLen,
                allocUnit, uuid, devUuid, systemUuid, crc, deviceSize, daxdevNameString());
    }
}
