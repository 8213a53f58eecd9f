package io.github.famfs.cli;

import io.github.famfs.format.Uuids;
import io.github.famfs.nio.Environment;
import java.util.UUID;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Parsers for option values; a bad value is a usage error that quotes it. */
final class Converters {
    private Converters() {}

    /**
     * A byte count of more than 0: a number with an optional k, m, g or t suffix (powers of 1024), e.g. 4G, 512M,
     * 8388608. Every size option (a device, a log, a file, a chunk) needs at least one byte, so 0 is a usage error
     * that picocli reports naming the option.
     */
    static final class SizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            long n = parseSize(value);
            if (n <= 0) {
                throw new TypeConversionException("'" + value + "': a size must be more than 0");
            }
            return n;
        }
    }

    static long parseSize(String value) {
        try {
            return Environment.parseSize(value);
        } catch (NumberFormatException e) {
            throw new TypeConversionException("'" + value + "' is not a size (like 4G, 512M, 64k, 8388608)");
        }
    }

    /** Permission bits in octal, e.g. 644, 0755, 2775. */
    static final class ModeConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                int m = Integer.parseInt(value, 8);
                if (m >= 0 && m <= 07777) {
                    return m;
                }
            } catch (NumberFormatException e) {
                // below
            }
            throw new TypeConversionException("'" + value + "' is not an octal mode (like 644 or 0755)");
        }
    }

    /** A numeric user or group id, 0..4294967295. */
    static final class IdConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                return Integer.parseUnsignedInt(value);
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a numeric id (0..4294967295)");
            }
        }
    }

    static final class UuidConverter implements ITypeConverter<UUID> {
        @Override
        public UUID convert(String value) {
            // as the library's systemUuid: the reference's uuid_parse form only (UUID.fromString takes 1-1-1-1-1)
            return Uuids.parseCanonical(value.trim()).orElseThrow(() -> new TypeConversionException("'" + value
                    + "' is not a UUID (like 00112233-4455-6677-8899-aabbccddeeff)"));
        }
    }

    /** A PRNG seed: any integer; like the reference, only its low 32 bits count. */
    static final class SeedConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            try {
                return Long.decode(value.trim());
            } catch (NumberFormatException e) {
                throw new TypeConversionException("'" + value + "' is not a seed (an integer)");
            }
        }
    }
}
