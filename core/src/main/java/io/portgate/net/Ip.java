package io.portgate.net;

import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;

/**
 * IP addresses as two longs. An address is 128 bits, {@code high} then {@code low}, in network order; an IPv4
 * address {@code a.b.c.d} is held as {@code ::ffff:a.b.c.d} ({@code high == 0},
 * {@code low == 0x0000_ffff_xxxx_xxxx}), which is also what an IPv4 client looks like on a dual-stack IPv6 socket.
 * So one representation keys tables, matches prefixes and fills PROXY headers for both families, and a test of
 * {@link #isIpv4(long, long)} tells them apart.
 *
 * <p>The conversions from and to {@link InetAddress} allocate and belong off the hot path (once per accepted
 * connection at most, where the JDK already allocates the channel and its address); everything else here allocates
 * nothing.
 */
public final class Ip
{
    /** The bits of the low long above the IPv4 address in an IPv4-mapped address. */
    public static final long IPV4_MAPPED_PREFIX = 0x0000_FFFF_0000_0000L;
    /** The longest text {@link #putText} writes for an IPv4 address: {@code 255.255.255.255}. */
    public static final int IPV4_MAX_TEXT_LENGTH = 15;
    /** The longest text {@link #putIpv6Text} writes: {@code ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff}. */
    public static final int IPV6_MAX_TEXT_LENGTH = 39;

    private static final long UPPER_32_BITS = 0xFFFF_FFFF_0000_0000L;
    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private Ip()
    {
    }

    /**
     * The low long of an IPv4 address in its mapped form; the high long is 0.
     *
     * @param ipv4 the IPv4 address, {@code a.b.c.d} as {@code a << 24 | b << 16 | c << 8 | d}.
     * @return {@code ::ffff:a.b.c.d}'s low 64 bits.
     */
    public static long mappedLow(final int ipv4)
    {
        return IPV4_MAPPED_PREFIX | (ipv4 & 0xFFFF_FFFFL);
    }

    /**
     * Whether an address is an IPv4 address (held in its mapped form).
     *
     * @param high the high 64 bits.
     * @param low  the low 64 bits.
     * @return true for {@code ::ffff:0:0/96}.
     */
    public static boolean isIpv4(final long high, final long low)
    {
        return high == 0 && (low & UPPER_32_BITS) == IPV4_MAPPED_PREFIX;
    }

    /**
     * The IPv4 address inside a mapped address.
     *
     * @param low the low 64 bits of an address for which {@link #isIpv4(long, long)} holds.
     * @return the IPv4 address as an int.
     */
    public static int ipv4(final long low)
    {
        return (int)low;
    }

    /**
     * The high 64 bits of an address. Allocates (the JDK copies the address bytes out); off the hot path.
     *
     * @param address an IPv4 or IPv6 address; an IPv6 scope is dropped.
     * @return its high 64 bits, 0 for IPv4.
     */
    public static long high(final InetAddress address)
    {
        if (address instanceof Inet4Address)
        {
            return 0;
        }
        return longAt(address.getAddress(), 0);
    }

    /**
     * The low 64 bits of an address. Allocates (the JDK copies the address bytes out); off the hot path.
     *
     * @param address an IPv4 or IPv6 address; an IPv6 scope is dropped.
     * @return its low 64 bits, {@code ::ffff:a.b.c.d}'s for IPv4.
     */
    public static long low(final InetAddress address)
    {
        final byte[] bytes = address.getAddress();
        if (bytes.length == 4)
        {
            return mappedLow((bytes[0] & 0xFF) << 24 | (bytes[1] & 0xFF) << 16 | (bytes[2] & 0xFF) << 8 | bytes[3] & 0xFF);
        }
        return longAt(bytes, 8);
    }

    /**
     * The JDK's address for two longs. Allocates; off the hot path.
     *
     * @param high the high 64 bits.
     * @param low  the low 64 bits.
     * @return an {@link Inet4Address} for a mapped address, an {@link java.net.Inet6Address} otherwise.
     */
    public static InetAddress toInetAddress(final long high, final long low)
    {
        final byte[] bytes;
        if (isIpv4(high, low))
        {
            bytes = new byte[4];
            putInt(bytes, 0, ipv4(low));
        }
        else
        {
            bytes = new byte[16];
            putInt(bytes, 0, (int)(high >>> 32));
            putInt(bytes, 4, (int)high);
            putInt(bytes, 8, (int)(low >>> 32));
            putInt(bytes, 12, (int)low);
        }
        try
        {
            return InetAddress.getByAddress(bytes);
        }
        catch (final UnknownHostException ex)
        {
            throw new IllegalStateException("4 or 16 bytes are always an address", ex);
        }
    }

    /**
     * The JDK's socket address for two longs and a port. Allocates; off the hot path.
     *
     * @param high the high 64 bits.
     * @param low  the low 64 bits.
     * @param port the port, 0-65535.
     * @return the socket address.
     */
    public static InetSocketAddress toSocketAddress(final long high, final long low, final int port)
    {
        return new InetSocketAddress(toInetAddress(high, low), port);
    }

    /**
     * Writes an address as text: dotted quad for IPv4, RFC 5952's canonical form for IPv6 (lower case, no leading
     * zeros, the longest run of two or more zero groups shortened to {@code ::}).
     *
     * @param high   the high 64 bits.
     * @param low    the low 64 bits.
     * @param buffer where to write US-ASCII.
     * @param index  at which byte.
     * @return the bytes written, at most {@link #IPV6_MAX_TEXT_LENGTH}.
     */
    public static int putText(final long high, final long low, final MutableDirectBuffer buffer, final int index)
    {
        if (isIpv4(high, low))
        {
            return putIpv4Text(ipv4(low), buffer, index);
        }
        return putIpv6Text(high, low, buffer, index);
    }

    /**
     * Writes an IPv4 address as a dotted quad without leading zeros.
     *
     * @param ipv4   the address.
     * @param buffer where to write US-ASCII.
     * @param index  at which byte.
     * @return the bytes written, 7 to 15.
     */
    public static int putIpv4Text(final int ipv4, final MutableDirectBuffer buffer, final int index)
    {
        int at = index;
        for (int shift = 24; shift >= 0; shift -= 8)
        {
            if (shift != 24)
            {
                buffer.putByte(at++, (byte)'.');
            }
            at += putDecimal((ipv4 >>> shift) & 0xFF, buffer, at);
        }
        return at - index;
    }

    /**
     * Writes an address in IPv6 text form (RFC 5952), an IPv4-mapped one as {@code ::ffff:a.b.c.d}.
     *
     * @param high   the high 64 bits.
     * @param low    the low 64 bits.
     * @param buffer where to write US-ASCII.
     * @param index  at which byte.
     * @return the bytes written, 2 to {@link #IPV6_MAX_TEXT_LENGTH}.
     */
    public static int putIpv6Text(final long high, final long low, final MutableDirectBuffer buffer, final int index)
    {
        if (isIpv4(high, low))
        {
            buffer.putByte(index, (byte)':');
            buffer.putByte(index + 1, (byte)':');
            buffer.putByte(index + 2, (byte)'f');
            buffer.putByte(index + 3, (byte)'f');
            buffer.putByte(index + 4, (byte)'f');
            buffer.putByte(index + 5, (byte)'f');
            buffer.putByte(index + 6, (byte)':');
            return 7 + putIpv4Text(ipv4(low), buffer, index + 7);
        }
        // The longest run of zero groups, the first of equal ones; a single zero group is not shortened.
        int bestStart = -1;
        int bestLength = 1;
        int runStart = -1;
        for (int g = 0; g <= 8; g++)
        {
            final boolean zero = g < 8 && group(high, low, g) == 0;
            if (zero && runStart < 0)
            {
                runStart = g;
            }
            else if (!zero && runStart >= 0)
            {
                if (g - runStart > bestLength)
                {
                    bestStart = runStart;
                    bestLength = g - runStart;
                }
                runStart = -1;
            }
        }
        int at = index;
        for (int g = 0; g < 8; g++)
        {
            if (g == bestStart)
            {
                buffer.putByte(at++, (byte)':');
                if (g == 0)
                {
                    buffer.putByte(at++, (byte)':');
                }
                g += bestLength - 1;
                continue;
            }
            at += putHex(group(high, low, g), buffer, at);
            if (g < 7)
            {
                buffer.putByte(at++, (byte)':');
            }
        }
        return at - index;
    }

    /**
     * An address as text, for messages and tests. Allocates.
     *
     * @param high the high 64 bits.
     * @param low  the low 64 bits.
     * @return the text {@link #putText} writes.
     */
    public static String toString(final long high, final long low)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[IPV6_MAX_TEXT_LENGTH + 8]);
        final int length = putText(high, low, buffer, 0);
        return buffer.getStringWithoutLengthAscii(0, length);
    }

    /**
     * The 16-bit group {@code g} (0 to 7, most significant first) of an address.
     *
     * @param high the high 64 bits.
     * @param low  the low 64 bits.
     * @param g    which group.
     * @return the group's value.
     */
    public static int group(final long high, final long low, final int g)
    {
        final long half = g < 4 ? high : low;
        return (int)(half >>> (48 - 16 * (g & 3))) & 0xFFFF;
    }

    private static int putHex(final int value, final MutableDirectBuffer buffer, final int index)
    {
        int at = index;
        boolean started = false;
        for (int shift = 12; shift >= 0; shift -= 4)
        {
            final int digit = (value >>> shift) & 0xF;
            if (digit != 0 || started || shift == 0)
            {
                buffer.putByte(at++, HEX_DIGITS[digit]);
                started = true;
            }
        }
        return at - index;
    }

    private static int putDecimal(final int value, final MutableDirectBuffer buffer, final int index)
    {
        if (value >= 100)
        {
            buffer.putByte(index, (byte)('0' + value / 100));
            buffer.putByte(index + 1, (byte)('0' + value / 10 % 10));
            buffer.putByte(index + 2, (byte)('0' + value % 10));
            return 3;
        }
        if (value >= 10)
        {
            buffer.putByte(index, (byte)('0' + value / 10));
            buffer.putByte(index + 1, (byte)('0' + value % 10));
            return 2;
        }
        buffer.putByte(index, (byte)('0' + value));
        return 1;
    }

    private static long longAt(final byte[] bytes, final int offset)
    {
        long value = 0;
        for (int i = 0; i < 8; i++)
        {
            value = (value << 8) | (bytes[offset + i] & 0xFF);
        }
        return value;
    }

    private static void putInt(final byte[] bytes, final int offset, final int value)
    {
        bytes[offset] = (byte)(value >>> 24);
        bytes[offset + 1] = (byte)(value >>> 16);
        bytes[offset + 2] = (byte)(value >>> 8);
        bytes[offset + 3] = (byte)value;
    }
}
