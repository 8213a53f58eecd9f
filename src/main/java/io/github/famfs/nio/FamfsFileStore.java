package io.github.famfs.nio;

import io.github.famfs.meta.Namespace;
import io.github.famfs.format.FamfsProblem;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileAttributeView;
import java.nio.file.attribute.FileOwnerAttributeView;
import java.nio.file.attribute.FileStoreAttributeView;
import java.nio.file.attribute.PosixFileAttributeView;
import java.util.List;
import java.util.Set;

/**
 * The one store of a famfs file system: its device. Space figures come from the allocation bitmap: the total is
 * the device bytes in use by famfs (the lesser of the real device's size and the superblock's), the free space
 * the whole allocation units that can be handed out (on the master, as its allocator has them now: files being
 * made hold their space; on a client, as of the last replay). Attributes
 * of the {@code famfs} view: {@code problems} (what replay found wrong, a List of String), {@code uuid},
 * {@code systemUuid}, {@code role} ("master" or "client"), {@code logEntries}, {@code logCapacity},
 * {@code files}, {@code directories}, {@code fileBytes}, {@code daxdevs}, {@code deviceKind}, {@code alignment}.
 */
public final class FamfsFileStore extends FileStore {
    private final FamfsFileSystem fs;

    FamfsFileStore(FamfsFileSystem fs) {
        this.fs = fs;
    }

    @Override
    public String name() {
        return fs.devicePath().toString();
    }

    @Override
    public String type() {
        return "famfs";
    }

    @Override
    public boolean isReadOnly() {
        return fs.isReadOnly();
    }

    @Override
    public long getTotalSpace() {
        return fs.deviceLimit();
    }

    @Override
    public long getUsableSpace() {
        return getUnallocatedSpace();
    }

    @Override
    public long getUnallocatedSpace() {
        return fs.freeBytes();
    }

    @Override
    public boolean supportsFileAttributeView(Class<? extends FileAttributeView> type) {
        return type == BasicFileAttributeView.class || type == PosixFileAttributeView.class
                || type == FileOwnerAttributeView.class || type == FamfsFileAttributeView.class;
    }

    @Override
    public boolean supportsFileAttributeView(String name) {
        return FamfsFileSystem.VIEWS.contains(name);
    }

    @Override
    public <V extends FileStoreAttributeView> V getFileStoreAttributeView(Class<V> type) {
        return null;
    }

    @Override
    public Object getAttribute(String attribute) throws IOException {
        fs.ensureOpen();
        Namespace ns = fs.namespace();
        String name = attribute.startsWith("famfs:") ? attribute.substring(6) : attribute;
        switch (name) {
            case "totalSpace":
                return getTotalSpace();
            case "usableSpace":
                return getUsableSpace();
            case "unallocatedSpace":
                return getUnallocatedSpace();
            case "problems":
                return ns.problems().stream().map(FamfsProblem::toString).toList();
            case "uuid":
                return ns.superblock().uuid();
            case "systemUuid":
                return ns.superblock().systemUuid();
            case "role":
                return fs.isMaster() ? "master" : "client";
            case "logEntries":
                return ns.replayedEntries();
            case "logCapacity":
                return ns.header().capacity();
            case "files":
                return ns.stats().files();
            case "directories":
                return ns.stats().directories();
            case "fileBytes":
                return ns.stats().fileBytes();
            case "daxdevs":
                return List.copyOf(ns.daxdevs());
            case "deviceKind":
                return fs.deviceInfo().kind().toString();
            case "alignment":
                return fs.deviceInfo().alignment();
            case "coherence":
                return fs.coherence();
            default:
                throw new UnsupportedOperationException("famfs file store has no attribute '" + attribute + "'");
        }
    }

    static final Set<String> ATTRIBUTES = Set.of("problems", "uuid", "systemUuid", "role", "logEntries",
            "logCapacity", "files", "directories", "fileBytes", "daxdevs", "deviceKind", "alignment", "coherence");

    @Override
    public String toString() {
        return name() + " (famfs)";
    }
}
