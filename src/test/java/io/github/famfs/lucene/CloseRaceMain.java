package io.github.famfs.lucene;

import java.io.IOException;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.FileSystem;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.store.AlreadyClosedException;
import org.apache.lucene.store.IOContext;
import org.apache.lucene.store.IndexInput;

/**
 * Child JVM: rounds of searches and raw IndexInput reads (clones, slices, random access) on a famfs index while
 * another thread closes the file system (and then the directory, and the inputs). Every failure must be a
 * closed-type exception (AlreadyClosedException, ClosedFileSystemException); reads that still succeed must give
 * the bytes written. Prints "ROUNDS n READS n CLOSED-ERRORS n" and exits 0, or prints UNEXPECTED and exits 1. A
 * JVM crash is a non-zero exit the parent sees.
 */
public final class CloseRaceMain {
    private CloseRaceMain() {}

    public static void main(String[] args) throws Exception {
        Path work = Path.of(args[0]);
        int rounds = Integer.parseInt(args[1]);
        Path img = work.resolve("famfs.img");
        try (FileSystem fs = LuceneFamfs.format(img, "1g");
                FamfsDirectory dir = new FamfsDirectory(fs.getPath("/index"),
                        new HostLockFactory(work.resolve("locks")))) {
            Corpus.build(dir, 2, 300);
        }
        List<String> want;
        try (FileSystem fs = LuceneFamfs.open(img, true);
                FamfsDirectory dir = new FamfsDirectory(fs.getPath("/index"));
                DirectoryReader r = DirectoryReader.open(dir)) {
            want = Corpus.hits(new IndexSearcher(r));
        }
        AtomicLong reads = new AtomicLong();
        AtomicLong closedErrors = new AtomicLong();
        ConcurrentLinkedQueue<Throwable> unexpected = new ConcurrentLinkedQueue<>();
        for (int round = 0; round < rounds; round++) {
            FileSystem fs = LuceneFamfs.open(img, round % 2 == 1);
            FamfsDirectory dir = new FamfsDirectory(fs.getPath("/index"));
            DirectoryReader reader = DirectoryReader.open(dir);
            String big = largest(dir);
            IndexInput master = dir.openInput(big, IOContext.DEFAULT);
            byte[] whole = new byte[(int) Math.min(master.length(), 1 << 20)];
            master.readBytes(whole, 0, whole.length);
            CountDownLatch started = new CountDownLatch(4);
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                int kind = t;
                Thread th = new Thread(() -> {
                    started.countDown();
                    try {
                        for (int i = 0; i < 40; i++) {
                            if (kind < 2) {
                                if (!Corpus.hits(new IndexSearcher(reader)).equals(want)) {
                                    throw new AssertionError("a search gave other hits");
                                }
                            } else {
                                IndexInput in = kind == 2 ? master.clone() : dir.openInput(big, IOContext.DEFAULT);
                                IndexInput s = in.slice("part", 7, whole.length - 7);
                                byte[] got = new byte[whole.length - 7];
                                s.readBytes(got, 0, got.length);
                                for (int k = 0; k < got.length; k++) {
                                    if (got[k] != whole[k + 7]) {
                                        throw new AssertionError("byte " + (k + 7) + " of " + big + " differs");
                                    }
                                }
                                if (in.randomAccessSlice(0, whole.length).readByte(5) != whole[5]) {
                                    throw new AssertionError("random access read differs");
                                }
                                if (kind == 3) {
                                    in.close();
                                }
                            }
                            reads.incrementAndGet();
                        }
                    } catch (Throwable e) {
                        if (closedType(e)) {
                            closedErrors.incrementAndGet();
                        } else {
                            unexpected.add(e);
                        }
                    }
                }, "reader-" + t);
                th.start();
                threads.add(th);
            }
            started.await();
            Thread.sleep(round % 5);
            fs.close();
            if (round % 3 == 0) {
                dir.close();
                master.close();
            }
            for (Thread th : threads) {
                th.join(120_000);
                if (th.isAlive()) {
                    unexpected.add(new AssertionError(th.getName() + " hung after the close"));
                }
            }
            try {
                dir.openInput(big, IOContext.DEFAULT).close();
                unexpected.add(new AssertionError("openInput after the close succeeded"));
            } catch (Throwable e) {
                if (!closedType(e)) {
                    unexpected.add(e);
                }
            }
            reader.close();
            dir.close();
        }
        for (Throwable t : unexpected) {
            System.out.println("UNEXPECTED:");
            t.printStackTrace(System.out);
        }
        System.out.println("ROUNDS " + rounds + " READS " + reads + " CLOSED-ERRORS " + closedErrors);
        System.exit(unexpected.isEmpty() ? 0 : 1);
    }

    private static String largest(FamfsDirectory dir) throws IOException {
        String best = null;
        long size = -1;
        for (String n : dir.listAll()) {
            if (dir.fileLength(n) > size) {
                size = dir.fileLength(n);
                best = n;
            }
        }
        return best;
    }

    static boolean closedType(Throwable t) {
        boolean ok = t instanceof AlreadyClosedException || t instanceof ClosedFileSystemException
                || t instanceof java.nio.channels.ClosedChannelException;
        for (Throwable s : t.getSuppressed()) {
            ok &= closedType(s);
        }
        return ok;
    }

}
