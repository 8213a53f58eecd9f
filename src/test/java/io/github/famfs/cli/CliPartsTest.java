package io.github.famfs.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pieces: the §12 stream, famfs path arguments, sizes and modes, the progress bar. */
class CliPartsTest {
    @TempDir
    Path tmp;

    @Test
    void prngGivesTheReferenceVector() {
        ByteBuffer b = ByteBuffer.allocate(19);
        new Prng(42).fill(b);
        assertEquals(FamfsCliTest.VECTOR_42_19, HexFormat.of().formatHex(b.array()));
        // filled in pieces (multiples of 4, then the tail), the stream is the same
        ByteBuffer p = ByteBuffer.allocate(19);
        Prng prng = new Prng(42);
        p.limit(8);
        prng.fill(p);
        p.limit(19);
        prng.fill(p);
        assertEquals(FamfsCliTest.VECTOR_42_19, HexFormat.of().formatHex(p.array()));
        // only the low 32 bits of the seed count
        ByteBuffer q = ByteBuffer.allocate(19);
        new Prng(42 + (7L << 32)).fill(q);
        assertEquals(FamfsCliTest.VECTOR_42_19, HexFormat.of().formatHex(q.array()));
    }

    @Test
    void targetsSplitAtTheColonOfAnExistingDevice() throws Exception {
        Path odd = tmp.resolve("a:b.img");
        Files.createFile(odd);
        assertEquals(new Target(odd, "/x/y"), Target.parse(odd + ":/x/y", null));
        assertEquals(new Target(Path.of("img"), "/"), Target.parse("img:", null));
        assertEquals(new Target(Path.of("img"), "/"), Target.parse("img:/", null));
        assertEquals(new Target(Path.of("/dev/dax0.0"), "/d/f"), Target.parse("/dev/dax0.0:/d/f", null));
        assertEquals(new Target(Path.of("dev.img"), "/d"), Target.parse("d", Path.of("dev.img")));
        assertEquals(new Target(Path.of("dev.img"), "/d"), Target.parse("/d", Path.of("dev.img")));
        assertThrows(FamfsCli.UsageException.class, () -> Target.parse("plain", null));
        assertThrows(FamfsCli.UsageException.class, () -> Target.parse("a:b", null));
    }

    @Test
    void unitsReadAsPeopleWriteThem() {
        assertEquals(4L << 30, Converters.parseSize("4G"));
        assertEquals(512L << 20, Converters.parseSize("512m"));
        assertEquals(19, Converters.parseSize("19"));
        assertEquals("4G", Units.human(4L << 30));
        assertEquals("1.5M", Units.human(3L << 19));
        assertEquals("19 B", Units.iec(19));
        assertEquals("64 MiB", Units.iec(64L << 20));
        assertEquals("drwsr-sr-t", Units.modeString(07755, true));
        assertEquals("-rwSr--r-T", Units.modeString(05644, false));
        assertEquals(0755, new Converters.ModeConverter().convert("0755"));
        assertEquals(-2, new Converters.IdConverter().convert("4294967294"));
    }

    @Test
    void progressIsSilentOffATerminal() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream err = new PrintStream(bytes, true);
        try (Progress p = new Progress(err, "cp", 100)) {
            p.add(100);
        }
        assertEquals(0, bytes.size());
        // enabled (as on a terminal), it draws only after a second
        try (Progress p = new Progress(err, "cp", 100, true)) {
            p.add(50);
        }
        assertEquals(0, bytes.size());
        try (Progress p = new Progress(err, "cp", 100, true)) {
            Thread.sleep(1100);
            p.add(50);
        }
        String drawn = bytes.toString();
        assertEquals(true, drawn.startsWith("\rcp [") && drawn.contains("50%") && drawn.endsWith("\n"), drawn);
    }
}
