package io.github.famfs.memory;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;

/** {@link JdkMaps} on Java 22+: mapped segments of one shared arena, as buffers; the close closes the arena. */
final class FfmJdkMaps implements JdkMaps {
    private final Arena arena = Arena.ofShared();

    FfmJdkMaps() {}

    @Override
    public ByteBuffer readOnly(FileChannel file, long offset, int length) throws IOException {
        return file.map(FileChannel.MapMode.READ_ONLY, offset, length, arena).asByteBuffer();
    }

    @Override
    public void close() {
        arena.close();
    }
}
