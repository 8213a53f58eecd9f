package io.github.famfs.review;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystem;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;

/**
 * A child JVM for {@link DataLossReviewTest#createNewIsAtomicAcrossTwoMasterProcesses}: IMAGE SYSTEM_UUID TAG
 * COUNT GO_FILE THREADS. Opens IMAGE as master, waits for GO_FILE, then each of THREADS threads does, for i in
 * 0..COUNT-1: open /x-i with CREATE_NEW (prints "opened i", or "exists i" when refused), write TAG, close
 * (prints "published i", or "closefail i ..." when the close throws).
 */
public final class CreateNewChildMain {
    private CreateNewChildMain() {}

    public static void main(String[] args) throws Exception {
        Path image = Path.of(args[0]);
        int count = Integer.parseInt(args[3]);
        Path go = Path.of(args[4]);
        try (FileSystem fs = FileSystems.newFileSystem(URI.create("famfs:" + image), Map.of("systemUuid", args[1]))) {
            while (!Files.exists(go)) {
                Thread.sleep(1);
            }
            Thread[] ts = new Thread[Integer.parseInt(args[5])];
            for (int t = 0; t < ts.length; t++) {
                ts[t] = new Thread(() -> run(fs, args[2], count));
                ts[t].start();
            }
            for (Thread t : ts) {
                t.join();
            }
        }
        System.out.flush();
    }

    private static void run(FileSystem fs, String tag, int count) {
        for (int i = 0; i < count; i++) {
            FileChannel ch;
            try {
                ch = FileChannel.open(fs.getPath("/x-" + i), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            } catch (FileAlreadyExistsException e) {
                System.out.println("exists " + i);
                continue;
            } catch (Exception e) {
                System.out.println("openfail " + i + " " + e);
                continue;
            }
            System.out.println("opened " + i);
            try {
                ch.write(ByteBuffer.wrap(tag.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
                ch.close();
                System.out.println("published " + i);
            } catch (Exception e) {
                System.out.println("closefail " + i + " " + e);
            }
        }
    }
}
