package io.github.famfs.arrow;

import io.github.famfs.nio.FamfsOwnedMapping;
import org.apache.arrow.memory.ForeignAllocation;

/**
 * A famfs file's mapping as an Arrow foreign allocation: Arrow's reference count on the buffer that wraps it (and
 * on every slice of it that a vector holds) decides when it is unmapped, once, by {@link #release0()}
 * (so that no view of it is used after its {@link FamfsOwnedMapping#close()}).
 */
final class MappedFrame extends ForeignAllocation {
    private final FamfsOwnedMapping mapping;

    MappedFrame(FamfsOwnedMapping mapping) {
        super(mapping.size(), mapping.address());
        this.mapping = mapping;
    }

    /** First address of the file's bytes. */
    long address() {
        return memoryAddress();
    }

    @Override
    protected void release0() {
        mapping.close();
    }
}
