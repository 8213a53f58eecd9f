package io.github.famfs.memory;

import java.io.IOException;

/** The device's file system was closed while a caller still wanted its memory. */
public final class DeviceClosedException extends IOException {
    private static final long serialVersionUID = 1L;

    DeviceClosedException(String device) {
        super("famfs device " + device + " is closed");
    }
}
