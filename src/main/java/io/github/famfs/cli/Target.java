package io.github.famfs.cli;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A file in a famfs, as the command line names it: {@code DEVICE:/path}, or a plain {@code /path} with
 * {@code --device DEVICE}.
 *
 * @param device the device or image file (a path of this host)
 * @param path   the absolute path inside the famfs
 */
record Target(Path device, String path) {
    static final String FORMS = "write DEVICE:/path (e.g. /dev/dax0.0:/dir/file or famfs.img:/file) or give"
            + " --device DEVICE with a plain /path";

    /**
     * Parses {@code arg}. With {@code --device}, {@code arg} is the path in the famfs. Otherwise it is split at a
     * colon followed by '/' (or at a final colon, which names the root); when several colons could split it, the
     * first whose left side exists on this host wins.
     */
    static Target parse(String arg, Path deviceOption) {
        if (deviceOption != null) {
            return new Target(deviceOption, inner(arg.startsWith("/") ? arg : "/" + arg));
        }
        int chosen = -1;
        for (int i = arg.indexOf(':'); i > 0; i = arg.indexOf(':', i + 1)) {
            boolean splits = i == arg.length() - 1 || arg.charAt(i + 1) == '/';
            if (!splits) {
                continue;
            }
            if (chosen < 0) {
                chosen = i;
            }
            if (Files.exists(Path.of(arg.substring(0, i)))) {
                chosen = i;
                break;
            }
        }
        if (chosen < 0) {
            throw new FamfsCli.UsageException("'" + arg + "' does not name a file in a famfs: " + FORMS);
        }
        return new Target(Path.of(arg.substring(0, chosen)), inner(arg.substring(chosen + 1)));
    }

    /** Whether {@code arg} looks like {@code DEVICE:/path} with an existing device (an argument that may be either). */
    static boolean looksLikeFamfs(String arg) {
        for (int i = arg.indexOf(':'); i > 0; i = arg.indexOf(':', i + 1)) {
            if ((i == arg.length() - 1 || arg.charAt(i + 1) == '/') && Files.exists(Path.of(arg.substring(0, i)))) {
                return true;
            }
        }
        return false;
    }

    private static String inner(String p) {
        return p.isEmpty() ? "/" : p;
    }

    /** How the command line would name this file again. */
    String display() {
        return device + ":" + path;
    }

    @Override
    public String toString() {
        return display();
    }
}
