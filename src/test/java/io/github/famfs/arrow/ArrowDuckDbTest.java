package io.github.famfs.arrow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.nio.Famfs;
import io.github.famfs.nio.FamfsFiles;
import java.nio.channels.FileChannel;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.apache.arrow.c.ArrowArrayStream;
import org.apache.arrow.c.Data;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.ipc.ArrowFileReader;
import org.apache.arrow.vector.ipc.ArrowReader;
import org.duckdb.DuckDBConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DuckDB queries a famfs Arrow file through the Arrow C stream interface ({@code Data.exportArrayStream} of a
 * FamfsArrow reader, {@code registerArrowStream}): the answers equal the same query over the source file read by
 * Arrow's own reader, and the famfs reader's allocator holds no more than the file's mapping plus what Arrow's
 * loader makes (validity bitmaps of null-free columns), where Arrow's reader holds a copy of each batch.
 */
class ArrowDuckDbTest {
    private static final String QUERY = "SELECT count(*), sum(i64), sum(CAST(f64 AS DECIMAL(38, 6))), sum(i8), count(str), min(str),"
            + " max(lstr), sum(dec), count(bin), sum(len(list)), sum(struct.a), count(dict), min(dict), max(dict),"
            + " max(date), max(ts), sum(CASE WHEN bool THEN 1 ELSE 0 END) FROM frame";
    @TempDir
    Path tmp;

    private static List<String> query(BufferAllocator allocator, ArrowReader reader) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:duckdb:");
                ArrowArrayStream stream = ArrowArrayStream.allocateNew(allocator)) {
            Data.exportArrayStream(allocator, reader, stream);
            ((DuckDBConnection) c).registerArrowStream("frame", stream);
            try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery(QUERY)) {
                assertTrue(rs.next());
                List<String> row = new ArrayList<>();
                for (int i = 1; i <= rs.getMetaData().getColumnCount(); i++) {
                    row.add(rs.getString(i));
                }
                return row;
            }
        }
    }

    @Test
    void duckDbAnswersFromTheFamfsCopy() throws Exception {
        Class.forName("org.duckdb.DuckDBDriver");
        try (BufferAllocator root = new RootAllocator();
                FileSystem fs = Famfs.open(tmp.resolve("famfs.img"), Frames.master())) {
            Path local = Frames.writeLocal(tmp.resolve("frame.arrow"), root, 8, 20_000);
            Path f = fs.getPath("/frame.arrow");
            FamfsFiles.copy(local, f);
            List<String> theirs;
            long copyPeak;
            try (BufferAllocator a = root.newChildAllocator("arrow", 0, Long.MAX_VALUE);
                    FileChannel ch = FileChannel.open(local)) {
                try (ArrowFileReader r = new ArrowFileReader(ch, a)) {
                    theirs = query(a, r);
                }
                copyPeak = a.getPeakMemoryAllocation();
            }
            List<String> mine;
            long famfsPeak;
            long size;
            try (BufferAllocator a = root.newChildAllocator("famfs", 0, Long.MAX_VALUE)) {
                try (FamfsArrowFileReader r = FamfsArrow.openFile(f, a)) {
                    size = r.size();
                    mine = query(a, r);
                }
                famfsPeak = a.getPeakMemoryAllocation();
            }
            System.out.println("[ArrowDuckDbTest] " + mine + "; allocator peak: famfs " + famfsPeak + " bytes ("
                    + size + " of them the file's mapping), ArrowFileReader " + copyPeak + " bytes");
            assertEquals("160000", mine.get(0));
            assertEquals(theirs, mine);
            assertTrue(famfsPeak - size < copyPeak / 4, "the famfs reader copied no batch: peak " + famfsPeak
                    + " = mapping " + size + " + " + (famfsPeak - size) + "; Arrow's reader: " + copyPeak);
            assertEquals(0, root.getAllocatedMemory());
        }
    }
}
