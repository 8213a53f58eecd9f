package io.github.famfs.meta;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * Lookups without a lock while replay adds children (a master's own publish, another thread's refresh): a name
 * that is not in the directory is not found, however the lookup and the add interleave. The lookup used to find
 * where its probe stopped (an empty slot) and then read that slot a second time; an add landing in it between the
 * two reads made the lookup return the new node, a file of another name: CREATE_NEW of a name never made failed
 * with FileAlreadyExistsException (CloseRaceTest.closeWhileWritingNewFilesOnAnImage, once in CI, for "/w0-2").
 */
class ChildTableRaceTest {
    private static final int ROUNDS = 20_000;

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Each round: an empty table, and one add of a name whose probe ends in the very slot where the probe for
     * the missing name stops, while another thread looks the missing name up (as String and as bytes) without a
     * pause. Every answer must be null; a node returned is reported with its name.
     */
    @Test
    void aNameNotInTheDirectoryIsNeverFoundWhileAnotherIsAdded() throws Exception {
        long seed = 0x5eed_f1a6L;
        String missing = "w0-2";
        byte[] missingBytes = bytes(missing);
        ChildTable probe = ChildTable.empty(seed);
        int mask = probe.capacity() - 1;
        int home = (int) ChildTable.hash(probe.seed(), missingBytes, 0, missingBytes.length) & mask;
        // names of other files whose home slot is the missing name's: each add fills the slot its probe stops at
        List<byte[]> colliding = new ArrayList<>();
        for (int i = 0; colliding.size() < 64; i++) {
            byte[] b = bytes("w1-" + i);
            if (((int) ChildTable.hash(probe.seed(), b, 0, b.length) & mask) == home) {
                colliding.add(b);
            }
        }
        AtomicReference<ChildTable> table = new AtomicReference<>(probe);
        AtomicBoolean done = new AtomicBoolean();
        AtomicReference<String> wrong = new AtomicReference<>();
        AtomicLong lookups = new AtomicLong();
        AtomicReference<ChildTable> seen = new AtomicReference<>();
        Thread reader = new Thread(() -> {
            long n = 0;
            while (!done.get() && wrong.get() == null) {
                ChildTable t = table.get();
                seen.setOpaque(t); // the adder waits for this, so that its add falls among lookups
                Node a = t.get(missing);
                Node b = t.get(missingBytes, 0, missingBytes.length);
                n += 2;
                if (a != null || b != null) {
                    wrong.compareAndSet(null, "lookup of \"" + missing + "\" returned "
                            + (a != null ? "\"" + a.name() + "\" (String)" : "\"" + b.name() + "\" (bytes)"));
                }
            }
            lookups.set(n);
        }, "reader");
        reader.start();
        int rounds = 0;
        try {
            for (; rounds < ROUNDS && wrong.get() == null; rounds++) {
                ChildTable t = ChildTable.empty(seed);
                table.set(t);
                for (int spins = 0; seen.getOpaque() != t && reader.isAlive(); spins++) {
                    if (spins % 1000 == 999) {
                        Thread.yield(); // the reader is not running (2 cores, other processes): let it
                    } else {
                        Thread.onSpinWait();
                    }
                }
                byte[] name = colliding.get(rounds % colliding.size());
                ChildTable after = t.add(new FileNode(name, 0644, 0, 0, rounds, 1, 0, null));
                assertEquals(t, after, "one add into an empty table stays in it");
            }
        } finally {
            done.set(true);
            reader.join();
        }
        String what = rounds + " rounds, " + lookups.get() + " lookups";
        System.out.println("[ChildTableRaceTest] " + what);
        assertNull(wrong.get(), () -> wrong.get() + " (" + what + ")");
    }
}
