package io.github.famfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.github.famfs.nio.FamfsFileSystemProvider;
import io.github.famfs.testing.LibraryWarnings;
import io.github.famfs.testing.ReferenceImages;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.ProviderNotFoundException;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every corrupt case gives a clear IOException or has its damage contained (the rest reads right), and the
 * image bytes are the same afterwards.
 */
class CorruptImageTest {
    @TempDir
    static Path tmp;

    static Stream<String> cases() {
        return ReferenceImages.corruptCases().stream();
    }

    /** What each case must do: refuse with a message containing the text, or open with one damaged path. */
    private record Expectation(String refusal, String damagedPath, String problem, boolean damagedListed) {}

    private static final Map<String, Expectation> EXPECTED = Map.of(
            "corrupt-sb-crc", new Expectation("superblock CRC mismatch", null, null, false),
            "corrupt-sb-magic", new Expectation("holds no famfs: superblock magic 0x87b282fe", null, null, false),
            "corrupt-sb-version", new Expectation("unsupported famfs superblock version 47", null, null, false),
            "corrupt-log-hdr-crc", new Expectation("log header CRC mismatch", null, null, false),
            "corrupt-entry-crc", new Expectation(null, "x/.hidden", "log entry 30 CRC mismatch", false),
            "corrupt-extent-past-end", new Expectation(null, "a/b/f-2MiB-exact", "past the end of the device", true),
            "corrupt-missing-parent", new Expectation(null, "x/y/1MiB", "parent directory nonexistent-dir does not exist",
                    false),
            "corrupt-overlap", new Expectation(null, "a/b/f-2MiB-plus-1", "cross-linked", true));

    @Test
    void everyCaseHasAnExpectation() {
        assertEquals(new java.util.TreeSet<>(EXPECTED.keySet()), new java.util.TreeSet<>(ReferenceImages.corruptCases()));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void refusedOrContainedAndUnchanged(String name) throws Exception {
        JsonObject c = ReferenceImages.corruptCase(name);
        Path img = ReferenceImages.buildCorrupt(name, tmp);
        assertEquals(c.get("result_sha256").getAsString(), ReferenceImages.sha256(img), "corrupt image built right");
        Expectation e = EXPECTED.get(name);
        URI uri = URI.create("famfs:" + img);
        if (e.refusal != null) {
            IOException ex = assertThrows(IOException.class, () -> FileSystems.newFileSystem(uri, Map.of()).close());
            assertTrue(ex.getMessage().contains(e.refusal), ex.getMessage());
            assertTrue(ex.getMessage().contains(img.toString()), "names the device: " + ex.getMessage());
        } else {
            checkContained(c, e, uri);
        }
        assertEquals(c.get("result_sha256").getAsString(), ReferenceImages.sha256(img), "image bytes unchanged");
    }

    private static void checkContained(JsonObject c, Expectation e, URI uri) throws Exception {
        JsonObject tree = ReferenceImages.manifest("tree");
        long badIndex = c.getAsJsonObject("corruption").get("log_index").getAsLong();
        boolean replayStops = e.problem.contains("CRC mismatch");
        try (FileSystem fs = FileSystems.newFileSystem(uri, Map.of())) {
            @SuppressWarnings("unchecked")
            List<String> problems = (List<String>) Files.getFileStore(fs.getPath("/")).getAttribute("famfs:problems");
            LibraryWarnings.assertReplayProblemsWarned(Path.of(uri.getPath().replaceFirst("!.*", "")), problems);
            assertTrue(problems.stream().anyMatch(p -> p.contains(e.problem) && p.contains("log entry " + badIndex)),
                    "problem reported: " + problems);
            Path damaged = fs.getPath(e.damagedPath);
            assertEquals(e.damagedListed, Files.exists(damaged), e.damagedPath);
            if (e.damagedListed) {
                IOException ex = assertThrows(IOException.class, () -> Files.readAllBytes(damaged));
                assertTrue(ex.getMessage().contains(e.damagedPath) && ex.getMessage().contains(e.problem),
                        ex.getMessage());
            }
            Predicate<Long> served = i -> i != badIndex && (!replayStops || i < badIndex);
            int checked = 0;
            int expected = 0;
            for (JsonElement el : tree.getAsJsonArray("files")) {
                JsonObject f = el.getAsJsonObject();
                Path p = fs.getPath(f.get("path").getAsString());
                if (served.test(f.get("log_index").getAsLong())) {
                    expected++;
                    assertEquals(f.getAsJsonObject("content").get("sha256").getAsString(),
                            ReferenceImages.sha256(Files.readAllBytes(p)), p.toString());
                    checked++;
                } else if (!p.toString().equals(e.damagedPath)) {
                    assertFalse(Files.exists(p), p + " comes after the bad entry and is not served");
                }
            }
            assertEquals(expected, checked, "the rest reads right");
            assertTrue(checked >= 20, "most of the tree is still served: " + checked);
        }
    }

    @Test
    void badMagicIsNotFamfsForFileSystemsNewFileSystemOfAPath() throws Exception {
        Path img = ReferenceImages.buildCorrupt("corrupt-sb-magic", tmp);
        UnsupportedOperationException ex = assertThrows(UnsupportedOperationException.class,
                () -> new FamfsFileSystemProvider().newFileSystem(img, Map.of()).close());
        assertTrue(ex.getMessage().contains("no famfs"), ex.getMessage());
        // so that FileSystems.newFileSystem(Path) gives every provider its turn, and finds none
        assertThrows(ProviderNotFoundException.class, () -> FileSystems.newFileSystem(img, Map.of()).close());
    }
}
