package io.portgate.dns;

import io.portgate.config.Quote;

import java.util.Arrays;

/**
 * A domain name in its wire form, without compression, ASCII letters lowered: two names are equal when DNS says
 * they are (RFC 4343: case-insensitive, byte for byte otherwise). Always absolute; whether a name the user wrote was
 * meant relative is the caller's business (the trailing dot of the text).
 */
final class DnsName
{
    /** At most this many bytes on the wire, length octets and the root's zero included (RFC 1035 3.1). */
    static final int MAX_WIRE_LENGTH = 255;
    /** At most this many bytes in a label (RFC 1035 2.3.4). */
    static final int MAX_LABEL_LENGTH = 63;
    /** The root name, {@code .}. */
    static final DnsName ROOT = new DnsName(new byte[]{ 0 }, 0);

    private final byte[] wire;
    private final int labels;

    private DnsName(final byte[] wire, final int labels)
    {
        this.wire = wire;
        this.labels = labels;
    }

    /**
     * A name from the labels a parser read, trusted to be well formed: each label 1 to 63 bytes, at most 255 bytes
     * in all with the root's zero.
     *
     * @param wire   length-prefixed labels ending with a zero byte; lowered here, and kept (the caller lets go).
     * @param labels how many labels, the root not counted.
     * @return the name.
     */
    static DnsName ofWire(final byte[] wire, final int labels)
    {
        // Length octets are at most 63, below 'A': lowering every byte lowers the letters alone.
        for (int i = 0; i < wire.length; i++)
        {
            wire[i] = lower(wire[i]);
        }
        return new DnsName(wire, labels);
    }

    /**
     * Reads a name as a configuration writes it: labels of printable ASCII separated by dots, a trailing dot
     * allowed ({@code "."} alone is the root).
     *
     * @param text the name.
     * @return the name, absolute.
     * @throws IllegalArgumentException saying why the text is not a name.
     */
    static DnsName parse(final String text)
    {
        if (text.isEmpty())
        {
            throw new IllegalArgumentException("the name is empty");
        }
        if (text.equals("."))
        {
            return ROOT;
        }
        final String body = text.endsWith(".") ? text.substring(0, text.length() - 1) : text;
        final byte[] wire = new byte[body.length() + 2];
        int at = 0;
        int labels = 0;
        int labelStart = 0;
        for (int i = 0; i <= body.length(); i++)
        {
            if (i < body.length() && body.charAt(i) != '.')
            {
                final char c = body.charAt(i);
                if (c <= ' ' || c >= 127 || c == '\\')
                {
                    throw new IllegalArgumentException(Quote.of(text) + " holds " + describe(c) + "; a name is " +
                        "printable ASCII without spaces or backslashes");
                }
                continue;
            }
            final int length = i - labelStart;
            if (length == 0)
            {
                throw new IllegalArgumentException(Quote.of(text) + " has an empty label");
            }
            if (length > MAX_LABEL_LENGTH)
            {
                throw new IllegalArgumentException(Quote.of(text) + " has a label of " + length + " characters; at " +
                    "most " + MAX_LABEL_LENGTH);
            }
            wire[at++] = (byte)length;
            for (int k = labelStart; k < i; k++)
            {
                wire[at++] = lower((byte)body.charAt(k));
            }
            labels++;
            labelStart = i + 1;
        }
        wire[at++] = 0;
        if (at > MAX_WIRE_LENGTH)
        {
            throw new IllegalArgumentException(Quote.of(text) + " is " + at + " bytes long as DNS writes it; at most " +
                MAX_WIRE_LENGTH);
        }
        return new DnsName(at == wire.length ? wire : Arrays.copyOf(wire, at), labels);
    }

    /**
     * This name with another appended: {@code web} and {@code corp.example} give {@code web.corp.example}.
     *
     * @param suffix the name to append.
     * @return the name, or null when it would be longer than 255 bytes.
     */
    DnsName append(final DnsName suffix)
    {
        final int length = wire.length - 1 + suffix.wire.length;
        if (length > MAX_WIRE_LENGTH)
        {
            return null;
        }
        final byte[] joined = Arrays.copyOf(wire, length);
        System.arraycopy(suffix.wire, 0, joined, wire.length - 1, suffix.wire.length);
        return new DnsName(joined, labels + suffix.labels);
    }

    /**
     * How many labels, the root not counted: {@code web.portgate.test} has 3.
     *
     * @return the count.
     */
    int labels()
    {
        return labels;
    }

    /**
     * The wire form; not to be changed.
     *
     * @return length-prefixed labels and a zero byte.
     */
    byte[] wire()
    {
        return wire;
    }

    /**
     * Whether this name is the root.
     *
     * @return true for {@code .}.
     */
    boolean isRoot()
    {
        return labels == 0;
    }

    @Override
    public boolean equals(final Object o)
    {
        return o instanceof DnsName other && Arrays.equals(wire, other.wire);
    }

    @Override
    public int hashCode()
    {
        return Arrays.hashCode(wire);
    }

    /**
     * The name as text, without the trailing dot ({@code .} for the root); a dot or backslash inside a label is
     * written {@code \.} or {@code \\}, any byte that is not printable ASCII {@code \DDD} (RFC 4343 2.1).
     *
     * @return the text.
     */
    @Override
    public String toString()
    {
        if (labels == 0)
        {
            return ".";
        }
        final StringBuilder sb = new StringBuilder(wire.length);
        int at = 0;
        while (wire[at] != 0)
        {
            if (at > 0)
            {
                sb.append('.');
            }
            final int length = wire[at];
            for (int i = at + 1; i <= at + length; i++)
            {
                final int b = wire[i] & 0xff;
                if (b == '.' || b == '\\')
                {
                    sb.append('\\').append((char)b);
                }
                else if (b <= ' ' || b >= 127)
                {
                    sb.append('\\').append(b / 100).append(b / 10 % 10).append(b % 10);
                }
                else
                {
                    sb.append((char)b);
                }
            }
            at += 1 + length;
        }
        return sb.toString();
    }

    private static byte lower(final byte b)
    {
        return b >= 'A' && b <= 'Z' ? (byte)(b + ('a' - 'A')) : b;
    }

    private static String describe(final char c)
    {
        return c == ' ' ? "a space" : c == '\\' ? "a backslash" :
            "the character U+" + String.format("%04X", (int)c);
    }
}
