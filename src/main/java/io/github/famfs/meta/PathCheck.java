package io.github.famfs.meta;

import io.github.famfs.format.Layout;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Replay's quick test of a stored relative path, on its bytes, allocating nothing: true when it is a path
 * {@link io.github.famfs.format.RelPath#decode} accepts (1 to 79 bytes of valid UTF-8, normalised, relative).
 * A false answer only sends the path to {@code RelPath.decode} for the message. '/' and '.' are single bytes
 * that never occur inside a UTF-8 sequence, so the component rules hold on bytes as on characters. One decoder
 * and buffer are kept and reused (by the one replay that owns this).
 */
final class PathCheck {
    private final CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    private final CharBuffer chars = CharBuffer.allocate(Layout.RELPATH_FIELD);
    /** Where the last name of the path {@link #isValid} last accepted starts (an index into its array). */
    private int lastName;

    /**
     * Whether the path is valid; when it is, {@link #lastName()} tells where its last name starts (the scan that
     * checks the components finds it, so replay needs no second scan for the parent and the name).
     */
    boolean isValid(byte[] b, int at, int len) {
        if (len == 0 || len > Layout.MAX_RELPATH) {
            return false;
        }
        boolean ascii = true;
        int start = at;
        int end = at + len;
        for (int i = at; i <= end; i++) {
            if (i == end || b[i] == '/') {
                int n = i - start;
                if (n == 0 || b[start] == '.' && (n == 1 || n == 2 && b[start + 1] == '.')) {
                    return false;
                }
                if (i == end) {
                    break;
                }
                start = i + 1;
            } else if (b[i] < 0) {
                ascii = false;
            }
        }
        lastName = start;
        return ascii || isUtf8(b, at, len);
    }

    /** Where the last name of the path last accepted by {@link #isValid} starts. */
    int lastName() {
        return lastName;
    }

    private boolean isUtf8(byte[] b, int at, int len) {
        utf8.reset();
        chars.clear();
        ByteBuffer in = ByteBuffer.wrap(b, at, len);
        return !utf8.decode(in, chars, true).isError() && !utf8.flush(chars).isError();
    }
}
