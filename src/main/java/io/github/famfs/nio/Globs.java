package io.github.famfs.nio;

import java.nio.file.PathMatcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** {@code glob:} and {@code regex:} path matchers with the default (Unix) provider's glob syntax. */
final class Globs {
    private Globs() {}

    static PathMatcher matcher(String syntaxAndPattern) {
        int colon = syntaxAndPattern.indexOf(':');
        if (colon <= 0) {
            throw new IllegalArgumentException("path matcher '" + syntaxAndPattern
                    + "' must be syntax:pattern with syntax glob or regex");
        }
        String syntax = syntaxAndPattern.substring(0, colon);
        String pattern = syntaxAndPattern.substring(colon + 1);
        String regex;
        if (syntax.equalsIgnoreCase("glob")) {
            regex = toRegex(pattern);
        } else if (syntax.equalsIgnoreCase("regex")) {
            regex = pattern;
        } else {
            throw new UnsupportedOperationException("path matcher syntax '" + syntax
                    + "' is not supported (glob and regex are)");
        }
        Pattern p = Pattern.compile(regex);
        return path -> p.matcher(path.toString()).matches();
    }

    /** Translates a glob: * and ? stay within a name, ** crosses names, [..] classes, {a,b} groups, \ escapes. */
    static String toRegex(String glob) {
        StringBuilder re = new StringBuilder("^");
        boolean inGroup = false;
        int i = 0;
        int n = glob.length();
        while (i < n) {
            char c = glob.charAt(i++);
            switch (c) {
                case '\\':
                    if (i == n) {
                        throw new PatternSyntaxException("no character to escape", glob, i - 1);
                    }
                    quote(re, glob.charAt(i++));
                    break;
                case '/':
                    re.append('/');
                    break;
                case '[':
                    i = bracket(glob, i, re);
                    break;
                case '{':
                    if (inGroup) {
                        throw new PatternSyntaxException("cannot nest groups", glob, i - 1);
                    }
                    re.append("(?:(?:");
                    inGroup = true;
                    break;
                case '}':
                    if (inGroup) {
                        re.append("))");
                        inGroup = false;
                    } else {
                        re.append('}');
                    }
                    break;
                case ',':
                    re.append(inGroup ? ")|(?:" : ",");
                    break;
                case '*':
                    if (i < n && glob.charAt(i) == '*') {
                        re.append(".*");
                        i++;
                    } else {
                        re.append("[^/]*");
                    }
                    break;
                case '?':
                    re.append("[^/]");
                    break;
                default:
                    quote(re, c);
            }
        }
        if (inGroup) {
            throw new PatternSyntaxException("missing '}'", glob, n);
        }
        return re.append('$').toString();
    }

    private static int bracket(String glob, int i, StringBuilder re) {
        int n = glob.length();
        re.append("[[^/]&&[");
        if (i < n && glob.charAt(i) == '^') {
            re.append("\\^");
            i++;
        } else {
            if (i < n && glob.charAt(i) == '!') {
                re.append('^');
                i++;
            }
            if (i < n && glob.charAt(i) == '-') {
                re.append('-');
                i++;
            }
        }
        boolean closed = false;
        while (i < n) {
            char c = glob.charAt(i++);
            if (c == ']') {
                closed = true;
                break;
            }
            if (c == '/') {
                throw new PatternSyntaxException("explicit '/' in a class", glob, i - 1);
            }
            if (c == '\\' || c == '[' || c == '&' && i < n && glob.charAt(i) == '&') {
                re.append('\\');
            }
            re.append(c);
        }
        if (!closed) {
            throw new PatternSyntaxException("missing ']'", glob, n);
        }
        re.append("]]");
        return i;
    }

    private static void quote(StringBuilder re, char c) {
        if ("\\^$.|?*+()[]{}".indexOf(c) >= 0) {
            re.append('\\');
        }
        re.append(c);
    }
}
