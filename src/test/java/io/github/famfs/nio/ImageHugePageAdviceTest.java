package io.github.famfs.nio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.memory.Native;
import io.github.famfs.testing.ReferenceImages;
import java.io.IOException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Once libc is bound in the JVM, every mapping of an image file that a read-only mount reads through carries the
 * huge-page advice ({@code hg} among its {@code VmFlags} in /proc/self/smaps): libc's mapping (every Java) as the
 * JDK's read-only windows (Java 22+). Without the advice a page fault on image bytes not yet cached reads
 * {@code read_ahead_kb} around the fault in 4 KiB pages where large folios are possible (ext4 on Linux 6.16+);
 * with it, in 2 MiB folios, as before read-only image mounts read through the JDK. Counted, not timed: the
 * mappings of the image without the advice while the mount reads.
 */
class ImageHugePageAdviceTest {
    private static final String CLIENT = "c11e0000-0000-4000-8000-0000000000a7";

    @TempDir
    Path tmp;

    @Test
    void everyMappingOfAReadOnlyImageIsAdvisedOnceLibcIsBound() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(Path.of("/sys/kernel/mm/transparent_hugepage")),
                "this kernel has no transparent huge pages: no mapping can carry the advice");
        Path img = tmp.resolve("tree.img");
        ReferenceImages.writableCopy("tree", img);
        Native.libc(); // bound, as by any earlier map, lock or read-write mount in this JVM
        try (FileSystem fs = FileSystems.newFileSystem(FamfsFileSystemProvider.uri(img), Map.of("systemUuid", CLIENT))) {
            long bytes = 0;
            int files = 0;
            try (Stream<Path> s = Files.walk(fs.getPath("/"))) {
                for (Path f : (Iterable<Path>) s.filter(Files::isRegularFile)::iterator) {
                    bytes += Files.readAllBytes(f).length;
                    files++;
                }
            }
            assertTrue(files > 0 && bytes > 0, files + " files, " + bytes + " bytes read");
            List<String> flags = vmFlagsOfMappingsOf(img.toRealPath());
            assertTrue(!flags.isEmpty(), "the mount reads through a mapping of " + img);
            assertEquals(List.of(), flags.stream().filter(f -> !List.of(f.split(" ")).contains("hg")).toList(),
                    "mappings of the image without the huge-page advice (of " + flags.size() + ")");
        }
        assertEquals(List.of(), vmFlagsOfMappingsOf(img.toRealPath()), "mappings of the image left by the close");
    }

    /** The VmFlags of each mapping of {@code file} in this process, from /proc/self/smaps. */
    private static List<String> vmFlagsOfMappingsOf(Path file) throws IOException {
        List<String> flags = new ArrayList<>();
        boolean ofFile = false;
        for (String line : Files.readAllLines(Path.of("/proc/self/smaps"))) {
            if (line.matches("^[0-9a-f]+-[0-9a-f]+ .*")) {
                ofFile = line.endsWith(" " + file);
            } else if (ofFile && line.startsWith("VmFlags:")) {
                flags.add(line.substring("VmFlags:".length()).trim());
            }
        }
        return flags;
    }
}
