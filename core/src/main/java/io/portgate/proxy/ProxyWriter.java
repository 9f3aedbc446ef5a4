package io.portgate.proxy;

import io.portgate.net.Ip;
import org.agrona.MutableDirectBuffer;

import java.nio.ByteOrder;

/**
 * Writes PROXY protocol headers into a buffer, without allocation, from addresses held as two longs each (see
 * {@link Ip}). A connection to a target starts with one of these before any client byte; a UDP datagram to a target
 * with {@code send-proxy: v2} carries a version 2 header with {@link ProxyHeader#TRANSPORT_DGRAM} in front of its
 * payload.
 *
 * <p>When both addresses are IPv4 the header says so ({@code TCP4}, family {@code AF_INET}); when either is IPv6,
 * both are written as IPv6, an IPv4 one in mapped form ({@code ::ffff:a.b.c.d}), as HAProxy does for a client of
 * one family relayed to a listener of the other.
 *
 * <p>Every method checks that the longest header of its kind fits in the buffer from {@code index} and throws
 * {@link IndexOutOfBoundsException} otherwise: headers are at most {@link ProxyParser#V1_MAX_LENGTH} bytes, so a
 * buffer too small for one is a programming error, not a runtime condition.
 */
public final class ProxyWriter
{
    /** The longest version 1 {@code TCP4} line. */
    public static final int V1_TCP4_MAX_LENGTH = 56;
    /** The longest version 1 {@code TCP6} line. */
    public static final int V1_TCP6_MAX_LENGTH = 104;
    /** A version 2 header for IPv4 addresses. */
    public static final int V2_IPV4_LENGTH = 28;
    /** A version 2 header for IPv6 addresses. */
    public static final int V2_IPV6_LENGTH = 52;
    /** A version 2 LOCAL header, with no address block. */
    public static final int V2_LOCAL_LENGTH = 16;

    private static final byte[] TCP4 = { 'T', 'C', 'P', '4', ' ' };
    private static final byte[] TCP6 = { 'T', 'C', 'P', '6', ' ' };
    private static final byte[] UNKNOWN = { 'U', 'N', 'K', 'N', 'O', 'W', 'N', '\r', '\n' };

    private ProxyWriter()
    {
    }

    /**
     * Writes a header as described: {@link ProxyHeader#VERSION_1} or {@link ProxyHeader#VERSION_2}, a PROXY command
     * with addresses (version 1 only with {@link ProxyHeader#TRANSPORT_STREAM}), a version 2 LOCAL command, or a
     * version 1 {@code UNKNOWN} line for a header without addresses.
     *
     * @param buffer where to write.
     * @param index  at which byte.
     * @param header what to write.
     * @return the bytes written.
     * @throws IllegalArgumentException for a header neither version can carry (a version 1 datagram header).
     */
    public static int write(final MutableDirectBuffer buffer, final int index, final ProxyHeader header)
    {
        if (header.version() == ProxyHeader.VERSION_2)
        {
            if (!header.hasAddresses())
            {
                return writeV2Local(buffer, index);
            }
            return writeV2(buffer, index, header.transport(), header.sourceHigh(), header.sourceLow(),
                header.sourcePort(), header.destinationHigh(), header.destinationLow(), header.destinationPort());
        }
        if (header.version() != ProxyHeader.VERSION_1 || header.transport() == ProxyHeader.TRANSPORT_DGRAM)
        {
            throw new IllegalArgumentException("no PROXY header carries " + header);
        }
        if (!header.hasAddresses())
        {
            return writeV1Unknown(buffer, index);
        }
        return writeV1(buffer, index, header.sourceHigh(), header.sourceLow(), header.sourcePort(),
            header.destinationHigh(), header.destinationLow(), header.destinationPort());
    }

    /**
     * Writes a version 1 line for a TCP connection, e.g. {@code PROXY TCP4 192.0.2.1 198.51.100.1 56324 443\r\n}.
     *
     * @param buffer          where to write US-ASCII.
     * @param index           at which byte.
     * @param sourceHigh      the client's address, high 64 bits.
     * @param sourceLow       the client's address, low 64 bits.
     * @param sourcePort      the client's port.
     * @param destinationHigh the address the client connected to, high 64 bits.
     * @param destinationLow  the address the client connected to, low 64 bits.
     * @param destinationPort the port the client connected to.
     * @return the bytes written, at most {@link #V1_TCP6_MAX_LENGTH}.
     */
    public static int writeV1(final MutableDirectBuffer buffer, final int index, final long sourceHigh,
        final long sourceLow, final int sourcePort, final long destinationHigh, final long destinationLow,
        final int destinationPort)
    {
        final boolean ipv4 = Ip.isIpv4(sourceHigh, sourceLow) && Ip.isIpv4(destinationHigh, destinationLow);
        checkFits(buffer, index, ipv4 ? V1_TCP4_MAX_LENGTH : V1_TCP6_MAX_LENGTH);
        int at = index + putBytes(buffer, index, ProxyParser.V1_PREFIX);
        at += putBytes(buffer, at, ipv4 ? TCP4 : TCP6);
        at += ipv4 ? Ip.putIpv4Text(Ip.ipv4(sourceLow), buffer, at) : Ip.putIpv6Text(sourceHigh, sourceLow, buffer, at);
        buffer.putByte(at++, (byte)' ');
        at += ipv4 ? Ip.putIpv4Text(Ip.ipv4(destinationLow), buffer, at) :
            Ip.putIpv6Text(destinationHigh, destinationLow, buffer, at);
        buffer.putByte(at++, (byte)' ');
        at += buffer.putNaturalIntAscii(at, sourcePort & 0xFFFF);
        buffer.putByte(at++, (byte)' ');
        at += buffer.putNaturalIntAscii(at, destinationPort & 0xFFFF);
        buffer.putByte(at++, (byte)'\r');
        buffer.putByte(at++, (byte)'\n');
        return at - index;
    }

    /**
     * Writes {@code PROXY UNKNOWN\r\n}: a relayed connection whose client cannot be described.
     *
     * @param buffer where to write.
     * @param index  at which byte.
     * @return the bytes written, 15.
     */
    public static int writeV1Unknown(final MutableDirectBuffer buffer, final int index)
    {
        checkFits(buffer, index, ProxyParser.V1_PREFIX.length + UNKNOWN.length);
        final int at = index + putBytes(buffer, index, ProxyParser.V1_PREFIX);
        return at + putBytes(buffer, at, UNKNOWN) - index;
    }

    /**
     * Writes a version 2 header with a PROXY command.
     *
     * @param buffer          where to write.
     * @param index           at which byte.
     * @param transport       {@link ProxyHeader#TRANSPORT_STREAM} (TCP) or {@link ProxyHeader#TRANSPORT_DGRAM} (UDP).
     * @param sourceHigh      the client's address, high 64 bits.
     * @param sourceLow       the client's address, low 64 bits.
     * @param sourcePort      the client's port.
     * @param destinationHigh the address the client sent to, high 64 bits.
     * @param destinationLow  the address the client sent to, low 64 bits.
     * @param destinationPort the port the client sent to.
     * @return the bytes written: {@link #V2_IPV4_LENGTH} or {@link #V2_IPV6_LENGTH}.
     * @throws IllegalArgumentException for another transport.
     */
    public static int writeV2(final MutableDirectBuffer buffer, final int index, final int transport,
        final long sourceHigh, final long sourceLow, final int sourcePort, final long destinationHigh,
        final long destinationLow, final int destinationPort)
    {
        if (transport != ProxyHeader.TRANSPORT_STREAM && transport != ProxyHeader.TRANSPORT_DGRAM)
        {
            throw new IllegalArgumentException("a PROXY v2 header relays TCP (1) or UDP (2), not transport " +
                transport);
        }
        final boolean ipv4 = Ip.isIpv4(sourceHigh, sourceLow) && Ip.isIpv4(destinationHigh, destinationLow);
        final int length = ipv4 ? V2_IPV4_LENGTH : V2_IPV6_LENGTH;
        checkFits(buffer, index, length);
        putBytes(buffer, index, ProxyParser.V2_SIGNATURE);
        buffer.putByte(index + 12, (byte)(0x20 | ProxyHeader.COMMAND_PROXY));
        final int family = ipv4 ? ProxyHeader.FAMILY_INET : ProxyHeader.FAMILY_INET6;
        buffer.putByte(index + 13, (byte)(family << 4 | transport));
        buffer.putShort(index + 14, (short)(length - ProxyParser.V2_FIXED_LENGTH), ByteOrder.BIG_ENDIAN);
        final int block = index + ProxyParser.V2_FIXED_LENGTH;
        if (ipv4)
        {
            buffer.putInt(block, Ip.ipv4(sourceLow), ByteOrder.BIG_ENDIAN);
            buffer.putInt(block + 4, Ip.ipv4(destinationLow), ByteOrder.BIG_ENDIAN);
            buffer.putShort(block + 8, (short)sourcePort, ByteOrder.BIG_ENDIAN);
            buffer.putShort(block + 10, (short)destinationPort, ByteOrder.BIG_ENDIAN);
        }
        else
        {
            buffer.putLong(block, sourceHigh, ByteOrder.BIG_ENDIAN);
            buffer.putLong(block + 8, sourceLow, ByteOrder.BIG_ENDIAN);
            buffer.putLong(block + 16, destinationHigh, ByteOrder.BIG_ENDIAN);
            buffer.putLong(block + 24, destinationLow, ByteOrder.BIG_ENDIAN);
            buffer.putShort(block + 32, (short)sourcePort, ByteOrder.BIG_ENDIAN);
            buffer.putShort(block + 34, (short)destinationPort, ByteOrder.BIG_ENDIAN);
        }
        return length;
    }

    /**
     * Writes a version 2 LOCAL header: the connection is the proxy's own (a health check), family unspecified.
     *
     * @param buffer where to write.
     * @param index  at which byte.
     * @return the bytes written, {@link #V2_LOCAL_LENGTH}.
     */
    public static int writeV2Local(final MutableDirectBuffer buffer, final int index)
    {
        checkFits(buffer, index, V2_LOCAL_LENGTH);
        putBytes(buffer, index, ProxyParser.V2_SIGNATURE);
        buffer.putByte(index + 12, (byte)(0x20 | ProxyHeader.COMMAND_LOCAL));
        buffer.putByte(index + 13, (byte)0);
        buffer.putShort(index + 14, (short)0, ByteOrder.BIG_ENDIAN);
        return V2_LOCAL_LENGTH;
    }

    private static int putBytes(final MutableDirectBuffer buffer, final int index, final byte[] bytes)
    {
        buffer.putBytes(index, bytes);
        return bytes.length;
    }

    private static void checkFits(final MutableDirectBuffer buffer, final int index, final int length)
    {
        if (index < 0 || (long)index + length > buffer.capacity())
        {
            throw new IndexOutOfBoundsException("a PROXY header needs up to " + length + " bytes at " + index +
                " of a " + buffer.capacity() + "-byte buffer");
        }
    }
}
