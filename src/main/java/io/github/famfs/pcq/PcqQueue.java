package io.github.famfs.pcq;

import static io.github.famfs.pcq.PcqLayout.*;

import io.github.famfs.memory.CacheLines;
import io.github.famfs.memory.Lifecycle;
import io.github.famfs.nio.FamfsCaches;
import io.github.famfs.nio.FamfsOption;
import io.github.famfs.nio.UnixAttributes;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileAttribute;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.CRC32;

/**
 * A producer/consumer queue between hosts over two famfs files, byte-compatible with the reference famfs's
 * {@code pcq} (famfs-format.md §13): {@code NAME} holds the producer header and the buckets, {@code
 * NAME.consumer} the consumer header. One producer and one consumer, on any hosts that see the same famfs;
 * messages are {@code bucketSize - 16} bytes, each stamped with a sequence number and a CRC-32.
 *
 * <p>Put and get follow the reference step by step, with its cache maintenance (§13.9) where the file system does
 * software coherence (env {@code coherence=software}; on cache-coherent memory, {@code hardware}, the same points
 * are fences that keep the order of the stores and loads, and no cache line is written back): a put writes the whole
 * bucket, writes it back, then advances and writes back {@code producer_index}; a get invalidates {@code
 * producer_index} before every test for empty, reads the bucket, and on a CRC mismatch invalidates it and reads
 * again (at most twice more), checks the seq, then advances and writes back {@code consumer_index}. Two
 * differences, both invisible on the media: a seq mismatch is also retried once after an invalidate (on memory
 * that is not coherent a stale line can hold the previous lap's message with a valid CRC), and a failed get
 * leaves the consumer's {@code next_seq} as it was (the reference leaves it one ahead, so every later get fails).
 *
 * <p>The queue's files are mapped through the file system's {@code FileChannel.map}. Producing or consuming
 * writes to the mapping, so the file system must be writable (the master, or a client opened for client writes).
 * A queue is {@link Closeable}; waiting calls end with {@link java.nio.channels.AsynchronousCloseException} when it
 * is closed by another thread, and with {@link InterruptedException} when their thread is interrupted. A waiting put
 * or get holds no lock between its tries, so an offer, poll or drain from another thread of the same handle does
 * not wait behind it, and a second waiting put (get) waits, and ends, as the first does.
 *
 * <p>Every put, get, drain and status is an operation of the queue's file system, as its channels' are: it holds
 * an entry of the file system's lifecycle while it touches the queue's memory, so {@code FileSystem.close()} waits
 * for the ones in progress to complete (they take microseconds) before it returns. A put or get waiting on a full or
 * empty queue sees the close at its next turn and ends at once, so close never waits for the other host. From
 * the moment close begins, every put, get, drain and status (a waiting one too) fails with a {@link PcqException}
 * whose cause is a {@link java.nio.file.ClosedFileSystemException}, and the queue no longer reads or writes the
 * device: no put completes after close returned.
 */
public final class PcqQueue implements Closeable {
    /** What a handle does: its mappings are read-write only where it writes. */
    public enum Role {
        /** puts messages: writes the producer file */
        PRODUCER,
        /** gets messages: writes the consumer file */
        CONSUMER,
        /** both, as the reference's {@code pcq -p -c} threads (each side from its own thread) */
        BOTH,
        /** only reads the headers ({@link #status()}) */
        READER
    }

    /** Extra reads of a bucket after a CRC mismatch, each after an invalidate (the reference's two retries). */
    public static final int CRC_RETRIES = 2;

    private final Path producerPath;
    /** The lifecycle of the queue's file system: each operation holds an entry of it. */
    private final Lifecycle lifecycle;
    private final Role role;
    private final ByteBuffer producer;
    private final ByteBuffer consumer;
    private final long nbuckets;
    private final int bucketSize;
    private final long bucketArray;
    private final byte[] bucket;
    private final ByteBuffer bucketView;
    private final CRC32 crc = new CRC32();
    private final Object putLock = new Object();
    private final Object getLock = new Object();
    /** Software coherence: the reference's cache-line instructions at its points; else fences only. */
    private final boolean maintain;
    private volatile boolean closed;
    private final AtomicLong nfull = new AtomicLong();
    private final AtomicLong nempty = new AtomicLong();
    private final AtomicLong retries = new AtomicLong();

    private PcqQueue(Path producerPath, Role role, ByteBuffer producer, ByteBuffer consumer, boolean maintain)
            throws PcqException {
        this.maintain = maintain;
        this.producerPath = producerPath;
        this.lifecycle = Lifecycle.of(producerPath.getFileSystem());
        if (lifecycle == null) {
            throw new java.nio.file.ProviderMismatchException("not a famfs path: " + producerPath);
        }
        this.role = role;
        this.producer = producer;
        this.consumer = consumer;
        PcqStatus s = readStatus(producer, consumer, producerPath);
        this.nbuckets = s.nbuckets();
        this.bucketSize = (int) s.bucketSize();
        this.bucketArray = producer.getLong(P_BUCKET_ARRAY_OFFSET);
        this.bucket = new byte[bucketSize];
        this.bucketView = ByteBuffer.wrap(bucket).order(ByteOrder.LITTLE_ENDIAN);
    }

    // ---- create and open

    /**
     * Creates queue {@code queue} as the reference's {@code pcq_create} does: first {@code queue.consumer} (2 MiB,
     * mode 0644 exactly whatever the umask (§13.1), owned by {@code consumerOwner}, e.g. {@code unix:uid}/{@code
     * unix:gid}, default the creator), then {@code queue} (2 MiB + nbuckets × bucketSize, owned by 0/0), each with its header written
     * back. The rest of both files is zero. Master only.
     *
     * @throws IllegalArgumentException  for a bucket size that is not a power of two of at least 16, fewer than 2
     *                                   buckets, or a producer file over 2 GiB
     * @throws FileAlreadyExistsException when either file exists (nothing is made)
     */
    public static void create(Path queue, long nbuckets, long bucketSize, FileAttribute<?>... consumerOwner)
            throws IOException {
        checkGeometry(nbuckets, bucketSize);
        long producerSize = TWO_MIB + nbuckets * bucketSize;
        Path consumerPath = consumerPath(queue);
        for (Path p : List.of(queue, consumerPath)) {
            if (Files.exists(p)) {
                throw new FileAlreadyExistsException(p.toString(), null, "can't create pcq " + queue
                        + ": something with that name already exists");
            }
        }
        List<FileAttribute<?>> attrs = new ArrayList<>(List.of(consumerOwner));
        attrs.add(UnixAttributes.exactMode(0644));
        ByteBuffer ch = header(CONSUMER_HEADER);
        ch.putInt(C_MAGIC, CONSUMER_MAGIC);
        ch.putLong(C_CONSUMER_INDEX, 0);
        ch.putLong(C_NEXT_SEQ, 0);
        ch.putLong(C_SIZE, TWO_MIB);
        make(consumerPath, TWO_MIB, ch, attrs.toArray(FileAttribute<?>[]::new));
        ByteBuffer ph = header(PRODUCER_HEADER);
        ph.putLong(P_MAGIC, PRODUCER_MAGIC);
        ph.putLong(P_NBUCKETS, nbuckets);
        ph.putLong(P_BUCKET_SIZE, bucketSize);
        ph.putLong(P_BUCKET_ARRAY_OFFSET, TWO_MIB);
        ph.putLong(P_PRODUCER_INDEX, 0);
        ph.putLong(P_NEXT_SEQ, 0);
        ph.putLong(P_SIZE, producerSize);
        make(queue, producerSize, ph, UnixAttributes.exactMode(0644), UnixAttributes.uid(0),
                UnixAttributes.gid(0));
    }

    private static ByteBuffer header(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static void checkGeometry(long nbuckets, long bucketSize) {
        if (bucketSize < MIN_BUCKET || Long.bitCount(bucketSize) != 1) {
            throw new IllegalArgumentException("bucket_size " + bucketSize + " must be a power of 2 of at least "
                    + MIN_BUCKET + " (8 bytes of seq and 8 of CRC)");
        }
        if (nbuckets < 2) {
            throw new IllegalArgumentException("nbuckets " + nbuckets + " must be at least 2 (a queue of n buckets"
                    + " holds n - 1 messages)");
        }
        if (nbuckets > (Integer.MAX_VALUE - TWO_MIB) / bucketSize) {
            throw new IllegalArgumentException(nbuckets + " buckets of " + bucketSize + " bytes make a producer"
                    + " file over 2 GiB, more than famfs-nio maps as one buffer");
        }
    }

    /** A new file of {@code size} bytes: {@code header} at 0, zeros after, published, then written back. */
    private static void make(Path p, long size, ByteBuffer header, FileAttribute<?>... attrs) throws IOException {
        Set<OpenOption> opts = Set.of(StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                FamfsOption.size(size), FamfsOption.CONTIGUOUS);
        try (FileChannel ch = FileChannel.open(p, opts, attrs)) {
            header.clear();
            while (header.hasRemaining()) {
                ch.write(header, header.position());
            }
            ch.write(ByteBuffer.allocate(1), size - 1); // the rest is zero-filled up to the fixed size
        }
        FamfsCaches.flush(p, 0, header.capacity());
    }

    /** {@code queue.consumer}. */
    public static Path consumerPath(Path queue) {
        Path name = queue.getFileName();
        if (name == null) {
            throw new IllegalArgumentException("a queue needs a file name: " + queue);
        }
        return queue.resolveSibling(consumerName(name.toString()));
    }

    /**
     * Opens queue {@code queue} (both files must exist and hold valid headers) for {@code role}.
     *
     * @throws PcqException when a magic is wrong, the geometry is not a queue's or does not fit the files, or an
     *                      index is out of range
     */
    public static PcqQueue open(Path queue, Role role) throws IOException {
        if (Lifecycle.of(queue.getFileSystem()) == null) { // before anything is mapped or asked of its store
            throw new java.nio.file.ProviderMismatchException("not a famfs path: " + queue);
        }
        boolean writeProducer = role == Role.PRODUCER || role == Role.BOTH;
        boolean writeConsumer = role == Role.CONSUMER || role == Role.BOTH;
        ByteBuffer p = map(queue, writeProducer);
        ByteBuffer c = map(consumerPath(queue), writeConsumer);
        return new PcqQueue(queue, role, p, c, softwareCoherence(queue));
    }

    /** Whether the file system does software coherence (famfs:coherence), as the queue then must too. */
    private static boolean softwareCoherence(Path queue) throws IOException {
        Object c = Files.getFileStore(queue).getAttribute("famfs:coherence");
        return c instanceof String s && s.startsWith("software");
    }

    private static ByteBuffer map(Path p, boolean writable) throws IOException {
        try (FileChannel ch = writable ? FileChannel.open(p, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(p, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size > Integer.MAX_VALUE) {
                throw new PcqException(p + ": " + size + " bytes, more than famfs-nio maps as one buffer (2 GiB)");
            }
            MappedByteBuffer m = ch.map(writable ? FileChannel.MapMode.READ_WRITE : FileChannel.MapMode.READ_ONLY, 0,
                    size);
            return m.order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    /** Checks both headers as the reference's {@code --info} does, and the geometry against the file sizes. */
    private static PcqStatus readStatus(ByteBuffer p, ByteBuffer c, Path where) throws PcqException {
        if (p.capacity() < PRODUCER_HEADER || p.getLong(P_MAGIC) != PRODUCER_MAGIC) {
            throw new PcqException(where + ": pcq bad magic (not a pcq producer file)");
        }
        if (c.capacity() < CONSUMER_HEADER || c.getInt(C_MAGIC) != CONSUMER_MAGIC) {
            throw new PcqException(where + ".consumer: pcqc bad magic (not a pcq consumer file)");
        }
        long nbuckets = p.getLong(P_NBUCKETS);
        long bsize = p.getLong(P_BUCKET_SIZE);
        long array = p.getLong(P_BUCKET_ARRAY_OFFSET);
        if (nbuckets < 2 || bsize < MIN_BUCKET || Long.bitCount(bsize) != 1 || array < PRODUCER_HEADER
                || array > p.capacity() || nbuckets > (p.capacity() - array) / bsize) {
            throw new PcqException(where + ": pcq geometry nbuckets=" + Long.toUnsignedString(nbuckets)
                    + " bucket_size=" + Long.toUnsignedString(bsize) + " bucket_array_offset="
                    + Long.toUnsignedString(array) + " does not fit the " + p.capacity() + "-byte file");
        }
        PcqStatus s = new PcqStatus(nbuckets, bsize, p.getLong(P_PRODUCER_INDEX), c.getLong(C_CONSUMER_INDEX),
                p.getLong(P_NEXT_SEQ), c.getLong(C_NEXT_SEQ));
        checkIndex(s.producerIndex(), nbuckets, "producer", where);
        checkIndex(s.consumerIndex(), nbuckets, "consumer", where);
        return s;
    }

    private static void checkIndex(long index, long nbuckets, String who, Path where) throws PcqException {
        if (index < 0 || index >= nbuckets) {
            throw new PcqException(where + ": pcq invalid " + who + "_index " + Long.toUnsignedString(index)
                    + " (nbuckets " + nbuckets + ")");
        }
    }

    // ---- the queue

    /**
     * Writes back a range under software coherence; on coherent memory a fence orders the stores. The helper's
     * call itself, not {@code FamfsCaches.flush(ByteBuffer, ...)}: that one looks a caller's buffer up among
     * famfs's mappings and holds its mapping in use for the call (no system call either), which this queue's
     * buffers, its own fields, mapped as long as it is reachable, do not need.
     */
    private void flush(ByteBuffer b, int at, int length) {
        if (maintain) {
            CacheLines.flush(b, at, length);
        } else {
            java.lang.invoke.VarHandle.fullFence();
        }
    }

    /** Invalidates a range under software coherence (the helper's call, as {@link #flush}); else a fence. */
    private void invalidate(ByteBuffer b, int at, int length) {
        if (maintain) {
            CacheLines.invalidate(b, at, length);
        } else {
            java.lang.invoke.VarHandle.fullFence();
        }
    }

    public long nbuckets() {
        return nbuckets;
    }

    public int bucketSize() {
        return bucketSize;
    }

    /** Bytes of payload per message ({@code bucketSize - 16}). */
    public int payloadSize() {
        return bucketSize - TRAILER;
    }

    /** Both headers now (the indices invalidated first), checked as at open. */
    public PcqStatus status() throws IOException {
        checkOpen();
        enter();
        try {
            invalidate(producer, 0, PRODUCER_HEADER);
            invalidate(consumer, 0, Long.BYTES * 2);
            invalidate(consumer, C_NEXT_SEQ, Long.BYTES);
            return readStatus(producer, consumer, producerPath);
        } finally {
            lifecycle.exit();
        }
    }

    /** Times a put found the queue full (once per put at most), a get found it empty, a get read a bucket again. */
    public long fullCount() {
        return nfull.get();
    }

    public long emptyCount() {
        return nempty.get();
    }

    public long retryCount() {
        return retries.get();
    }

    /**
     * Puts a message, waiting while the queue is full: the payload's remaining bytes (at most
     * {@link #payloadSize()}; the rest of the payload area is zero), stamped with the next seq and the CRC.
     *
     * @return the message's seq
     */
    public long put(ByteBuffer payload) throws IOException, InterruptedException {
        return put(payload, this::pause);
    }

    /** Puts a message unless the queue is full; returns its seq, or -1 when full (nothing changed). */
    public long offer(ByteBuffer payload) throws IOException {
        return put(payload, NO_WAIT);
    }

    /** What a put or get does when it cannot go on: waits a little and returns true, or returns false. */
    private interface Wait<X extends Exception> {
        boolean pause() throws IOException, X;
    }

    private static final Wait<RuntimeException> NO_WAIT = () -> false;

    private <X extends Exception> long put(ByteBuffer payload, Wait<X> wait) throws IOException, X {
        if (role != Role.PRODUCER && role != Role.BOTH) {
            throw new IllegalStateException("this handle of " + producerPath + " was opened as " + role);
        }
        int n = payload.remaining();
        if (n > payloadSize()) {
            throw new IllegalArgumentException("a message of " + n + " bytes does not fit the " + payloadSize()
                    + "-byte payload of " + producerPath);
        }
        // each turn takes the put lock and an entry; a wait holds neither, so an offer or another put of this
        // handle is not stuck behind it, and an interrupt or close ends every waiting put at its next turn
        for (boolean again = false;; again = true) {
            synchronized (putLock) {
                checkOpen();
                enter();
                try {
                    if (!full(again)) {
                        return putEntered(payload, n);
                    }
                } finally {
                    lifecycle.exit();
                }
            }
            if (!again) {
                nfull.incrementAndGet();
            }
            if (!wait.pause()) {
                return -1;
            }
        }
    }

    /**
     * Whether the queue is full, holding the put lock and an entry. The first test reads consumer_index with no
     * invalidate, as the reference does; a test again after a wait ({@code again}) invalidates it first.
     */
    private boolean full(boolean again) throws PcqException {
        long putIndex = index(producer, P_PRODUCER_INDEX, "producer");
        if (again) {
            invalidate(consumer, C_CONSUMER_INDEX, Long.BYTES);
        }
        return (putIndex + 1) % nbuckets == index(consumer, C_CONSUMER_INDEX, "consumer");
    }

    /** A put into a queue that is not full, holding the put lock and an entry of the file system's lifecycle. */
    private long putEntered(ByteBuffer payload, int n) throws IOException {
        long putIndex = index(producer, P_PRODUCER_INDEX, "producer");
        long seq = producer.getLong(P_NEXT_SEQ);
        producer.putLong(P_NEXT_SEQ, seq + 1);
        flush(producer, P_NEXT_SEQ, Long.BYTES); // not in the reference: a restarted producer reads it
        java.util.Arrays.fill(bucket, (byte) 0);
        payload.get(payload.position(), bucket, 0, n);
        bucketView.putLong(bucketSize - TRAILER, seq);
        bucketView.putLong(bucketSize - Long.BYTES, crcOf(bucket));
        int at = bucketOffset(putIndex);
        producer.put(at, bucket);
        flush(producer, at, bucketSize);
        producer.putLong(P_PRODUCER_INDEX, (putIndex + 1) % nbuckets);
        flush(producer, P_PRODUCER_INDEX, Long.BYTES);
        payload.position(payload.position() + n);
        return seq;
    }

    /**
     * Gets the next message, waiting while the queue is empty: its {@link #payloadSize()} payload bytes go into
     * {@code dst} (which must have room for them).
     *
     * @return the message's seq
     * @throws PcqException when the bucket fails its CRC after {@value #CRC_RETRIES} retries, or holds another seq
     *                      than expected (the queue is left as it was)
     */
    public long take(ByteBuffer dst) throws IOException, InterruptedException {
        return get(dst, this::pause);
    }

    /** Gets the next message unless the queue is empty: its seq, or -1 when empty (nothing changed). */
    public long poll(ByteBuffer dst) throws IOException {
        return get(dst, NO_WAIT);
    }

    /** Gets every message queued now, without waiting; returns how many (the reference's {@code pcq --drain}). */
    public long drain() throws IOException {
        ByteBuffer sink = ByteBuffer.allocate(payloadSize());
        checkOpen();
        enter();
        try {
            long n = 0;
            while (poll(sink.clear()) >= 0) {
                n++;
            }
            return n;
        } finally {
            lifecycle.exit();
        }
    }

    private <X extends Exception> long get(ByteBuffer dst, Wait<X> wait) throws IOException, X {
        if (role != Role.CONSUMER && role != Role.BOTH) {
            throw new IllegalStateException("this handle of " + producerPath + " was opened as " + role);
        }
        if (dst.isReadOnly()) {
            throw new java.nio.ReadOnlyBufferException();
        }
        if (dst.remaining() < payloadSize()) {
            throw new IllegalArgumentException("room for " + dst.remaining() + " bytes, and a message of "
                    + producerPath + " has " + payloadSize());
        }
        // each turn takes the get lock and an entry; a wait holds neither (as a put's)
        for (boolean again = false;; again = true) {
            synchronized (getLock) {
                checkOpen();
                enter();
                try {
                    if (!empty()) {
                        return getEntered(dst);
                    }
                } finally {
                    lifecycle.exit();
                }
            }
            if (!again) {
                nempty.incrementAndGet();
            }
            if (!wait.pause()) {
                return -1;
            }
        }
    }

    /** Whether the queue is empty (producer_index invalidated first), holding the get lock and an entry. */
    private boolean empty() throws PcqException {
        long getIndex = index(consumer, C_CONSUMER_INDEX, "consumer");
        invalidate(producer, P_PRODUCER_INDEX, Long.BYTES);
        return index(producer, P_PRODUCER_INDEX, "producer") == getIndex;
    }

    /** A get from a queue that is not empty, holding the get lock and an entry of the file system's lifecycle. */
    private long getEntered(ByteBuffer dst) throws IOException {
        long getIndex = index(consumer, C_CONSUMER_INDEX, "consumer");
        int at = bucketOffset(getIndex);
        long expect = consumer.getLong(C_NEXT_SEQ);
        String problem = readBucket(at, expect);
        if (problem != null) {
            throw new PcqException(producerPath + ": bad message in bucket " + getIndex + ": " + problem
                    + " (cache coherency suspicious); the queue is left as it was");
        }
        dst.put(bucket, 0, payloadSize()); // before the queue moves: a failed put leaves it as it was
        consumer.putLong(C_NEXT_SEQ, expect + 1);
        consumer.putLong(C_CONSUMER_INDEX, (getIndex + 1) % nbuckets);
        flush(consumer, C_CONSUMER_INDEX, Long.BYTES);
        return expect;
    }

    /**
     * Copies the bucket out and checks it: the first read without an invalidate, then after a CRC mismatch up to
     * {@value #CRC_RETRIES} invalidates and reads; a seq mismatch gets one invalidate and read. Returns null, or
     * what is wrong.
     */
    private String readBucket(int at, long expect) {
        boolean counted = false;
        boolean seqRetried = false;
        int crcRetries = 0;
        while (true) {
            producer.get(at, bucket);
            long stored = bucketView.getLong(bucketSize - Long.BYTES);
            long computed = crcOf(bucket);
            String problem = null;
            boolean retry;
            if (stored != computed) {
                problem = String.format("bad crc 0x%x, computed 0x%x, after %d retries", stored, computed,
                        crcRetries);
                retry = crcRetries++ < CRC_RETRIES;
            } else if (bucketView.getLong(bucketSize - TRAILER) != expect) {
                problem = "seq mismatch " + Long.toUnsignedString(bucketView.getLong(bucketSize - TRAILER)) + " / "
                        + Long.toUnsignedString(expect);
                retry = !seqRetried;
                seqRetried = true;
            } else {
                return null;
            }
            if (!retry) {
                return problem;
            }
            if (!counted) {
                retries.incrementAndGet();
                counted = true;
            }
            invalidate(producer, at, bucketSize);
        }
    }

    private long crcOf(byte[] b) {
        crc.reset();
        crc.update(b, 0, bucketSize - Long.BYTES);
        return crc.getValue();
    }

    private int bucketOffset(long index) {
        return (int) (bucketArray + index * bucketSize);
    }

    /** An index read from shared memory, refused when another host wrote nonsense (never a wild bucket). */
    private long index(ByteBuffer b, int at, String who) throws PcqException {
        long i = b.getLong(at);
        checkIndex(i, nbuckets, who, producerPath);
        return i;
    }

    /** One wait of a blocking put or get: yields, as the reference does (sched_yield), then checks for an end. */
    private boolean pause() throws InterruptedException, IOException {
        Thread.yield();
        if (Thread.interrupted()) {
            throw new InterruptedException("waiting on pcq " + producerPath);
        }
        if (closed) {
            throw new java.nio.channels.AsynchronousCloseException();
        }
        if (lifecycle.isClosing()) { // a wait holds no entry: end it now rather than at its next try
            throw closedFileSystem();
        }
        return true;
    }

    private void checkOpen() throws IOException {
        if (closed) {
            throw new java.nio.channels.ClosedChannelException();
        }
    }

    /**
     * Begins an operation on the queue's memory: an entry of the file system's lifecycle (pair with {@code
     * lifecycle.exit()}), refused once the file system's close has begun.
     */
    private void enter() throws PcqException {
        if (!lifecycle.tryEnter()) {
            throw closedFileSystem();
        }
    }

    private PcqException closedFileSystem() {
        PcqException e = new PcqException("pcq " + producerPath + ": its file system is closed");
        e.initCause(new java.nio.file.ClosedFileSystemException());
        return e;
    }

    /**
     * Closes this handle: waiting puts and gets end. The mappings stay valid until they are collected (as every
     * {@code FileChannel.map} buffer), so a put or get in progress completes. (Closing the file system instead
     * waits for the puts and gets in progress, see above.)
     */
    @Override
    public void close() {
        closed = true;
    }

    @Override
    public String toString() {
        return "PcqQueue[" + producerPath + ", " + role + ", " + nbuckets + " x " + bucketSize + "]";
    }
}
