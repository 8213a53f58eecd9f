package io.github.famfs.lucene;

import io.github.famfs.nio.FamfsMappings.Advice;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.Collection;
import org.apache.lucene.store.IOContext;

/**
 * How Lucene says a file will be read, as madvise advice. Lucene 9 puts it in IOContext's fields ({@code load},
 * {@code randomAccess}, {@code readOnce}, {@code context}); Lucene 10 made IOContext an interface whose
 * {@code hints()} hold {@code DataAccessHint}, {@code PreloadHint} and {@code ReadOnceHint}. This class is compiled
 * against Lucene 9 and must run on both, so it reads either shape reflectively (looked up once).
 */
final class ReadHints {
    private ReadHints() {}

    /** Lucene 10's {@code IOContext.hints()}, or null on Lucene 9. */
    private static final Method HINTS = method("hints");
    /** Lucene 10's {@code IOContext.context()}, or null on Lucene 9. */
    private static final Method CONTEXT = method("context");
    private static final Field LOAD = field("load");
    private static final Field RANDOM_ACCESS = field("randomAccess");
    private static final Field READ_ONCE = field("readOnce");
    private static final Field CONTEXT_FIELD = field("context");

    private static Method method(String name) {
        try {
            return IOContext.class.getMethod(name);
        } catch (NoSuchMethodException e) {
            return null;
        }
    }

    private static Field field(String name) {
        try {
            return IOContext.class.getField(name);
        } catch (NoSuchFieldException e) {
            return null;
        }
    }

    /** The advice for a file opened with {@code context} (NORMAL when it says nothing or cannot be read). */
    static Advice of(IOContext context) {
        if (context == null) {
            return Advice.NORMAL;
        }
        try {
            if (HINTS != null) {
                Advice a = Advice.NORMAL;
                for (Object hint : (Collection<?>) HINTS.invoke(context)) {
                    String kind = hint.getClass().getSimpleName();
                    if (kind.equals("PreloadHint")) {
                        return Advice.WILLNEED;
                    } else if (kind.equals("DataAccessHint")) {
                        a = hint.toString().equals("RANDOM") ? Advice.RANDOM : Advice.SEQUENTIAL;
                    } else if (kind.equals("ReadOnceHint") && a == Advice.NORMAL) {
                        a = Advice.SEQUENTIAL;
                    }
                }
                if (a == Advice.NORMAL && CONTEXT != null && isMerge(CONTEXT.invoke(context))) {
                    a = Advice.SEQUENTIAL;
                }
                return a;
            }
            if (flag(LOAD, context)) {
                return Advice.WILLNEED;
            }
            if (flag(RANDOM_ACCESS, context)) {
                return Advice.RANDOM;
            }
            if (flag(READ_ONCE, context) || CONTEXT_FIELD != null && isMerge(CONTEXT_FIELD.get(context))) {
                return Advice.SEQUENTIAL;
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            // a Lucene whose IOContext has neither shape: no advice
        }
        return Advice.NORMAL;
    }

    private static boolean flag(Field f, IOContext context) throws IllegalAccessException {
        return f != null && f.getType() == boolean.class && f.getBoolean(context);
    }

    private static boolean isMerge(Object context) {
        return context == IOContext.Context.MERGE;
    }
}
