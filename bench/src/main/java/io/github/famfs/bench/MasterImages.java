package io.github.famfs.bench;

import io.github.famfs.nio.FamfsFileSystemProvider;
import io.github.famfs.nio.FamfsFiles;
import io.github.famfs.nio.FamfsOption;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * Images for the mapping and master benchmarks, made through the provider itself (create=true as master) on
 * /dev/shm: a plain 1 GiB file of pattern bytes, and a famfs image holding the same bytes once as a simple
 * file and once interleaved over 8 strips in 2 MiB chunks. Made once and kept in /dev/shm/famfs-bench.
 */
final class MasterImages {
    static final Path DIR = Path.of("/dev/shm/famfs-bench");
    static final String MASTER = "b0b0b0b0-0000-4000-8000-00000000be0c";
    static final long GIB = 1L << 30;

    private MasterImages() {}

    static Map<String, String> master() {
        return Map.of("systemUuid", MASTER);
    }

    /** A plain /dev/shm file of {@code size} pattern bytes. */
    static Path plain(String name, long size) throws IOException {
        Files.createDirectories(DIR);
        Path p = DIR.resolve(name);
        if (Files.exists(p) && Files.size(p) == size) {
            return p;
        }
        try (FileChannel ch = FileChannel.open(p, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20);
            for (long at = 0; at < size; at += buf.capacity()) {
                buf.clear();
                while (buf.hasRemaining()) {
                    buf.putLong(at + buf.position() ^ 0x9E3779B97F4A7C15L);
                }
                buf.flip().limit((int) Math.min(buf.capacity(), size - at));
                ch.write(buf, at);
            }
        }
        return p;
    }

    /**
     * A 12 GiB sparse famfs image on /dev/shm with /simple and /interleaved (8 strips, 2 MiB chunks, 8 buckets),
     * both holding the bytes of {@link #plain}("map-1g.bin", 1 GiB).
     */
    static Path mapImage() throws IOException {
        Path img = DIR.resolve("map.img");
        Path src = plain("map-1g.bin", GIB);
        if (Files.exists(img)) {
            return img;
        }
        try (FileSystem fs = FileSystems.newFileSystem(FamfsFileSystemProvider.uri(img), Map.of("create", "true",
                "deviceSize", "12G", "systemUuid", MASTER))) {
            FamfsFiles.copy(src, fs.getPath("/simple"), FamfsOption.CONTIGUOUS);
            FamfsFiles.copy(src, fs.getPath("/interleaved"), FamfsOption.interleave(8, 2 << 20, 8));
        }
        return img;
    }

    /** A fresh famfs image of {@code size}, formatted by this host (the master). */
    static Path freshImage(String name, String size) throws IOException {
        Files.createDirectories(DIR);
        Path img = DIR.resolve(name);
        Files.deleteIfExists(img);
        FileSystems.newFileSystem(FamfsFileSystemProvider.uri(img), Map.of("create", "true", "deviceSize", size,
                "systemUuid", MASTER)).close();
        return img;
    }

    static URI uri(Path img) {
        return FamfsFileSystemProvider.uri(img);
    }
}
