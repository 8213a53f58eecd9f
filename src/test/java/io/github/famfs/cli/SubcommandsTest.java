package io.github.famfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The subcommands are made only when a command line can reach them: the one it names, else all (help, version,
 * a usage error, a mistyped name). Each name in the table makes the command that carries that name.
 */
class SubcommandsTest {
    @Test
    void everyNameMakesTheCommandOfThatName() {
        assertEquals(15, Subcommands.NAMES.size());
        for (String name : Subcommands.NAMES) {
            Object c = Subcommands.create(name);
            assertEquals(name, c.getClass().getAnnotation(Command.class).name());
            assertEquals(FamfsCommand.class, c.getClass().getSuperclass());
        }
        assertNull(Subcommands.create("lss"));
        assertNull(Subcommands.create(""));
    }

    private static Set<String> added(String... args) {
        CommandLine cl = new CommandLine(new FamfsCli(System.out, System.err));
        Subcommands.addTo(cl, args);
        return cl.getSubcommands().keySet();
    }

    @Test
    void onlyTheNamedCommandIsMade() {
        assertEquals(Set.of("ls"), added("ls", "-l", "img:/"));
        assertEquals(Set.of("stat"), added("--debug", "stat", "img:/f"));
        assertEquals(Set.of("fsck"), added("fsck", "--help"));
        Set<String> all = Set.copyOf(Subcommands.NAMES);
        for (List<String> args : List.of(List.<String>of(), List.of("--help"), List.of("-h", "ls"),
                List.of("-V"), List.of("--version", "ls"), List.of("lss", "img:/"), List.of("--bogus", "ls"),
                List.of("--", "ls"))) {
            assertEquals(all, added(args.toArray(new String[0])), args.toString());
        }
    }

    @Test
    void theTopLevelHelpStillListsEveryCommand() {
        CliRunner.Result r = CliRunner.famfs("--help");
        assertEquals(0, r.status(), r.toString());
        String out = r.out();
        for (String name : Subcommands.NAMES) {
            assertTrue(out.contains("\n  " + name + " "), name + " in\n" + out);
        }
    }
}
