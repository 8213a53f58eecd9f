package io.github.famfs.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.lang.module.ModuleDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The famfs command line works through the public API only: no compiled class of io.github.famfs.cli names a
 * type of a package the module does not export (read from the class files' constant pools, where every class,
 * field and method type a class uses is written).
 */
class CliPublicApiTest {
    private static final Pattern FAMFS_PACKAGE = Pattern.compile("io[/.]github[/.]famfs[/.]([a-z0-9_]+)");

    @Test
    void cliClassesReferenceOnlyExportedPackages() throws Exception {
        Path classes = Path.of("target", "classes");
        ModuleDescriptor module;
        try (InputStream in = Files.newInputStream(classes.resolve("module-info.class"))) {
            module = ModuleDescriptor.read(in);
        }
        Set<String> allowed = module.exports().stream().filter(e -> !e.isQualified())
                .map(e -> e.source().substring("io.github.famfs.".length())).collect(Collectors.toSet());
        assertEquals(Set.of("nio", "format", "pcq", "arrow", "lucene"), allowed,
                "the exported packages this test knows");
        List<Path> cli;
        try (Stream<Path> s = Files.list(classes.resolve("io/github/famfs/cli"))) {
            cli = s.filter(p -> p.toString().endsWith(".class")).sorted().collect(Collectors.toList());
        }
        assertTrue(cli.size() > 20, "the CLI's classes are compiled: " + cli.size());
        List<String> violations = new ArrayList<>();
        for (Path c : cli) {
            Set<String> used = new TreeSet<>();
            for (String s : utf8Constants(c)) {
                Matcher m = FAMFS_PACKAGE.matcher(s);
                while (m.find()) {
                    String pkg = m.group(1);
                    if (!pkg.equals("cli") && !allowed.contains(pkg)) {
                        used.add(s);
                    }
                }
            }
            if (!used.isEmpty()) {
                violations.add(c.getFileName() + " -> " + used);
            }
        }
        assertTrue(violations.isEmpty(), "CLI classes that use non-exported packages: " + violations);
    }

    @Test
    void theScanSeesWhatAClassUses() throws Exception {
        // this test's own class file names org/junit and java/nio types: the parser must find them
        Path self = Path.of("target", "test-classes", "io/github/famfs/packaging/CliPublicApiTest.class");
        List<String> constants = utf8Constants(self);
        assertTrue(constants.contains("org/junit/jupiter/api/Test") || constants.contains("Lorg/junit/jupiter/api/Test;"),
                constants.toString());
        assertTrue(constants.stream().anyMatch(s -> s.contains("java/lang/module/ModuleDescriptor")));
        assertFalse(constants.isEmpty());
    }

    /** Every CONSTANT_Utf8 of a class file: class names, descriptors, signatures, names, strings. */
    static List<String> utf8Constants(Path classFile) throws IOException {
        List<String> out = new ArrayList<>();
        try (DataInputStream in = new DataInputStream(Files.newInputStream(classFile))) {
            if (in.readInt() != 0xCAFEBABE) {
                throw new IOException(classFile + " is not a class file");
            }
            in.readUnsignedShort();
            in.readUnsignedShort();
            int count = in.readUnsignedShort();
            for (int i = 1; i < count; i++) {
                int tag = in.readUnsignedByte();
                switch (tag) {
                    case 1 -> out.add(in.readUTF());
                    case 3, 4 -> in.skipBytes(4);
                    case 5, 6 -> {
                        in.skipBytes(8);
                        i++;
                    }
                    case 7, 8, 16, 19, 20 -> in.skipBytes(2);
                    case 9, 10, 11, 12, 17, 18 -> in.skipBytes(4);
                    case 15 -> in.skipBytes(3);
                    default -> throw new IOException(classFile + ": unknown constant pool tag " + tag + " at " + i);
                }
            }
        }
        return out;
    }
}
