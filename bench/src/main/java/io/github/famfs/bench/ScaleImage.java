package io.github.famfs.bench;

import io.github.famfs.format.Extent;
import io.github.famfs.format.FileEntry;
import io.github.famfs.format.Layout;
import io.github.famfs.format.MkdirEntry;
import io.github.famfs.format.SimpleMap;
import io.github.famfs.meta.Formatter;
import io.github.famfs.meta.LogWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.UUID;

/**
 * A famfs image with a large log, made in seconds: mkfs and appends by the library's own Formatter and LogWriter
 * into heap buffers, written to a sparse file on /dev/shm. Directories {@code dNNNN} each followed by their files
 * {@code dNNNN/fNNNNNNN} (one 2 MiB allocation unit each, never written: the device is sparse).
 */
final class ScaleImage {
    /** Entries of a full 256 MiB log. */
    static final int FULL_256M = (int) (Layout.lastIndexFor(256L << 20) + 1);

    private ScaleImage() {}

    static long logFor(long entries) {
        long len = Layout.MIN_LOG_LEN;
        while (Layout.lastIndexFor(len) + 1 < entries) {
            len *= 2;
        }
        return len;
    }

    static Path make(int entries, int perDir) throws IOException {
        long logLen = logFor(entries);
        long deviceSize = Layout.LOG_OFFSET + logLen + (entries + 1L) * Layout.ALLOC_UNIT;
        ByteBuffer sb = ByteBuffer.allocate(4096);
        ByteBuffer log = ByteBuffer.allocate((int) logLen);
        long dataStart = Formatter.format(sb, log, deviceSize, logLen, UUID.randomUUID(), "scale").dataStart();
        LogWriter w = new LogWriter(log);
        String dir = null;
        long unit = 0;
        for (int i = 0; i < entries; i++) {
            if (i % perDir == 0) {
                dir = String.format("d%04d", i / perDir);
                w.append(new MkdirEntry(0, 0, 0, 0755, dir.getBytes(StandardCharsets.UTF_8)));
            } else {
                long at = dataStart + unit++ * Layout.ALLOC_UNIT;
                w.append(new FileEntry(0, 4096, 0, 0, 0, 0644, String.format("%s/f%07d", dir, i)
                        .getBytes(StandardCharsets.UTF_8), new SimpleMap(List.of(new Extent(at, Layout.ALLOC_UNIT)))));
            }
        }
        Files.createDirectories(BenchImages.DIR);
        Path image = BenchImages.DIR.resolve("scale-" + entries + ".img");
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ch.write(sb.clear(), 0);
            ch.write(log.clear(), Layout.LOG_OFFSET);
            ch.write(ByteBuffer.allocate(1), deviceSize - 1);
        }
        return image;
    }
}
