package io.github.famfs.cli;

import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The famfs file systems one command opens, each once, read-only (any host) or read-write (the master only), and
 * closed together at the end.
 */
final class Session implements AutoCloseable {
    private final UUID systemUuid;
    private final Map<Path, FileSystem> open = new HashMap<>();
    private final List<FileSystem> order = new ArrayList<>();

    /** More env keys for every file system this session opens (e.g. {@code coherence}). */
    private final Map<String, Object> extra = new HashMap<>();

    Session(UUID systemUuid) {
        this.systemUuid = systemUuid;
    }

    /** Adds env key {@code key} (nothing when {@code value} is null) for the file systems opened from now on. */
    Session with(String key, Object value) {
        if (value != null) {
            extra.put(key, value);
        }
        return this;
    }

    /** The famfs URI of a device path (the provider's encoding: any file name, '!' included, is taken literally). */
    static URI uri(Path device) {
        return io.github.famfs.nio.FamfsFileSystemProvider.uri(device.toAbsolutePath().normalize());
    }

    FileSystem read(Path device) throws IOException {
        return open(device, false);
    }

    FileSystem write(Path device) throws IOException {
        return open(device, true);
    }

    /** The path {@code t} names, in its device's file system opened read-only or read-write. */
    Path path(Target t, boolean write) throws IOException {
        return open(t.device(), write).getPath(t.path());
    }

    FileSystem open(Path device, boolean write) throws IOException {
        if (!Files.exists(device)) {
            throw new NoSuchFileException(device.toString(), null, "no such famfs device or image file");
        }
        Path key = device.toRealPath();
        FileSystem fs = open.get(key);
        if (fs != null) {
            if (write && fs.isReadOnly()) {
                throw new IllegalStateException(device + " is already open read-only in this command");
            }
            return fs;
        }
        Map<String, Object> env = env(write, systemUuid);
        env.putAll(extra);
        fs = FileSystems.newFileSystem(uri(device), env);
        open.put(key, fs);
        order.add(fs);
        return fs;
    }

    static Map<String, Object> env(boolean write, UUID systemUuid) {
        Map<String, Object> env = new HashMap<>();
        env.put("accessMode", write ? "readWrite" : "readOnly");
        if (systemUuid != null) {
            env.put("systemUuid", systemUuid.toString());
        }
        return env;
    }

    @Override
    public void close() throws IOException {
        IOException first = null;
        for (FileSystem fs : order) {
            try {
                fs.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        open.clear();
        order.clear();
        if (first != null) {
            throw first;
        }
    }
}
