package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.format.AddDaxdevEntry;
import io.github.famfs.format.Extent;
import io.github.famfs.format.FileEntry;
import io.github.famfs.format.FormatException;
import io.github.famfs.format.InterleavedMap;
import io.github.famfs.format.Layout;
import io.github.famfs.format.LogEntry;
import io.github.famfs.format.LogHeader;
import io.github.famfs.format.MkdirEntry;
import io.github.famfs.format.SimpleMap;
import io.github.famfs.format.Superblock;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The byte vectors of famfs-format.md (§2.4, §3.3, §4.6), encoded and decoded. */
class CodecVectorTest {
    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replaceAll("[^0-9a-fA-F]", ""));
    }

    @Test
    void superblockVector() throws Exception {
        Superblock sb = Superblock.create(0x800000, UUID.fromString("10111213-1415-1617-1819-1a1b1c1d1e1f"),
                UUID.fromString("20212223-2425-2627-2829-2a2b2c2d2e2f"),
                UUID.fromString("00112233-4455-6677-8899-aabbccddeeff"), 0x200000000L, "/dev/dax0.0");
        ByteBuffer b = ByteBuffer.allocate(200);
        sb.encode(b);
        byte[] expected = new byte[200];
        System.arraycopy(hex("ff82b28700000000 3000000000000000 0000200000000000 0000800000000000"
                + "0000200000000000 0200000002000000 101112131415161718191a1b1c1d1e1f"
                + "202122232425262728292a2b2c2d2e2f 00112233445566778899aabbccddeeff"
                + "0b36381d00000000 0000000000000000 0000000002000000 0000000000000000"
                + "0000000000000000 2f6465762f646178 302e30"), 0, expected, 0, 0x93);
        assertEquals(HexFormat.of().formatHex(expected), HexFormat.of().formatHex(b.array()));
        assertEquals(0x1d38360bL, sb.crc());
        Superblock back = Superblock.decode(b);
        back.validate(b);
        assertEquals(sb, back);
        assertEquals("/dev/dax0.0", back.daxdevNameString());
    }

    @Test
    void superblockChecksInOrder() {
        Superblock sb = Superblock.create(0x800000, UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(),
                1L << 30, "/dev/dax0.0");
        ByteBuffer b = ByteBuffer.allocate(200).order(ByteOrder.LITTLE_ENDIAN);
        sb.encode(b);
        b.put(50, (byte) (b.get(50) ^ 1));
        FormatException e = assertThrows(FormatException.class, () -> Superblock.decode(b).validate(b));
        assertTrue(e.getMessage().startsWith("superblock CRC mismatch"), e.getMessage());
        b.putLong(0, 0x87b282feL);
        e = assertThrows(FormatException.class, () -> Superblock.decode(b).validate(b));
        assertTrue(e.getMessage().startsWith("no famfs superblock: magic 0x87b282fe"), e.getMessage());
    }

    @Test
    void logHeaderVector() throws Exception {
        ByteBuffer b = ByteBuffer.allocate(48);
        new LogHeader(Layout.LOG_MAGIC, 0x800000, Layout.lastIndexFor(0x800000), 0, 5, 5).encode(b);
        assertEquals(HexFormat.of().formatHex(hex("0d f0 fe ca ad 0b 00 00  00 00 80 00 00 00 00 00"
                + "  3b 3c 00 00 00 00 00 00  78 50 87 a5 00 00 00 00")), HexFormat.of().formatHex(b.array(), 0, 32));
        assertEquals("05000000000000000500000000000000", HexFormat.of().formatHex(b.array(), 32, 48));
        LogHeader h = LogHeader.decode(b);
        h.validate(b, 0x800000);
        assertEquals(15419, h.lastIndex());
        assertEquals(0xa5875078L, h.crc());
        assertEquals(LogHeader.empty(0x800000).crc(), h.crc(), "the CRC does not cover the counters");
    }

    @Test
    void logCapacityTable() {
        assertEquals(15419, Layout.lastIndexFor(8L << 20));
        assertEquals(30839, Layout.lastIndexFor(16L << 20));
        assertEquals(61679, Layout.lastIndexFor(32L << 20));
        assertEquals(123360, Layout.lastIndexFor(64L << 20));
        assertEquals(493446, Layout.lastIndexFor(256L << 20));
    }

    /** Builds the 544-byte image of a vector given as "@offset: bytes | ..." (only non-zero bytes listed). */
    private static byte[] vector(String spec, long crc) {
        byte[] out = new byte[544];
        for (String part : spec.split("\\|")) {
            String[] kv = part.trim().split(":", 2);
            int at = Integer.parseInt(kv[0].trim().substring(1));
            String v = kv[1].trim();
            byte[] bytes = v.startsWith("\"") ? v.substring(1, v.length() - 1).getBytes(StandardCharsets.UTF_8)
                    : hex(v);
            System.arraycopy(bytes, 0, out, at, bytes.length);
        }
        ByteBuffer.wrap(out).order(ByteOrder.LITTLE_ENDIAN).putLong(536, crc);
        return out;
    }

    private static void assertEntry(LogEntry e, byte[] expected, long crc) throws Exception {
        ByteBuffer enc = e.encode();
        assertEquals(HexFormat.of().formatHex(expected), HexFormat.of().formatHex(enc.array()));
        assertEquals(crc, enc.getLong(536));
        LogEntry.check(enc, e.seqnum());
        assertEquals(e, LogEntry.decode(enc));
    }

    private static final byte[] DIR1_FILE1 = "dir1/file1".getBytes(StandardCharsets.UTF_8);

    @Test
    void mkdirVector() throws Exception {
        MkdirEntry e = new MkdirEntry(0, 1000, 1000, 0755, "dir1".getBytes(StandardCharsets.UTF_8));
        assertEntry(e, vector("@8: 01 | @16: e8 03 | @20: e8 03 | @24: ed 01 | @28: 64 69 72 31", 0xf7a3dc76L),
                0xf7a3dc76L);
    }

    @Test
    void fileVector() throws Exception {
        FileEntry e = new FileEntry(1, 3145733, 2, 1000, 1000, 0644, DIR1_FILE1,
                new SimpleMap(List.of(new Extent(0xA00000, 0x400000))));
        assertEntry(e, vector("@0: 01 | @16: 05 00 30 | @24: 02 | @28: e8 03 | @32: e8 03 | @36: a4 01"
                + " | @40: \"dir1/file1\" | @128: 01 | @146: a0 | @154: 40", 0xe86f8a74L), 0xe86f8a74L);
    }

    @Test
    void tinyFileCrc() {
        FileEntry e = new FileEntry(2, 1, 2, 0, 0, 0600, "tiny".getBytes(StandardCharsets.UTF_8),
                new SimpleMap(List.of(new Extent(0xE00000, 0x200000))));
        assertEquals(0xa0703ea2L, e.encode().getLong(536));
    }

    @Test
    void interleavedVector() throws Exception {
        FileEntry e = new FileEntry(3, 20L << 20, 2, 1000, 1000, 0644, "dir1/striped".getBytes(StandardCharsets.UTF_8),
                new InterleavedMap(2L << 20, List.of(new Extent(0x40000000L, 0x600000), new Extent(0x100000000L,
                        0x600000), new Extent(0x80000000L, 0x600000), new Extent(0x140000000L, 0x600000))));
        assertEntry(e, vector("@0: 03 | @18: 40 01 | @24: 02 | @28: e8 03 | @32: e8 03 | @36: a4 01"
                + " | @40: \"dir1/striped\" | @120: 01 | @128: 01 | @136: 04 | @146: 20 | @163: 40 | @170: 60"
                + " | @188: 01 | @194: 60 | @211: 80 | @218: 60 | @235: 40 01 | @242: 60", 0x2f173cd7L), 0x2f173cd7L);
    }

    @Test
    void addDaxdevVector() throws Exception {
        UUID u = UUID.fromString("5a5a5a5a-5a5a-5a5a-5a5a-5a5a5a5a5a5a");
        AddDaxdevEntry e = new AddDaxdevEntry(4, 1L << 30, u, 1);
        assertEntry(e, vector("@0: 04 | @8: 03 | @19: 40 | @24: 5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a | @40: 01",
                0x2d81ffe2L), 0x2d81ffe2L);
    }

    @Test
    void entryChecksAreSeqnumThenCrc() {
        ByteBuffer b = new MkdirEntry(7, 0, 0, 0755, "d".getBytes(StandardCharsets.UTF_8)).encode();
        FormatException e = assertThrows(FormatException.class, () -> LogEntry.check(b, 6));
        assertTrue(e.getMessage().contains("seqnum 7 (expected 6)"), e.getMessage());
        b.put(30, (byte) 'x');
        e = assertThrows(FormatException.class, () -> LogEntry.check(b, 7));
        assertTrue(e.getMessage().contains("log entry 7 CRC mismatch"), e.getMessage());
    }

    @Test
    void hostileFmapsDecodeToErrorsNotExceptions() {
        ByteBuffer b = new FileEntry(0, 10, 2, 0, 0, 0644, "f".getBytes(StandardCharsets.UTF_8),
                new SimpleMap(List.of(new Extent(0xA00000, 0x200000)))).encode();
        b.putInt(128, 1_000_000);
        FileEntry f = assertInstanceOf(FileEntry.class, LogEntry.decode(b));
        assertEquals(null, f.map());
        assertTrue(f.mapError().contains("1000000 extents"), f.mapError());
        b.putInt(120, 1).putInt(128, 1).putLong(136, 17);
        f = assertInstanceOf(FileEntry.class, LogEntry.decode(b));
        assertTrue(f.mapError().contains("17 strips"), f.mapError());
        b.putInt(120, 9);
        f = assertInstanceOf(FileEntry.class, LogEntry.decode(b));
        assertTrue(f.mapError().contains("unknown fmap extent type 9"), f.mapError());
    }

    @Test
    void interleaveFormulaOfTheSpec() {
        InterleavedMap m = new InterleavedMap(2L << 20, List.of(new Extent(0x40000000L, 0x600000),
                new Extent(0x100000000L, 0x600000), new Extent(0x80000000L, 0x600000),
                new Extent(0x140000000L, 0x600000)));
        long[] dev = new long[1];
        m.visit(15L << 20, 1, (fo, d, len) -> dev[0] = d);
        assertEquals(0x140000000L + (3L << 20), dev[0], "15 MiB is chunk 7: strip 3, 3 MiB into the strip");
    }
}
