package io.github.famfs.cli;

import java.io.Console;
import java.io.PrintStream;
import java.lang.reflect.Method;

/**
 * A progress bar with throughput on stderr, for copies that take more than a second, drawn only when the process
 * runs on a terminal ({@code System.console()}, and on Java 22+ its {@code isTerminal()}). Silent otherwise, and
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

    /** Whether this process runs on a terminal. */
    static boolean onTerminal() {
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
