package io.portgate.proxy;

import io.portgate.net.Ip;

/**
 * One PROXY header's content, mutable and meant to be preallocated (one per connection, or one per worker reused
 * for each connection): what {@link ProxyParser} fills in when it completes a header, and what
 * {@link ProxyWriter#write} writes. Addresses are two longs each, IPv4 in mapped form (see {@link Ip}). Not
 * thread-safe.
 *
 * <p>The constants are those of version 2's wire format; a version 1 line maps onto them ({@code TCP4} is
 * {@link #FAMILY_INET} and {@link #TRANSPORT_STREAM}, {@code UNKNOWN} is {@link #FAMILY_UNSPEC}).
 */
public final class ProxyHeader
{
    /** The text format. */
    public static final int VERSION_1 = 1;
    /** The binary format. */
    public static final int VERSION_2 = 2;

    /** Version 2 LOCAL: the proxy opened the connection for itself (a health check); use the real endpoints. */
    public static final int COMMAND_LOCAL = 0;
    /** The connection is relayed for the client named in the header (always so in version 1). */
    public static final int COMMAND_PROXY = 1;

    /** Unknown or unspecified family (version 1 {@code UNKNOWN}): no addresses; use the real endpoints. */
    public static final int FAMILY_UNSPEC = 0;
    /** IPv4. */
    public static final int FAMILY_INET = 1;
    /** IPv6. */
    public static final int FAMILY_INET6 = 2;
    /** A Unix socket path: accepted as the specification asks, its addresses ignored like {@link #FAMILY_UNSPEC}. */
    public static final int FAMILY_UNIX = 3;

    /** Unspecified transport: no addresses. */
    public static final int TRANSPORT_UNSPEC = 0;
    /** TCP (or a Unix stream socket). */
    public static final int TRANSPORT_STREAM = 1;
    /** UDP (or a Unix datagram socket). */
    public static final int TRANSPORT_DGRAM = 2;

    private int version;
    private int command;
    private int family;
    private int transport;
    private long sourceHigh;
    private long sourceLow;
    private int sourcePort;
    private long destinationHigh;
    private long destinationLow;
    private int destinationPort;
    private int length;
    private int tlvOffset;
    private int tlvLength;

    /**
     * Sets a header that relays a connection, for writing; the family follows from the addresses.
     *
     * @param version         {@link #VERSION_1} or {@link #VERSION_2}.
     * @param transport       {@link #TRANSPORT_STREAM} or {@link #TRANSPORT_DGRAM} (the latter only in version 2).
     * @param sourceHigh      the client's address, high 64 bits.
     * @param sourceLow       the client's address, low 64 bits.
     * @param sourcePort      the client's port.
     * @param destinationHigh the address the client connected to, high 64 bits.
     * @param destinationLow  the address the client connected to, low 64 bits.
     * @param destinationPort the port the client connected to.
     * @return this.
     */
    public ProxyHeader proxy(final int version, final int transport, final long sourceHigh, final long sourceLow,
        final int sourcePort, final long destinationHigh, final long destinationLow, final int destinationPort)
    {
        return set(version, COMMAND_PROXY, Ip.isIpv4(sourceHigh, sourceLow) && Ip.isIpv4(destinationHigh,
            destinationLow) ? FAMILY_INET : FAMILY_INET6, transport, sourceHigh, sourceLow, sourcePort, destinationHigh,
            destinationLow, destinationPort, 0, 0, 0);
    }

    /**
     * Sets every field; the parser's way of publishing a complete header at once.
     *
     * @param version         the version.
     * @param command         the command.
     * @param family          the family.
     * @param transport       the transport.
     * @param sourceHigh      source address, high 64 bits (0 without addresses).
     * @param sourceLow       source address, low 64 bits.
     * @param sourcePort      source port.
     * @param destinationHigh destination address, high 64 bits.
     * @param destinationLow  destination address, low 64 bits.
     * @param destinationPort destination port.
     * @param length          the header's length in bytes.
     * @param tlvOffset       where version 2 TLVs start, from the header's first byte (0 when there are none).
     * @param tlvLength       their total length in bytes.
     * @return this.
     */
    ProxyHeader set(final int version, final int command, final int family, final int transport,
        final long sourceHigh, final long sourceLow, final int sourcePort, final long destinationHigh,
        final long destinationLow, final int destinationPort, final int length, final int tlvOffset,
        final int tlvLength)
    {
        this.version = version;
        this.command = command;
        this.family = family;
        this.transport = transport;
        this.sourceHigh = sourceHigh;
        this.sourceLow = sourceLow;
        this.sourcePort = sourcePort;
        this.destinationHigh = destinationHigh;
        this.destinationLow = destinationLow;
        this.destinationPort = destinationPort;
        this.length = length;
        this.tlvOffset = tlvOffset;
        this.tlvLength = tlvLength;
        return this;
    }

    /**
     * Copies another header.
     *
     * @param other the header to copy.
     * @return this.
     */
    public ProxyHeader copyFrom(final ProxyHeader other)
    {
        return set(other.version, other.command, other.family, other.transport, other.sourceHigh, other.sourceLow,
            other.sourcePort, other.destinationHigh, other.destinationLow, other.destinationPort, other.length,
            other.tlvOffset, other.tlvLength);
    }

    /**
     * Clears every field to 0.
     *
     * @return this.
     */
    public ProxyHeader clear()
    {
        return set(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
    }

    /**
     * Whether the header names the client: a PROXY command with an IPv4 or IPv6 address block. When false (a LOCAL
     * command, {@code UNKNOWN}, an unspecified or Unix family or transport) the specification asks the receiver to
     * use the connection's real endpoints; whether that is acceptable (access rules see the proxy's own address
     * then) is the caller's policy.
     *
     * @return true when the source and destination fields hold addresses.
     */
    public boolean hasAddresses()
    {
        return command == COMMAND_PROXY && (family == FAMILY_INET || family == FAMILY_INET6) &&
            transport != TRANSPORT_UNSPEC;
    }

    /** @return {@link #VERSION_1} or {@link #VERSION_2}. */
    public int version()
    {
        return version;
    }

    /** @return {@link #COMMAND_LOCAL} or {@link #COMMAND_PROXY}. */
    public int command()
    {
        return command;
    }

    /** @return one of the {@code FAMILY_} constants. */
    public int family()
    {
        return family;
    }

    /** @return one of the {@code TRANSPORT_} constants. */
    public int transport()
    {
        return transport;
    }

    /** @return the client's address, high 64 bits. */
    public long sourceHigh()
    {
        return sourceHigh;
    }

    /** @return the client's address, low 64 bits (IPv4 in mapped form). */
    public long sourceLow()
    {
        return sourceLow;
    }

    /** @return the client's port. */
    public int sourcePort()
    {
        return sourcePort;
    }

    /** @return the address the client connected to, high 64 bits. */
    public long destinationHigh()
    {
        return destinationHigh;
    }

    /** @return the address the client connected to, low 64 bits (IPv4 in mapped form). */
    public long destinationLow()
    {
        return destinationLow;
    }

    /** @return the port the client connected to. */
    public int destinationPort()
    {
        return destinationPort;
    }

    /** @return the parsed header's length in bytes: the bytes to drop before the client's own data. */
    public int length()
    {
        return length;
    }

    /** @return where the version 2 TLVs start, counted from the header's first byte; 0 when there are none. */
    public int tlvOffset()
    {
        return tlvOffset;
    }

    /** @return the total length of the version 2 TLVs, each already checked to lie within the header. */
    public int tlvLength()
    {
        return tlvLength;
    }

    @Override
    public String toString()
    {
        final StringBuilder sb = new StringBuilder("PROXY v").append(version);
        if (command == COMMAND_LOCAL)
        {
            return sb.append(" LOCAL").toString();
        }
        if (!hasAddresses())
        {
            return sb.append(" UNKNOWN family=").append(family).append(" transport=").append(transport).toString();
        }
        return sb.append(transport == TRANSPORT_DGRAM ? " UDP " : " TCP ")
            .append(Ip.toString(sourceHigh, sourceLow)).append(':').append(sourcePort).append(" -> ")
            .append(Ip.toString(destinationHigh, destinationLow)).append(':').append(destinationPort).toString();
    }
}
