package io.github.famfs.format;

import java.nio.ByteBuffer;

/** An entry of a type this reader does not act on (DELETE, reserved, or unknown); replay skips it. */
public record OtherEntry(long seqnum, int type) implements LogEntry {
    @Override
    public void encodePayload(ByteBuffer b) {
        b.putInt(OFF_TYPE, type);
    }
}
