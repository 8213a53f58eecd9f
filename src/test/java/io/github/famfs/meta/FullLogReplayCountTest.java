package io.github.famfs.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.famfs.format.Layout;
import io.github.famfs.format.Superblock;
import io.github.famfs.testing.ReferenceImages;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.Deque;
import org.junit.jupiter.api.Test;

/**
 * The work of replaying the full 8 MiB reference log (15,420 entries: 15,400 directories, 20 files), counted, not
 * timed: every entry is decoded once, each node's name is hashed once (the existence check's hash is the one the
 * add uses; a directory's first child is hashed by the add alone), and the replay allocates within the per-entry
 * bound of issue 13.
 */
class FullLogReplayCountTest {
    @Test
    void replayOfTheFullLogDecodesEachEntryOnceAndHashesEachNameOnce() throws Exception {
        Path image = ReferenceImages.image("full-log");
        Superblock sb;
        ByteBuffer log;
        long size;
        try (FileChannel ch = FileChannel.open(image, StandardOpenOption.READ)) {
            size = ch.size();
            sb = Superblock.decode(ch.map(FileChannel.MapMode.READ_ONLY, 0, Layout.SUPERBLOCK_SIZE)
                    .order(ByteOrder.LITTLE_ENDIAN));
            log = ch.map(FileChannel.MapMode.READ_ONLY, Layout.LOG_OFFSET, sb.logLen());
        }
        for (int i = 0; i < 5; i++) {
            LogReplay.replay(sb, log, size); // compiled before counting: the interpreter allocates more
        }
        long before = NamespaceScaleTest.allocated();
        LogReplay.Result r = LogReplay.replay(sb, log, size);
        long allocated = NamespaceScaleTest.allocated() - before;
        Namespace ns = r.namespace();
        assertEquals(15_420, ns.replayedEntries());
        assertEquals(15_420, r.replayer().entriesDecoded());
        assertTrue(ns.problems().isEmpty(), () -> ns.problems().toString());
        long nodes = 0;
        long hashed = 0;
        long nonEmpty = 0;
        Deque<DirNode> todo = new ArrayDeque<>();
        todo.add(ns.root());
        while (!todo.isEmpty()) {
            DirNode d = todo.pop();
            hashed += d.namesHashed();
            nonEmpty += d.size() > 0 ? 1 : 0;
            for (Node c : d.children()) {
                nodes++;
                if (c instanceof DirNode cd) {
                    todo.push(cd);
                }
            }
        }
        assertEquals(15_420, nodes);
        assertEquals(15_401 - 15_278, nonEmpty); // the image's 15,401 directories, root included; 15,278 empty
        // one hash per name; a lookup-then-add that hashed twice would count 2 * nodes - nonEmpty
        assertEquals(nodes, hashed, "names hashed while adding " + nodes + " nodes");
        assertTrue(allocated / nodes <= NamespaceScaleTest.MAX_ALLOCATED_PER_ENTRY,
                "replay allocated " + allocated / nodes + " bytes per entry");
    }
}
