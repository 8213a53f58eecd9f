package io.github.famfs.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.testing.ChildJvm;
import java.io.File;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Arrow is an optional dependency: the library formats, writes, maps and reads with no Arrow on the class path. */
class CoreWithoutArrowTest {
    @TempDir
    Path tmp;

    @Test
    void theCoreRunsWithoutArrow() throws Exception {
        String cp = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
                .filter(e -> !e.contains(File.separator + "org" + File.separator + "apache" + File.separator
                        + "arrow" + File.separator))
                .collect(Collectors.joining(File.pathSeparator));
        assertTrue(cp.length() < System.getProperty("java.class.path").length(), "Arrow was on the test class path");
        ChildJvm.Result r = ChildJvm.run(List.of("-Xmx128m"), cp, NoArrowMain.class, 120,
                tmp.resolve("famfs.img").toString());
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.output().contains("OK"), r.describe());
    }
}
