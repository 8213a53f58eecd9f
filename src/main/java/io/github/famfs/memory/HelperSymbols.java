package io.github.famfs.memory;

/**
 * The addresses of the loaded cache-line helper's C functions, for a binding that must keep its argument's memory
 * alive during the call (Java 22+ {@code FamfsSegmentCaches} passes the segment itself to a downcall). The foreign
 * function binding answers from its own library lookup, the jnr-ffi one from a jffi handle of the same library.
 */
interface HelperSymbols {
    /** The address of function {@code name}, or 0 when the helper has none. */
    long symbol(String name);
}
