package io.portgate.admin;

import org.agrona.DirectBuffer;

/**
 * The byte-level pieces {@link HttpRequestParser} reads a request head with: ASCII comparisons on a buffer's bytes
 * without making strings, the token characters of RFC 9110, and the methods it names without allocating.
 */
final class HttpBytes
{
    static final byte CR = '\r';
    static final byte LF = '\n';
    static final byte SP = ' ';
    static final byte HT = '\t';
    private static final boolean[] TCHAR = new boolean[128];
    private static final String[] METHODS = { "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "TRACE",
        "CONNECT" };
    private static final byte[][] METHOD_BYTES = new byte[METHODS.length][];

    static
    {
        for (int c = '0'; c <= '9'; c++)
        {
            TCHAR[c] = true;
        }
        for (int c = 'a'; c <= 'z'; c++)
        {
            TCHAR[c] = true;
            TCHAR[c - 'a' + 'A'] = true;
        }
        for (final char c : "!#$%&'*+-.^_`|~".toCharArray())
        {
            TCHAR[c] = true;
        }
        for (int i = 0; i < METHODS.length; i++)
        {
            METHOD_BYTES[i] = METHODS[i].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    private HttpBytes()
    {
    }

    // Where a line's content ends: before the CR of its CRLF, or at its bare LF.
    static int lineEnd(final DirectBuffer buffer, final int lineStart, final int lf)
    {
        return lf > lineStart && buffer.getByte(lf - 1) == CR ? lf - 1 : lf;
    }

    static String knownMethod(final DirectBuffer buffer, final int from, final int to)
    {
        for (int m = 0; m < METHOD_BYTES.length; m++)
        {
            final byte[] name = METHOD_BYTES[m];
            if (name.length == to - from && sameBytes(buffer, from, name))
            {
                return METHODS[m];
            }
        }
        return null;
    }

    static boolean sameBytes(final DirectBuffer buffer, final int from, final byte[] bytes)
    {
        for (int i = 0; i < bytes.length; i++)
        {
            if (buffer.getByte(from + i) != bytes[i])
            {
                return false;
            }
        }
        return true;
    }

    static int indexOf(final DirectBuffer buffer, final byte value, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            if (buffer.getByte(i) == value)
            {
                return i;
            }
        }
        return -1;
    }

    static boolean allTokenChars(final DirectBuffer buffer, final int from, final int to)
    {
        for (int i = from; i < to; i++)
        {
            final byte b = buffer.getByte(i);
            if (b < 0 || !TCHAR[b])
            {
                return false;
            }
        }
        return true;
    }

    static boolean nameIs(final DirectBuffer buffer, final int from, final int to, final byte[] lower)
    {
        return equalsIgnoreCase(buffer, from, to, lower);
    }

    static boolean equalsIgnoreCase(final DirectBuffer buffer, final int from, final int to,
        final byte[] lower)
    {
        return to - from == lower.length && startsWithIgnoreCase(buffer, from, to, lower);
    }

    static boolean startsWithIgnoreCase(final DirectBuffer buffer, final int from, final int to,
        final byte[] lower)
    {
        if (to - from < lower.length)
        {
            return false;
        }
        for (int i = 0; i < lower.length; i++)
        {
            byte b = buffer.getByte(from + i);
            if (b >= 'A' && b <= 'Z')
            {
                b += 'a' - 'A';
            }
            if (b != lower[i])
            {
                return false;
            }
        }
        return true;
    }

    static boolean digit(final byte b)
    {
        return b >= '0' && b <= '9';
    }

    static boolean isWhitespace(final byte b)
    {
        return b == SP || b == HT;
    }

    static byte[] lower(final String text)
    {
        return text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    }
}
