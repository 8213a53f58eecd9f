package io.github.famfs.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.nio.Famfs;
import io.github.famfs.testing.ChildJvm;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** FamfsArrow readers raced with FileSystem.close() in a child JVM: see {@link ArrowCloseRaces}. */
class ArrowCloseRaceTest {
    @TempDir
    Path tmp;

    @Test
    void readersRaceTheFileSystemsClose() throws Exception {
        Path image = tmp.resolve("famfs.img");
        try (FileSystem fs = Famfs.open(image, Frames.master())) {
            ArrowOneCopyTest.writeFrame(fs, "/frame.arrow", 2);
        }
        long rows = 2L * ArrowOneCopyTest.ROWS;
        ChildJvm.Result r = ChildJvm.run(List.of("-Xmx256m", "--add-opens=java.base/java.nio=ALL-UNNAMED"),
                System.getProperty("java.class.path"), ArrowCloseRaces.class, 600, image.toString(),
                "/frame.arrow", Long.toString(rows), "150");
        System.out.println("[ArrowCloseRaceTest] " + r.output().strip());
        assertEquals(0, r.exitCode(), r.describe());
        assertTrue(r.output().contains("OK rounds=150"), r.describe());
    }
}
