package io.github.famfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.testing.ChildJvm;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Progress on stderr only when stderr is a terminal: the decision, and a real run with stderr a pipe. */
class ProgressTest {
    private static final String MASTER = "c105e000-0000-4000-8000-0000000000c1";

    @TempDir
    Path tmp;

    @Test
    void stderrDecidesWhetherProgressIsDrawn() {
        assertTrue(Progress.isTerminal("/dev/pts/3", false), "a pseudo-terminal, even with stdout piped");
        assertTrue(Progress.isTerminal("/dev/tty1", false));
        assertTrue(Progress.isTerminal("/dev/ttyS0", false));
        assertTrue(Progress.isTerminal("/dev/console", false));
        assertFalse(Progress.isTerminal("pipe:[81920]", true), "a pipe, even with a console");
        assertFalse(Progress.isTerminal("/dev/null", true));
        assertFalse(Progress.isTerminal("/tmp/log", true), "stderr redirected to a file");
        assertFalse(Progress.isTerminal("socket:[5]", true));
        assertFalse(Progress.isTerminal("/dev/ttyrogue/x", true));
        assertTrue(Progress.isTerminal(null, true), "no /proc: the console decides");
        assertFalse(Progress.isTerminal(null, false));
    }

    @Test
    void longOperationsPrintNoProgressIntoAPipe() throws Exception {
        Path dev = tmp.resolve("p.img");
        ChildJvm.Result mkfs = ChildJvm.run(FamfsCli.class, 120, "mkfs", "--size", "1G", "--system-uuid", MASTER,
                dev.toString());
        assertEquals(0, mkfs.exitCode(), mkfs.output());
        // big enough to run past the one second after which a terminal would show progress
        ChildJvm.Result creat = ChildJvm.run(FamfsCli.class, 300, "creat", "-s", "600M", "-r", "-S", "9",
                "--system-uuid", MASTER, dev + ":/big");
        ChildJvm.Result verify = ChildJvm.run(FamfsCli.class, 300, "verify", "-S", "9", "-f", dev + ":/big");
        for (ChildJvm.Result r : new ChildJvm.Result[] {creat, verify}) {
            assertEquals(0, r.exitCode(), r.output());
            assertFalse(r.output().contains("\r") || r.output().contains("%"), "no progress in a pipe: "
                    + r.output());
        }
        assertTrue(verify.output().contains("629145600 bytes verified against seed 9"), verify.output());
    }
}
