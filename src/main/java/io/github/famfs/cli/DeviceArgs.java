package io.github.famfs.cli;

import java.nio.file.Path;

/** The device of commands that work on a whole famfs: a DEVICE argument or --device (one of them). */
final class DeviceArgs {
    private DeviceArgs() {}

    static Path device(Path positional, FamfsCommand.DeviceOption option) {
        Path opt = option == null ? null : option.device;
        if (positional != null && opt != null && !positional.equals(opt)) {
            throw new FamfsCli.UsageException("give the device once: either DEVICE or --device DEVICE");
        }
        Path d = positional != null ? positional : opt;
        if (d == null) {
            throw new FamfsCli.UsageException("no device given (DEVICE or --device DEVICE)");
        }
        String s = d.toString();
        if (s.endsWith(":")) {
            d = Path.of(s.substring(0, s.length() - 1));
        } else if (s.endsWith(":/")) {
            d = Path.of(s.substring(0, s.length() - 2));
        }
        return d;
    }
}
