package io.github.famfs.arrow;

import io.github.famfs.nio.Famfs;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The core library on a class path without Arrow (run by {@code CoreWithoutArrowTest}): formats an image, writes,
 * maps and reads a file, and prints "OK" only if Arrow is indeed absent and all of it worked.
 */
public final class NoArrowMain {
    private NoArrowMain() {}

    public static void main(String[] args) throws Exception {
        try {
            Class.forName("org.apache.arrow.memory.BufferAllocator");
            System.out.println("Arrow is on the class path");
            System.exit(2);
        } catch (ClassNotFoundException expected) {
            // as a library user without FamfsArrow
        }
        Path image = Path.of(args[0]);
        byte[] data = "no Arrow needed".getBytes(StandardCharsets.US_ASCII);
        try (FileSystem fs = Famfs.open(image, Map.of("create", "true", "deviceSize", "64M", "systemUuid",
                Frames.MASTER))) {
            Path f = fs.getPath("/plain");
            Files.write(f, data);
            try (FileChannel ch = FileChannel.open(f)) {
                MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_ONLY, 0, data.length);
                byte[] back = new byte[data.length];
                m.get(back);
                if (!ByteBuffer.wrap(back).equals(ByteBuffer.wrap(data)) || !Files.readString(f).equals(
                        new String(data, StandardCharsets.US_ASCII))) {
                    throw new IllegalStateException("read back something else");
                }
            }
        }
        System.out.println("OK");
    }
}
