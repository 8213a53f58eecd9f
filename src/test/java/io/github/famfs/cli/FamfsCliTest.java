package io.github.famfs.cli;

import static io.github.famfs.cli.CliRunner.famfs;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.testing.LibraryWarnings;
import io.github.famfs.testing.ReferenceImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Every command's success output and exit status, run in-process through picocli. */
class FamfsCliTest {
    static final String MASTER = "00112233-4455-6677-8899-aabbccddeeff";
    static final String OTHER = "99999999-4455-6677-8899-aabbccddeeff";
    static final String VECTOR_42_19 = "985f52e27afb0c3df88c822b402249e5d5781c";

    @TempDir
    Path tmp;
    Path img;
    String dev;

    @BeforeEach
    void format() {
        img = tmp.resolve("famfs.img");
        dev = img.toString();
        famfs("mkfs", "--size", "64M", "--system-uuid", MASTER, dev).ok();
    }

    private static String[] w(String... args) {
        String[] out = new String[args.length + 1];
        out[0] = args[0];
        out[1] = "--system-uuid=" + MASTER;
        System.arraycopy(args, 1, out, 2, args.length - 1);
        return out;
    }

    private CliRunner.Result write(String... args) {
        return famfs(w(args));
    }

    private Path local(String name, byte[] bytes) throws Exception {
        Path p = tmp.resolve(name);
        Files.createDirectories(p.getParent());
        Files.write(p, bytes);
        return p;
    }

    // ---- help and usage

    @Test
    void topLevelHelpDocumentsBothWaysOfNamingFiles() {
        CliRunner.Result r = famfs("--help").ok();
        assertTrue(r.out().contains("DEVICE:/path"), r::toString);
        assertTrue(r.out().contains("--device DEVICE /path"), r::toString);
        assertTrue(r.out().contains("quickstart"), r::toString);
        assertTrue(famfs("--version").ok().out().startsWith("famfs (famfs-nio)"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"mkfs", "fsck", "mkdir", "cp", "creat", "verify", "getmap", "logplay", "ls", "stat",
        "cat", "get", "df", "quickstart"})
    void everyCommandHasHelp(String command) {
        CliRunner.Result r = famfs(command, "--help").ok();
        assertTrue(r.out().contains("Usage: famfs " + command), r::toString);
        assertTrue(r.out().contains("--help"), r::toString);
        assertTrue(r.err().isEmpty(), r::toString);
    }

    @Test
    void usageErrorsAreOneLineWithStatus2() {
        famfs().fails(2, "no command given");
        famfs("frobnicate").fails(2, "Unmatched argument");
        famfs("ls").fails(2, "Missing required parameter");
        famfs("ls", "-Z", dev + ":/").fails(2, "Unknown option");
        famfs("ls", "no-colon-here").fails(2, "does not name a file in a famfs");
        famfs("creat", "-m", "999", "-s", "1", dev + ":/f").fails(2, "not an octal mode");
        famfs("creat", "-u", "bob", "-s", "1", dev + ":/f").fails(2, "not a numeric id");
    }

    // ---- mkfs

    @Test
    void mkfsFormatsAndReportsTheLayout() {
        Path other = tmp.resolve("other.img");
        CliRunner.Result r = famfs("mkfs", "-s", "32M", "-l", "16M", "--system-uuid", MASTER, other.toString()).ok();
        assertTrue(r.out().contains("formatted " + other), r::toString);
        assertTrue(r.out().contains("30840 entries"), r::toString);
        assertTrue(r.out().contains("file data from 0x1200000"), r::toString);
        assertTrue(r.out().contains("master system uuid " + MASTER + " (this host: master)"), r::toString);
        CliRunner.Result df = famfs("df", other.toString()).ok();
        assertTrue(df.out().contains("0/30840"), df::toString);
    }

    @Test
    void mkfsRefusesAnExistingFamfsUnlessForced() throws Exception {
        write("mkdir", dev + ":/keep").ok();
        famfs("mkfs", "--system-uuid", MASTER, dev).fails(1, "already holds a famfs");
        assertTrue(famfs("ls", dev + ":/").ok().out().contains("keep/"));
        famfs("mkfs", "-f", "--system-uuid", MASTER, dev).ok();
        assertEquals("", famfs("ls", dev + ":/").ok().out());
    }

    @Test
    void mkfsKillZeroesOnlyTheMagic() throws Exception {
        byte[] before = Files.readAllBytes(img);
        CliRunner.Result k = famfs("mkfs", "-k", "-f", dev).ok();
        assertTrue(k.out().contains("killed"), k::toString);
        byte[] after = Files.readAllBytes(img);
        assertArrayEquals(new byte[8], java.util.Arrays.copyOf(after, 8));
        assertArrayEquals(java.util.Arrays.copyOfRange(before, 8, before.length),
                java.util.Arrays.copyOfRange(after, 8, after.length));
        famfs("ls", dev + ":/").fails(1, "holds no famfs");
        // with the magic gone, mkfs needs no -f; -k without -f is ignored with a warning
        CliRunner.Result again = famfs("mkfs", "-k", "--system-uuid", MASTER, dev).ok();
        assertTrue(again.err().contains("-k without -f is ignored"), again::toString);
        famfs("ls", dev + ":/").ok();
    }

    // ---- mkdir

    @Test
    void mkdirRecordsModeAndIds() {
        write("mkdir", "-m", "0700", "-u", "1234", "-g", "4294967294", dev + ":/private").ok();
        CliRunner.Result st = famfs("stat", dev + ":/private").ok();
        assertTrue(st.out().contains("Mode: 0700 (drwx------)"), st::toString);
        assertTrue(st.out().contains("Uid: 1234"), st::toString);
        assertTrue(st.out().contains("Gid: 4294967294"), st::toString);
        assertTrue(st.out().contains("Type: directory"), st::toString);
    }

    @Test
    void mkdirParentsMakesEveryLevelOnce() {
        write("mkdir", "-p", dev + ":/a/b/c").ok();
        write("mkdir", "-p", dev + ":/a/b/c").ok();
        write("mkdir", "-p", "--device", dev, "/a/b/d", "a/e").ok();
        CliRunner.Result ls = famfs("ls", "-R", dev + ":/a").ok();
        assertTrue(ls.out().contains("/a/b:\nc/\nd/\n"), ls::toString);
        assertTrue(ls.out().contains("e/"), ls::toString);
        CliRunner.Result df = famfs("df", dev).ok();
        assertTrue(df.out().contains("5/15420"), df::toString);
        write("mkdir", dev + ":/x/y").fails(1, "parent directory /x does not exist");
    }

    // ---- creat, verify, cat

    @Test
    void creatRandomizeWritesTheReferenceVector() {
        write("creat", "-s", "19", "-r", "-S", "42", dev + ":/v").ok();
        CliRunner.Result cat = famfs("cat", dev + ":/v").ok();
        assertEquals(VECTOR_42_19, HexFormat.of().formatHex(cat.stdout()));
        CliRunner.Result v = famfs("verify", "-S", "42", "-f", dev + ":/v").ok();
        assertTrue(v.out().contains("19 bytes verified against seed 42"), v::toString);
        famfs("verify", "-S", "43", "-f", dev + ":/v").fails(1, "mismatch at offset 0");
        // the seed is 32-bit, as in the reference: 42 + 2^32 is 42
        famfs("verify", "-S", Long.toString(42 + (1L << 32)), "-f", dev + ":/v").ok();
    }

    @Test
    void creatFillsLargeFilesAndVerifyFindsTheFirstBadWord() throws Exception {
        write("creat", "-s", "5M", "-r", "-S", "7", dev + ":/big").ok();
        famfs("verify", "-S", "7", "--device", dev, "-f", "/big").ok();
        // a byte changed in the image is found at its 4-byte word
        String map = famfs("getmap", dev + ":/big").ok().out();
        Matcher m = Pattern.compile("offset 0x([0-9a-f]+)").matcher(map);
        assertTrue(m.find(), map);
        long devOff = Long.parseLong(m.group(1), 16);
        try (var ch = java.nio.channels.FileChannel.open(img, java.nio.file.StandardOpenOption.WRITE)) {
            ch.write(java.nio.ByteBuffer.wrap(new byte[] {0x55}), devOff + 3_000_001);
        }
        famfs("verify", "-S", "7", "-f", dev + ":/big").fails(1, "mismatch at offset 3000000");
    }

    @Test
    void creatWithoutRandomizeZeroesAndKeepsExistingFiles() {
        write("creat", "-s", "3k", "-m", "0600", "-u", "7", "-g", "8", dev + ":/z").ok();
        CliRunner.Result cat = famfs("cat", dev + ":/z").ok();
        assertArrayEquals(new byte[3072], cat.stdout());
        CliRunner.Result ls = famfs("ls", "-l", dev + ":/z").ok();
        assertTrue(ls.out().startsWith("-rw-------      7      8         3072  1 extent 2M"), ls::toString);
        write("creat", "-s", "3k", dev + ":/z").ok(); // same size: nothing to do
        write("creat", "-r", "-S", "42", dev + ":/z").ok(); // no -s: re-randomize at its size
        famfs("verify", "-S", "42", "-f", dev + ":/z").ok();
        assertTrue(famfs("df", dev).ok().out().contains("1/15420"));
    }

    @Test
    void creatOptionsThatDoNotGoTogether() {
        write("creat", "-S", "4", "-s", "1", dev + ":/f").fails(2, "-S SEED goes with -r");
        write("creat", "-r", "-s", "1", dev + ":/f").fails(2, "-r needs -S");
        write("creat", "-s", "0", dev + ":/f").fails(2, "more than 0");
        write("creat", dev + ":/f").fails(1, "give -s SIZE");
        write("creat", "-s", "1", "-B", "2", dev + ":/f").fails(2, "need -N");
    }

    @Test
    void catConcatenatesFiles() throws Exception {
        write("cp", local("a.txt", "hello ".getBytes()).toString(), dev + ":/a").ok();
        write("cp", local("b.txt", "famfs\n".getBytes()).toString(), dev + ":/b").ok();
        assertEquals("hello famfs\n", famfs("cat", dev + ":/a", dev + ":/b").ok().out());
        assertEquals("famfs\n", famfs("cat", "--device", dev, "/b").ok().out());
    }

    // ---- cp

    @Test
    void cpCopiesFilesWithTheirModeOrTheGivenOne() throws Exception {
        Path src = local("s/script.sh", "#!/bin/sh\necho hi\n".getBytes());
        Files.setPosixFilePermissions(src, PosixFilePermissions.fromString("rwxr-x---"));
        CliRunner.Result r = write("cp", src.toString(), dev + ":/script.sh").ok();
        assertTrue(r.out().startsWith("copied 1 file (18 B)"), r::toString);
        assertTrue(famfs("ls", "-l", dev + ":/script.sh").ok().out().startsWith("-rwxr-x---"));
        write("mkdir", dev + ":/d").ok();
        write("cp", "-m", "0444", "-u", "10", "-g", "20", src.toString(), dev + ":/d").ok();
        CliRunner.Result ls = famfs("ls", "-l", dev + ":/d").ok();
        assertTrue(ls.out().startsWith("-r--r--r--     10     20           18"), ls::toString);
        assertTrue(ls.out().strip().endsWith("script.sh"), ls::toString);
        assertEquals("#!/bin/sh\necho hi\n", famfs("cat", dev + ":/d/script.sh").ok().out());
    }

    @Test
    void cpOfSeveralFilesNeedsADirectory() throws Exception {
        Path a = local("a", new byte[] {1});
        Path b = local("b", new byte[] {2});
        write("cp", a.toString(), b.toString(), dev + ":/nodir").fails(1, "no such directory");
        write("mkdir", dev + ":/dir").ok();
        write("cp", a.toString(), b.toString(), dev + ":/dir").ok();
        assertEquals("a\nb\n", famfs("ls", dev + ":/dir").ok().out());
    }

    @Test
    void cpRestartsASameSizeTargetInPlaceAndRefusesAnotherSize() throws Exception {
        Path a = local("a", "version-1".getBytes());
        write("cp", a.toString(), dev + ":/f").ok();
        Files.write(a, "version-2".getBytes());
        write("cp", a.toString(), dev + ":/f").ok();
        assertEquals("version-2", famfs("cat", dev + ":/f").ok().out());
        assertTrue(famfs("df", dev).ok().out().contains("1/15420"), "no second log entry");
        Files.write(a, "longer version".getBytes());
        write("cp", a.toString(), dev + ":/f").fails(1, "exists with 9 bytes");
    }

    @Test
    void cpSkipsEmptyFilesAndReportsDirectoriesWithoutR() throws Exception {
        Path empty = local("t/empty", new byte[0]);
        local("t/full", new byte[] {1, 2, 3});
        CliRunner.Result r = write("cp", empty.toString(), dev + ":/e").ok();
        assertTrue(r.err().contains("skipped: empty"), r::toString);
        famfs("stat", dev + ":/e").fails(1, "no such file");
        write("cp", tmp.resolve("t").toString(), dev + ":/t").fails(1, "is a directory (use -r)");
        CliRunner.Result rr = write("cp", "-r", tmp.resolve("t").toString(), dev + ":/t").ok();
        assertTrue(rr.out().contains("copied 1 file") && rr.out().contains("skipped 1 empty"), rr::toString);
        assertEquals("full\n", famfs("ls", dev + ":/t").ok().out());
    }

    @Test
    void cpRecursiveFollowsTheReferenceLayout() throws Exception {
        local("tree/top.txt", "top".getBytes());
        local("tree/sub/inner.txt", "inner".getBytes());
        Files.setPosixFilePermissions(tmp.resolve("tree/sub"), PosixFilePermissions.fromString("rwx------"));
        Path tree = tmp.resolve("tree");
        // DEST missing: made, and the contents go into it
        write("cp", "-r", tree.toString(), dev + ":/copy").ok();
        assertEquals("sub/\ntop.txt\n", famfs("ls", dev + ":/copy").ok().out());
        assertTrue(famfs("ls", "-l", dev + ":/copy").ok().out().startsWith("drwx------"));
        // DEST exists: the contents go straight into it, as the reference's cp -r does
        write("mkdir", dev + ":/existing").ok();
        write("cp", "-r", tree.toString(), dev + ":/existing").ok();
        assertEquals("inner", famfs("cat", dev + ":/existing/sub/inner.txt").ok().out());
        famfs("fsck", dev).ok();
    }

    @Test
    void cpFromFamfsToFamfs() throws Exception {
        write("creat", "-s", "5M", "-r", "-S", "3", "-m", "0600", dev + ":/orig").ok();
        write("mkdir", dev + ":/d").ok();
        write("cp", dev + ":/orig", dev + ":/d/copy").ok();
        famfs("verify", "-S", "3", "-f", dev + ":/d/copy").ok();
        assertTrue(famfs("ls", "-l", dev + ":/d/copy").ok().out().startsWith("-rw-------"));
        write("cp", "-r", dev + ":/d", dev + ":/d/inner").fails(2, "into itself");
        Path other = tmp.resolve("other.img");
        famfs("mkfs", "--size", "32M", "--system-uuid", MASTER, other.toString()).ok();
        write("cp", "-r", dev + ":/d", other + ":/d2").ok();
        famfs("verify", "-S", "3", "-f", other + ":/d2/copy").ok();
        famfs("fsck", dev).ok();
        famfs("fsck", other.toString()).ok();
    }

    @Test
    void cpInterleavedOnABigSparseImage() throws Exception {
        Path big = tmp.resolve("big.img");
        famfs("mkfs", "--size", "4G", "--system-uuid", MASTER, big.toString()).ok();
        byte[] data = new byte[9 << 20];
        new java.util.Random(5).nextBytes(data);
        Path src = local("data.bin", data);
        write("cp", "-N", "3", "-B", "4", "-C", "2M", src.toString(), big + ":/striped").ok();
        CliRunner.Result map = famfs("getmap", big + ":/striped").ok();
        assertTrue(map.out().contains("interleaved map: 3 strips, chunk size 0x200000 (2M)"), map::toString);
        assertEquals(3, map.out().lines().filter(l -> l.contains("strip ")).count(), map::toString);
        assertArrayEquals(data, famfs("cat", big + ":/striped").ok().stdout());
        assertTrue(famfs("ls", "-l", big + ":/").ok().out().contains("3 strips x 4M, chunk 2M"));
        famfs("fsck", big.toString()).ok();
    }

    // ---- getmap, stat, ls, get, df, logplay, fsck

    @Test
    void getmapAndStatShowTheExtents() throws Exception {
        write("creat", "-s", "3M", dev + ":/f").ok();
        CliRunner.Result g = famfs("getmap", dev + ":/f").ok();
        assertTrue(g.out().startsWith("/f: size 3145728, simple map: 1 extent, 4194304 bytes allocated\n"
                + "  extent 0: devindex 0, offset 0xa00000, length 0x400000 (4M)"), g::toString);
        CliRunner.Result s = famfs("stat", dev + ":/f").ok();
        assertTrue(s.out().contains("Size: 3145728 (3M)   Allocated: 4194304 (4M)"), s::toString);
        assertTrue(s.out().contains("Log entry: 0   Flags: 2"), s::toString);
        famfs("getmap", dev + ":/").fails(1, "is a directory");
    }

    @Test
    void lsListsInNameOrder() throws Exception {
        write("mkdir", dev + ":/b").ok();
        write("creat", "-s", "1", dev + ":/a").ok();
        write("creat", "-s", "1", dev + ":/b/c").ok();
        assertEquals("a\nb/\n", famfs("ls", dev + ":").ok().out());
        assertEquals("/:\na\nb/\n\n/b:\nc\n", famfs("ls", "-R", dev + ":/").ok().out());
        assertEquals("/a\n", famfs("ls", dev + ":/a").ok().out());
        List<String> lines = famfs("ls", "-l", dev + ":/").ok().out().lines().toList();
        assertTrue(lines.get(0).matches("-rw-r--r-- +\\d+ +\\d+ +1  1 extent 2M +a"), lines::toString);
        assertTrue(lines.get(1).matches("drwxr-xr-x +\\d+ +\\d+ +-  - +b/"), lines::toString);
    }

    @Test
    void getCopiesOutFilesAndTrees() throws Exception {
        write("mkdir", "-p", dev + ":/d/e").ok();
        write("creat", "-s", "100k", "-r", "-S", "9", "-m", "0640", dev + ":/d/e/f").ok();
        Path out = tmp.resolve("out");
        Files.createDirectory(out);
        CliRunner.Result r = famfs("get", "-r", dev + ":/d", out.toString()).ok();
        assertTrue(r.out().startsWith("copied 1 file (100 KiB)"), r::toString);
        byte[] got = Files.readAllBytes(out.resolve("d/e/f"));
        assertArrayEquals(famfs("cat", dev + ":/d/e/f").ok().stdout(), got);
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(out.resolve("d/e/f"))));
        famfs("get", dev + ":/d/e/f", out.resolve("d/e/f").toString()).fails(1, "exists (-f overwrites)");
        famfs("get", "-f", dev + ":/d/e/f", out.resolve("d/e/f").toString()).ok();
        famfs("get", dev + ":/d", out.toString()).fails(1, "is a directory (use -r)");
    }

    @Test
    void dfShowsSpaceLogAndRole() throws Exception {
        write("creat", "-s", "5M", dev + ":/f").ok();
        CliRunner.Result df = famfs("df", "--system-uuid", MASTER, dev).ok();
        List<String> lines = df.out().lines().toList();
        assertTrue(lines.get(0).contains("Size") && lines.get(0).contains("Role"), df::toString);
        assertTrue(lines.get(1).matches(" +64M +16M +48M +25% +1/15420 +1 +0  master +" + Pattern.quote(dev)),
                df::toString);
        assertTrue(famfs("df", "--system-uuid", OTHER, dev).ok().out().contains("client"));
    }

    @Test
    void logplayPrintsEntriesAndNeverWrites() throws Exception {
        write("mkdir", dev + ":/d").ok();
        write("creat", "-s", "1", dev + ":/d/f").ok();
        write("creat", "-s", "2M", "-N", "1", "-B", "1", dev + ":/g").fails(1, "at least 1 GiB per bucket");
        byte[] before = Files.readAllBytes(img);
        CliRunner.Result all = famfs("logplay", "-n", dev).ok();
        assertTrue(all.out().contains("(dry run)"), all::toString);
        assertTrue(all.out().contains("     0  MKDIR  d  mode 0755"), all::toString);
        assertTrue(all.out().contains("     1  FILE   d/f  size 1, mode 0644"), all::toString);
        assertTrue(all.out().contains("2 entries: 2 played"), all::toString);
        CliRunner.Result from = famfs("logplay", "--from", "1", "-v", dev).ok();
        assertFalse(from.out().contains("MKDIR"), from::toString);
        assertTrue(from.out().contains("map: size 1, simple map: 1 extent"), from::toString);
        assertArrayEquals(before, Files.readAllBytes(img), "logplay wrote to the image");
    }

    @Test
    void fsckReportsACleanImage() throws Exception {
        write("mkdir", dev + ":/d").ok();
        CliRunner.Result r = famfs("fsck", dev).ok();
        assertTrue(r.out().contains("0 files, 1 directories"), r::toString);
        assertTrue(r.out().strip().endsWith("clean"), r::toString);
        CliRunner.Result v = famfs("fsck", "-v", "--device", dev).ok();
        assertTrue(v.out().contains("MKDIR  d"), v::toString);
    }

    @Test
    void fsckExitStatusIsTheNumberOfCollisions() throws Exception {
        Path overlap = ReferenceImages.buildCorrupt("corrupt-overlap", tmp);
        CliRunner.Result r = famfs("fsck", overlap.toString());
        assertEquals(2, r.status(), r::toString);
        assertTrue(r.out().contains("ALLOCATION COLLISIONS"), r::toString);
        assertTrue(r.out().contains("NOT clean"), r::toString);
        // the library warns of the replay problems of a damaged device it opens (the CLI runs in this JVM)
        assertTrue(LibraryWarnings.expect(overlap + ": ").stream().anyMatch(w -> w.contains("cross-linked")));
        // other damage (bad entries, invalid maps) exits 128, so that 'famfs fsck && ...' stops on it
        Path badCrc = ReferenceImages.buildCorrupt("corrupt-entry-crc", tmp);
        CliRunner.Result b = famfs("fsck", badCrc.toString());
        assertEquals(FsckCommand.DAMAGED, b.status(), b::toString);
        assertTrue(b.out().contains("1 bad log entries") && b.out().contains("NOT clean"), b::toString);
        assertTrue(LibraryWarnings.expect(badCrc + ": ").stream().anyMatch(w -> w.contains("CRC mismatch")));
        Path pastEnd = ReferenceImages.buildCorrupt("corrupt-extent-past-end", tmp);
        CliRunner.Result p = famfs("fsck", pastEnd.toString());
        assertEquals(FsckCommand.DAMAGED, p.status(), p::toString);
        assertTrue(p.out().contains("invalid file maps") && p.out().contains("past the end of the device"),
                p::toString);
        LibraryWarnings.expect(pastEnd + ": 1 replay problem(s)");
        CliRunner.Result ls = famfs("ls", "-l", pastEnd + ":/a/b");
        assertTrue(ls.out().contains("INVALID MAP"), ls::toString);
        assertTrue(ls.err().contains("replay problem(s)") && ls.err().lines().count() == 1, ls::toString);
        LibraryWarnings.expect(pastEnd + ": ");
        famfs("fsck", tmp.resolve("absent.img").toString()).fails(FsckCommand.CANNOT_CHECK, "no such famfs device");
    }

    /** Like coreutils: a missing or bad argument is one line on stderr, the others are still done, exit 1. */
    @Test
    void severalPathsGoOnPastAMissingOne() throws Exception {
        write("mkdir", dev + ":/a", dev + ":/b").ok();
        write("cp", local("x.txt", "hello".getBytes()).toString(), dev + ":/a/x.txt").ok();
        CliRunner.Result ls = famfs("ls", dev + ":/missing", dev + ":/a", dev + ":/b/nope", dev + ":/b");
        assertEquals(FamfsCli.FAILED, ls.status(), ls::toString);
        assertTrue(ls.out().contains("x.txt") && ls.out().contains("/b:"), ls::toString);
        assertEquals(2, ls.err().lines().count(), ls::toString);
        assertTrue(ls.err().contains("/missing") && ls.err().contains("/b/nope"), ls::toString);
        CliRunner.Result stat = famfs("stat", dev + ":/nope", dev + ":/a/x.txt");
        assertEquals(FamfsCli.FAILED, stat.status(), stat::toString);
        assertTrue(stat.out().contains("Size: 5"), stat::toString);
        CliRunner.Result cat = famfs("cat", dev + ":/nope", dev + ":/a", dev + ":/a/x.txt");
        assertEquals(FamfsCli.FAILED, cat.status(), cat::toString);
        assertEquals("hello", cat.out(), cat::toString);
        assertEquals(2, cat.err().lines().count(), cat::toString);
        CliRunner.Result map = famfs("getmap", dev + ":/a", dev + ":/a/x.txt");
        assertEquals(FamfsCli.FAILED, map.status(), map::toString);
        assertTrue(map.out().contains("simple map: 1 extent"), map::toString);
        CliRunner.Result mk = write("mkdir", dev + ":/a", dev + ":/c");
        assertEquals(FamfsCli.FAILED, mk.status(), mk::toString);
        assertTrue(famfs("ls", dev + ":/").ok().out().contains("c/"), "the second mkdir was done");
    }

    @Test
    void devicePathsWithSpacesAndColons() throws Exception {
        Path odd = tmp.resolve("with space:and colon.img");
        famfs("mkfs", "--size", "32M", "--system-uuid", MASTER, odd.toString()).ok();
        write("mkdir", odd + ":/d").ok();
        assertEquals("d/\n", famfs("ls", odd + ":/").ok().out());
        assertEquals("d/\n", famfs("ls", "--device", odd.toString(), "/").ok().out());
        famfs("fsck", odd.toString()).ok();
        // the library's own by-path fsck takes such paths too
        assertTrue(io.github.famfs.nio.FamfsFsck.check(odd).isClean());
    }

    @Test
    void readsReferenceImages() {
        Path tree = ReferenceImages.image("tree");
        CliRunner.Result r = famfs("ls", "-lR", tree + ":/").ok();
        assertTrue(r.out().contains("a/"), r::toString);
        famfs("fsck", tree.toString()).ok();
        Path striped = ReferenceImages.image("striped");
        CliRunner.Result s = famfs("logplay", striped.toString()).ok();
        assertTrue(s.out().contains("strips x"), s::toString);
    }
}
