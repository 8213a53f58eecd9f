package io.github.famfs.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs a main class of the tests in a child JVM (this JVM's java, the test class path), so that a crash (SIGSEGV,
 * an abort) or a hang fails a test instead of killing the build: the parent waits with a generous bound, and on
 * timeout takes a thread dump of the child (jcmd, else jstack) into the result before killing it.
 */
public final class ChildJvm {
    private ChildJvm() {}

    /** What the child did: its exit status (-1 when it hung and was killed) and its output (stdout and stderr). */
    public record Result(int exitCode, boolean timedOut, String output) {
        /** A message for a failed assertion: status, and the output (trimmed to its head and tail). */
        public String describe() {
            String o = output.length() > 60_000 ? output.substring(0, 20_000) + "\n…\n"
                    + output.substring(output.length() - 40_000) : output;
            return (timedOut ? "child JVM hung and was killed" : "child JVM exit status " + exitCode)
                    + (exitCode > 128 ? " (signal " + (exitCode - 128) + ")" : "") + "; its output:\n" + o;
        }
    }

    /** Runs {@code main} with {@code args}; waits at most {@code timeoutSeconds}. */
    public static Result run(Class<?> main, long timeoutSeconds, String... args) throws IOException,
            InterruptedException {
        return run(List.of("-Xmx512m"), System.getProperty("java.class.path"), main, timeoutSeconds, args);
    }

    /** Runs {@code main} with JVM options {@code jvmArgs} (a heap size, ...) on class path {@code classPath}. */
    public static Result run(List<String> jvmArgs, String classPath, Class<?> main, long timeoutSeconds,
            String... args) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> cmd = new ArrayList<>(List.of(java.toString()));
        cmd.addAll(jvmArgs);
        cmd.addAll(List.of("-XX:+UseSerialGC",
                "--enable-native-access=ALL-UNNAMED", "-XX:ErrorFile=" + System.getProperty("java.io.tmpdir")
                        + "/famfs-child-hs_err_%p.log",
                "-cp", classPath, main.getName()));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        Thread pump = new Thread(() -> copy(p.getInputStream(), out), "child-output");
        pump.setDaemon(true);
        pump.start();
        boolean done = p.waitFor(timeoutSeconds, TimeUnit.SECONDS);
        String dump = "";
        if (!done) {
            dump = threadDump(java, p.pid());
            p.destroyForcibly();
            p.waitFor(30, TimeUnit.SECONDS);
        }
        pump.join(10_000);
        String output;
        synchronized (out) {
            output = out.toString(StandardCharsets.UTF_8);
        }
        if (!done) {
            output += "\n---- thread dump of the hung child (pid " + p.pid() + ") ----\n" + dump;
        }
        return new Result(done ? p.exitValue() : -1, !done, output);
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] b = new byte[8192];
        try {
            int n;
            while ((n = in.read(b)) > 0) {
                synchronized (out) {
                    out.write(b, 0, n);
                }
            }
        } catch (IOException e) {
            // the child is gone
        }
    }

    private static String threadDump(Path java, long pid) {
        Path bin = java.getParent();
        for (List<String> cmd : List.of(List.of(bin.resolve("jcmd").toString(), Long.toString(pid), "Thread.print"),
                List.of(bin.resolve("jstack").toString(), Long.toString(pid)))) {
            try {
                Process d = new ProcessBuilder(cmd).redirectErrorStream(true).start();
                ByteArrayOutputStream b = new ByteArrayOutputStream();
                Thread t = new Thread(() -> copy(d.getInputStream(), b));
                t.start();
                if (d.waitFor(60, TimeUnit.SECONDS)) {
                    t.join(5000);
                    synchronized (b) {
                        return String.join(" ", cmd) + ":\n" + b.toString(StandardCharsets.UTF_8);
                    }
                }
                d.destroyForcibly();
            } catch (IOException | InterruptedException e) {
                // try the next tool
            }
        }
        return "(no thread dump: neither jcmd nor jstack answered)";
    }
}
