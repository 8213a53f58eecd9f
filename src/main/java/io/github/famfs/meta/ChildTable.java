package io.github.famfs.meta;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.security.SecureRandom;

/**
 * The children of one directory: an open-addressing hash table of nodes keyed by their UTF-8 names, written by
 * one thread at a time (replay, which callers serialise) and read by any number without a lock. Slots are
 * published with release stores and read with acquire loads; a table that must grow is rebuilt aside and then
 * swapped in whole by its directory, so a reader sees either the old table or the new one, each consistent.
 *
 * <p>The hash is keyed with a random seed so that names chosen to collide (as {@code String.hashCode}'s do)
 * cannot pile up in one probe run; if a run still grows long, the table is rebuilt with a fresh seed. The load
 * is at most one half, so a lookup or an insert probes about two slots whatever the directory's size.
 */
final class ChildTable {
    private static final VarHandle SLOT = MethodHandles.arrayElementVarHandle(Node[].class);
    /**
     * Seeds: a secret drawn once per JVM from the kernel's random pool, then one value per table mixed from it and a
     * counter (drawing per table costs microseconds, and a famfs may have hundreds of thousands of directories).
     */
    private static final long SECRET = secret();
    private static final java.util.concurrent.atomic.AtomicLong TABLES = new java.util.concurrent.atomic.AtomicLong();
    /** A probe run this long at load 1/2 means the seed is being attacked (or is very unlucky): reseed. */
    static final int LONG_RUN = 48;
    private static final int MIN_CAPACITY = 4;

    private final long seed;
    private final Node[] slots;
    private final int mask;
    private volatile int count;
    /** Names hashed by this table and the ones it grew from (written by the one writer; tests count work). */
    private int hashes;

    private ChildTable(int capacity, long seed) {
        this.slots = new Node[capacity];
        this.mask = capacity - 1;
        this.seed = seed | 1;
    }

    /**
     * Eight bytes of /dev/urandom, the pool SecureRandom's default (NativePRNG) reads as well: read directly, because
     * a first SecureRandom in a JVM loads and initialises the security providers (tens of milliseconds of a cold
     * mount). SecureRandom where /dev/urandom cannot be read.
     */
    private static long secret() {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(java.nio.file.Path.of("/dev/urandom"))) {
            byte[] b = in.readNBytes(Long.BYTES);
            if (b.length == Long.BYTES) {
                return java.nio.ByteBuffer.wrap(b).getLong();
            }
        } catch (java.io.IOException | RuntimeException e) {
            // below
        }
        return new SecureRandom().nextLong();
    }

    private static long newSeed() {
        return finish(SECRET + TABLES.incrementAndGet() * 0x9E3779B97F4A7C15L, 0);
    }

    static ChildTable empty() {
        return empty(newSeed());
    }

    /** An empty table with a given seed (tests make names collide under it). */
    static ChildTable empty(long seed) {
        return new ChildTable(MIN_CAPACITY, seed);
    }

    long seed() {
        return seed;
    }

    int count() {
        return count;
    }

    /** Names hashed to add to, or look up for an add in, this table and the ones it grew from (for tests). */
    int hashes() {
        return hashes;
    }

    int capacity() {
        return slots.length;
    }

    /** The slot contents, for listing (a slot may be null). */
    Node slot(int i) {
        return (Node) SLOT.getAcquire(slots, i);
    }

    /**
     * The child named by UTF-8 bytes {@code name[off, off+len)}, or null.
     *
     * <p>The slot where the probe stopped is read again, and what is there now is checked against the name: a
     * probe that stopped at an empty slot may find it filled by then, by a concurrent add of another name (replay
     * of a master's publish, or a refresh, while lookups run without a lock). Returning that node made a name
     * that was never made look present: CREATE_NEW failed with FileAlreadyExistsException, and a read could open
     * another file. A node found with the name stays in its slot (nothing moves within a table), so a hit is read
     * back unchanged.
     */
    Node get(byte[] name, int off, int len) {
        Node n = (Node) SLOT.getAcquire(slots, (int) locate(name, off, len));
        return n != null && n.nameEquals(name, off, len) ? n : null;
    }

    /** The hash of a name under this table's seed (for {@link #get(byte[], int, int, int)} and a following add). */
    int hashOf(byte[] name, int off, int len) {
        hashes++;
        return (int) hash(seed, name, off, len);
    }

    /**
     * As {@link #get(byte[], int, int)}, with the name's hash under this table's seed already known
     * ({@link #hashOf}): replay hashes each name once, for this check and for the {@link #add(Node, long, int)} that
     * follows it.
     */
    Node get(byte[] name, int off, int len, int hash) {
        Node n = (Node) SLOT.getAcquire(slots, (int) locate(hash, name, off, len));
        return n != null && n.nameEquals(name, off, len) ? n : null;
    }

    /** The child named {@code name}, or null (see {@link #get(byte[], int, int)} for why the slot is checked). */
    Node get(String name) {
        if (!isAscii(name)) {
            if (hasLoneSurrogate(name)) {
                return null; // no UTF-8 form (getBytes would make a lone surrogate '?'): no stored name is it
            }
            byte[] utf8 = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            return get(utf8, 0, utf8.length);
        }
        Node n = (Node) SLOT.getAcquire(slots, (int) locate(name));
        return n != null && n.nameEquals(name) ? n : null;
    }

    /**
     * Where the probe for a name stops: the slot of the node with that name, or the empty slot that ends its run;
     * in the low 32 bits, and the number of slots looked at in the high 32 bits (what tests count).
     */
    long locate(byte[] name, int off, int len) {
        return locate((int) hash(seed, name, off, len), name, off, len);
    }

    private long locate(int hash, byte[] name, int off, int len) {
        int i = hash & mask;
        for (long probes = 1;; probes++) {
            Node n = (Node) SLOT.getAcquire(slots, i);
            if (n == null || n.nameEquals(name, off, len)) {
                return probes << 32 | i;
            }
            i = (i + 1) & mask;
        }
    }

    /** As {@link #locate(byte[], int, int)} for a Java name; hashes its UTF-8 form without encoding when ASCII. */
    long locate(String name) {
        if (!isAscii(name)) {
            byte[] utf8 = name.getBytes(java.nio.charset.StandardCharsets.UTF_8);
            return locate(utf8, 0, utf8.length);
        }
        int i = (int) hashAscii(seed, name) & mask;
        for (long probes = 1;; probes++) {
            Node n = (Node) SLOT.getAcquire(slots, i);
            if (n == null || n.nameEquals(name)) {
                return probes << 32 | i;
            }
            i = (i + 1) & mask;
        }
    }

    /**
     * Adds {@code node}, whose name is not in the table. Returns this table, or (when it had to grow or reseed) a
     * new one holding every node, which the caller publishes.
     */
    ChildTable add(Node node) {
        return add(node, 0, 0);
    }

    /**
     * As {@link #add(Node)}, where {@code hash} is the hash of the node's name under seed {@code hashSeed} (from
     * {@link #hashOf} on this table; used when this table still has that seed, as a grown one has).
     */
    ChildTable add(Node node, long hashSeed, int hash) {
        return add(node, true, hashSeed, hash);
    }

    private ChildTable add(Node node, boolean mayReseed, long hashSeed, int hash) {
        if ((count + 1) * 2 > slots.length) {
            return rebuilt(slots.length * 2, seed).add(node, mayReseed, hashSeed, hash);
        }
        if (hashSeed == seed) {
            node.tableHash = hash;
        } else {
            byte[] name = node.nameBytes();
            node.tableHash = (int) hash(seed, name, 0, name.length);
            hashes++;
        }
        int i = node.tableHash & mask;
        int run = 0;
        while (slots[i] != null) {
            i = (i + 1) & mask;
            run++;
        }
        if (run >= LONG_RUN && mayReseed) {
            return rebuilt(slots.length, newSeed()).add(node, false, 0, 0);
        }
        SLOT.setRelease(slots, i, node);
        count++;
        return this;
    }

    private ChildTable rebuilt(int capacity, long newSeed) {
        ChildTable t = new ChildTable(capacity, newSeed);
        for (Node n : slots) {
            if (n != null) {
                if (t.seed != seed) { // reseeded: hash again (growth keeps the seed, and the hashes)
                    byte[] name = n.nameBytes();
                    n.tableHash = (int) hash(t.seed, name, 0, name.length);
                    t.hashes++;
                }
                int i = n.tableHash & t.mask;
                while (t.slots[i] != null) {
                    i = (i + 1) & t.mask;
                }
                t.slots[i] = n;
            }
        }
        t.count = count;
        t.hashes += hashes;
        return t;
    }

    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class,
            java.nio.ByteOrder.LITTLE_ENDIAN);

    /** The seeded hash of UTF-8 bytes {@code b[off, off+len)}, eight bytes at a step. */
    static long hash(long seed, byte[] b, int off, int len) {
        long h = seed;
        int k = off;
        int end = off + len;
        for (; k + 8 <= end; k += 8) {
            h = step(h, (long) LONGS.get(b, k));
        }
        long tail = 0;
        for (int shift = 0; k < end; k++, shift += 8) {
            tail |= (b[k] & 0xffL) << shift;
        }
        return finish(step(h, tail), len);
    }

    private static boolean hasLoneSurrogate(String s) {
        for (int k = 0, len = s.length(); k < len; k++) {
            char c = s.charAt(k);
            if (Character.isHighSurrogate(c) && k + 1 < len && Character.isLowSurrogate(s.charAt(k + 1))) {
                k++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static boolean isAscii(String s) {
        for (int k = 0, len = s.length(); k < len; k++) {
            if (s.charAt(k) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    /** {@link #hash(long, byte[], int, int)} of an ASCII string's bytes (its chars are its UTF-8 bytes). */
    private static long hashAscii(long seed, String s) {
        long h = seed;
        int len = s.length();
        long word = 0;
        int shift = 0;
        for (int k = 0; k < len; k++) {
            word |= (long) s.charAt(k) << shift;
            shift += 8;
            if (shift == 64) {
                h = step(h, word);
                word = 0;
                shift = 0;
            }
        }
        return finish(step(h, word), len);
    }

    private static long step(long h, long word) {
        h = (h ^ word) * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 32);
    }

    private static long finish(long h, int len) {
        h ^= len;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        h *= 0xc4ceb9fe1a85ec53L;
        return h ^ (h >>> 33);
    }
}
