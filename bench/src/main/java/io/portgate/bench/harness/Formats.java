package io.portgate.bench.harness;

import java.util.Locale;

/** Human-readable numbers for the text report and the progress line. */
final class Formats
{
    private Formats()
    {
    }

    /** Nanoseconds with three significant digits in the largest unit that keeps them above one. */
    static String nanos(final double ns)
    {
        if (ns < 1_000)
        {
            return String.format(Locale.ROOT, "%.0fns", ns);
        }
        if (ns < 1_000_000)
        {
            return threeDigits(ns / 1e3) + "us";
        }
        if (ns < 1_000_000_000)
        {
            return threeDigits(ns / 1e6) + "ms";
        }
        return threeDigits(ns / 1e9) + "s";
    }

    static String threeDigits(final double v)
    {
        return String.format(Locale.ROOT, v >= 100 ? "%.0f" : v >= 10 ? "%.1f" : "%.2f", v);
    }

    static String rate(final double perSecond)
    {
        return String.format(Locale.ROOT, perSecond >= 100 ? "%.0f" : "%.1f", perSecond);
    }

    static String seconds(final long ns)
    {
        return String.format(Locale.ROOT, "%.3fs", ns / 1e9);
    }

    static String megabytes(final double bytes)
    {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    static String address(final java.net.InetSocketAddress address)
    {
        return address.getAddress() == null ? address.getHostString() + ":" + address.getPort() :
            io.portgate.config.Endpoint.format(address.getAddress(), address.getPort());
    }

    static String percent(final double fraction)
    {
        return String.format(Locale.ROOT, "%.3f%%", fraction * 100);
    }
}
