package io.portgate.proxy;

/**
 * Why a PROXY header was refused, as int codes so the data path counts them in an array without allocating.
 * {@link ProxyParser#parse} returns the negated code. The connection is closed in every case; nothing of it reaches
 * a target.
 */
public final class ProxyReject
{
    /** The first bytes are neither {@code PROXY} nor the version 2 signature: the client sent no header. */
    public static final int MISSING = 1;
    /** The header breaks the grammar: a bad token, address, port, family byte, length or TLV, a lone CR or LF. */
    public static final int MALFORMED = 2;
    /** A version 1 line without its CRLF in 107 bytes, or a version 2 header longer than the parser's maximum. */
    public static final int OVERSIZED = 3;
    /**
     * A well-formed header of a version this listener does not accept: version 2 where only version 1 is expected
     * or the reverse, or a version 2 signature followed by a version other than 2.
     */
    public static final int UNSUPPORTED = 4;
    /**
     * The header was not complete when the caller's deadline passed. The parser has no clock: the caller arms a
     * timer when the connection is accepted, keeps calling the parser while it answers {@link ProxyParser#NEED_MORE},
     * and counts this reason when the timer fires first. It is what defeats a client that sends a header one byte a
     * minute, or nothing at all.
     */
    public static final int TIMEOUT = 5;
    /** The largest code; size a counter array {@code MAX_CODE + 1} and index it by code. */
    public static final int MAX_CODE = 5;

    private static final String[] NAMES = { "none", "missing", "malformed", "oversized", "unsupported", "timeout" };

    private ProxyReject()
    {
    }

    /**
     * The counter name of a reason.
     *
     * @param code a reason code, 1 to {@link #MAX_CODE}.
     * @return its lower-case name, e.g. {@code "malformed"}; a constant, so the data path can use it freely.
     * @throws IllegalArgumentException for a code that is no reason.
     */
    public static String name(final int code)
    {
        if (code < MISSING || code > MAX_CODE)
        {
            throw new IllegalArgumentException("no PROXY rejection reason has code " + code);
        }
        return NAMES[code];
    }
}
