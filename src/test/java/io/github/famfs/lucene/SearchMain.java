package io.github.famfs.lucene;

import java.nio.file.FileSystem;
import java.nio.file.Path;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;

/**
 * Child JVM (another "host"): opens the famfs image {@code args[0]} read-only as a client, the index in famfs
 * directory {@code args[1]}, runs {@link Corpus#queries()} and prints "HIT " + each result line, then "DOCS n".
 */
public final class SearchMain {
    private SearchMain() {}

    public static void main(String[] args) throws Exception {
        try (FileSystem fs = LuceneFamfs.open(Path.of(args[0]), true);
                FamfsDirectory dir = new FamfsDirectory(fs.getPath(args[1]));
                DirectoryReader reader = DirectoryReader.open(dir)) {
            for (String line : Corpus.hits(new IndexSearcher(reader))) {
                System.out.println("HIT " + line);
            }
            System.out.println("DOCS " + reader.numDocs());
        }
    }
}
