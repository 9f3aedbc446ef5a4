package io.portgate.admin;

import org.agrona.DirectBuffer;

import static io.portgate.admin.HttpBytes.*;

/**
 * Reads an HTTP/1.1 request head (RFC 9112) out of a connection's read buffer as its bytes arrive, within the limits
 * of {@link AdminLimits}. One parser per connection, reused request after request: it records where the parts of the
 * request lie in the buffer and makes no object, so a malformed request costs nothing but its bytes.
 *
 * <p>It rejects as soon as the bytes seen so far cannot become an acceptable request: a control character, a request
 * line longer than {@link AdminLimits#maxRequestLine()} or a head that fills the buffer without ending are refused
 * without waiting for more. It is strict where leniency would let two readers disagree on a request (a bare CR, a
 * folded field, Transfer-Encoding with Content-Length, two different Content-Lengths, a space before a field's
 * colon) and lenient where RFC 9112 allows it: empty lines before the request line are skipped, a bare LF ends a
 * line, and the request target may hold any visible ASCII character, so {@code [::1]:9000} may be sent unencoded.
 */
final class HttpRequestParser
{
    /** {@link #parse} result: the head is not complete yet. */
    static final int NEED_MORE = 0;
    /** {@link #parse} result: the request is refused; {@link #rejection()} says why. */
    static final int REJECTED = -1;


    private static final byte[] CONTENT_LENGTH = lower("content-length");
    private static final byte[] TRANSFER_ENCODING = lower("transfer-encoding");
    private static final byte[] HOST = lower("host");
    private static final byte[] CONNECTION = lower("connection");
    private static final byte[] AUTHORIZATION = lower("authorization");
    private static final byte[] EXPECT = lower("expect");
    private static final byte[] CLOSE = lower("close");
    private static final byte[] KEEP_ALIVE = lower("keep-alive");
    private static final byte[] CONTINUE = lower("100-continue");
    private static final byte[] HTTP_SCHEME = lower("http://");
    private static final byte[] HTTPS_SCHEME = lower("https://");
    private final int maxRequestLine;
    private final int maxHeaderBytes;
    private final int maxHeaderFields;
    private final long maxBodyBytes;

    // Scan state, kept between calls as bytes arrive.
    private int scanned;
    private int start;
    private int lineStart;
    private int requestLineEnd;
    private int fields;

    // The parsed request; offsets into the buffer.
    private HttpRejection rejection;
    private int headLength;
    private int requestLineLength;
    private int methodStart;
    private int methodEnd;
    private String method;
    private int targetStart;
    private int targetEnd;
    private int pathStart;
    private int pathEnd;
    private int queryStart;
    private int queryEnd;
    private int minorVersion;
    private long contentLength;
    private boolean transferEncoding;
    private boolean connectionClose;
    private boolean connectionKeepAlive;
    private boolean expectContinue;
    private int hostFields;
    private int authorizationStart;
    private int authorizationEnd;

    HttpRequestParser(final AdminLimits limits)
    {
        this.maxRequestLine = limits.maxRequestLine();
        this.maxHeaderBytes = limits.maxHeaderBytes();
        this.maxHeaderFields = limits.maxHeaderFields();
        this.maxBodyBytes = limits.maxBodyBytes();
        reset();
    }

    /** Forgets the request, for the next one on the connection; its bytes must then start at offset 0. */
    void reset()
    {
        scanned = 0;
        start = -1;
        lineStart = -1;
        requestLineEnd = -1;
        fields = 0;
        rejection = null;
        headLength = 0;
        requestLineLength = 0;
        methodStart = 0;
        methodEnd = 0;
        method = null;
        targetStart = 0;
        targetEnd = 0;
        pathStart = 0;
        pathEnd = 0;
        queryStart = -1;
        queryEnd = -1;
        minorVersion = 1;
        contentLength = -1;
        transferEncoding = false;
        connectionClose = false;
        connectionKeepAlive = false;
        expectContinue = false;
        hostFields = 0;
        authorizationStart = -1;
        authorizationEnd = -1;
    }

    /**
     * Reads on in the request's bytes.
     *
     * @param buffer the bytes received, the request starting at offset 0.
     * @param length how many bytes there are; at most {@link AdminLimits#maxHeaderBytes()} are looked at.
     * @return the head's length in bytes when it is complete and acceptable, {@link #NEED_MORE}, or
     * {@link #REJECTED}. After a rejection it must be {@link #reset()} before another use.
     */
    int parse(final DirectBuffer buffer, final int length)
    {
        if (rejection != null)
        {
            return REJECTED;
        }
        if (headLength > 0)
        {
            return headLength;
        }
        final int end = Math.min(length, maxHeaderBytes);
        for (int i = scanned; i < end; i++)
        {
            final byte b = buffer.getByte(i);
            if (b == CR)
            {
                if (i + 1 == end)
                {
                    // Whether it ends a line shows only with the next byte.
                    scanned = i;
                    return needMore(length);
                }
                if (buffer.getByte(i + 1) != LF)
                {
                    return reject(HttpRejection.BARE_CR);
                }
                continue;
            }
            if (b == LF)
            {
                if (start < 0)
                {
                    continue; // an empty line before the request line
                }
                if (requestLineEnd < 0)
                {
                    requestLineEnd = i;
                }
                else if (i == lineStart || i == lineStart + 1 && buffer.getByte(lineStart) == CR)
                {
                    headLength = i + 1;
                    return parseHead(buffer) ? headLength : REJECTED;
                }
                else if (++fields > maxHeaderFields)
                {
                    return reject(HttpRejection.TOO_MANY_FIELDS);
                }
                lineStart = i + 1;
                continue;
            }
            if ((b >= 0 && b < 0x20 && b != HT) || b == 0x7F)
            {
                return reject(HttpRejection.CONTROL_CHARACTER);
            }
            if (start < 0)
            {
                start = i;
                lineStart = i;
            }
            if (requestLineEnd < 0 && i - start >= maxRequestLine)
            {
                return reject(HttpRejection.URI_TOO_LONG);
            }
        }
        scanned = end;
        return needMore(length);
    }

    private int needMore(final int length)
    {
        if (length >= maxHeaderBytes)
        {
            return reject(requestLineEnd < 0 && start >= 0 ? HttpRejection.URI_TOO_LONG :
                HttpRejection.HEADER_TOO_LARGE);
        }
        return NEED_MORE;
    }

    private int reject(final HttpRejection why)
    {
        rejection = why;
        return REJECTED;
    }

    private boolean parseHead(final DirectBuffer buffer)
    {
        final int requestLineContentEnd = lineEnd(buffer, start, requestLineEnd);
        requestLineLength = requestLineContentEnd - start;
        if (!parseRequestLine(buffer, start, requestLineContentEnd))
        {
            return false;
        }
        int line = requestLineEnd + 1;
        while (true)
        {
            final int lf = indexOf(buffer, LF, line, headLength);
            final int lineEnd = lineEnd(buffer, line, lf);
            if (lineEnd == line)
            {
                break;
            }
            if (!parseField(buffer, line, lineEnd))
            {
                return false;
            }
            line = lf + 1;
        }
        return checkFraming();
    }

    private boolean parseRequestLine(final DirectBuffer buffer, final int from, final int to)
    {
        final int sp1 = indexOf(buffer, SP, from, to);
        if (sp1 < 0)
        {
            rejection = HttpRejection.BAD_REQUEST_LINE;
            return false;
        }
        if (sp1 == from || !allTokenChars(buffer, from, sp1))
        {
            rejection = HttpRejection.BAD_METHOD;
            return false;
        }
        final int sp2 = indexOf(buffer, SP, sp1 + 1, to);
        if (sp2 < 0 || sp2 == sp1 + 1)
        {
            rejection = HttpRejection.BAD_REQUEST_LINE;
            return false;
        }
        methodStart = from;
        methodEnd = sp1;
        method = HttpBytes.knownMethod(buffer, from, sp1);
        if (!parseTarget(buffer, sp1 + 1, sp2))
        {
            return false;
        }
        return parseVersion(buffer, sp2 + 1, to);
    }

    private boolean parseTarget(final DirectBuffer buffer, final int from, final int to)
    {
        targetStart = from;
        targetEnd = to;
        for (int i = from; i < to; i++)
        {
            final byte b = buffer.getByte(i);
            if (b <= SP || b == 0x7F || b == '#')
            {
                rejection = HttpRejection.BAD_TARGET;
                return false;
            }
        }
        int path = from;
        final byte first = buffer.getByte(from);
        if (first == '*' && to == from + 1)
        {
            pathStart = from;
            pathEnd = to;
            return true;
        }
        if (first != '/')
        {
            final int scheme = startsWithIgnoreCase(buffer, from, to, HTTP_SCHEME) ? HTTP_SCHEME.length :
                startsWithIgnoreCase(buffer, from, to, HTTPS_SCHEME) ? HTTPS_SCHEME.length : -1;
            if (scheme < 0)
            {
                rejection = HttpRejection.BAD_TARGET;
                return false;
            }
            // Absolute form: the authority is the Host; the path follows it ("" meaning "/").
            path = from + scheme;
            while (path < to && buffer.getByte(path) != '/' && buffer.getByte(path) != '?')
            {
                path++;
            }
            if (path == from + scheme)
            {
                rejection = HttpRejection.BAD_TARGET;
                return false;
            }
        }
        final int question = indexOf(buffer, (byte)'?', path, to);
        pathStart = path;
        pathEnd = question < 0 ? to : question;
        if (question >= 0)
        {
            queryStart = question + 1;
            queryEnd = to;
        }
        return true;
    }

    private boolean parseVersion(final DirectBuffer buffer, final int from, final int to)
    {
        if (to - from != 8 || buffer.getByte(from) != 'H' || buffer.getByte(from + 1) != 'T' ||
            buffer.getByte(from + 2) != 'T' || buffer.getByte(from + 3) != 'P' || buffer.getByte(from + 4) != '/' ||
            !digit(buffer.getByte(from + 5)) || buffer.getByte(from + 6) != '.' || !digit(buffer.getByte(from + 7)))
        {
            rejection = HttpRejection.BAD_VERSION;
            return false;
        }
        if (buffer.getByte(from + 5) != '1')
        {
            rejection = HttpRejection.VERSION_NOT_SUPPORTED;
            return false;
        }
        minorVersion = buffer.getByte(from + 7) - '0';
        if (minorVersion > 1)
        {
            // HTTP/1.2 and later are HTTP/1.1 to a server that speaks 1.1 (RFC 9110, section 6.2).
            minorVersion = 1;
        }
        return true;
    }

    private boolean parseField(final DirectBuffer buffer, final int from, final int to)
    {
        final byte first = buffer.getByte(from);
        if (first == SP || first == HT)
        {
            rejection = HttpRejection.FOLDED_FIELD;
            return false;
        }
        final int colon = indexOf(buffer, (byte)':', from, to);
        if (colon <= from || !allTokenChars(buffer, from, colon))
        {
            rejection = HttpRejection.BAD_FIELD;
            return false;
        }
        int valueStart = colon + 1;
        int valueEnd = to;
        while (valueStart < valueEnd && isWhitespace(buffer.getByte(valueStart)))
        {
            valueStart++;
        }
        while (valueEnd > valueStart && isWhitespace(buffer.getByte(valueEnd - 1)))
        {
            valueEnd--;
        }
        if (nameIs(buffer, from, colon, CONTENT_LENGTH))
        {
            return contentLength(buffer, valueStart, valueEnd);
        }
        if (nameIs(buffer, from, colon, TRANSFER_ENCODING))
        {
            transferEncoding = true;
        }
        else if (nameIs(buffer, from, colon, HOST))
        {
            hostFields++;
        }
        else if (nameIs(buffer, from, colon, CONNECTION))
        {
            connectionOptions(buffer, valueStart, valueEnd);
        }
        else if (nameIs(buffer, from, colon, AUTHORIZATION))
        {
            if (authorizationStart < 0)
            {
                authorizationStart = valueStart;
                authorizationEnd = valueEnd;
            }
        }
        else if (nameIs(buffer, from, colon, EXPECT))
        {
            expectContinue = equalsIgnoreCase(buffer, valueStart, valueEnd, CONTINUE);
        }
        return true;
    }

    private boolean contentLength(final DirectBuffer buffer, final int from, final int to)
    {
        if (to == from || to - from > 18)
        {
            rejection = HttpRejection.BAD_CONTENT_LENGTH;
            return false;
        }
        long value = 0;
        for (int i = from; i < to; i++)
        {
            final byte b = buffer.getByte(i);
            if (!digit(b))
            {
                rejection = HttpRejection.BAD_CONTENT_LENGTH;
                return false;
            }
            value = value * 10 + (b - '0');
        }
        if (contentLength >= 0 && contentLength != value)
        {
            rejection = HttpRejection.CONFLICTING_CONTENT_LENGTH;
            return false;
        }
        contentLength = value;
        return true;
    }

    private void connectionOptions(final DirectBuffer buffer, final int from, final int to)
    {
        int token = from;
        while (token <= to)
        {
            int comma = indexOf(buffer, (byte)',', token, to);
            if (comma < 0)
            {
                comma = to;
            }
            int s = token;
            int e = comma;
            while (s < e && isWhitespace(buffer.getByte(s)))
            {
                s++;
            }
            while (e > s && isWhitespace(buffer.getByte(e - 1)))
            {
                e--;
            }
            connectionClose |= equalsIgnoreCase(buffer, s, e, CLOSE);
            connectionKeepAlive |= equalsIgnoreCase(buffer, s, e, KEEP_ALIVE);
            token = comma + 1;
        }
    }

    private boolean checkFraming()
    {
        if (hostFields > 1)
        {
            rejection = HttpRejection.DUPLICATE_HOST;
        }
        else if (hostFields == 0 && minorVersion == 1)
        {
            rejection = HttpRejection.MISSING_HOST;
        }
        else if (transferEncoding && contentLength >= 0)
        {
            rejection = HttpRejection.TRANSFER_ENCODING_WITH_LENGTH;
        }
        else if (transferEncoding)
        {
            rejection = HttpRejection.LENGTH_REQUIRED;
        }
        else if (contentLength > maxBodyBytes)
        {
            rejection = HttpRejection.BODY_TOO_LARGE;
        }
        return rejection == null;
    }

    /** @return why the request was refused, or null. */
    HttpRejection rejection()
    {
        return rejection;
    }

    /** @return bytes of the head, empty lines before it and the blank line after it included; 0 before it ends. */
    int headLength()
    {
        return headLength;
    }

    /** @return the method when it is one of RFC 9110's, as a shared constant; null for any other token. */
    String knownMethod()
    {
        return method;
    }

    /** @return bytes of the request line, its line end left out; valid once the head is complete. */
    int requestLineLength()
    {
        return requestLineLength;
    }

    /** @return where the method starts in the buffer. */
    int methodStart()
    {
        return methodStart;
    }

    /** @return where the method ends in the buffer. */
    int methodEnd()
    {
        return methodEnd;
    }

    /** @return where the request target starts. */
    int targetStart()
    {
        return targetStart;
    }

    /** @return where the request target ends. */
    int targetEnd()
    {
        return targetEnd;
    }

    /** @return where the target's path starts (after an absolute form's authority). */
    int pathStart()
    {
        return pathStart;
    }

    /** @return where the path ends; equal to {@link #pathStart()} for an absolute form without one ("/"). */
    int pathEnd()
    {
        return pathEnd;
    }

    /** @return where the query starts (after the '?'), or -1 without one. */
    int queryStart()
    {
        return queryStart;
    }

    /** @return where the query ends, or -1. */
    int queryEnd()
    {
        return queryEnd;
    }

    /** @return 0 for HTTP/1.0, 1 for HTTP/1.1. */
    int minorVersion()
    {
        return minorVersion;
    }

    /** @return the body's length, or -1 without Content-Length. */
    long contentLength()
    {
        return contentLength;
    }

    /** @return whether the client asked for a 100 (Continue) before sending the body. */
    boolean expectContinue()
    {
        return expectContinue;
    }

    /** @return whether the connection persists after this request (RFC 9112, section 9.3). */
    boolean keepAlive()
    {
        return !connectionClose && (minorVersion == 1 || connectionKeepAlive);
    }

    /** @return where the first Authorization value starts, or -1. */
    int authorizationStart()
    {
        return authorizationStart;
    }

    /** @return where it ends, or -1. */
    int authorizationEnd()
    {
        return authorizationEnd;
    }
}
