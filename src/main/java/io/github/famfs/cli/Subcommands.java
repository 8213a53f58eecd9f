package io.github.famfs.cli;

import java.util.List;
import picocli.CommandLine;

/**
 * The famfs subcommands, by name, made only when needed: picocli builds a command's model by reflection over its
 * annotated class, which costs about as much for each of the fifteen commands as the command itself takes on a
 * small image, so a command line that names one command gets only that one (and the top-level help, a usage error
 * or a mistyped name gets them all, for the list and the suggestions).
 */
final class Subcommands {
    private Subcommands() {}

    /** Every subcommand's name, in the order the help lists them. */
    static final List<String> NAMES = List.of("mkfs", "fsck", "mkdir", "cp", "creat", "verify", "getmap", "logplay",
            "ls", "stat", "cat", "get", "df", "pcq", "quickstart");

    /**
     * A new instance of the subcommand {@code name}, or null when there is none. Typed {@code Object} (it is one of
     * the {@link FamfsCommand}s) so that verifying this method loads none of the fifteen classes.
     */
    static Object create(String name) {
        switch (name) {
            case "mkfs":
                return new MkfsCommand();
            case "fsck":
                return new FsckCommand();
            case "mkdir":
                return new MkdirCommand();
            case "cp":
                return new CpCommand();
            case "creat":
                return new CreatCommand();
            case "verify":
                return new VerifyCommand();
            case "getmap":
                return new GetmapCommand();
            case "logplay":
                return new LogplayCommand();
            case "ls":
                return new LsCommand();
            case "stat":
                return new StatCommand();
            case "cat":
                return new CatCommand();
            case "get":
                return new GetCommand();
            case "df":
                return new DfCommand();
            case "pcq":
                return new PcqCommand();
            case "quickstart":
                return new QuickstartCommand();
            default:
                return null;
        }
    }

    /**
     * Adds to {@code top} the subcommands that {@code args} can reach: the one it names, when its first argument
     * that is not an option is a command's name and only {@code --debug} comes before it (the top-level options
     * take no value, and the others print the top-level help or the version); else all of them.
     */
    static void addTo(CommandLine top, String[] args) {
        for (String a : args) {
            if (a.startsWith("-") && !a.equals("--debug")) {
                break;
            }
            if (!a.startsWith("-")) {
                Object one = create(a);
                if (one != null) {
                    top.addSubcommand(a, one);
                    return;
                }
                break;
            }
        }
        for (String name : NAMES) {
            top.addSubcommand(name, create(name));
        }
    }
}
