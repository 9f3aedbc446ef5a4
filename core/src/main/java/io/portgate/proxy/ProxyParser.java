package io.portgate.proxy;

import io.portgate.net.Ip;
import io.portgate.net.IpText;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Reads a PROXY protocol header, version 1, version 2 or either, from the bytes a connection has received so far.
 *
 * <p><b>Incremental.</b> A header may arrive in pieces. The caller keeps the bytes received since the connection was
 * accepted in one region and calls {@link #parse} each time more arrived, always from the region's first byte. The
 * answer is {@link #NEED_MORE} (call again with more), a positive length (the header is complete: that many bytes
 * are the header and the client's data starts right after them), or a negated {@link ProxyReject} code. A verdict
 * depends only on the bytes up to the point where it is decided, so more bytes never turn a rejection into
 * something else and never change a completed header's length. A stream must bound the wait with its own timer
 * ({@link ProxyReject#TIMEOUT}); a datagram, which is whole, uses {@link #parseWhole}.
 *
 * <p>Because the answer gives the exact length, a caller that must not read past the header (the splice path, whose
 * client bytes never enter user space) can peek ({@code MSG_PEEK}) at up to {@link #maxLength()} bytes, parse, and
 * then read exactly the header's bytes off the socket.
 *
 * <p><b>Strict.</b> Version 1: {@code PROXY}, single spaces, {@code TCP4}/{@code TCP6} with addresses of that family
 * in canonical text (no leading zeros), ports 0-65535 without leading zeros, CRLF within 107 bytes; {@code UNKNOWN}
 * may be followed by anything printable, which is ignored. Only printable US-ASCII may come before the CR; a lone CR
 * or LF is malformed. Version 2: the 12-byte signature, version 2, command LOCAL or PROXY, family and transport
 * nibbles within the specification's values, a length no larger than the configured maximum and at least the
 * address block of the family, and TLVs that each lie within the header (their content is not interpreted; see
 * {@link ProxyHeader#tlvOffset()}). A LOCAL command's block is skipped unread, as the specification asks; so is an
 * unspecified or Unix family's, which is accepted with no addresses ({@link ProxyHeader#hasAddresses()}).
 *
 * <p><b>No side effects on failure.</b> The header passed in is written only when the answer is a length; on
 * {@link #NEED_MORE} or a rejection it keeps what it held. Nothing is allocated. An instance holds only a scratch
 * area and its settings: use one per thread.
 */
public final class ProxyParser
{
    /** Accept version 1 only. */
    public static final int MODE_V1 = 1;
    /** Accept version 2 only. */
    public static final int MODE_V2 = 2;
    /** Accept either version, told apart by the first byte. */
    public static final int MODE_ANY = 3;

    /** The answer while the bytes so far are a valid beginning of a header. */
    public static final int NEED_MORE = 0;

    /** A version 1 line's longest length, CRLF included (the specification's {@code PROXY UNKNOWN} worst case). */
    public static final int V1_MAX_LENGTH = 107;
    /** A version 2 header's fixed part: signature, version and command, family and transport, length. */
    public static final int V2_FIXED_LENGTH = 16;
    /** The default longest version 2 header: room for an IPv6 block and about two kilobytes of TLVs. */
    public static final int DEFAULT_V2_MAX_LENGTH = 2048;
    /** The longest version 2 header the wire format can describe. */
    public static final int V2_LIMIT = V2_FIXED_LENGTH + 0xFFFF;

    static final byte[] V2_SIGNATURE = {
        0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A };
    static final byte[] V1_PREFIX = { 'P', 'R', 'O', 'X', 'Y', ' ' };
    /** The signature's first 8 bytes and last 4, big-endian, compared as two words when all 12 are there. */
    private static final long V2_SIGNATURE_HEAD = 0x0D0A_0D0A_000D_0A51L;
    private static final int V2_SIGNATURE_TAIL = 0x5549_540A;
    private static final int V2_IPV4_BLOCK = 12;
    private static final int V2_IPV6_BLOCK = 36;
    private static final int V2_UNIX_BLOCK = 216;
    private static final int TLV_HEADER = 3;
    /** The last index at which a version 1 line's CR may stand: CRLF ends at {@link #V1_MAX_LENGTH}. */
    private static final int V1_LAST_CR_INDEX = V1_MAX_LENGTH - 2;

    private final int mode;
    private final int v2MaxLength;
    private final IpText ipText = new IpText();
    private final UnsafeBuffer byteBufferView = new UnsafeBuffer(new byte[0]);

    // The header being parsed; published to the caller's ProxyHeader only when complete.
    private int family;
    private int transport;
    private long sourceHigh;
    private long sourceLow;
    private int sourcePort;
    private long destinationHigh;
    private long destinationLow;
    private int destinationPort;
    private long addressHigh;
    private long addressLow;

    /**
     * A parser for a mode, with the default version 2 maximum.
     *
     * @param mode {@link #MODE_V1}, {@link #MODE_V2} or {@link #MODE_ANY}.
     */
    public ProxyParser(final int mode)
    {
        this(mode, DEFAULT_V2_MAX_LENGTH);
    }

    /**
     * A parser for a mode.
     *
     * @param mode        {@link #MODE_V1}, {@link #MODE_V2} or {@link #MODE_ANY}.
     * @param v2MaxLength the longest version 2 header accepted, fixed part included, from 52 (an IPv6 block without
     *                    TLVs) to {@link #V2_LIMIT}; longer ones are {@link ProxyReject#OVERSIZED}. The caller's
     *                    buffer must be able to hold this many bytes (and {@link #V1_MAX_LENGTH}).
     * @throws IllegalArgumentException for an unknown mode or a maximum out of range.
     */
    public ProxyParser(final int mode, final int v2MaxLength)
    {
        if (mode != MODE_V1 && mode != MODE_V2 && mode != MODE_ANY)
        {
            throw new IllegalArgumentException("unknown PROXY protocol mode " + mode);
        }
        if (v2MaxLength < V2_FIXED_LENGTH + V2_IPV6_BLOCK || v2MaxLength > V2_LIMIT)
        {
            throw new IllegalArgumentException("the longest PROXY v2 header must be " +
                (V2_FIXED_LENGTH + V2_IPV6_BLOCK) + " to " + V2_LIMIT + " bytes, not " + v2MaxLength);
        }
        this.mode = mode;
        this.v2MaxLength = v2MaxLength;
    }

    /**
     * The mode.
     *
     * @return {@link #MODE_V1}, {@link #MODE_V2} or {@link #MODE_ANY}.
     */
    public int mode()
    {
        return mode;
    }

    /**
     * The most bytes a header this parser accepts can take: what a caller's buffer (or peek) must hold.
     *
     * @return {@link #V1_MAX_LENGTH} in version 1 mode, else the version 2 maximum.
     */
    public int maxLength()
    {
        return mode == MODE_V1 ? V1_MAX_LENGTH : Math.max(V1_MAX_LENGTH, v2MaxLength);
    }

    /**
     * Parses the bytes received so far on a stream.
     *
     * @param buffer the bytes.
     * @param offset where the connection's first byte is.
     * @param length how many bytes have arrived.
     * @param header filled in when, and only when, the answer is positive.
     * @return the header's length when it is complete, {@link #NEED_MORE}, or {@code -}{@link ProxyReject} code.
     */
    public int parse(final DirectBuffer buffer, final int offset, final int length, final ProxyHeader header)
    {
        if (length <= 0)
        {
            return NEED_MORE;
        }
        final byte first = buffer.getByte(offset);
        if (first == V1_PREFIX[0])
        {
            return mode == MODE_V2 ? otherVersion(buffer, offset, length, V1_PREFIX) :
                parseV1(buffer, offset, length, header);
        }
        if (first == V2_SIGNATURE[0])
        {
            return mode == MODE_V1 ? otherVersion(buffer, offset, length, V2_SIGNATURE) :
                parseV2(buffer, offset, length, header);
        }
        return -ProxyReject.MISSING;
    }

    /**
     * Parses the bytes received so far, held in a {@link ByteBuffer} (heap or direct) at absolute positions; its
     * position and limit are not used or changed.
     *
     * @param buffer the bytes.
     * @param offset where the connection's first byte is.
     * @param length how many bytes have arrived.
     * @param header filled in when, and only when, the answer is positive.
     * @return as {@link #parse(DirectBuffer, int, int, ProxyHeader)}.
     */
    public int parse(final ByteBuffer buffer, final int offset, final int length, final ProxyHeader header)
    {
        byteBufferView.wrap(buffer);
        return parse(byteBufferView, offset, length, header);
    }

    /**
     * Parses a header at the start of a whole message, a datagram: a header cut short is malformed, not pending.
     *
     * @param buffer the bytes.
     * @param offset where the datagram starts.
     * @param length the datagram's length.
     * @param header filled in when, and only when, the answer is positive.
     * @return the header's length, or {@code -}{@link ProxyReject} code; never {@link #NEED_MORE}.
     */
    public int parseWhole(final DirectBuffer buffer, final int offset, final int length, final ProxyHeader header)
    {
        final int result = parse(buffer, offset, length, header);
        if (result != NEED_MORE)
        {
            return result;
        }
        return length == 0 ? -ProxyReject.MISSING : -ProxyReject.MALFORMED;
    }

    /**
     * Whether a {@link #parse} answer is a completed header.
     *
     * @param result an answer.
     * @return true for a header length.
     */
    public static boolean isDone(final int result)
    {
        return result > 0;
    }

    /**
     * The reason in a {@link #parse} answer.
     *
     * @param result an answer.
     * @return its {@link ProxyReject} code, or 0 when it is no rejection.
     */
    public static int reason(final int result)
    {
        return result < 0 ? -result : 0;
    }

    // A header of the version this mode refuses is told from no header at all by its full prefix or signature.
    private static int otherVersion(final DirectBuffer buffer, final int offset, final int length,
        final byte[] prefix)
    {
        final int mismatch = mismatch(buffer, offset, length, prefix);
        if (mismatch >= 0)
        {
            return -ProxyReject.MISSING;
        }
        return length >= prefix.length ? -ProxyReject.UNSUPPORTED : NEED_MORE;
    }

    /** The first index where the bytes differ from {@code expected}, or -1 when all those present match. */
    private static int mismatch(final DirectBuffer buffer, final int offset, final int length, final byte[] expected)
    {
        final int n = Math.min(length, expected.length);
        for (int i = 0; i < n; i++)
        {
            if (buffer.getByte(offset + i) != expected[i])
            {
                return i;
            }
        }
        return -1;
    }

    // ---- version 1

    private int parseV1(final DirectBuffer buffer, final int offset, final int length, final ProxyHeader header)
    {
        final int mismatch = mismatch(buffer, offset, length, V1_PREFIX);
        if (mismatch >= 0)
        {
            // "PROXY" identifies version 1 (specification, section 2.2); anything else is no header at all.
            return mismatch < 5 ? -ProxyReject.MISSING : -ProxyReject.MALFORMED;
        }
        final int end = Math.min(length, V1_LAST_CR_INDEX + 1);
        for (int i = V1_PREFIX.length; i < end; i++)
        {
            final byte b = buffer.getByte(offset + i);
            if (b == '\r')
            {
                if (i + 1 >= length)
                {
                    return NEED_MORE;
                }
                if (buffer.getByte(offset + i + 1) != '\n')
                {
                    return -ProxyReject.MALFORMED;
                }
                return parseV1Line(buffer, offset, offset + i, header) ? i + 2 : -ProxyReject.MALFORMED;
            }
            if (b < 0x20 || b > 0x7E)
            {
                return -ProxyReject.MALFORMED;
            }
        }
        return length > V1_LAST_CR_INDEX ? -ProxyReject.OVERSIZED : NEED_MORE;
    }

    private boolean parseV1Line(final DirectBuffer buffer, final int offset, final int lineEnd,
        final ProxyHeader header)
    {
        final int protocol = offset + V1_PREFIX.length;
        if (startsWith(buffer, protocol, lineEnd, "UNKNOWN"))
        {
            final int after = protocol + 7;
            if (after != lineEnd && buffer.getByte(after) != ' ')
            {
                return false;
            }
            header.set(ProxyHeader.VERSION_1, ProxyHeader.COMMAND_PROXY, ProxyHeader.FAMILY_UNSPEC,
                ProxyHeader.TRANSPORT_UNSPEC, 0, 0, 0, 0, 0, 0, lineEnd + 2 - offset, 0, 0);
            return true;
        }
        final boolean ipv6;
        if (startsWith(buffer, protocol, lineEnd, "TCP4 "))
        {
            ipv6 = false;
        }
        else if (startsWith(buffer, protocol, lineEnd, "TCP6 "))
        {
            ipv6 = true;
        }
        else
        {
            return false;
        }
        final int sourceStart = protocol + 5;
        final int sourceEnd = nextSpace(buffer, sourceStart, lineEnd);
        if (sourceEnd < 0 || !parseV1Address(buffer, sourceStart, sourceEnd, ipv6))
        {
            return false;
        }
        sourceHigh = addressHigh;
        sourceLow = addressLow;
        final int destinationStart = sourceEnd + 1;
        final int destinationEnd = nextSpace(buffer, destinationStart, lineEnd);
        if (destinationEnd < 0 || !parseV1Address(buffer, destinationStart, destinationEnd, ipv6))
        {
            return false;
        }
        destinationHigh = addressHigh;
        destinationLow = addressLow;
        final int sourcePortStart = destinationEnd + 1;
        final int sourcePortEnd = nextSpace(buffer, sourcePortStart, lineEnd);
        if (sourcePortEnd < 0)
        {
            return false;
        }
        final long srcPort = IpText.parsePort(buffer, sourcePortStart, sourcePortEnd);
        final long dstPort = IpText.parsePort(buffer, sourcePortEnd + 1, lineEnd);
        if (srcPort == IpText.INVALID || dstPort == IpText.INVALID)
        {
            return false;
        }
        header.set(ProxyHeader.VERSION_1, ProxyHeader.COMMAND_PROXY,
            ipv6 ? ProxyHeader.FAMILY_INET6 : ProxyHeader.FAMILY_INET, ProxyHeader.TRANSPORT_STREAM,
            sourceHigh, sourceLow, (int)srcPort, destinationHigh, destinationLow, (int)dstPort, lineEnd + 2 - offset,
            0, 0);
        return true;
    }

    /** Parses one address of a version 1 line into {@link #addressHigh} and {@link #addressLow}. */
    private boolean parseV1Address(final DirectBuffer buffer, final int start, final int end, final boolean ipv6)
    {
        if (ipv6)
        {
            if (!ipText.parseIpv6(buffer, start, end))
            {
                return false;
            }
            addressHigh = ipText.high();
            addressLow = ipText.low();
            return true;
        }
        final long ipv4 = IpText.parseIpv4(buffer, start, end);
        if (ipv4 == IpText.INVALID)
        {
            return false;
        }
        addressHigh = 0;
        addressLow = Ip.mappedLow((int)ipv4);
        return true;
    }

    /** The index of the next space before {@code end}, or -1; a token is never empty. */
    private static int nextSpace(final DirectBuffer buffer, final int start, final int end)
    {
        for (int i = start; i < end; i++)
        {
            if (buffer.getByte(i) == ' ')
            {
                return i == start ? -1 : i;
            }
        }
        return -1;
    }

    private static boolean startsWith(final DirectBuffer buffer, final int start, final int end, final String text)
    {
        if (end - start < text.length())
        {
            return false;
        }
        for (int i = 0; i < text.length(); i++)
        {
            if (buffer.getByte(start + i) != text.charAt(i))
            {
                return false;
            }
        }
        return true;
    }

    // ---- version 2

    private int parseV2(final DirectBuffer buffer, final int offset, final int length, final ProxyHeader header)
    {
        if (length >= V2_SIGNATURE.length ?
            buffer.getLong(offset, ByteOrder.BIG_ENDIAN) != V2_SIGNATURE_HEAD ||
                buffer.getInt(offset + 8, ByteOrder.BIG_ENDIAN) != V2_SIGNATURE_TAIL :
            mismatch(buffer, offset, length, V2_SIGNATURE) >= 0)
        {
            return -ProxyReject.MISSING;
        }
        if (length <= V2_SIGNATURE.length)
        {
            return NEED_MORE;
        }
        final int versionCommand = buffer.getByte(offset + 12) & 0xFF;
        if (versionCommand >>> 4 != 2)
        {
            return -ProxyReject.UNSUPPORTED;
        }
        final int command = versionCommand & 0x0F;
        if (command != ProxyHeader.COMMAND_LOCAL && command != ProxyHeader.COMMAND_PROXY)
        {
            return -ProxyReject.MALFORMED;
        }
        if (length <= 13)
        {
            return NEED_MORE;
        }
        final int familyTransport = buffer.getByte(offset + 13) & 0xFF;
        family = familyTransport >>> 4;
        transport = familyTransport & 0x0F;
        // A LOCAL command's family is to be ignored, so only a PROXY command's is checked.
        if (command == ProxyHeader.COMMAND_PROXY &&
            (family > ProxyHeader.FAMILY_UNIX || transport > ProxyHeader.TRANSPORT_DGRAM))
        {
            return -ProxyReject.MALFORMED;
        }
        if (length < V2_FIXED_LENGTH)
        {
            return NEED_MORE;
        }
        final int blockLength = buffer.getShort(offset + 14, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        final int total = V2_FIXED_LENGTH + blockLength;
        if (total > v2MaxLength)
        {
            return -ProxyReject.OVERSIZED;
        }
        final int addressLength = command == ProxyHeader.COMMAND_PROXY ? addressBlockLength() : 0;
        if (blockLength < addressLength)
        {
            return -ProxyReject.MALFORMED;
        }
        if (length < total)
        {
            return NEED_MORE;
        }
        if (command == ProxyHeader.COMMAND_LOCAL || !hasAddressFields())
        {
            header.set(ProxyHeader.VERSION_2, command, family, transport, 0, 0, 0, 0, 0, 0, total, 0, 0);
            return total;
        }
        final int tlvStart = V2_FIXED_LENGTH + addressLength;
        if (!tlvsFit(buffer, offset + tlvStart, offset + total))
        {
            return -ProxyReject.MALFORMED;
        }
        readAddresses(buffer, offset + V2_FIXED_LENGTH);
        header.set(ProxyHeader.VERSION_2, command, family, transport, sourceHigh, sourceLow, sourcePort,
            destinationHigh, destinationLow, destinationPort, total, total > tlvStart ? tlvStart : 0,
            total - tlvStart);
        return total;
    }

    private boolean hasAddressFields()
    {
        return (family == ProxyHeader.FAMILY_INET || family == ProxyHeader.FAMILY_INET6) &&
            transport != ProxyHeader.TRANSPORT_UNSPEC;
    }

    private int addressBlockLength()
    {
        if (transport == ProxyHeader.TRANSPORT_UNSPEC)
        {
            return 0;
        }
        return switch (family)
        {
            case ProxyHeader.FAMILY_INET -> V2_IPV4_BLOCK;
            case ProxyHeader.FAMILY_INET6 -> V2_IPV6_BLOCK;
            case ProxyHeader.FAMILY_UNIX -> V2_UNIX_BLOCK;
            default -> 0;
        };
    }

    private void readAddresses(final DirectBuffer buffer, final int block)
    {
        if (family == ProxyHeader.FAMILY_INET)
        {
            sourceHigh = 0;
            sourceLow = Ip.mappedLow(buffer.getInt(block, ByteOrder.BIG_ENDIAN));
            destinationHigh = 0;
            destinationLow = Ip.mappedLow(buffer.getInt(block + 4, ByteOrder.BIG_ENDIAN));
            sourcePort = buffer.getShort(block + 8, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            destinationPort = buffer.getShort(block + 10, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        }
        else
        {
            sourceHigh = buffer.getLong(block, ByteOrder.BIG_ENDIAN);
            sourceLow = buffer.getLong(block + 8, ByteOrder.BIG_ENDIAN);
            destinationHigh = buffer.getLong(block + 16, ByteOrder.BIG_ENDIAN);
            destinationLow = buffer.getLong(block + 24, ByteOrder.BIG_ENDIAN);
            sourcePort = buffer.getShort(block + 32, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            destinationPort = buffer.getShort(block + 34, ByteOrder.BIG_ENDIAN) & 0xFFFF;
        }
    }

    /** Whether the bytes from {@code start} to {@code end} are a whole number of TLVs. */
    private static boolean tlvsFit(final DirectBuffer buffer, final int start, final int end)
    {
        int at = start;
        while (at < end)
        {
            if (end - at < TLV_HEADER)
            {
                return false;
            }
            final int valueLength = buffer.getShort(at + 1, ByteOrder.BIG_ENDIAN) & 0xFFFF;
            if (valueLength > end - at - TLV_HEADER)
            {
                return false;
            }
            at += TLV_HEADER + valueLength;
        }
        return true;
    }
}
