package io.github.famfs.format;

/** Receives the device ranges that back a range of a file, in file order. */
@FunctionalInterface
public interface DeviceRangeVisitor<X extends Throwable> {
    /**
     * @param fileOffset   offset in the file of the first byte of this range
     * @param deviceOffset device offset of that byte
     * @param length       bytes in the range (contiguous on the device)
     */
    void range(long fileOffset, long deviceOffset, long length) throws X;
}
