package io.github.famfs.bench;

import io.github.famfs.lucene.FamfsDirectory;
import io.github.famfs.lucene.HostLockFactory;
import io.github.famfs.nio.FamfsFiles;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.store.Directory;
import org.apache.lucene.store.MMapDirectory;
import org.apache.lucene.util.Version;

/**
 * Query throughput of one Lucene index read through FamfsDirectory (a famfs image on /dev/shm) and through
 * Lucene's MMapDirectory (the same files on /dev/shm), side by side in one JVM: rounds alternate which side
 * goes first, each round runs the same queries on one thread; prints per-round queries/s and CPU time, the
 * medians, the spread, and the ratios. Not JMH: one plain run (see bench/RESULTS.md for the command).
 *
 * <p>Arguments: [work directory, default /dev/shm/famfs-lucene-bench] [documents, default 300000]
 * [rounds, default 10].
 */
public final class LuceneQueryBench {
    private LuceneQueryBench() {}

    private static final int WORDS = 5000;

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 0 ? args[0] : "/dev/shm/famfs-lucene-bench");
        int docs = args.length > 1 ? Integer.parseInt(args[1]) : 300_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        deleteTree(work);
        Path local = Files.createDirectories(work.resolve("mmap"));
        long t0 = System.nanoTime();
        try (Directory d = new MMapDirectory(local); IndexWriter w = new IndexWriter(d,
                new IndexWriterConfig(new StandardAnalyzer()).setRAMBufferSizeMB(256))) {
            for (int i = 0; i < docs; i++) {
                w.addDocument(doc(i));
            }
            w.forceMerge(1);
        }
        long bytes = 0;
        Path img = work.resolve("famfs.img");
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("create", "true",
                "deviceSize", "4g", "systemUuid", "be0c0000-0000-4000-8000-000000000001"))) {
            Path index = Files.createDirectories(fs.getPath("/index"));
            try (Stream<Path> files = Files.list(local)) {
                for (Path f : (Iterable<Path>) files::iterator) {
                    if (!f.getFileName().toString().equals("write.lock")) {
                        bytes += FamfsFiles.copy(f, index.resolve(f.getFileName().toString()));
                    }
                }
            }
        }
        System.out.printf("Lucene %s on Java %s: %,d documents, index %,d bytes, built and copied in %.1f s%n",
                Version.LATEST, Runtime.version(), docs, bytes, (System.nanoTime() - t0) / 1e9);
        List<Query> queries = queries();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + img), Map.of("systemUuid",
                "be0c0000-0000-4000-8000-000000000002", "accessMode", "readOnly"));
                Directory famfsDir = new FamfsDirectory(fs.getPath("/index"),
                        new HostLockFactory(work.resolve("locks")));
                Directory mmapDir = new MMapDirectory(local);
                DirectoryReader famfsReader = DirectoryReader.open(famfsDir);
                DirectoryReader mmapReader = DirectoryReader.open(mmapDir)) {
            IndexSearcher[] side = {new IndexSearcher(famfsReader), new IndexSearcher(mmapReader)};
            String[] name = {"famfs (FamfsDirectory)", "/dev/shm (MMapDirectory)"};
            if (run(side[0], queries) != run(side[1], queries)) {
                throw new AssertionError("the two sides found different hits");
            }
            for (int warm = 0; warm < 8; warm++) {
                run(side[0], queries);
                run(side[1], queries);
            }
            double[][] qps = new double[2][rounds];
            double[][] cpu = new double[2][rounds];
            for (int r = 0; r < rounds; r++) {
                for (int k = 0; k < 2; k++) {
                    int s = (r + k) % 2;
                    long c0 = mx.getCurrentThreadCpuTime();
                    long w0 = System.nanoTime();
                    run(side[s], queries);
                    long wall = System.nanoTime() - w0;
                    cpu[s][r] = (mx.getCurrentThreadCpuTime() - c0) / 1e6;
                    qps[s][r] = 2 * queries.size() / (wall / 1e9);
                }
                System.out.printf("round %2d: famfs %,9.0f q/s (cpu %6.1f ms)   mmap %,9.0f q/s (cpu %6.1f ms)%n",
                        r + 1, qps[0][r], cpu[0][r], qps[1][r], cpu[1][r]);
            }
            for (int s = 0; s < 2; s++) {
                double[] q = qps[s].clone();
                Arrays.sort(q);
                System.out.printf("%-26s median %,9.0f q/s  (min %,9.0f, max %,9.0f)  median cpu %.1f ms%n", name[s],
                        median(q), q[0], q[q.length - 1], median(sorted(cpu[s])));
            }
            System.out.printf("famfs / mmap: throughput %.2fx, CPU time %.2fx, %d queries a round%n",
                    median(sorted(qps[0])) / median(sorted(qps[1])),
                    median(sorted(cpu[0])) / median(sorted(cpu[1])), 2 * queries.size());
        }
        deleteTree(work);
    }

    private static Document doc(int i) {
        SplittableRandom r = new SplittableRandom(i);
        StringBuilder text = new StringBuilder();
        int n = 20 + r.nextInt(80);
        for (int k = 0; k < n; k++) {
            int x = r.nextInt(WORDS);
            text.append('w').append(x * (long) x / WORDS).append(' ');
        }
        Document d = new Document();
        d.add(new StringField("id", Integer.toString(i), Field.Store.YES));
        d.add(new TextField("body", text.toString(), Field.Store.NO));
        return d;
    }

    private static List<Query> queries() {
        List<Query> q = new ArrayList<>();
        SplittableRandom r = new SplittableRandom(42);
        for (int i = 0; i < 400; i++) {
            int a = r.nextInt(WORDS);
            int b = r.nextInt(WORDS);
            Term ta = new Term("body", "w" + (a * (long) a / WORDS));
            Term tb = new Term("body", "w" + (b * (long) b / WORDS));
            if (i % 3 == 0) {
                q.add(new TermQuery(ta));
            } else {
                BooleanQuery.Builder bq = new BooleanQuery.Builder();
                bq.add(new TermQuery(ta), i % 3 == 1 ? BooleanClause.Occur.MUST : BooleanClause.Occur.SHOULD);
                bq.add(new TermQuery(tb), i % 3 == 1 ? BooleanClause.Occur.MUST : BooleanClause.Occur.SHOULD);
                q.add(bq.build());
            }
        }
        return q;
    }

    /** Runs every query for its top 10; returns a checksum of the hits (to compare the sides, and keep work). */
    private static long run(IndexSearcher s, List<Query> queries) throws java.io.IOException {
        long sum = 0;
        for (Query q : queries) {
            s.search(q, 10); // each query twice: the first run pages in, the second reads what the first read
            for (ScoreDoc sd : s.search(q, 10).scoreDocs) {
                sum = sum * 31 + sd.doc;
            }
        }
        return sum;
    }

    private static double[] sorted(double[] a) {
        double[] c = a.clone();
        Arrays.sort(c);
        return c;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static void deleteTree(Path p) throws java.io.IOException {
        if (Files.exists(p)) {
            try (Stream<Path> all = Files.walk(p)) {
                for (Path f : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
                    Files.delete(f);
                }
            }
        }
    }
}
