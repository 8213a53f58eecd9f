package io.github.famfs.format;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * The relative paths stored in FILE and MKDIR entries: raw bytes, NUL-terminated in an 80-byte field, relative
 * to the file-system root. A reader accepts only normalised UTF-8 paths (no leading or trailing '/', no empty,
 * "." or ".." components) of at most 79 bytes.
 */
public final class RelPath {
    private RelPath() {}

    /** The bytes of the 80-byte field at {@code at} up to the first NUL (all 80 if there is none). */
    public static byte[] read(ByteBuffer entry, int at) {
        byte[] out = new byte[length(entry, at)];
        entry.get(at, out);
        return out;
    }

    /** The length of the path in the 80-byte field at {@code at}: up to the first NUL, or 80 if there is none. */
    public static int length(ByteBuffer entry, int at) {
        int len = 0;
        while (len < Layout.RELPATH_FIELD && entry.get(at + len) != 0) {
            len++;
        }
        return len;
    }

    /** Writes {@code path} NUL-padded into the 80-byte field at {@code at}. */
    public static void write(ByteBuffer entry, int at, byte[] path) {
        if (path.length > Layout.MAX_RELPATH) {
            throw new IllegalArgumentException("path of " + path.length + " bytes is longer than famfs's "
                    + Layout.MAX_RELPATH + "-byte limit");
        }
        entry.put(at, path);
        for (int i = path.length; i < Layout.RELPATH_FIELD; i++) {
            entry.put(at + i, (byte) 0);
        }
    }

    /**
     * Decodes and checks a stored relative path.
     *
     * @return the path as a Java string
     * @throws FormatException naming what is wrong with it
     */
    public static String decode(byte[] raw) throws FormatException {
        if (raw.length == 0) {
            throw new FormatException("empty path");
        }
        if (raw.length > Layout.MAX_RELPATH) {
            throw new FormatException("path is not NUL-terminated within its 80-byte field");
        }
        String s;
        try {
            s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new FormatException("path " + printable(raw) + " is not valid UTF-8");
        }
        String problem = problem(s);
        if (problem != null) {
            throw new FormatException("path \"" + s + "\" " + problem);
        }
        return s;
    }

    /** Why {@code s} is not a normalised relative famfs path, or null if it is one. */
    public static String problem(String s) {
        if (s.isEmpty()) {
            return "is empty";
        }
        if (s.charAt(0) == '/') {
            return "is absolute (famfs paths are relative to the root)";
        }
        if (s.charAt(s.length() - 1) == '/') {
            return "ends with '/'";
        }
        for (int start = 0, end; start <= s.length(); start = end + 1) {
            end = s.indexOf('/', start);
            if (end < 0) {
                end = s.length();
            }
            int n = end - start;
            if (n == 0) {
                return "has an empty component";
            }
            if (s.charAt(start) == '.' && (n == 1 || n == 2 && s.charAt(start + 1) == '.')) {
                return "has a '" + s.substring(start, end) + "' component (paths must be normalised)";
            }
        }
        return null;
    }

    private static String printable(byte[] raw) {
        StringBuilder sb = new StringBuilder("\"");
        CharBuffer cb = StandardCharsets.ISO_8859_1.decode(ByteBuffer.wrap(raw));
        for (char c : cb.array()) {
            sb.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\x%02x", (int) c));
        }
        return sb.append('"').toString();
    }
}
