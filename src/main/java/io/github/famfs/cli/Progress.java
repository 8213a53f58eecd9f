package io.github.famfs.cli;

import java.io.Console;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A progress bar with throughput on stderr, for operations that take more than a second (creat, cp, get,
 * verify), drawn only when stderr is a terminal (see {@link #onTerminal}). Silent otherwise (pipes, files), and
 * in-process (tests).
 */
final class Progress implements AutoCloseable {
    private static final long DELAY_NANOS = 1_000_000_000L;
    private static final long REDRAW_NANOS = 100_000_000L;
    private static final int BAR = 28;

    private final PrintStream err;
    private final String label;
    private final long total;
    private final boolean enabled;
    private final long start = System.nanoTime();
    private long done;
    private long lastDraw;
    private boolean drawn;
    private int width;

    Progress(PrintStream err, String label, long total) {
        this(err, label, total, err == System.err && onTerminal());
    }

    Progress(PrintStream err, String label, long total, boolean enabled) {
        this.err = err;
        this.label = label;
        this.total = total;
        this.enabled = enabled;
    }

    /**
     * Whether stderr, where progress goes, is a terminal: what /proc/self/fd/2 links to (a pseudo-terminal or a
     * console) on Linux, so that {@code famfs cp … | less} still shows progress and {@code famfs verify … 2>log}
     * writes none into the log; where /proc cannot say, whether the process has a console.
     */
    static boolean onTerminal() {
        String stderr;
        try {
            stderr = Files.readSymbolicLink(Path.of("/proc/self/fd/2")).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            stderr = null;
        }
        return isTerminal(stderr, hasConsole());
    }

    /**
     * The decision, apart from the system: {@code stderrTarget} is what fd 2 links to (null when unknown), and
     * {@code console} whether the process has a terminal console.
     */
    static boolean isTerminal(String stderrTarget, boolean console) {
        if (stderrTarget == null) {
            return console;
        }
        return stderrTarget.startsWith("/dev/pts/") || stderrTarget.matches("/dev/tty[0-9]*")
                || stderrTarget.equals("/dev/console") || stderrTarget.matches("/dev/ttyS[0-9]+");
    }

    private static boolean hasConsole() {
        Console c = System.console();
        if (c == null) {
            return false;
        }
        try {
            Method m = Console.class.getMethod("isTerminal");
            return (Boolean) m.invoke(c);
        } catch (ReflectiveOperationException e) {
            return true; // before Java 22 a console exists only on a terminal
        }
    }

    void add(long bytes) {
        done += bytes;
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (now - start < DELAY_NANOS || now - lastDraw < REDRAW_NANOS) {
            return;
        }
        lastDraw = now;
        draw(now);
    }

    private void draw(long now) {
        double secs = Math.max(1e-9, (now - start) / 1e9);
        double frac = total > 0 ? Math.min(1.0, (double) done / total) : 0;
        int filled = (int) Math.round(frac * BAR);
        String line = total > 0
                ? String.format("%s [%s%s] %3d%% %s of %s, %s/s", label, "#".repeat(filled),
                        "-".repeat(BAR - filled), Math.round(frac * 100), Units.iec(done), Units.iec(total),
                        Units.iec((long) (done / secs)))
                : String.format("%s %s, %s/s", label, Units.iec(done), Units.iec((long) (done / secs)));
        int pad = Math.max(0, width - line.length());
        width = line.length();
        err.print("\r" + line + " ".repeat(pad));
        err.flush();
        drawn = true;
    }

    @Override
    public void close() {
        if (drawn) {
            draw(System.nanoTime());
            err.println();
        }
    }
}
