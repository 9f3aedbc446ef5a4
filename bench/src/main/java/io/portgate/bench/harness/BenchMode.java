package io.portgate.bench.harness;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** What a run measures. */
public enum BenchMode
{
    /** TCP request/response round trips over N connections. */
    RR("rr", true, "round trips"),
    /** TCP connection setup: connect, one exchange, close. */
    CONNECT("connect", false, "connections"),
    /** UDP request/response round trips over N flows. */
    UDP_RR("udp-rr", true, "round trips"),
    /** UDP datagrams one way at a fixed rate to a sink the harness runs, which counts loss exactly. */
    UDP_ONEWAY("udp-oneway", true, "datagrams"),
    /** TCP bulk throughput into a discarding sink. */
    BULK("bulk", false, "writes");

    private final String cliName;
    private final boolean embedsHeader;
    private final String operations;

    BenchMode(final String cliName, final boolean embedsHeader, final String operations)
    {
        this.cliName = cliName;
        this.embedsHeader = embedsHeader;
        this.operations = operations;
    }

    /**
     * The name the command line and the report use.
     *
     * @return e.g. {@code udp-oneway}.
     */
    public String cliName()
    {
        return cliName;
    }

    /**
     * Whether each message carries a {@link Payload} header, so its size must be at least
     * {@link Payload#HEADER_LENGTH}.
     *
     * @return true for rr, udp-rr and udp-oneway.
     */
    public boolean embedsHeader()
    {
        return embedsHeader;
    }

    /**
     * What one operation of this mode is called in a report.
     *
     * @return e.g. {@code round trips}.
     */
    public String operations()
    {
        return operations;
    }

    /**
     * Whether the mode sends over UDP.
     *
     * @return true for udp-rr and udp-oneway.
     */
    public boolean isUdp()
    {
        return this == UDP_RR || this == UDP_ONEWAY;
    }

    /**
     * Finds a mode by its command-line name.
     *
     * @param name e.g. {@code rr}.
     * @return the mode.
     * @throws IllegalArgumentException naming the modes there are.
     */
    public static BenchMode of(final String name)
    {
        final String wanted = name.trim().toLowerCase(Locale.ROOT);
        for (final BenchMode mode : values())
        {
            if (mode.cliName.equals(wanted))
            {
                return mode;
            }
        }
        throw new IllegalArgumentException("unknown mode '" + name + "'; use one of " + names());
    }

    /**
     * The command-line names, for messages.
     *
     * @return e.g. {@code rr, connect, udp-rr, udp-oneway, bulk}.
     */
    public static String names()
    {
        return Arrays.stream(values()).map(BenchMode::cliName).collect(Collectors.joining(", "));
    }
}
