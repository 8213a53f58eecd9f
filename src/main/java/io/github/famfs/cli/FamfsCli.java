package io.github.famfs.cli;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code famfs} command-line tool: a thin layer over the famfs-nio {@code java.nio.file} provider. Run
 * {@code famfs --help} (or {@code bin/famfs --help}) for the commands.
 *
 * <p>{@link #run(PrintStream, PrintStream, String...)} runs one command line in-process with the given streams and
 * returns its exit status; {@link #main} runs it against the process's streams and exits with that status.
 */
@Command(name = "famfs", mixinStandardHelpOptions = true, versionProvider = FamfsCli.Version.class,
        usageHelpAutoWidth = true,
        header = "famfs: the Fabric-Attached Memory File System, in pure Java (famfs-nio).",
        description = {
            "Works on a famfs DAX device (/dev/daxX.Y) or on an image file that holds the same bytes.",
            "",
            "Files in famfs are named in one of two ways:",
            "  DEVICE:/path             /dev/dax0.0:/dir/file   or   famfs.img:/dir/file",
            "  --device DEVICE /path    --device famfs.img /dir/file",
            "",
            "The host whose system UUID (--system-uuid, else /opt/famfs/system_uuid) is the one in the superblock"
                + " is the master and may write; every other host is a client and reads only.",
            "",
            "First time? Run:  famfs quickstart",
            ""},
        exitCodeListHeading = "%nExit status:%n",
        exitCodeList = {
            "0:success",
            "1:the command failed (one line on stderr says why; --debug adds the stack trace)",
            "2:usage error (unknown option, missing or bad argument)",
            "fsck:1..127 = allocation collisions (see famfs fsck --help)"},
        footer = {"", "Run 'famfs COMMAND --help' for a command's options."})
public final class FamfsCli implements Runnable {
    /** The exit status of a usage error (picocli's). */
    public static final int USAGE = CommandLine.ExitCode.USAGE;
    /** The exit status of a failed command (picocli's). */
    public static final int FAILED = CommandLine.ExitCode.SOFTWARE;

    /** The library's logger; held strongly so that its configuration stays. */
    private static final Logger LIBRARY_LOG = Logger.getLogger("io.github.famfs");

    @Option(names = "--debug", description = "Print the stack trace of an error (any command accepts --debug).")
    boolean debug;

    final PrintStream out;
    final PrintStream err;

    FamfsCli(PrintStream out, PrintStream err) {
        this.out = out;
        this.err = err;
    }

    @Override
    public void run() {
        throw new UsageException("no command given (commands: " + String.join(", ", Subcommands.NAMES) + ")");
    }

    public static void main(String[] args) {
        PrintStream out = System.out;
        PrintStream err = System.err;
        int status = run(out, err, args);
        out.flush();
        err.flush();
        System.exit(status);
    }

    /** Runs one famfs command line with {@code out} and {@code err}; returns the exit status. */
    public static int run(PrintStream out, PrintStream err, String... args) {
        FamfsCli cli = new FamfsCli(out, err);
        LibraryLogHandler handler = new LibraryLogHandler(err, args);
        boolean useParent = LIBRARY_LOG.getUseParentHandlers();
        LIBRARY_LOG.setUseParentHandlers(false);
        LIBRARY_LOG.addHandler(handler);
        try {
            return cli.execute(args);
        } finally {
            LIBRARY_LOG.removeHandler(handler);
            LIBRARY_LOG.setUseParentHandlers(useParent);
            out.flush();
            err.flush();
        }
    }

    /** Runs a command line on this CLI's streams (quickstart runs the commands it shows this way). */
    int execute(String... args) {
        CommandLine cl = commandLine(new FamfsCli(out, err), args);
        return cl.execute(args);
    }

    private static CommandLine commandLine(FamfsCli cli, String[] commandLine) {
        CommandLine cl = new CommandLine(cli);
        // the subcommands (not in @Command: made only when the command line can reach them), before the settings
        // below, which apply to the subcommands present
        Subcommands.addTo(cl, commandLine);
        cl.setOut(new PrintWriter(cli.out, true));
        cl.setErr(new PrintWriter(cli.err, true));
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setParameterExceptionHandler((ex, args) -> {
            CommandLine c = ex.getCommandLine();
            String name = c.getCommandSpec().qualifiedName();
            cli.err.println(name + ": " + oneLine(ex.getMessage()) + " (see '" + name + " --help')");
            return c.getCommand() instanceof PcqCommand ? PcqCommand.BAD_COMMAND_LINE : USAGE;
        });
        cl.setExecutionExceptionHandler((ex, c, parseResult) -> {
            Object command = c.getCommand();
            String name = c.getCommandSpec().qualifiedName();
            boolean debug = cli.debug || (command instanceof FamfsCommand fc && fc.debug);
            if (debug) {
                ex.printStackTrace(cli.err);
            }
            if (ex instanceof UsageException) {
                cli.err.println(name + ": " + oneLine(ex.getMessage()) + " (see '" + name + " --help')");
                return USAGE;
            }
            cli.err.println(name + ": " + Errors.describe(ex));
            return command instanceof FsckCommand ? FsckCommand.CANNOT_CHECK : FAILED;
        });
        return cl;
    }

    static String oneLine(String s) {
        return s == null ? "" : s.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }

    /** A usage error found while running a command (a bad famfs path, options that do not go together). */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /**
     * Shows the library's warnings on one line each: the summary of replay problems and a pointer to fsck (all of
     * them with --debug); fsck and logplay report the problems themselves, so they silence it.
     */
    private static final class LibraryLogHandler extends Handler {
        private final PrintStream err;
        private final boolean all;
        private final boolean silent;
        private final SimpleFormatter formatter = new SimpleFormatter();

        LibraryLogHandler(PrintStream err, String[] args) {
            this.err = err;
            boolean debug = false;
            String command = null;
            for (String a : args) {
                if (a.equals("--")) {
                    break;
                }
                if (a.equals("--debug")) {
                    debug = true;
                } else if (command == null && !a.startsWith("-")) {
                    command = a;
                }
            }
            this.all = debug;
            this.silent = "fsck".equals(command) || "logplay".equals(command);
            setLevel(Level.WARNING);
        }

        @Override
        public void publish(LogRecord record) {
            if (silent || !isLoggable(record)) {
                return;
            }
            String msg = oneLine(formatter.formatMessage(record));
            if (all) {
                err.println("famfs: warning: " + msg);
            } else if (msg.endsWith("replay problem(s)")) {
                err.println("famfs: warning: " + msg + " (famfs fsck lists them)");
            }
        }

        @Override
        public void flush() {
            err.flush();
        }

        @Override
        public void close() {
            flush();
        }
    }

    /** The version line: the jar's implementation version, or "development" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = FamfsCli.class.getPackage().getImplementationVersion();
            return new String[] {"famfs (famfs-nio) " + (v == null ? "development build" : v),
                "Java " + Runtime.version() + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
