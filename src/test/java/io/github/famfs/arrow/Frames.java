package io.github.famfs.arrow;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.arrow.memory.ArrowBuf;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.vector.BigIntVector;
import org.apache.arrow.vector.BitVector;
import org.apache.arrow.vector.DateDayVector;
import org.apache.arrow.vector.DecimalVector;
import org.apache.arrow.vector.FieldVector;
import org.apache.arrow.vector.FixedSizeBinaryVector;
import org.apache.arrow.vector.Float4Vector;
import org.apache.arrow.vector.Float8Vector;
import org.apache.arrow.vector.IntVector;
import org.apache.arrow.vector.LargeVarCharVector;
import org.apache.arrow.vector.SmallIntVector;
import org.apache.arrow.vector.TinyIntVector;
import org.apache.arrow.vector.UInt4Vector;
import org.apache.arrow.vector.ValueVector;
import org.apache.arrow.vector.VarBinaryVector;
import org.apache.arrow.vector.VarCharVector;
import org.apache.arrow.vector.VectorSchemaRoot;
import org.apache.arrow.vector.complex.ListVector;
import org.apache.arrow.vector.complex.StructVector;
import org.apache.arrow.vector.complex.impl.UnionListWriter;
import org.apache.arrow.vector.dictionary.Dictionary;
import org.apache.arrow.vector.dictionary.DictionaryProvider;
import org.apache.arrow.vector.types.FloatingPointPrecision;
import org.apache.arrow.vector.types.TimeUnit;
import org.apache.arrow.vector.types.pojo.ArrowType;
import org.apache.arrow.vector.types.pojo.DictionaryEncoding;
import org.apache.arrow.vector.types.pojo.Field;
import org.apache.arrow.vector.types.pojo.FieldType;
import org.apache.arrow.vector.types.pojo.Schema;

/** Test frames: one of every common column type (with nulls), and a large numeric one; and memory facts. */
final class Frames {
    private Frames() {}

    static final String MASTER = "a7707000-0000-4000-8000-0000000000a1";
    static final long MIB = 1 << 20;

    static Map<String, String> master() {
        return Map.of("create", "true", "deviceSize", "4G", "systemUuid", MASTER);
    }

    static Map<String, String> client() {
        return Map.of("systemUuid", UUID.randomUUID().toString());
    }

    static final DictionaryEncoding DICT = new DictionaryEncoding(1L, false, new ArrowType.Int(32, true));

    private static Field f(String name, ArrowType t, Field... children) {
        return new Field(name, FieldType.nullable(t), children.length == 0 ? null : List.of(children));
    }

    /** A schema with a column of each kind the tests cover. */
    static Schema allTypes() {
        return new Schema(common());
    }

    /**
     * {@link #allTypes()} and the types that DuckDB's Arrow import does not all take (256-bit decimals, durations,
     * intervals, maps, fixed-size lists, ...), for the round trips against Arrow's own reader.
     */
    static Schema everyType() {
        List<Field> fields = new ArrayList<>(common());
        fields.addAll(List.of(
                f("dec256", new ArrowType.Decimal(60, 6, 256)),
                f("dur", new ArrowType.Duration(TimeUnit.MILLISECOND)),
                f("ivl", new ArrowType.Interval(org.apache.arrow.vector.types.IntervalUnit.DAY_TIME)),
                f("t32", new ArrowType.Time(TimeUnit.MILLISECOND, 32)),
                f("lbin", ArrowType.LargeBinary.INSTANCE),
                f("u8", new ArrowType.Int(8, false)),
                f("fsl", new ArrowType.FixedSizeList(2), f("item", new ArrowType.Int(32, true))),
                new Field("map", FieldType.nullable(new ArrowType.Map(false)), List.of(new Field("entries",
                        FieldType.notNullable(ArrowType.Struct.INSTANCE), List.of(
                                new Field("key", FieldType.notNullable(new ArrowType.Int(32, true)), null),
                                f("value", new ArrowType.Int(64, true))))))));
        return new Schema(fields);
    }

    private static List<Field> common() {
        return List.of(
                f("i8", new ArrowType.Int(8, true)),
                f("i16", new ArrowType.Int(16, true)),
                f("i32", new ArrowType.Int(32, true)),
                f("u32", new ArrowType.Int(32, false)),
                f("i64", new ArrowType.Int(64, true)),
                f("f32", new ArrowType.FloatingPoint(FloatingPointPrecision.SINGLE)),
                f("f64", new ArrowType.FloatingPoint(FloatingPointPrecision.DOUBLE)),
                f("dec", new ArrowType.Decimal(20, 4, 128)),
                f("str", ArrowType.Utf8.INSTANCE),
                f("lstr", ArrowType.LargeUtf8.INSTANCE),
                f("bin", ArrowType.Binary.INSTANCE),
                f("fbin", new ArrowType.FixedSizeBinary(4)),
                f("bool", ArrowType.Bool.INSTANCE),
                f("date", new ArrowType.Date(org.apache.arrow.vector.types.DateUnit.DAY)),
                f("ts", new ArrowType.Timestamp(TimeUnit.MICROSECOND, "UTC")),
                f("list", ArrowType.List.INSTANCE, f("item", new ArrowType.Int(32, true))),
                f("struct", ArrowType.Struct.INSTANCE, f("a", new ArrowType.Int(64, true)),
                        f("b", ArrowType.Utf8.INSTANCE)),
                new Field("dict", new FieldType(true, new ArrowType.Int(32, true), DICT), null),
                f("nothing", ArrowType.Null.INSTANCE));
    }

    /** The dictionary of column "dict": five words. */
    static DictionaryProvider.MapDictionaryProvider dictionaries(BufferAllocator allocator) {
        VarCharVector words = new VarCharVector("words", allocator);
        String[] w = {"alpha", "beta", "gamma", "delta", "epsilon"};
        for (int i = 0; i < w.length; i++) {
            words.setSafe(i, w[i].getBytes(StandardCharsets.UTF_8));
        }
        words.setValueCount(w.length);
        return new DictionaryProvider.MapDictionaryProvider(new Dictionary(words, DICT));
    }

    private static boolean isNull(int batch, int i) {
        return (i + batch) % 7 == 3;
    }

    /** Fills {@code root} (of {@link #allTypes()} or {@link #everyType()}) with batch {@code batch}: {@code rows} rows, some null. */
    static void fill(VectorSchemaRoot root, int batch, int rows) {
        root.allocateNew();
        for (FieldVector v : root.getFieldVectors()) {
            String n = v.getName();
            for (int i = 0; i < rows; i++) {
                long x = (long) batch * 1_000_003L + i;
                if (isNull(batch, i) || n.equals("nothing")) {
                    if (!n.equals("nothing") && !n.equals("list") && !n.equals("struct")) {
                        setNull(v, i);
                    }
                    continue;
                }
                switch (n) {
                    case "i8" -> ((TinyIntVector) v).setSafe(i, (byte) x);
                    case "i16" -> ((SmallIntVector) v).setSafe(i, (short) x);
                    case "i32" -> ((IntVector) v).setSafe(i, (int) x);
                    case "u32" -> ((UInt4Vector) v).setSafe(i, (int) (x * 2654435761L));
                    case "i64" -> ((BigIntVector) v).setSafe(i, x * 31);
                    case "f32" -> ((Float4Vector) v).setSafe(i, x / 3f);
                    case "f64" -> ((Float8Vector) v).setSafe(i, x / 7.0);
                    case "dec" -> ((DecimalVector) v).setSafe(i, BigDecimal.valueOf(x * 10_007L, 4));
                    case "str" -> ((VarCharVector) v).setSafe(i, ("s" + x).getBytes(StandardCharsets.UTF_8));
                    case "lstr" -> ((LargeVarCharVector) v).setSafe(i, ("L" + x + "é").getBytes(StandardCharsets.UTF_8));
                    case "bin" -> ((VarBinaryVector) v).setSafe(i, new byte[] {(byte) x, (byte) (x >> 8), 0});
                    case "fbin" -> ((FixedSizeBinaryVector) v).setSafe(i, new byte[] {1, (byte) x, 3, (byte) i});
                    case "bool" -> ((BitVector) v).setSafe(i, (int) (x & 1));
                    case "date" -> ((DateDayVector) v).setSafe(i, (int) (x % 40_000));
                    case "ts" -> ((org.apache.arrow.vector.TimeStampMicroTZVector) v).setSafe(i, x * 1_000_000L);
                    case "dict" -> ((IntVector) v).setSafe(i, (int) (x % 5));
                    case "dec256" -> ((org.apache.arrow.vector.Decimal256Vector) v).setSafe(i,
                            new BigDecimal(java.math.BigInteger.valueOf(x).pow(3), 6));
                    case "dur" -> ((org.apache.arrow.vector.DurationVector) v).setSafe(i, x * 7);
                    case "ivl" -> ((org.apache.arrow.vector.IntervalDayVector) v).setSafe(i, (int) (x % 365),
                            (int) (x % 86_400_000));
                    case "t32" -> ((org.apache.arrow.vector.TimeMilliVector) v).setSafe(i, (int) (x % 86_400_000));
                    case "lbin" -> ((org.apache.arrow.vector.LargeVarBinaryVector) v).setSafe(i,
                            new byte[] {(byte) x, 9, (byte) i});
                    case "u8" -> ((org.apache.arrow.vector.UInt1Vector) v).setSafe(i, (int) (x & 0xff));
                    case "list", "struct", "fsl", "map" -> { }
                    default -> throw new IllegalStateException(n);
                }
            }
            if (n.equals("list")) {
                UnionListWriter w = ((ListVector) v).getWriter();
                for (int i = 0; i < rows; i++) {
                    w.setPosition(i);
                    if (isNull(batch, i)) {
                        w.writeNull();
                        continue;
                    }
                    w.startList();
                    for (int k = 0; k < i % 4; k++) {
                        w.writeInt(batch + i + k);
                    }
                    w.endList();
                }
            } else if (n.equals("fsl")) {
                org.apache.arrow.vector.complex.FixedSizeListVector l =
                        (org.apache.arrow.vector.complex.FixedSizeListVector) v;
                IntVector items = (IntVector) l.getDataVector();
                for (int i = 0; i < rows; i++) {
                    if (isNull(batch, i)) {
                        l.setNull(i);
                        continue;
                    }
                    l.setNotNull(i);
                    items.setSafe(2 * i, i);
                    items.setSafe(2 * i + 1, batch - i);
                }
                items.setValueCount(2 * rows);
            } else if (n.equals("map")) {
                org.apache.arrow.vector.complex.impl.UnionMapWriter w =
                        ((org.apache.arrow.vector.complex.MapVector) v).getWriter();
                for (int i = 0; i < rows; i++) {
                    w.setPosition(i);
                    if (isNull(batch, i)) {
                        w.writeNull();
                        continue;
                    }
                    w.startMap();
                    for (int k = 0; k < i % 3; k++) {
                        w.startEntry();
                        w.key().integer().writeInt(k);
                        w.value().bigInt().writeBigInt((long) batch * i + k);
                        w.endEntry();
                    }
                    w.endMap();
                }
            } else if (n.equals("struct")) {
                StructVector s = (StructVector) v;
                BigIntVector a = s.getChild("a", BigIntVector.class);
                VarCharVector b = s.getChild("b", VarCharVector.class);
                for (int i = 0; i < rows; i++) {
                    if (isNull(batch, i)) {
                        s.setNull(i);
                        continue;
                    }
                    s.setIndexDefined(i);
                    a.setSafe(i, (long) i * batch);
                    b.setSafe(i, ("b" + i).getBytes(StandardCharsets.UTF_8));
                }
                a.setValueCount(rows);
                b.setValueCount(rows);
            }
            v.setValueCount(rows);
        }
        root.setRowCount(rows);
    }

    private static void setNull(FieldVector v, int i) {
        if (v instanceof org.apache.arrow.vector.BaseFixedWidthVector f) {
            if (f.getValueCapacity() <= i) {
                f.reAlloc();
            }
            f.setNull(i);
        } else if (v instanceof org.apache.arrow.vector.BaseVariableWidthVector w) {
            w.setNull(i);
        } else if (v instanceof org.apache.arrow.vector.BaseLargeVariableWidthVector w) {
            w.setNull(i);
        }
    }

    /** Writes {@code batches} batches of {@link #allTypes()} with Arrow's own file writer to a local file. */
    static Path writeLocal(Path file, BufferAllocator allocator, int batches, int rows) throws IOException {
        return writeLocal(file, allocator, batches, rows, allTypes());
    }

    static Path writeLocal(Path file, BufferAllocator allocator, int batches, int rows, Schema schema)
            throws IOException {
        try (VectorSchemaRoot root = VectorSchemaRoot.create(schema, allocator);
                DictionaryProvider.MapDictionaryProvider dicts = dictionaries(allocator);
                var ch = Files.newByteChannel(file, java.nio.file.StandardOpenOption.CREATE_NEW,
                        java.nio.file.StandardOpenOption.WRITE);
                var w = new org.apache.arrow.vector.ipc.ArrowFileWriter(root, dicts, ch)) {
            w.start();
            for (int b = 0; b < batches; b++) {
                fill(root, b, rows);
                w.writeBatch();
            }
            w.end();
        }
        return file;
    }

    /** The address ranges of this process's mappings of {@code file} (from /proc/self/maps), adjacent ones joined. */
    static List<long[]> mappingsOf(Path file) throws IOException {
        List<long[]> out = new ArrayList<>();
        String name = file.toAbsolutePath().toString();
        for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
            if (line.endsWith(" " + name)) {
                String[] range = line.substring(0, line.indexOf(' ')).split("-");
                long start = Long.parseUnsignedLong(range[0], 16);
                long end = Long.parseUnsignedLong(range[1], 16);
                if (!out.isEmpty() && out.get(out.size() - 1)[1] == start) {
                    out.get(out.size() - 1)[1] = end; // the pieces of one interleaved or multi-extent range
                } else {
                    out.add(new long[] {start, end});
                }
            }
        }
        return out;
    }

    /** Whether {@code [address, address+length)} lies in this process's mappings of {@code file}. */
    static boolean mapped(Path file, long address, long length) throws IOException {
        return inside(mappingsOf(file), address, length);
    }

    static boolean inside(List<long[]> ranges, long address, long length) {
        for (long[] r : ranges) {
            if (address >= r[0] && address + length <= r[1]) {
                return true;
            }
        }
        return false;
    }

    /**
     * The buffers of {@code v} (and its children) that must be file memory: all but a validity bitmap that
     * Arrow's loader made because the batch wrote none (no nulls or only nulls), and empty ones.
     */
    static List<ArrowBuf> fileBuffers(ValueVector v) {
        List<ArrowBuf> out = new ArrayList<>();
        collect(v, out);
        return out;
    }

    private static void collect(ValueVector v, List<ArrowBuf> out) {
        if (v instanceof org.apache.arrow.vector.NullVector) {
            return;
        }
        int nulls = v.getNullCount();
        boolean madeValidity = nulls == 0 || nulls == v.getValueCount();
        ArrowBuf validity = v.getValidityBuffer();
        for (ArrowBuf b : v.getBuffers(false)) {
            if (b.capacity() == 0 || (madeValidity && validity != null && b.memoryAddress() == validity.memoryAddress())) {
                continue;
            }
            out.add(b);
        }
        if (v instanceof FieldVector fv) {
            for (FieldVector child : fv.getChildrenFromFields()) {
                collect(child, out);
            }
        }
    }

    /** Anonymous resident memory of this process, in bytes (RssAnon of /proc/self/status). */
    static long rssAnon() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("RssAnon:")) {
                return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
            }
        }
        throw new IOException("no RssAnon in /proc/self/status");
    }
}
