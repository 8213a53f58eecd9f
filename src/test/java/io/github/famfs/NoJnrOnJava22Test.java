package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.nio.FamfsCaches;
import io.github.famfs.nio.FamfsMappings;
import io.github.famfs.testing.ChildJvm;
import java.net.URI;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * On Java 22+ a program that uses famfs (mount in both coherence modes, map, force, cache flush and invalidate,
 * advice) loads no class of jnr-ffi or jffi: libc and the cache-line helper go through the foreign function API,
 * and a buffer's address comes from the JDK. Checked in a child JVM by the JVM's own class-load log; the same
 * program with {@code -Dfamfs.native=jnr} shows that the check sees jnr-ffi's classes when they are loaded.
 */
class NoJnrOnJava22Test {
    @TempDir
    Path tmp;

    /** Uses famfs on image {@code args[0]} as a program would; prints what it found. */
    public static final class UseMain {
        public static void main(String[] args) throws Exception {
            Path img = Path.of(args[0]);
            String uuid = "00112233-4455-6677-8899-aabbccddeeff";
            byte[] data = new byte[3 << 20];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i * 31 + 7);
            }
            try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("create", "true",
                    "deviceSize", "64M", "systemUuid", uuid))) {
                Files.write(fs.getPath("/f"), data);
                use(fs.getPath("/f"), data);
            }
            try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("systemUuid", uuid,
                    "coherence", "software"))) {
                use(fs.getPath("/f"), data);
                System.out.println("coherence=" + Files.getFileStore(fs.getPath("/")).getAttribute("famfs:coherence"));
            }
            System.out.println("native=" + FamfsCaches.isNative());
        }

        private static void use(Path f, byte[] data) throws Exception {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
                MappedByteBuffer m = ch.map(FileChannel.MapMode.READ_WRITE, 0, data.length);
                m.put(5, (byte) 42);
                FamfsMappings.force(m);
                FamfsMappings.load(m);
                FamfsCaches.flush(m, 0, 4096);
                FamfsCaches.invalidate(m, 0, data.length);
                if (!FamfsMappings.advise(m, 4096, 1 << 20, FamfsMappings.Advice.SEQUENTIAL)) {
                    throw new AssertionError("madvise was refused");
                }
                if (m.get(5) != 42 || m.get(data.length - 1) != data[data.length - 1]) {
                    throw new AssertionError("the mapping does not read what was written");
                }
                m.put(5, data[5]);
                FamfsMappings.force(m);
            }
        }
    }

    private List<String> loadedJnrClasses(String... options) throws Exception {
        List<String> jvm = new java.util.ArrayList<>(List.of("-Xmx256m", "-Xlog:class+load=info",
                "-Djava.io.tmpdir=" + tmp));
        jvm.addAll(List.of(options));
        Path img = Files.createTempFile(tmp, "nojnr", ".img");
        Files.delete(img);
        ChildJvm.Result r = ChildJvm.run(jvm, System.getProperty("java.class.path"), UseMain.class, 300,
                img.toString());
        assertEquals(0, r.exitCode(), r::describe);
        assertTrue(r.output().contains("native=true"), r::describe);
        assertTrue(r.output().contains("coherence=software: ") && r.output().contains(" invalidate="), r::describe);
        // the class-load log: "[0.123s][info][class,load] jnr.ffi.LibraryLoader source: file:/..."
        return r.output().lines().filter(l -> l.contains("[class,load]")).map(l -> l.substring(
                l.indexOf("[class,load]") + 13)).filter(l -> l.startsWith("jnr.") || l.startsWith("com.kenai."))
                .map(l -> l.split(" ")[0]).collect(Collectors.toList());
    }

    @Test
    void java22ProgramLoadsNoJnrFfiClass() throws Exception {
        Assumptions.assumeTrue(Runtime.version().feature() >= 22, "Java " + Runtime.version().feature()
                + " binds native code with jnr-ffi: the test runs on Java 22+");
        List<String> loaded = loadedJnrClasses();
        assertEquals(List.of(), loaded, "jnr-ffi/jffi classes loaded by a Java " + Runtime.version().feature()
                + " program");
        // the check sees them when they are loaded: the same program with the jnr-ffi binding chosen
        List<String> jnr = loadedJnrClasses("-Dfamfs.native=jnr");
        assertTrue(jnr.contains("jnr.ffi.LibraryLoader") && jnr.contains("com.kenai.jffi.MemoryIO"),
                () -> "jnr binding, classes seen: " + jnr);
    }
}
