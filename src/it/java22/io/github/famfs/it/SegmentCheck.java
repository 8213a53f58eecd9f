package io.github.famfs.it;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/** {@link Segments} on Java 22+: FileChannel.map(mode, position, size, arena), compared byte by byte. */
public final class SegmentCheck implements Segments {
    private final Arena arena = Arena.ofShared();

    @Override
    public String check(Path p, Corpus.Item item) throws Exception {
        byte[] got = new byte[1 << 20];
        byte[] want = new byte[1 << 20];
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.READ)) {
            MemorySegment whole = ch.map(FileChannel.MapMode.READ_ONLY, 0, item.size(), arena);
            if (whole.byteSize() != item.size() || !whole.isReadOnly() || !whole.isNative()) {
                throw new Checks.Failure("segment of " + whole.byteSize() + " bytes, read-only " + whole.isReadOnly()
                        + ", native " + whole.isNative());
            }
            compare(whole, 0, item, got, want, "segment");
            long at = Math.max(0, Math.min((3L << 21) + 77, item.size() - 4096));
            MemorySegment part = ch.map(FileChannel.MapMode.READ_ONLY, at, item.size() - at, arena);
            compare(part, at, item, got, want, "segment at " + at);
            byte last = part.get(ValueLayout.JAVA_BYTE, part.byteSize() - 1);
            if (last != Corpus.byteAt(item.seed(), item.size() - 1)) {
                throw new Checks.Failure("last byte of the segment differs");
            }
            return item.size() + " bytes as a MemorySegment (0x" + Long.toHexString(whole.address())
                    + "), and [" + at + ", " + item.size() + ")";
        }
    }

    private static void compare(MemorySegment s, long fileOffset, Corpus.Item item, byte[] got, byte[] want,
            String what) throws Checks.Failure {
        for (long pos = 0; pos < s.byteSize(); ) {
            int n = (int) Math.min(got.length, s.byteSize() - pos);
            MemorySegment.copy(s, ValueLayout.JAVA_BYTE, pos, got, 0, n);
            Corpus.fill(item.seed(), fileOffset + pos, want, n);
            int at = Arrays.mismatch(got, 0, n, want, 0, n);
            if (at >= 0) {
                throw new Checks.Failure(String.format("%s of %s: byte %d is 0x%02x, expected 0x%02x", what,
                        item.path(), fileOffset + pos + at, got[at] & 0xff, want[at] & 0xff));
            }
            pos += n;
        }
    }

    @Override
    public void close() {
        arena.close();
    }
}
