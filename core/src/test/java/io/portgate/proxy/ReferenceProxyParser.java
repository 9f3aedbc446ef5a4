package io.portgate.proxy;

import io.portgate.net.Ip;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A second reading of the PROXY specification, written for clarity rather than speed (regular expressions, the
 * JDK's address parser, a ByteBuffer), against which the fuzzing compares {@link ProxyParser} on whole inputs:
 * whether a header is accepted, how long it is and what it says.
 */
final class ReferenceProxyParser
{
    private static final String OCTET = "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
    private static final Pattern IPV4 = Pattern.compile(OCTET + "(\\." + OCTET + "){3}");
    private static final Pattern IPV6_CHARACTERS = Pattern.compile("[0-9A-Fa-f:.]+");
    private static final Pattern LONG_GROUP = Pattern.compile("[0-9A-Fa-f]{5,}");
    private static final Pattern PORT = Pattern.compile("0|[1-9][0-9]{0,4}");
    private static final Pattern LINE = Pattern.compile("PROXY (TCP4|TCP6) ([^ ]+) ([^ ]+) ([^ ]+) ([^ ]+)");
    private static final Pattern UNKNOWN = Pattern.compile("PROXY UNKNOWN( .*)?");

    /** What the reference makes of an input: null when it refuses it. */
    record Verdict(int length, int version, boolean addresses, long sourceHigh, long sourceLow, int sourcePort,
        long destinationHigh, long destinationLow, int destinationPort)
    {
    }

    private ReferenceProxyParser()
    {
    }

    static Verdict parse(final byte[] input, final int mode, final int v2MaxLength)
    {
        if (input.length > 0 && input[0] == 'P')
        {
            return mode == ProxyParser.MODE_V2 ? null : parseV1(input);
        }
        return mode == ProxyParser.MODE_V1 ? null : parseV2(input, v2MaxLength);
    }

    private static Verdict parseV1(final byte[] input)
    {
        final String text = new String(input, StandardCharsets.ISO_8859_1);
        final int crlf = text.indexOf("\r\n");
        if (crlf < 0 || crlf + 2 > ProxyParser.V1_MAX_LENGTH)
        {
            return null;
        }
        final String line = text.substring(0, crlf);
        if (!line.chars().allMatch(c -> c >= 0x20 && c <= 0x7E))
        {
            return null;
        }
        if (UNKNOWN.matcher(line).matches())
        {
            return new Verdict(crlf + 2, 1, false, 0, 0, 0, 0, 0, 0);
        }
        final Matcher m = LINE.matcher(line);
        if (!m.matches())
        {
            return null;
        }
        final boolean ipv6 = m.group(1).equals("TCP6");
        final long[] source = address(m.group(2), ipv6);
        final long[] destination = address(m.group(3), ipv6);
        final int sourcePort = port(m.group(4));
        final int destinationPort = port(m.group(5));
        if (source == null || destination == null || sourcePort < 0 || destinationPort < 0)
        {
            return null;
        }
        return new Verdict(crlf + 2, 1, true, source[0], source[1], sourcePort, destination[0], destination[1],
            destinationPort);
    }

    private static long[] address(final String text, final boolean ipv6)
    {
        if (!ipv6)
        {
            return IPV4.matcher(text).matches() ? bits(text) : null;
        }
        // RFC 4291: one to four hex digits a group (the JDK also takes longer groups with leading zeros).
        if (!IPV6_CHARACTERS.matcher(text).matches() || !text.contains(":") || LONG_GROUP.matcher(text).find())
        {
            return null;
        }
        final int dot = text.indexOf('.');
        if (dot >= 0 && !IPV4.matcher(text.substring(text.lastIndexOf(':') + 1)).matches())
        {
            return null;
        }
        return bits(text);
    }

    /** The JDK's reading; it turns {@code ::ffff:a.b.c.d} into an IPv4 address, which {@link Ip} maps back. */
    private static long[] bits(final String text)
    {
        try
        {
            final InetAddress address = InetAddress.ofLiteral(text);
            return new long[]{ Ip.high(address), Ip.low(address) };
        }
        catch (final IllegalArgumentException ex)
        {
            return null;
        }
    }

    private static int port(final String text)
    {
        if (!PORT.matcher(text).matches())
        {
            return -1;
        }
        final int value = Integer.parseInt(text);
        return value <= 65_535 ? value : -1;
    }

    private static Verdict parseV2(final byte[] input, final int v2MaxLength)
    {
        if (input.length < 16 || !Arrays.equals(input, 0, 12, ProxyParser.V2_SIGNATURE, 0, 12))
        {
            return null;
        }
        final ByteBuffer bytes = ByteBuffer.wrap(input);
        final int version = (input[12] & 0xFF) >>> 4;
        final int command = input[12] & 0x0F;
        final int family = (input[13] & 0xFF) >>> 4;
        final int transport = input[13] & 0x0F;
        final int total = 16 + (bytes.getShort(14) & 0xFFFF);
        if (version != 2 || command > 1 || total > v2MaxLength || total > input.length)
        {
            return null;
        }
        if (command == 0)
        {
            return new Verdict(total, 2, false, 0, 0, 0, 0, 0, 0);
        }
        if (family > 3 || transport > 2)
        {
            return null;
        }
        final int block = transport == 0 ? 0 : new int[]{ 0, 12, 36, 216 }[family];
        if (total - 16 < block)
        {
            return null;
        }
        if (family == 0 || family == 3 || transport == 0)
        {
            return new Verdict(total, 2, false, 0, 0, 0, 0, 0, 0);
        }
        for (int at = 16 + block; at < total; )
        {
            if (total - at < 3)
            {
                return null;
            }
            at += 3 + (bytes.getShort(at + 1) & 0xFFFF);
            if (at > total)
            {
                return null;
            }
        }
        if (family == 1)
        {
            return new Verdict(total, 2, true, 0, Ip.mappedLow(bytes.getInt(16)), bytes.getShort(24) & 0xFFFF, 0,
                Ip.mappedLow(bytes.getInt(20)), bytes.getShort(26) & 0xFFFF);
        }
        return new Verdict(total, 2, true, bytes.getLong(16), bytes.getLong(24), bytes.getShort(48) & 0xFFFF,
            bytes.getLong(32), bytes.getLong(40), bytes.getShort(50) & 0xFFFF);
    }
}
