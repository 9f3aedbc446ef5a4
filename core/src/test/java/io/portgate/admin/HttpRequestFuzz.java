package io.portgate.admin;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Seeded generators of HTTP requests for fuzzing the admin endpoint's parser: well-formed requests with what a parser
 * should read from them, the same requests mutated byte by byte and part by part, and plain noise. A failure names
 * the seed, and the seed gives the input back.
 */
final class HttpRequestFuzz
{
    static final String[] METHODS = { "GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "PATCH", "BREW", "M-SEARCH" };
    private static final String PATH_CHARS =
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$&'()*+,;=:@[]";
    private static final String TOKEN_CHARS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-.^_`|~";
    private static final String[] KNOWN_PATHS = { "/metrics", "/api/pools", "/api/listeners", "/api/reload",
        "/api/pools/web/targets/127.0.0.1:10000/drain", "/api/pools/web/targets/[::1]:9000/weight" };
    private static final byte[] INTERESTING = " \t\r\n:/%?#[]\0\u007f\u0080\u00ff,;=\"".getBytes(StandardCharsets.ISO_8859_1);

    /**
     * A generated well-formed request and what it means.
     *
     * @param bytes         the request.
     * @param method        its method.
     * @param target        its request target.
     * @param minorVersion  0 or 1.
     * @param contentLength its Content-Length, or -1.
     * @param keepAlive     whether the connection persists after it.
     * @param headLength    where its head ends.
     */
    record Valid(byte[] bytes, String method, String target, int minorVersion, long contentLength, boolean keepAlive,
                 int headLength)
    {
    }

    private HttpRequestFuzz()
    {
    }

    /**
     * A well-formed request within the default limits: a method, a path of any visible characters (raw brackets,
     * percent escapes), a query, HTTP/1.0 or 1.1, CRLF or bare LF line ends, leading empty lines, any header fields
     * with optional whitespace, optional Content-Length and Connection, and a body.
     */
    static Valid valid(final Random random)
    {
        final String eol = random.nextInt(4) == 0 ? "\n" : "\r\n";
        final StringBuilder head = new StringBuilder();
        for (int i = random.nextInt(6) == 0 ? random.nextInt(3) + 1 : 0; i > 0; i--)
        {
            head.append(eol);
        }
        final String method = METHODS[random.nextInt(METHODS.length)];
        final String target = target(random);
        final int minor = random.nextInt(5) == 0 ? 0 : 1;
        head.append(method).append(' ').append(target).append(" HTTP/1.").append(minor).append(eol);
        final List<String> fields = new ArrayList<>();
        if (minor == 1 || random.nextBoolean())
        {
            fields.add(name(random, "Host") + ":" + ows(random) + "127.0.0.1:" + random.nextInt(65536) + ows(random));
        }
        long contentLength = -1;
        if (random.nextInt(3) == 0)
        {
            contentLength = random.nextInt(200);
            fields.add(name(random, "Content-Length") + ":" + ows(random) + contentLength + ows(random));
        }
        boolean close = false;
        boolean keepAliveAsked = false;
        if (random.nextInt(3) == 0)
        {
            final String option = switch (random.nextInt(4))
            {
                case 0 -> "close";
                case 1 -> "keep-alive";
                case 2 -> "Keep-Alive, Upgrade";
                default -> "upgrade";
            };
            close = option.equals("close");
            keepAliveAsked = option.toLowerCase().contains("keep-alive");
            fields.add(name(random, "Connection") + ":" + ows(random) + option);
        }
        for (int i = random.nextInt(8); i > 0; i--)
        {
            fields.add(token(random, 1 + random.nextInt(20)) + ":" + ows(random) + value(random) + ows(random));
        }
        java.util.Collections.shuffle(fields, random);
        for (final String field : fields)
        {
            head.append(field).append(eol);
        }
        head.append(eol);
        final byte[] headBytes = head.toString().getBytes(StandardCharsets.ISO_8859_1);
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(headBytes);
        for (long i = Math.max(0, contentLength); i > 0; i--)
        {
            bytes.write(random.nextInt(256));
        }
        final boolean keepAlive = !close && (minor == 1 || keepAliveAsked);
        return new Valid(bytes.toByteArray(), method, target, minor, contentLength, keepAlive, headBytes.length);
    }

    /** A well-formed request changed by one to five random edits. */
    static byte[] mutated(final Random random)
    {
        byte[] bytes = valid(random).bytes();
        for (int edits = 1 + random.nextInt(5); edits > 0; edits--)
        {
            bytes = edit(random, bytes);
        }
        return bytes;
    }

    /** Bytes drawn mostly from those that matter to HTTP, some of any value, of any length up to 12 KiB. */
    static byte[] noise(final Random random)
    {
        final int length = random.nextInt(10) == 0 ? random.nextInt(12 * 1024) : random.nextInt(200);
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = random.nextInt(3) == 0 ? INTERESTING[random.nextInt(INTERESTING.length)] :
                random.nextBoolean() ? (byte)TOKEN_CHARS.charAt(random.nextInt(TOKEN_CHARS.length())) :
                (byte)random.nextInt(256);
        }
        return bytes;
    }

    private static byte[] edit(final Random random, final byte[] bytes)
    {
        final int at = bytes.length == 0 ? 0 : random.nextInt(bytes.length);
        final ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length + 64);
        switch (random.nextInt(9))
        {
            case 0 ->
            {
                // one byte replaced by an interesting one
                out.writeBytes(bytes);
                final byte[] b = out.toByteArray();
                if (b.length > 0)
                {
                    b[at] = INTERESTING[random.nextInt(INTERESTING.length)];
                }
                return b;
            }
            case 1 ->
            {
                out.write(bytes, 0, at);
                out.write(random.nextInt(256));
                out.write(bytes, at, bytes.length - at);
            }
            case 2 ->
            {
                final int length = Math.min(bytes.length - at, 1 + random.nextInt(20));
                out.write(bytes, 0, at);
                out.write(bytes, at + length, bytes.length - at - length);
            }
            case 3 ->
            {
                final int length = Math.min(bytes.length - at, 1 + random.nextInt(40));
                out.write(bytes, 0, at + length);
                out.write(bytes, at, bytes.length - at);
            }
            case 4 -> out.write(bytes, 0, at);
            case 5 ->
            {
                // a header field that makes framing ambiguous or a limit bite
                final String field = switch (random.nextInt(8))
                {
                    case 0 -> "Host: other\r\n";
                    case 1 -> "Content-Length: " + random.nextInt(random.nextBoolean() ? 100 : 100_000) + "\r\n";
                    case 2 -> "Transfer-Encoding: chunked\r\n";
                    case 3 -> " folded\r\n";
                    case 4 -> "Bad Name: x\r\n";
                    case 5 -> "X-Long: " + "x".repeat(random.nextInt(9000)) + "\r\n";
                    case 6 -> "X: 1\r\n".repeat(random.nextInt(100));
                    default -> "Content-Length: 99999999999999999999\r\n";
                };
                final int line = lineStart(bytes, at);
                out.write(bytes, 0, line);
                out.writeBytes(field.getBytes(StandardCharsets.ISO_8859_1));
                out.write(bytes, line, bytes.length - line);
            }
            case 6 ->
            {
                // a long run of one byte: the request-line and header limits
                out.write(bytes, 0, at);
                out.writeBytes(String.valueOf((char)TOKEN_CHARS.charAt(random.nextInt(TOKEN_CHARS.length())))
                    .repeat(random.nextInt(10_000)).getBytes(StandardCharsets.ISO_8859_1));
                out.write(bytes, at, bytes.length - at);
            }
            case 7 ->
            {
                // the version
                final String text = new String(bytes, StandardCharsets.ISO_8859_1);
                return text.replaceFirst("HTTP/1\\.[01]", switch (random.nextInt(5))
                {
                    case 0 -> "HTTP/2.0";
                    case 1 -> "HTTP/1.10";
                    case 2 -> "http/1.1";
                    case 3 -> "HTTP/1.9";
                    default -> "HTTP/0.9";
                }).getBytes(StandardCharsets.ISO_8859_1);
            }
            default ->
            {
                // the head's end removed or doubled
                final String text = new String(bytes, StandardCharsets.ISO_8859_1);
                return (random.nextBoolean() ? text.replaceFirst("\r?\n\r?\n", "\r\n") :
                    text.replaceFirst("\r?\n", "\r\n\r\n")).getBytes(StandardCharsets.ISO_8859_1);
            }
        }
        return out.toByteArray();
    }

    private static int lineStart(final byte[] bytes, final int at)
    {
        int i = Math.min(at, bytes.length);
        while (i > 0 && bytes[i - 1] != '\n')
        {
            i--;
        }
        return i;
    }

    private static String target(final Random random)
    {
        if (random.nextInt(4) == 0)
        {
            return KNOWN_PATHS[random.nextInt(KNOWN_PATHS.length)] + (random.nextBoolean() ? "?value=" +
                random.nextInt(20_000) : "");
        }
        final StringBuilder sb = new StringBuilder();
        if (random.nextInt(10) == 0)
        {
            sb.append(random.nextBoolean() ? "http://" : "HTTPS://").append("host:").append(random.nextInt(9999));
        }
        for (int segments = 1 + random.nextInt(6); segments > 0; segments--)
        {
            sb.append('/');
            for (int i = random.nextInt(12); i > 0; i--)
            {
                if (random.nextInt(8) == 0)
                {
                    sb.append('%').append(Character.forDigit(random.nextInt(16), 16))
                        .append(Character.forDigit(random.nextInt(16), 16));
                }
                else
                {
                    sb.append(PATH_CHARS.charAt(random.nextInt(PATH_CHARS.length())));
                }
            }
        }
        if (random.nextInt(3) == 0)
        {
            sb.append('?');
            for (int i = random.nextInt(20); i > 0; i--)
            {
                sb.append(PATH_CHARS.charAt(random.nextInt(PATH_CHARS.length())));
            }
        }
        return sb.toString();
    }

    private static String name(final Random random, final String name)
    {
        final StringBuilder sb = new StringBuilder(name.length());
        for (final char c : name.toCharArray())
        {
            sb.append(random.nextBoolean() ? Character.toLowerCase(c) : Character.toUpperCase(c));
        }
        return sb.toString();
    }

    private static String token(final Random random, final int length)
    {
        final StringBuilder sb = new StringBuilder(length);
        for (int i = 0; i < length; i++)
        {
            sb.append(TOKEN_CHARS.charAt(random.nextInt(TOKEN_CHARS.length())));
        }
        return sb.toString();
    }

    private static String ows(final Random random)
    {
        return switch (random.nextInt(4))
        {
            case 0 -> "";
            case 1 -> " ";
            case 2 -> "\t";
            default -> " \t ";
        };
    }

    private static String value(final Random random)
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = random.nextInt(60); i > 0; i--)
        {
            final int kind = random.nextInt(20);
            sb.append(kind == 0 ? (char)(0x80 + random.nextInt(0x80)) : kind == 1 ? ' ' :
                (char)(0x21 + random.nextInt(0x5e)));
        }
        return sb.toString().strip();
    }
}
