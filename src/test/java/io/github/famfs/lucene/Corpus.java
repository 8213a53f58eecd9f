package io.github.famfs.lucene;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.apache.lucene.analysis.standard.StandardAnalyzer;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.document.NumericDocValuesField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.document.TextField;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LogDocMergePolicy;
import org.apache.lucene.index.SerialMergeScheduler;
import org.apache.lucene.index.Term;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.PhraseQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.Directory;

/**
 * A deterministic corpus and query set, indexed the same way into any Directory (one thread, serial merges),
 * so that two indexes of it hold the same documents in the same order. Uses only API that Lucene 9.12 and 10
 * share (the tests are compiled against 9.12 and run on 10 too).
 */
final class Corpus {
    private Corpus() {}

    static final int WORDS = 300;

    static String word(int i) {
        return "w" + Integer.toString(i * 7919 % 100_003, 36);
    }

    static IndexWriterConfig config() {
        IndexWriterConfig c = new IndexWriterConfig(new StandardAnalyzer());
        c.setMergeScheduler(new SerialMergeScheduler());
        LogDocMergePolicy mp = new LogDocMergePolicy();
        mp.setMergeFactor(3);
        mp.setMinMergeDocs(10);
        c.setMergePolicy(mp);
        c.setMaxBufferedDocs(200);
        c.setUseCompoundFile(false);
        return c;
    }

    /** Adds documents {@code [from, to)}: a skewed word distribution, so that scores differ. */
    static void add(IndexWriter w, int from, int to) throws IOException {
        for (int i = from; i < to; i++) {
            SplittableRandom r = new SplittableRandom(i * 31L + 7);
            StringBuilder text = new StringBuilder();
            int n = 5 + r.nextInt(60);
            for (int k = 0; k < n; k++) {
                int x = r.nextInt(WORDS);
                text.append(word(x * x / WORDS)).append(' ');
            }
            Document d = new Document();
            d.add(new StringField("id", "doc" + i, Field.Store.YES));
            d.add(new TextField("body", text.toString(), Field.Store.YES));
            d.add(new NumericDocValuesField("n", i));
            w.addDocument(d);
        }
    }

    /** Index {@code commits} batches of {@code perCommit} documents, a commit after each, then merge to one. */
    static void build(Directory dir, int commits, int perCommit) throws IOException {
        try (IndexWriter w = new IndexWriter(dir, config())) {
            for (int c = 0; c < commits; c++) {
                add(w, c * perCommit, (c + 1) * perCommit);
                if (c % 2 == 1) {
                    w.deleteDocuments(new Term("id", "doc" + (c * perCommit + 3)));
                }
                w.commit();
            }
            w.forceMerge(1);
            w.commit();
        }
    }

    static List<Query> queries() {
        List<Query> q = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            q.add(new TermQuery(new Term("body", word(i * i / 2))));
        }
        BooleanQuery.Builder b = new BooleanQuery.Builder();
        b.add(new TermQuery(new Term("body", word(1))), BooleanClause.Occur.MUST);
        b.add(new TermQuery(new Term("body", word(40))), BooleanClause.Occur.SHOULD);
        b.add(new TermQuery(new Term("body", word(0))), BooleanClause.Occur.MUST_NOT);
        q.add(b.build());
        q.add(new PhraseQuery("body", word(0), word(0)));
        q.add(new TermQuery(new Term("id", "doc77")));
        return q;
    }

    /** Every query's top hits, one line each: "query: id:score id:score ...". */
    static List<String> hits(IndexSearcher s) throws IOException {
        List<String> out = new ArrayList<>();
        for (Query q : queries()) {
            TopDocs top = s.search(q, 20);
            StringBuilder line = new StringBuilder(q.toString()).append(':');
            for (ScoreDoc sd : top.scoreDocs) {
                line.append(' ').append(s.storedFields().document(sd.doc).get("id")).append(':').append(sd.score);
            }
            out.add(line.toString());
        }
        return out;
    }
}
