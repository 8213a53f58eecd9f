package io.github.famfs.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * What a library user on the class path sees of native access on Java 24+ (where the JDK warns about, and can
 * deny, restricted methods), in child JVMs that bind libc and print which binding they got: with
 * {@code --enable-native-access=ALL-UNNAMED} nothing on stderr; without it the JDK's one warning (naming the
 * foreign-function binding, which still works); with {@code --illegal-native-access=deny} an IOException that says
 * why each binding failed; {@code -Dfamfs.native=jnr} chooses jnr-ffi.
 */
class NativeAccessTest {
    /** Binds libc and prints the binding's name, or the failure's message (exit 3). */
    public static final class BindMain {
        public static void main(String[] args) {
            try {
                System.out.println("binding=" + Native.libc().name() + " euid=" + Native.libc().geteuid());
            } catch (java.io.IOException e) {
                System.out.println("failed: " + e.getMessage());
                System.exit(3);
            }
        }
    }

    private record Run(int status, String out, String err) {}

    private static Run child(String... jvmOptions) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(List.of(jvmOptions));
        cmd.addAll(List.of("-Xshare:auto", "-cp", System.getProperty("java.class.path"), BindMain.class.getName()));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        byte[] err = p.getErrorStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return new Run(p.exitValue(), new String(out, StandardCharsets.UTF_8).trim(),
                new String(err, StandardCharsets.UTF_8));
    }

    private static void assumeJava24() {
        Assumptions.assumeTrue(Runtime.version().feature() >= 24, "Java " + Runtime.version().feature()
                + " neither warns about nor denies native access: the test runs on Java 24+");
    }

    @Test
    void enabledNativeAccessIsSilent() throws Exception {
        assumeJava24();
        Run r = child("--enable-native-access=ALL-UNNAMED");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().startsWith("binding=ffm "), r.toString());
        assertEquals("", r.err(), "nothing on stderr");
        Run jnr = child("--enable-native-access=ALL-UNNAMED", "-D" + Native.BINDING_PROPERTY + "=jnr");
        assertTrue(jnr.out().startsWith("binding=jnr "), jnr.toString());
        assertEquals("", jnr.err(), "nothing on stderr");
        assertEquals(r.out().substring(r.out().indexOf(' ')), jnr.out().substring(jnr.out().indexOf(' ')));
    }

    @Test
    void withoutTheOptionTheJdkWarnsOnceAndTheCallsWork() throws Exception {
        assumeJava24();
        Run r = child();
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().startsWith("binding=ffm "), r.toString());
        assertEquals(1, r.err().split("WARNING: A restricted method", -1).length - 1, r.err());
        assertTrue(r.err().contains("io.github.famfs.memory.FfmLibcCalls"), r.err());
        assertTrue(r.err().contains("--enable-native-access=ALL-UNNAMED"), r.err());
    }

    @Test
    void deniedNativeAccessIsAnExceptionThatSaysWhy() throws Exception {
        assumeJava24();
        Run r = child("--illegal-native-access=deny");
        assertEquals(3, r.status(), r.toString());
        assertTrue(r.out().startsWith("failed: cannot bind libc: "), r.toString());
        assertTrue(r.out().contains("through the foreign function API: java.lang.IllegalCallerException"),
                r.toString());
        assertTrue(r.out().contains("through jnr-ffi: "), r.toString());
        assertFalse(r.err().contains("WARNING"), r.err());
    }
}
