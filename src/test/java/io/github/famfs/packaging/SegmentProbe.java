package io.github.famfs.packaging;

import java.lang.reflect.Method;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;

/**
 * Run by {@link JarLayoutIT} on a JDK 22+ with the built jar: maps {@code /data.bin} of the image in args[0] with
 * {@code FileChannel.map(mode, position, size, arena)} (by reflection, so that this class compiles for Java 17)
 * and prints the segment's size and sha256.
 */
public final class SegmentProbe {
    private SegmentProbe() {}

    public static void main(String[] args) throws Exception {
        URI uri = URI.create("famfs:" + java.nio.file.Path.of(args[0]).toUri().getRawPath());
        try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of("systemUuid", args[1], "accessMode", "readOnly"));
                FileChannel ch = FileChannel.open(fs.getPath("/data.bin"), StandardOpenOption.READ)) {
            Class<?> arenaClass = Class.forName("java.lang.foreign.Arena");
            Object arena = arenaClass.getMethod("ofConfined").invoke(null);
            try {
                Method map = FileChannel.class.getMethod("map", FileChannel.MapMode.class, long.class, long.class,
                        arenaClass);
                Object segment = map.invoke(ch, FileChannel.MapMode.READ_ONLY, 0L, ch.size(), arena);
                ByteBuffer bb = (ByteBuffer) Class.forName("java.lang.foreign.MemorySegment").getMethod("asByteBuffer")
                        .invoke(segment);
                byte[] bytes = new byte[bb.remaining()];
                bb.get(bytes);
                System.out.println("segment of " + bytes.length + " bytes, sha256 " + sha256(bytes));
            } finally {
                ((AutoCloseable) arena).close();
            }
        }
    }

    static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
