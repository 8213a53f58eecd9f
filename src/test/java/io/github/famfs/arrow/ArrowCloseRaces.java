package io.github.famfs.arrow;

import io.github.famfs.nio.Famfs;
import java.nio.channels.ClosedChannelException;
import java.nio.file.ClosedFileSystemException;
import java.nio.file.FileSystem;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.arrow.memory.BufferAllocator;
import org.apache.arrow.memory.RootAllocator;
import org.apache.arrow.vector.BigIntVector;

/**
 * FamfsArrow raced with FileSystem.close(), in a child JVM (run by {@code ArrowCloseRaceTest}: a crash or a hang
 * fails the test). Each round opens the image as a client and has three threads open readers of the frame
 * ({@code ArrowOneCopyTest}'s schema) and read every id again and again while the main thread closes the file
 * system at a random moment. Documented behaviour: opening a reader after (or during) the close fails with
 * ClosedFileSystemException, AsynchronousCloseException or ClosedChannelException; a reader that opened reads the
 * whole frame, right, to its end (its mapping does not depend on the file system). After all rounds nothing is
 * allocated and nothing of the image is mapped. Prints "OK rounds=.. reads=.. refused=.." and exits 0, or the
 * problems and exits 1.
 *
 * <p>Usage: ArrowCloseRaces IMAGE PATH ROWS ROUNDS
 */
public final class ArrowCloseRaces {
    private ArrowCloseRaces() {}

    public static void main(String[] args) throws Exception {
        Path image = Path.of(args[0]);
        String path = args[1];
        long rows = Long.parseLong(args[2]);
        int rounds = Integer.parseInt(args[3]);
        List<String> problems = Collections.synchronizedList(new ArrayList<>());
        AtomicLong reads = new AtomicLong();
        AtomicLong refused = new AtomicLong();
        Random rnd = new Random(7);
        try (BufferAllocator allocator = new RootAllocator()) {
            for (int round = 0; round < rounds && problems.isEmpty(); round++) {
                FileSystem fs = Famfs.open(image, Frames.client());
                List<Thread> threads = new ArrayList<>();
                for (int t = 0; t < 3; t++) {
                    Thread th = new Thread(() -> {
                        while (fs.isOpen()) {
                            try (FamfsArrowFileReader r = FamfsArrow.openFile(fs.getPath(path), allocator)) {
                                long sum = 0;
                                long n = 0;
                                while (r.loadNextBatch()) {
                                    BigIntVector id = (BigIntVector) r.getVectorSchemaRoot().getVector("id");
                                    for (int i = 0; i < id.getValueCount(); i++) {
                                        sum += id.get(i);
                                    }
                                    n += id.getValueCount();
                                }
                                if (n != rows || sum != rows * (rows - 1) / 2) {
                                    problems.add("a reader read " + n + " rows summing to " + sum);
                                }
                                reads.incrementAndGet();
                            } catch (ClosedFileSystemException
                                    | ClosedChannelException e) { // AsynchronousCloseException is one
                                refused.incrementAndGet();
                            } catch (Throwable e) {
                                problems.add(e.toString());
                                e.printStackTrace();
                            }
                        }
                    });
                    th.start();
                    threads.add(th);
                }
                Thread.sleep(rnd.nextInt(15));
                fs.close();
                for (Thread th : threads) {
                    th.join(120_000);
                    if (th.isAlive()) {
                        problems.add("a reader thread hangs after close");
                    }
                }
            }
            if (allocator.getAllocatedMemory() != 0) {
                problems.add(allocator.getAllocatedMemory() + " bytes still allocated");
            }
        }
        if (!Frames.mappingsOf(image).isEmpty()) {
            problems.add("the image is still mapped");
        }
        if (!problems.isEmpty()) {
            problems.forEach(System.out::println);
            System.exit(1);
        }
        System.out.println("OK rounds=" + rounds + " reads=" + reads + " refused=" + refused);
    }
}
