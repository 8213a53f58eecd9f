package io.github.famfs.it;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One guest, booted by {@code run-guest.sh -q} on the host: the process, its serial console (followed in the
 * console log file as it grows, echoed with the run's name as a prefix and kept), and what the output says.
 */
public final class GuestRun {
    private static final Pattern DAX = Pattern.compile("DAX device=(\\S+) size=(\\d+) align=(\\d+)");

    private final String name;
    private final Process process;
    private final Path console;
    private final Consumer<String> watcher;
    private final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private final Thread pump;
    private final Thread tailer;
    private final long started = System.nanoTime();
    private volatile boolean exited;
    private volatile long wallMs = -1;
    private long consumed;
    private final StringBuilder partial = new StringBuilder();

    private GuestRun(String name, Process process, Path console, Consumer<String> watcher) {
        this.name = name;
        this.process = process;
        this.console = console;
        this.watcher = watcher;
        // run-guest.sh's own output (its status line; the console goes to the log file with -q)
        this.pump = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    accept(line);
                }
            } catch (IOException e) {
                accept("(reading run-guest.sh's output failed: " + e + ")");
            }
        }, "guest-" + name);
        // the serial console, read from the log file as QEMU writes it: a pipe through run-guest.sh's tail|tr is
        // block-buffered, so a line would reach us only with the next 4 KiB
        this.tailer = new Thread(() -> {
            try {
                while (!exited) {
                    readConsole(false);
                    Thread.sleep(100);
                }
            } catch (InterruptedException | IOException e) {
                accept("(reading the console log failed: " + e + ")");
            }
        }, "console-" + name);
        pump.setDaemon(true);
        tailer.setDaemon(true);
        pump.start();
        tailer.start();
    }

    private void accept(String line) {
        lines.add(line);
        System.out.println("[" + name + "] " + line);
        if (watcher != null) {
            watcher.accept(line);
        }
    }

    /** Hands on the console lines written since the last call (and, at the end, an unterminated last line). */
    private synchronized void readConsole(boolean last) throws IOException {
        if (Files.exists(console)) {
            try (FileChannel ch = FileChannel.open(console, StandardOpenOption.READ)) {
                long size = ch.size();
                if (size < consumed) {
                    consumed = 0;   // truncated: a new boot
                    partial.setLength(0);
                }
                ByteBuffer b = ByteBuffer.allocate((int) Math.min(size - consumed, 1 << 24));
                while (b.hasRemaining() && ch.read(b, consumed + b.position()) > 0) {
                    // read what is there
                }
                consumed += b.position();
                partial.append(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8));
            }
        }
        int nl;
        while ((nl = partial.indexOf("\n")) >= 0) {
            accept(partial.substring(0, nl).replace("\r", ""));
            partial.delete(0, nl + 1);
        }
        if (last && partial.length() > 0) {
            accept(partial.toString().replace("\r", ""));
            partial.setLength(0);
        }
    }

    /**
     * Starts {@code command} (run-guest.sh with {@code -q}) with {@code env} added to the environment, following
     * the guest's console in {@code console} (deleted first: run-guest.sh truncates it only once the guest boots).
     * Every line goes to {@code watcher} too (may be null).
     */
    public static GuestRun start(String name, List<String> command, Map<String, String> env, Path dir, Path console,
            Consumer<String> watcher) throws IOException {
        Files.deleteIfExists(console);
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).directory(dir.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        System.out.println("[" + name + "] $ " + String.join(" ", command));
        return new GuestRun(name, pb.start(), console, watcher);
    }

    /** Waits for the guest (killing it after {@code seconds}); returns its exit code. */
    public int await(long seconds) throws InterruptedException, IOException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
            accept("(killed by the suite after " + seconds + " s)");
        }
        exited = true;
        tailer.join(10_000);
        pump.join(10_000);
        readConsole(true);
        wallMs = (System.nanoTime() - started) / 1_000_000;
        return process.exitValue();
    }

    public String name() {
        return name;
    }

    public List<String> lines() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    public long wallMs() {
        return wallMs;
    }

    public List<Checks.Line> checks() {
        return Checks.parse(lines());
    }

    public String verdict(String scenario) {
        return Checks.verdict(lines(), scenario);
    }

    /** The strace lines the guest printed, without their prefix. */
    public List<String> strace() {
        List<String> l = new ArrayList<>();
        for (String s : lines()) {
            int at = s.indexOf("STRACE ");
            if (at >= 0) {
                l.add(s.substring(at + 7));
            }
        }
        return l;
    }

    /** {size, align} from the guest's DAX line, or null. */
    public long[] dax() {
        for (String s : lines()) {
            Matcher m = DAX.matcher(s);
            if (m.find()) {
                return new long[] {Long.parseLong(m.group(2)), Long.parseLong(m.group(3))};
            }
        }
        return null;
    }

    /** The last {@code n} lines, for failure messages. */
    public String tail(int n) {
        List<String> l = lines();
        return String.join("\n", l.subList(Math.max(0, l.size() - n), l.size()));
    }

    /** A latch that opens when a line contains {@code marker}. */
    public static final class Marker implements Consumer<String> {
        private final String marker;
        private final CountDownLatch seen = new CountDownLatch(1);

        public Marker(String marker) {
            this.marker = marker;
        }

        @Override
        public void accept(String line) {
            if (line.contains(marker)) {
                seen.countDown();
            }
        }

        public boolean await(long seconds) throws InterruptedException {
            return seen.await(seconds, TimeUnit.SECONDS);
        }
    }
}
