package io.github.famfs.cli;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

/** What every famfs subcommand has: the streams, --help, --debug, and a session to open devices in. */
abstract class FamfsCommand implements Callable<Integer> {
    @ParentCommand
    FamfsCli cli;

    @Spec
    CommandSpec spec;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    @Option(names = "--debug", description = "Print the stack trace of an error.")
    boolean debug;

    PrintStream out() {
        return cli.out;
    }

    PrintStream err() {
        return cli.err;
    }

    String name() {
        return spec.qualifiedName();
    }

    /** A warning or per-file error that does not end the command: one line on stderr. */
    void warn(String message) {
        err().println(name() + ": " + FamfsCli.oneLine(message));
    }

    @Override
    public final Integer call() throws Exception {
        return run();
    }

    abstract int run() throws Exception;

    /** What a command does with one of the paths it was given. */
    @FunctionalInterface
    interface PathAction {
        void run(String arg) throws Exception;
    }

    /**
     * Runs {@code action} on every argument, as coreutils commands do: a failure (a missing file, a bad path, an
     * invalid map) is one line on stderr and the next argument is still done.
     *
     * @return 0 when every argument succeeded, else {@link FamfsCli#FAILED}
     */
    int forEachArgument(java.util.List<String> args, PathAction action) {
        int status = 0;
        for (String arg : args) {
            try {
                action.run(arg);
            } catch (FamfsCli.UsageException e) {
                throw e;
            } catch (Exception e) {
                if (debug || cli.debug) {
                    e.printStackTrace(err());
                }
                err().println(name() + ": " + Errors.describe(e));
                status = FamfsCli.FAILED;
            }
        }
        return status;
    }

    /** Opens famfs devices for this command (the system UUID for the master role, when the command writes). */
    Session session(UUID systemUuid) {
        return new Session(systemUuid);
    }

    /** The {@code --device} option of commands that name famfs files. */
    static final class DeviceOption {
        @Option(names = "--device", paramLabel = "DEVICE",
                description = "The famfs device or image; then files are plain /paths instead of DEVICE:/path.")
        Path device;
    }

    /** The {@code --system-uuid} option of commands that write. */
    static final class SystemUuidOption {
        @Option(names = "--system-uuid", paramLabel = "UUID", converter = Converters.UuidConverter.class,
                description = "This host's famfs system UUID (default: /opt/famfs/system_uuid). Only the host"
                    + " whose UUID is in the superblock (the master) may write.")
        UUID systemUuid;
    }
}
