package io.github.famfs.bench;

import io.github.famfs.format.Extent;
import io.github.famfs.format.FileEntry;
import io.github.famfs.format.Layout;
import io.github.famfs.format.LogHeader;
import io.github.famfs.format.MkdirEntry;
import io.github.famfs.format.SimpleMap;
import io.github.famfs.format.Superblock;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Makes the files the benchmarks read, under {@link #DIR} ({@code /dev/shm/famfs-bench} unless the system property
 * {@code famfs.bench.dir} says otherwise): famfs images written with the project's format codecs, and the same
 * bytes as plain files for the JDK's default provider.
 *
 * <p>There is no famfs writer API yet, so an image is laid out here by hand, as mkfs, mkdir and cp of the
 * reference would leave it: the superblock at 0, the 8 MiB log at 0x200000 (header, then one 544-byte entry per
 * directory and file, directories before the files in them), and each file's data in one simple extent at a
 * 2 MiB-aligned device offset at or after the end of the log, its length rounded up to 2 MiB, no overlaps. The
 * image file is exactly the device size (sparse where no data was written).
 *
 * <p>File content is the pattern of the reference images: the file with id F holds the first {@code size} bytes
 * of a stream of 32-byte ASCII records, the record at file offset o being {@code "%08x %016x famfs\n"} of (F, o).
 *
 * <p>Every file is written under a temporary name and renamed into place, so a file that is present with the
 * expected size is complete and is reused by later runs.
 */
public final class BenchImages {
    private BenchImages() {}

    /** Where every benchmark file lives. */
    public static final Path DIR = Path.of(System.getProperty("famfs.bench.dir", "/dev/shm/famfs-bench"));
    /** The reference images (full-log.img.gz is unpacked from here). */
    public static final Path REFERENCE_IMAGES = Path.of(System.getProperty("famfs.images",
            "/work/shared/famfs-images"));

    public static final long KiB = 1L << 10;
    public static final long MiB = 1L << 20;
    public static final long GiB = 1L << 30;
    public static final long LOG_LEN = Layout.DEFAULT_LOG_LEN;
    private static final long UNIT = Layout.ALLOC_UNIT;
    private static final int RECORD = 32;
    private static final int WRITE_CHUNK = 8 << 20;

    /** The superblock's system UUID: no host has it, so every benchmark mounts the image as a (read-only) client. */
    static final UUID SYSTEM_UUID = UUID.nameUUIDFromBytes("famfs-nio-bench system".getBytes(StandardCharsets.UTF_8));

    /** A file to put in an image: its path relative to the root, size, and content id (see the class comment). */
    public record FileSpec(String relpath, long size, int fileId) {}

    // ------------------------------------------------------------------------------------------------ the data sets

    /** The sequential-read data set: a 1 GiB file in a famfs image and the same bytes as a plain file. */
    public record Sequential(Path image, String famfsPath, Path plain, long size) {}

    public static final String SEQ_DIR = "seq";
    public static final String SEQ_FILE = SEQ_DIR + "/data-1g";

    /** Makes (or reuses) {@code seq-1g.img} and {@code seq-1g.plain}: about 2 GiB of /dev/shm, slow to make. */
    public static Sequential sequential() throws IOException {
        long size = GiB;
        FileSpec f = new FileSpec(SEQ_FILE, size, 1);
        Path image = DIR.resolve("seq-1g.img");
        Path plain = DIR.resolve("seq-1g.plain");
        ensureImage(image, List.of(SEQ_DIR), List.of(f));
        ensurePlain(plain, f);
        return new Sequential(image, "/" + SEQ_FILE, plain, size);
    }

    /** The small-file data set: {@code count} files of {@code size} bytes, in a famfs image and as plain files. */
    public record SmallFiles(Path image, List<String> famfsPaths, Path plainDir, List<Path> plainPaths) {}

    public static final String SMALL_DIR = "small";

    /** Makes (or reuses) {@code small-<count>x<size>.img} and the directory {@code small-<count>x<size>/}. */
    public static SmallFiles smallFiles(int count, int size) throws IOException {
        String tag = "small-" + count + "x" + size;
        Path image = DIR.resolve(tag + ".img");
        Path plainDir = DIR.resolve(tag);
        List<FileSpec> specs = new ArrayList<>(count);
        List<String> famfsPaths = new ArrayList<>(count);
        List<Path> plainPaths = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String name = String.format("f%05d", i);
            specs.add(new FileSpec(SMALL_DIR + "/" + name, size, 100 + i));
            famfsPaths.add("/" + SMALL_DIR + "/" + name);
            plainPaths.add(plainDir.resolve(name));
        }
        ensureImage(image, List.of(SMALL_DIR), specs);
        Files.createDirectories(plainDir);
        for (int i = 0; i < count; i++) {
            ensurePlain(plainPaths.get(i), specs.get(i));
        }
        return new SmallFiles(image, List.copyOf(famfsPaths), plainDir, List.copyOf(plainPaths));
    }

    public static final long FULL_LOG_SIZE = 64 * MiB;
    public static final int FULL_LOG_ENTRIES = 15420;

    /** The reference image whose log is full (15420 entries), unpacked to {@code full-log.img}. */
    public static Path fullLogImage() throws IOException {
        Path image = DIR.resolve("full-log.img");
        if (present(image, FULL_LOG_SIZE)) {
            return image;
        }
        Path gz = REFERENCE_IMAGES.resolve("full-log.img.gz");
        Files.createDirectories(DIR);
        Path tmp = temporary(image);
        try (InputStream in = new GZIPInputStream(Files.newInputStream(gz), 1 << 16)) {
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
        }
        if (Files.size(tmp) != FULL_LOG_SIZE) {
            Files.delete(tmp);
            throw new IOException(gz + " unpacks to " + Files.size(tmp) + " bytes, expected " + FULL_LOG_SIZE);
        }
        Files.move(tmp, image, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return image;
    }

    /**
     * A zip ({@code full-log.zip}) holding the same tree as the full-log image (every directory as an entry, every
     * file with its content), read out of the image through famfs-nio: the JDK-side reference for mounting.
     */
    public static Path fullLogZip(Path image) throws IOException {
        Path zip = DIR.resolve("full-log.zip");
        if (Files.isRegularFile(zip)) {
            return zip;
        }
        Path tmp = temporary(zip);
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + image), Map.of());
                OutputStream out = Files.newOutputStream(tmp);
                ZipOutputStream zos = new ZipOutputStream(out);
                Stream<Path> walk = Files.walk(fs.getPath("/"))) {
            zos.setLevel(1);
            for (Path p : (Iterable<Path>) walk::iterator) {
                if (p.getNameCount() == 0) {
                    continue;
                }
                String name = p.toString().substring(1);
                if (Files.isDirectory(p)) {
                    zos.putNextEntry(new ZipEntry(name + "/"));
                } else {
                    zos.putNextEntry(new ZipEntry(name));
                    Files.copy(p, zos);
                }
                zos.closeEntry();
            }
        }
        Files.move(tmp, zip, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        return zip;
    }

    // ----------------------------------------------------------------------------------------------------- writing

    /** Device bytes an image of these files needs: superblock area, log, then each file in whole 2 MiB units. */
    public static long deviceSize(List<FileSpec> files) {
        long end = Layout.LOG_OFFSET + LOG_LEN;
        for (FileSpec f : files) {
            end += allocated(f.size());
        }
        return end;
    }

    private static long allocated(long size) {
        return Math.max(UNIT, (size + UNIT - 1) / UNIT * UNIT);
    }

    /** Writes the image unless a file of the right size is already there. */
    public static void ensureImage(Path image, List<String> dirs, List<FileSpec> files) throws IOException {
        if (!present(image, deviceSize(files))) {
            writeImage(image, dirs, files);
        }
    }

    /** Writes the plain copy of {@code f} unless a file of the right size is already there. */
    public static void ensurePlain(Path plain, FileSpec f) throws IOException {
        if (present(plain, f.size())) {
            return;
        }
        Files.createDirectories(plain.getParent());
        Path tmp = temporary(plain);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            writeContent(ch, 0, f);
        }
        Files.move(tmp, plain, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /**
     * Writes a famfs image holding {@code dirs} (relative paths, parents first) and {@code files} (whose parent
     * directories must be among {@code dirs}, or the root).
     */
    public static void writeImage(Path image, List<String> dirs, List<FileSpec> files) throws IOException {
        long capacity = Layout.lastIndexFor(LOG_LEN) + 1;
        int entries = dirs.size() + files.size();
        if (entries > capacity) {
            throw new IllegalArgumentException(entries + " log entries do not fit an " + LOG_LEN + "-byte log ("
                    + capacity + " slots)");
        }
        long deviceSize = deviceSize(files);
        Files.createDirectories(image.getParent());
        Path tmp = temporary(image);
        try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING,
                StandardOpenOption.WRITE)) {
            String seed = image.getFileName().toString();
            Superblock sb = Superblock.create(LOG_LEN, uuid(seed + " uuid"), uuid(seed + " device"), SYSTEM_UUID,
                    deviceSize, "/dev/dax0.0");
            ByteBuffer sbBytes = ByteBuffer.allocate(Layout.SUPERBLOCK_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            sb.encode(sbBytes);
            writeFully(ch, sbBytes, 0);

            ByteBuffer header = ByteBuffer.allocate(Layout.LOG_HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            new LogHeader(Layout.LOG_MAGIC, LOG_LEN, Layout.lastIndexFor(LOG_LEN), 0, entries, entries)
                    .encode(header);
            writeFully(ch, header, Layout.LOG_OFFSET);

            int index = 0;
            for (String d : dirs) {
                ByteBuffer e = new MkdirEntry(index, 0, 0, 0755, d.getBytes(StandardCharsets.UTF_8)).encode();
                writeFully(ch, e.clear(), Layout.entryOffset(index));
                index++;
            }
            long dataOffset = Layout.LOG_OFFSET + LOG_LEN;
            for (FileSpec f : files) {
                long len = allocated(f.size());
                ByteBuffer e = new FileEntry(index, f.size(), 2, 0, 0, 0644, f.relpath().getBytes(StandardCharsets.UTF_8),
                        new SimpleMap(List.of(new Extent(dataOffset, len)))).encode();
                writeFully(ch, e.clear(), Layout.entryOffset(index));
                writeContent(ch, dataOffset, f);
                index++;
                dataOffset += len;
            }
            if (ch.size() < deviceSize) {
                writeFully(ch, ByteBuffer.allocate(1), deviceSize - 1);
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
        Files.move(tmp, image, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Writes the content of {@code f} at {@code at}, in 8 MiB pieces. */
    private static void writeContent(FileChannel ch, long at, FileSpec f) throws IOException {
        ByteBuffer buf = ByteBuffer.allocateDirect((int) Math.min(WRITE_CHUNK, roundUp(f.size(), RECORD)));
        for (long off = 0; off < f.size(); off += buf.capacity()) {
            buf.clear();
            pattern(buf, f.fileId(), off);
            buf.flip().limit((int) Math.min(buf.capacity(), f.size() - off));
            writeFully(ch, buf, at + off);
        }
    }

    /** Fills {@code dst} (from 0 to its capacity, a multiple of 32) with the records from file offset {@code off}. */
    static void pattern(ByteBuffer dst, int fileId, long off) {
        byte[] rec = new byte[RECORD];
        hex(rec, 0, fileId & 0xffffffffL, 8);
        rec[8] = ' ';
        byte[] tail = " famfs\n".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(tail, 0, rec, 25, tail.length);
        for (int at = 0; at + RECORD <= dst.capacity(); at += RECORD) {
            hex(rec, 9, off + at, 16);
            dst.put(at, rec);
        }
        dst.position(dst.capacity() / RECORD * RECORD);
    }

    /** The bytes a FileSpec holds at [off, off+len): for checks. */
    public static byte[] expected(int fileId, long off, int len) {
        long start = off / RECORD * RECORD;
        int span = (int) roundUp(off + len - start, RECORD);
        ByteBuffer b = ByteBuffer.allocate(span);
        pattern(b, fileId, start);
        byte[] out = new byte[len];
        b.get((int) (off - start), out);
        return out;
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private static void hex(byte[] dst, int at, long value, int digits) {
        for (int i = digits - 1; i >= 0; i--) {
            dst[at + i] = HEX[(int) (value & 15)];
            value >>>= 4;
        }
    }

    private static long roundUp(long v, long unit) {
        return (v + unit - 1) / unit * unit;
    }

    private static void writeFully(FileChannel ch, ByteBuffer src, long at) throws IOException {
        long pos = at;
        while (src.hasRemaining()) {
            pos += ch.write(src, pos);
        }
    }

    private static UUID uuid(String seed) {
        return UUID.nameUUIDFromBytes(seed.getBytes(StandardCharsets.UTF_8));
    }

    private static boolean present(Path p, long size) throws IOException {
        return Files.isRegularFile(p) && Files.size(p) == size;
    }

    private static Path temporary(Path target) {
        return target.resolveSibling(target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
    }

    // ---------------------------------------------------------------------------------------------------- cleanup

    /** Deletes a file or a directory tree under {@link #DIR}, ignoring what is already gone. */
    public static void delete(Path p) {
        if (!p.toAbsolutePath().startsWith(DIR.toAbsolutePath())) {
            throw new IllegalArgumentException(p + " is not under " + DIR);
        }
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path q : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(q);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
