package io.github.famfs.testing;

import io.github.famfs.nio.FamfsFileSystem;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** A client (not the master) of an image, as the refresh and watch tests open it. */
public final class LiveClients {
    /** The client's system UUID (not {@link TestImage#MASTER}). */
    public static final String CLIENT = "99999999-8888-7777-6666-555555555555";

    private LiveClients() {}

    /** Opens {@code img} as {@link #CLIENT}, with env {@code refreshInterval} set to {@code interval} unless null. */
    public static FamfsFileSystem client(Path img, Object interval) throws IOException {
        Map<String, Object> env = new HashMap<>(Map.of("systemUuid", CLIENT));
        if (interval != null) {
            env.put("refreshInterval", interval);
        }
        return (FamfsFileSystem) FileSystems.newFileSystem(URI.create("famfs:" + img), env);
    }
}
