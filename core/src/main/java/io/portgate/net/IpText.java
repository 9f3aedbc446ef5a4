package io.portgate.net;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.charset.StandardCharsets;

/**
 * Parses IP addresses and ports from US-ASCII bytes, strictly and without allocation: the forms the PROXY protocol
 * v1 line allows (its section 2.1) and the configuration's CIDR lists use.
 *
 * <ul>
 *   <li>IPv4: exactly four decimal numbers 0-255 separated by single dots, without leading zeros (so that
 *       {@code 010} cannot be mistaken for octal).</li>
 *   <li>IPv6: RFC 4291 section 2.2 text: eight groups of one to four hex digits (either case) separated by colons,
 *       at most one {@code ::} standing for one or more zero groups, optionally ending in a dotted IPv4 address in
 *       place of the last two groups ({@code ::ffff:10.0.0.1}). No zone ({@code %eth0}), no brackets.</li>
 *   <li>Ports: a decimal number 0-65535 without leading zeros.</li>
 * </ul>
 *
 * <p>An instance holds the result of the last successful {@link #parseIpv6} in {@link #high()} and {@link #low()}
 * and a scratch array; it is reused by one thread.
 */
public final class IpText
{
    /** What {@link #parseIpv4} and {@link #parsePort} return for text that is not one. */
    public static final long INVALID = -1;

    private final int[] groups = new int[8];
    private long high;
    private long low;

    /**
     * Parses a dotted-quad IPv4 address.
     *
     * @param buffer the bytes.
     * @param start  the first byte of the address.
     * @param end    one past its last byte.
     * @return the address as an unsigned 32-bit value, or {@link #INVALID}.
     */
    public static long parseIpv4(final DirectBuffer buffer, final int start, final int end)
    {
        if (end - start < 7 || end - start > 15)
        {
            return INVALID;
        }
        long value = 0;
        int octets = 0;
        int i = start;
        while (true)
        {
            int j = i;
            int octet = 0;
            while (j < end && j - i < 3 && isDigit(buffer.getByte(j)))
            {
                octet = octet * 10 + buffer.getByte(j) - '0';
                j++;
            }
            final int digits = j - i;
            if (digits == 0 || octet > 255 || (digits > 1 && buffer.getByte(i) == '0'))
            {
                return INVALID;
            }
            value = (value << 8) | octet;
            octets++;
            if (j == end)
            {
                return octets == 4 ? value : INVALID;
            }
            if (octets == 4 || buffer.getByte(j) != '.')
            {
                return INVALID;
            }
            i = j + 1;
        }
    }

    /**
     * Parses a port.
     *
     * @param buffer the bytes.
     * @param start  the first digit.
     * @param end    one past the last digit.
     * @return the port, 0-65535, or {@link #INVALID}.
     */
    public static long parsePort(final DirectBuffer buffer, final int start, final int end)
    {
        final int digits = end - start;
        if (digits < 1 || digits > 5 || (digits > 1 && buffer.getByte(start) == '0'))
        {
            return INVALID;
        }
        int value = 0;
        for (int i = start; i < end; i++)
        {
            final byte b = buffer.getByte(i);
            if (!isDigit(b))
            {
                return INVALID;
            }
            value = value * 10 + b - '0';
        }
        return value <= 65_535 ? value : INVALID;
    }

    /**
     * Parses an IPv6 address into {@link #high()} and {@link #low()}; they are left as they were when it fails.
     *
     * @param buffer the bytes.
     * @param start  the first byte of the address.
     * @param end    one past its last byte.
     * @return whether the text is an IPv6 address.
     */
    public boolean parseIpv6(final DirectBuffer buffer, final int start, final int end)
    {
        if (end - start < 2 || end - start > 45)
        {
            return false;
        }
        int count = 0;
        int gap = -1;
        int i = start;
        if (buffer.getByte(i) == ':')
        {
            if (buffer.getByte(i + 1) != ':')
            {
                return false;
            }
            gap = 0;
            i += 2;
        }
        while (i < end)
        {
            int j = i;
            int value = 0;
            while (j < end && j - i < 4)
            {
                final int digit = hexValue(buffer.getByte(j));
                if (digit < 0)
                {
                    break;
                }
                value = (value << 4) | digit;
                j++;
            }
            if (j == i)
            {
                return false;
            }
            if (j < end && buffer.getByte(j) == '.')
            {
                // A dotted IPv4 tail stands for the last two groups.
                final long ipv4 = count <= 6 ? parseIpv4(buffer, i, end) : INVALID;
                if (ipv4 == INVALID)
                {
                    return false;
                }
                groups[count++] = (int)(ipv4 >>> 16);
                groups[count++] = (int)(ipv4 & 0xFFFF);
                i = end;
                break;
            }
            if (count == 8)
            {
                return false;
            }
            groups[count++] = value;
            i = j;
            if (i == end)
            {
                break;
            }
            if (buffer.getByte(i) != ':')
            {
                return false;
            }
            i++;
            if (i < end && buffer.getByte(i) == ':')
            {
                if (gap >= 0)
                {
                    return false;
                }
                gap = count;
                i++;
            }
            else if (i == end)
            {
                return false;
            }
        }
        if (gap < 0 ? count != 8 : count > 7)
        {
            return false;
        }
        long h = 0;
        long l = 0;
        final int zeros = 8 - count;
        for (int g = 0; g < 8; g++)
        {
            final int value;
            if (gap < 0 || g < gap)
            {
                value = groups[g];
            }
            else if (g < gap + zeros)
            {
                value = 0;
            }
            else
            {
                value = groups[g - zeros];
            }
            if (g < 4)
            {
                h = (h << 16) | value;
            }
            else
            {
                l = (l << 16) | value;
            }
        }
        high = h;
        low = l;
        return true;
    }

    /**
     * Parses either family, for configuration text (allocates; not for the hot path).
     *
     * @param text an IPv4 or IPv6 address.
     * @return whether it is one; the address is then in {@link #high()} and {@link #low()}, IPv4 in mapped form.
     */
    public boolean parse(final CharSequence text)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(text.toString().getBytes(StandardCharsets.ISO_8859_1));
        final long ipv4 = parseIpv4(buffer, 0, buffer.capacity());
        if (ipv4 != INVALID)
        {
            high = 0;
            low = Ip.mappedLow((int)ipv4);
            return true;
        }
        return parseIpv6(buffer, 0, buffer.capacity());
    }

    /**
     * The high 64 bits of the last address parsed.
     *
     * @return the bits.
     */
    public long high()
    {
        return high;
    }

    /**
     * The low 64 bits of the last address parsed.
     *
     * @return the bits.
     */
    public long low()
    {
        return low;
    }

    private static boolean isDigit(final byte b)
    {
        return b >= '0' && b <= '9';
    }

    private static int hexValue(final byte b)
    {
        if (b >= '0' && b <= '9')
        {
            return b - '0';
        }
        if (b >= 'a' && b <= 'f')
        {
            return b - 'a' + 10;
        }
        if (b >= 'A' && b <= 'F')
        {
            return b - 'A' + 10;
        }
        return -1;
    }
}
