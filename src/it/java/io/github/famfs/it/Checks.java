package io.github.famfs.it;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One line per check, {@code CHECK PASS|FAIL|SKIP name: detail}, and a final {@code VERDICT PASS|FAIL scenario
 * ...} line. The guest programs print them on the console; the host test finds them in the guest's output with
 * {@link #parse}. A check that throws fails with the exception (and its stack trace, indented, for the log).
 */
public final class Checks {
    public enum Status { PASS, FAIL, SKIP }

    /** A check as printed. */
    public record Line(Status status, String name, String detail) {
        @Override
        public String toString() {
            return "CHECK " + status + " " + name + ": " + detail;
        }
    }

    /** A body of a check: returns the detail printed on success, throws (or calls fail) otherwise. */
    @FunctionalInterface
    public interface Body {
        String run() throws Exception;
    }

    /** Thrown by a check body to fail with a message (no stack trace printed). */
    public static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;

        public Failure(String message) {
            super(message, null, false, false);
        }
    }

    /** Thrown by a check body to skip, saying why. */
    public static final class Skip extends Exception {
        private static final long serialVersionUID = 1L;

        public Skip(String message) {
            super(message, null, false, false);
        }
    }

    private static final Pattern CHECK = Pattern.compile("CHECK (PASS|FAIL|SKIP) (\\S+): (.*)$");
    private static final Pattern VERDICT = Pattern.compile("VERDICT (PASS|FAIL) (\\S+)(.*)$");

    private final String scenario;
    private final PrintStream out;
    private final List<Line> lines = new ArrayList<>();
    private final long start = System.nanoTime();

    public Checks(String scenario, PrintStream out) {
        this.scenario = scenario;
        this.out = out;
    }

    /** Runs one check and prints its line; returns whether it passed (a skip is not a pass). */
    public boolean check(String name, Body body) {
        long t0 = System.nanoTime();
        Line line;
        try {
            String detail = body.run();
            line = new Line(Status.PASS, name, (detail == null ? "ok" : detail) + ms(t0));
        } catch (Skip s) {
            line = new Line(Status.SKIP, name, s.getMessage());
        } catch (Failure f) {
            line = new Line(Status.FAIL, name, f.getMessage());
        } catch (Throwable t) {
            line = new Line(Status.FAIL, name, oneLine(t));
            StringWriter sw = new StringWriter();
            t.printStackTrace(new PrintWriter(sw));
            for (String s : sw.toString().split("\n")) {
                out.println("    | " + s.stripTrailing());
            }
        }
        add(line);
        return line.status() == Status.PASS;
    }

    /** Records a result computed elsewhere (e.g. from a trace). */
    public void add(Line line) {
        lines.add(line);
        out.println(line);
        out.flush();
    }

    public void pass(String name, String detail) {
        add(new Line(Status.PASS, name, detail));
    }

    public void fail(String name, String detail) {
        add(new Line(Status.FAIL, name, detail));
    }

    public List<Line> lines() {
        return List.copyOf(lines);
    }

    public long failures() {
        return lines.stream().filter(l -> l.status() == Status.FAIL).count();
    }

    /** Prints the verdict line; true when nothing failed. */
    public boolean verdict() {
        long failed = failures();
        long skipped = lines.stream().filter(l -> l.status() == Status.SKIP).count();
        out.printf("VERDICT %s %s checks=%d failed=%d skipped=%d java=%s time=%dms%n", failed == 0 ? "PASS" : "FAIL",
                scenario, lines.size(), failed, skipped, System.getProperty("java.version"),
                (System.nanoTime() - start) / 1_000_000);
        out.flush();
        return failed == 0;
    }

    private static String ms(long t0) {
        return " [" + (System.nanoTime() - t0) / 1_000_000 + " ms]";
    }

    /** An exception as one line: its class, message and first cause. */
    public static String oneLine(Throwable t) {
        String s = t.getClass().getName() + ": " + t.getMessage();
        if (t.getCause() != null && t.getCause() != t) {
            s += " (cause " + t.getCause().getClass().getName() + ": " + t.getCause().getMessage() + ")";
        }
        return s.replace('\n', ' ');
    }

    /** The check lines in a guest's console output (anything before {@code CHECK} on a line is ignored). */
    public static List<Line> parse(List<String> output) {
        List<Line> result = new ArrayList<>();
        for (String s : output) {
            int at = s.indexOf("CHECK ");
            if (at < 0) {
                continue;
            }
            Matcher m = CHECK.matcher(s.substring(at));
            if (m.matches()) {
                result.add(new Line(Status.valueOf(m.group(1)), m.group(2), m.group(3)));
            }
        }
        return result;
    }

    /** The verdict line of {@code scenario} in a guest's output, or null. */
    public static String verdict(List<String> output, String scenario) {
        for (String s : output) {
            int at = s.indexOf("VERDICT ");
            if (at < 0) {
                continue;
            }
            Matcher m = VERDICT.matcher(s.substring(at));
            if (m.matches() && m.group(2).equals(scenario)) {
                return s.substring(at);
            }
        }
        return null;
    }
}
