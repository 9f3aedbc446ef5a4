package io.portgate.config;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Parses durations ({@code 250ms}, {@code 2s}, {@code 1m30s}) and sizes ({@code 64k}, {@code 4m}, {@code 1g}). */
public final class Units
{
    private static final Pattern DURATION_PART = Pattern.compile("(\\d+)(ns|us|µs|ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(|b|k|kb|kib|m|mb|mib|g|gb|gib)");

    private Units()
    {
    }

    /**
     * Parses a duration: one or more number-unit pairs, units ns, us, ms, s, m, h, d.
     *
     * @param text the text.
     * @return the duration.
     * @throws IllegalArgumentException when it is not a duration, or does not fit in a long of nanoseconds.
     */
    public static Duration parseDuration(final String text)
    {
        return parseDuration(text, Duration.ofNanos(Long.MAX_VALUE));
    }

    /**
     * Parses a duration no longer than a maximum.
     *
     * @param text the text.
     * @param max  the longest allowed.
     * @return the duration.
     * @throws IllegalArgumentException when it is not a duration or is longer than {@code max}; the message names
     *                                  the largest allowed value.
     */
    public static Duration parseDuration(final String text, final Duration max)
    {
        final String trimmed = text.trim().toLowerCase(Locale.ROOT);
        if (!trimmed.isEmpty() && trimmed.chars().allMatch(Character::isDigit))
        {
            final String shown = trimmed.length() > 18 ? "N" : trimmed;
            throw new IllegalArgumentException("duration " + Quote.of(text) + " has no unit; write e.g. " + shown +
                "s or " + shown + "ms");
        }
        final Matcher m = DURATION_PART.matcher(trimmed);
        final long maxNanos = max.toNanos();
        int at = 0;
        long total = 0;
        boolean tooLong = false;
        while (at < trimmed.length() && m.region(at, trimmed.length()).lookingAt())
        {
            final long unitNanos = switch (m.group(2))
            {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                default -> 86_400_000_000_000L;
            };
            final String digits = m.group(1);
            // A number past a long is too long as well; the text is still read to its end to tell a duration that
            // is too long from one that is malformed.
            final long n = digits.length() <= 19 ? parseOrMax(digits) : Long.MAX_VALUE;
            if (!tooLong)
            {
                if (n > (maxNanos - total) / unitNanos)
                {
                    tooLong = true;
                }
                else
                {
                    total += n * unitNanos;
                }
            }
            at = m.end();
        }
        if (at != trimmed.length() || trimmed.isEmpty())
        {
            throw new IllegalArgumentException(Quote.of(text) + " is not a duration; write e.g. 250ms, 2s, 1m30s " +
                "or 1h");
        }
        if (tooLong)
        {
            throw new IllegalArgumentException("duration " + Quote.of(text) + " is longer than the largest allowed, " +
                formatDuration(max));
        }
        return Duration.ofNanos(total);
    }

    private static long parseOrMax(final String digits)
    {
        try
        {
            return Long.parseLong(digits);
        }
        catch (final NumberFormatException ex)
        {
            return Long.MAX_VALUE;
        }
    }

    /**
     * Parses a size in bytes with an optional binary suffix k, m or g.
     *
     * @param text the text.
     * @return the number of bytes.
     * @throws IllegalArgumentException when it is not a size, or does not fit in a long.
     */
    public static long parseSize(final String text)
    {
        return parseSize(text, Long.MAX_VALUE);
    }

    /**
     * Parses a size in bytes no larger than a maximum.
     *
     * @param text the text.
     * @param max  the largest allowed.
     * @return the number of bytes.
     * @throws IllegalArgumentException when it is not a size or is larger than {@code max}; the message names the
     *                                  largest allowed value.
     */
    public static long parseSize(final String text, final long max)
    {
        final Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches())
        {
            throw new IllegalArgumentException(Quote.of(text) + " is not a size; write bytes or use a suffix, e.g. " +
                "65536, 64k, 4m or 1g");
        }
        final String unit = m.group(2);
        final long multiplier = unit.isEmpty() || unit.equals("b") ? 1 :
            unit.startsWith("k") ? 1024L : unit.startsWith("m") ? 1024L * 1024 : 1024L * 1024 * 1024;
        final String digits = m.group(1);
        if (digits.length() > 19 || parseOrMax(digits) > max / multiplier)
        {
            throw new IllegalArgumentException("size " + Quote.of(text) + " is larger than the largest allowed, " +
                formatSize(max));
        }
        return Long.parseLong(digits) * multiplier;
    }

    /**
     * Formats a duration the way the configuration writes it.
     *
     * @param d the duration.
     * @return e.g. {@code 2s}, {@code 250ms}, {@code 1h}.
     */
    public static String formatDuration(final Duration d)
    {
        final long nanos;
        try
        {
            nanos = d.toNanos();
        }
        catch (final ArithmeticException pastLong)
        {
            // Past a long of nanoseconds (only a Duration built in code gets here): whole seconds are exact enough.
            return d.getSeconds() % 86_400 == 0 ? d.getSeconds() / 86_400 + "d" : d.getSeconds() + "s";
        }
        if (nanos == 0)
        {
            return "0s";
        }
        final long[] units = {86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L,
            1_000_000L, 1_000L, 1L};
        final String[] names = {"d", "h", "m", "s", "ms", "us", "ns"};
        for (int i = 0; i < units.length; i++)
        {
            if (nanos % units[i] == 0)
            {
                return (nanos / units[i]) + names[i];
            }
        }
        return nanos + "ns";
    }

    /**
     * Formats a size the way the configuration writes it.
     *
     * @param bytes the size.
     * @return e.g. {@code 64k}, {@code 4m}, {@code 1000}.
     */
    public static String formatSize(final long bytes)
    {
        if (bytes != 0 && bytes % (1024L * 1024 * 1024) == 0)
        {
            return bytes / (1024L * 1024 * 1024) + "g";
        }
        if (bytes != 0 && bytes % (1024L * 1024) == 0)
        {
            return bytes / (1024L * 1024) + "m";
        }
        if (bytes != 0 && bytes % 1024L == 0)
        {
            return bytes / 1024L + "k";
        }
        return Long.toString(bytes);
    }
}
