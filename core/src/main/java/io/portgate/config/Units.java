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
     * @throws IllegalArgumentException when it is not a duration.
     */
    public static Duration parseDuration(final String text)
    {
        final String trimmed = text.trim().toLowerCase(Locale.ROOT);
        if (!trimmed.isEmpty() && trimmed.chars().allMatch(Character::isDigit))
        {
            throw new IllegalArgumentException("duration '" + text + "' has no unit; write e.g. " + trimmed + "s or " +
                trimmed + "ms");
        }
        final Matcher m = DURATION_PART.matcher(trimmed);
        int at = 0;
        Duration total = Duration.ZERO;
        while (at < trimmed.length() && m.find(at) && m.start() == at)
        {
            final long n = Long.parseLong(m.group(1));
            total = total.plus(switch (m.group(2))
            {
                case "ns" -> Duration.ofNanos(n);
                case "us", "µs" -> Duration.ofNanos(Math.multiplyExact(n, 1000L));
                case "ms" -> Duration.ofMillis(n);
                case "s" -> Duration.ofSeconds(n);
                case "m" -> Duration.ofMinutes(n);
                case "h" -> Duration.ofHours(n);
                default -> Duration.ofDays(n);
            });
            at = m.end();
        }
        if (at != trimmed.length() || trimmed.isEmpty())
        {
            throw new IllegalArgumentException("'" + text + "' is not a duration; write e.g. 250ms, 2s, 1m30s or 1h");
        }
        return total;
    }

    /**
     * Parses a size in bytes with an optional binary suffix k, m or g.
     *
     * @param text the text.
     * @return the number of bytes.
     * @throws IllegalArgumentException when it is not a size.
     */
    public static long parseSize(final String text)
    {
        final Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches() || m.group(1).length() > 15)
        {
            throw new IllegalArgumentException("'" + text + "' is not a size; write bytes or use a suffix, e.g. " +
                "65536, 64k, 4m or 1g");
        }
        final long n = Long.parseLong(m.group(1));
        final String unit = m.group(2);
        final long multiplier = unit.isEmpty() || unit.equals("b") ? 1 :
            unit.startsWith("k") ? 1024L : unit.startsWith("m") ? 1024L * 1024 : 1024L * 1024 * 1024;
        return Math.multiplyExact(n, multiplier);
    }

    /**
     * Formats a duration the way the configuration writes it.
     *
     * @param d the duration.
     * @return e.g. {@code 2s}, {@code 250ms}, {@code 1h}.
     */
    public static String formatDuration(final Duration d)
    {
        final long nanos = d.toNanos();
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
