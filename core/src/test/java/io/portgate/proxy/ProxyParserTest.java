package io.portgate.proxy;

import io.portgate.net.Ip;
import io.portgate.net.IpText;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProxyParserTest
{
    private static final String SIGNATURE = "0d0a0d0a000d0a515549540a";

    private final ProxyParser any = new ProxyParser(ProxyParser.MODE_ANY);
    private final ProxyHeader header = new ProxyHeader();

    // ---- version 1

    @Test
    void readsTheSpecificationsExampleAndStopsAtTheClientsData()
    {
        final byte[] bytes = ascii("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\nGET / HTTP/1.1\r\n");
        assertEquals(47, parse(any, bytes));
        assertAll(
            () -> assertEquals(ProxyHeader.VERSION_1, header.version()),
            () -> assertEquals(ProxyHeader.COMMAND_PROXY, header.command()),
            () -> assertEquals(ProxyHeader.FAMILY_INET, header.family()),
            () -> assertEquals(ProxyHeader.TRANSPORT_STREAM, header.transport()),
            () -> assertTrue(header.hasAddresses()),
            () -> assertEquals("192.168.0.1", Ip.toString(header.sourceHigh(), header.sourceLow())),
            () -> assertEquals("192.168.0.11", Ip.toString(header.destinationHigh(), header.destinationLow())),
            () -> assertEquals(56324, header.sourcePort()),
            () -> assertEquals(443, header.destinationPort()),
            () -> assertEquals(47, header.length()));
    }

    @Test
    void readsTcp6InEveryTextFormIncludingMixedIpv4()
    {
        final byte[] bytes = ascii("PROXY TCP6 2001:DB8::1 ::ffff:192.0.2.7 0 65535\r\n");
        assertEquals(bytes.length, parse(any, bytes));
        assertEquals(ProxyHeader.FAMILY_INET6, header.family());
        assertEquals("2001:db8::1", Ip.toString(header.sourceHigh(), header.sourceLow()));
        assertEquals("192.0.2.7", Ip.toString(header.destinationHigh(), header.destinationLow()));
        assertEquals(0, header.sourcePort());
        assertEquals(65535, header.destinationPort());
    }

    @Test
    void acceptsUnknownWithOrWithoutTheIgnoredRest()
    {
        assertEquals(15, parse(any, ascii("PROXY UNKNOWN\r\n")));
        assertFalse(header.hasAddresses());
        assertEquals(ProxyHeader.FAMILY_UNSPEC, header.family());

        final String worst = "PROXY UNKNOWN ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff " +
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff 65535 65535\r\n";
        assertEquals(ProxyParser.V1_MAX_LENGTH, worst.length());
        assertEquals(107, parse(any, ascii(worst)));
        assertEquals(-ProxyReject.OVERSIZED, parse(any, ascii(worst.replace("PROXY UNKNOWN", "PROXY UNKNOWN "))));
    }

    @Test
    void aLineWithoutCrlfIn107BytesIsOversized()
    {
        final byte[] bytes = ascii("PROXY UNKNOWN " + "x".repeat(200));
        for (int length = 1; length < 106; length++)
        {
            assertEquals(ProxyParser.NEED_MORE, parse(any, bytes, length), "after " + length + " bytes");
        }
        assertEquals(-ProxyReject.OVERSIZED, parse(any, bytes, 106));
        assertEquals(-ProxyReject.OVERSIZED, parse(any, bytes, 200));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n", "PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n",
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n",
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n", "PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n",
        "PROXY TCP4 1.2.3.4 5.6.7.8 01 2\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1 65536\r\n",
        "PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n", "PROXY TCP4 ::1 5.6.7.8 1 2\r\n",
        "PROXY TCP6 1.2.3.4 ::1 1 2\r\n", "PROXY TCP6 ::1 fe80::1%eth0 1 2\r\n", "PROXY TCP5 1.2.3.4 5.6.7.8 1 2\r\n",
        "PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\r\n",
        "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n", "PROXY TCP4 1.2.3.4\t5.6.7.8 1 2\r\n", "PROXY UNKNOWNX\r\n",
        "PROXY \r\n", "PROXY TCP4\r\n", "PROXY UNKNOWN \u00e9\r\n", "PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rX",
        "PROXYTCP4 1.2.3.4 5.6.7.8 1 2\r\n", "PROXY TCP4 256.2.3.4 5.6.7.8 1 2\r\n",
        "PROXY TCP6 1:2:3:4:5:6:7:8:9 ::1 1 2\r\n" })
    void refusesLinesThatBreakTheGrammar(final String line)
    {
        assertRejected(ProxyReject.MALFORMED, line.getBytes(StandardCharsets.ISO_8859_1));
    }

    @ParameterizedTest
    @ValueSource(strings = { "GET / HTTP/1.1\r\n", "proxy TCP4", "PROXX", "\u0016\u0003\u0001\u0002\u0000",
        "\r\n\r\nX", "\r\n\r\n", "P", "SSH-2.0-OpenSSH_9.2\r\n" })
    void saysMissingWhenTheClientSpeaksSomethingElse(final String start)
    {
        final byte[] bytes = start.getBytes(StandardCharsets.ISO_8859_1);
        final int result = parse(any, bytes);
        if ("P".equals(start) || "\r\n\r\n".equals(start))
        {
            assertEquals(ProxyParser.NEED_MORE, result, "may still become a header");
            return;
        }
        assertEquals(-ProxyReject.MISSING, result, start);
    }

    @Test
    void eachPieceOfAHeaderArrivingAloneNeedsMore()
    {
        final byte[] v1 = ascii("PROXY TCP6 2001:db8::1 2001:db8::2 1234 80\r\nhello");
        final int v1Length = v1.length - 5;
        final byte[] v2 = hex(SIGNATURE + "21" + "11" + "000c" + "c0000201" + "c6336401" + "d431" + "01bb" + "68656c6c6f");
        for (final byte[] bytes : new byte[][]{ v1, v2 })
        {
            final int complete = bytes == v1 ? v1Length : 28;
            for (int length = 0; length < complete; length++)
            {
                assertEquals(ProxyParser.NEED_MORE, parse(any, bytes, length), "after " + length + " bytes");
            }
            for (int length = complete; length <= bytes.length; length++)
            {
                assertEquals(complete, parse(any, bytes, length));
            }
        }
    }

    // ---- version 2

    @Test
    void readsVersion2TcpOverIpv4()
    {
        final byte[] bytes = hex(SIGNATURE + "21" + "11" + "000c" + "c0000201" + "c6336401" + "d431" + "01bb");
        assertEquals(28, parse(any, bytes));
        assertEquals(ProxyHeader.VERSION_2, header.version());
        assertEquals(ProxyHeader.FAMILY_INET, header.family());
        assertEquals(ProxyHeader.TRANSPORT_STREAM, header.transport());
        assertEquals("192.0.2.1", Ip.toString(header.sourceHigh(), header.sourceLow()));
        assertEquals("198.51.100.1", Ip.toString(header.destinationHigh(), header.destinationLow()));
        assertEquals(54321, header.sourcePort());
        assertEquals(443, header.destinationPort());
        assertEquals(0, header.tlvOffset());
        assertEquals(0, header.tlvLength());
    }

    @Test
    void readsVersion2UdpOverIpv6AndSkipsItsTlvs()
    {
        // ALPN "h2", a NOOP of length 0, AWS's VPC endpoint TLV (type 0xEA) with 4 bytes.
        final String tlvs = "01" + "0002" + "6832" + "04" + "0000" + "ea" + "0004" + "01020304";
        final byte[] bytes = hex(SIGNATURE + "21" + "22" + "0033" + "20010db8000000000000000000000001" +
            "20010db8000000000000000000000002" + "1f90" + "0035" + tlvs + "ff");
        assertEquals(16 + 36 + 15, parse(any, bytes));
        assertEquals(ProxyHeader.FAMILY_INET6, header.family());
        assertEquals(ProxyHeader.TRANSPORT_DGRAM, header.transport());
        assertEquals("2001:db8::1", Ip.toString(header.sourceHigh(), header.sourceLow()));
        assertEquals("2001:db8::2", Ip.toString(header.destinationHigh(), header.destinationLow()));
        assertEquals(8080, header.sourcePort());
        assertEquals(53, header.destinationPort());
        assertEquals(52, header.tlvOffset());
        assertEquals(15, header.tlvLength());
    }

    @Test
    void localCommandSkipsItsBlockUnreadWhateverItsFamily()
    {
        final byte[] bytes = hex(SIGNATURE + "20" + "ff" + "0005" + "0102030405");
        assertEquals(21, parse(any, bytes));
        assertEquals(ProxyHeader.COMMAND_LOCAL, header.command());
        assertFalse(header.hasAddresses());
    }

    @Test
    void unspecifiedAndUnixFamiliesAreAcceptedWithoutAddresses()
    {
        assertEquals(19, parse(any, hex(SIGNATURE + "21" + "00" + "0003" + "010203")));
        assertFalse(header.hasAddresses());
        final byte[] unix = hex(SIGNATURE + "21" + "31" + "00d8" + "00".repeat(216));
        assertEquals(232, parse(any, unix));
        assertEquals(ProxyHeader.FAMILY_UNIX, header.family());
        assertFalse(header.hasAddresses());
    }

    @Test
    void refusesBrokenVersion2Headers()
    {
        final String ipv4Block = "c0000201" + "c6336401" + "d431" + "01bb";
        assertAll(
            () -> assertRejected(ProxyReject.UNSUPPORTED, hex(SIGNATURE + "11" + "11" + "000c" + ipv4Block)),
            () -> assertRejected(ProxyReject.MALFORMED, hex(SIGNATURE + "22" + "11" + "000c" + ipv4Block)),
            () -> assertRejected(ProxyReject.MALFORMED, hex(SIGNATURE + "21" + "41" + "000c" + ipv4Block)),
            () -> assertRejected(ProxyReject.MALFORMED, hex(SIGNATURE + "21" + "13" + "000c" + ipv4Block)),
            () -> assertRejected(ProxyReject.MALFORMED, hex(SIGNATURE + "21" + "11" + "000b" + ipv4Block)),
            () -> assertRejected(ProxyReject.MALFORMED, hex(SIGNATURE + "21" + "21" + "000c" + ipv4Block)),
            () -> assertRejected(ProxyReject.MALFORMED, hex(SIGNATURE + "21" + "11" + "000e" + ipv4Block + "0100")),
            () -> assertRejected(ProxyReject.MALFORMED,
                hex(SIGNATURE + "21" + "11" + "0010" + ipv4Block + "01" + "0002" + "68")),
            () -> assertRejected(ProxyReject.MALFORMED, hex(SIGNATURE + "21" + "31" + "000c" + ipv4Block)),
            () -> assertRejected(ProxyReject.MISSING, hex("0d0a0d0a000d0a515549540b" + "21" + "11" + "000c")));
    }

    @Test
    void aLengthOverTheMaximumIsOversizedAsSoonAsItIsRead()
    {
        final ProxyParser small = new ProxyParser(ProxyParser.MODE_V2, 100);
        final byte[] fixed = hex(SIGNATURE + "21" + "11" + "0055");
        assertEquals(-ProxyReject.OVERSIZED, parse(small, fixed));
        assertEquals(ProxyParser.NEED_MORE, parse(small, hex(SIGNATURE + "21" + "11" + "0054")));
        assertEquals(-ProxyReject.OVERSIZED, parse(any, hex(SIGNATURE + "21" + "11" + "ffff")));
        assertEquals(ProxyParser.V2_LIMIT, new ProxyParser(ProxyParser.MODE_V2, ProxyParser.V2_LIMIT).maxLength());
    }

    @Test
    void aModeRefusesTheOtherVersionAsUnsupported()
    {
        final ProxyParser v1 = new ProxyParser(ProxyParser.MODE_V1);
        final ProxyParser v2 = new ProxyParser(ProxyParser.MODE_V2);
        final byte[] v2Header = hex(SIGNATURE + "21" + "11" + "000c" + "c0000201c6336401d43101bb");
        final byte[] v1Header = ascii("PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n");
        assertEquals(ProxyParser.NEED_MORE, parse(v1, v2Header, 11));
        assertEquals(-ProxyReject.UNSUPPORTED, parse(v1, v2Header));
        assertEquals(ProxyParser.NEED_MORE, parse(v2, v1Header, 5));
        assertEquals(-ProxyReject.UNSUPPORTED, parse(v2, v1Header));
        assertEquals(-ProxyReject.MISSING, parse(v2, ascii("PROXX")));
        assertEquals(v1Header.length, parse(v1, v1Header));
        assertEquals(28, parse(v2, v2Header));
    }

    // ---- the contract

    @Test
    void theHeaderIsLeftAloneUnlessTheAnswerIsALength()
    {
        final byte[] good = ascii("PROXY TCP4 10.1.2.3 10.3.2.1 1000 2000\r\n");
        assertEquals(good.length, parse(any, good));
        final String before = header.toString();
        assertEquals(ProxyParser.NEED_MORE, parse(any, good, 20));
        assertEquals(-ProxyReject.MALFORMED, parse(any, ascii("PROXY TCP4 10.9.9.9 10.3.2.1 1000 99999\r\n")));
        assertEquals(-ProxyReject.MALFORMED, parse(any, hex(SIGNATURE + "21" + "11" + "000f" +
            "0a0909090a030201" + "03e8" + "07d0" + "01" + "0009")));
        assertEquals(before, header.toString());
        assertEquals(1000, header.sourcePort());
    }

    @Test
    void aWholeDatagramCutShortIsMalformedNotPending()
    {
        final byte[] bytes = hex(SIGNATURE + "21" + "12" + "000c" + "c0000201c6336401d43101bb");
        final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
        assertEquals(-ProxyReject.MALFORMED, any.parseWhole(buffer, 0, 20, header));
        assertEquals(-ProxyReject.MISSING, any.parseWhole(buffer, 0, 0, header));
        assertEquals(28, any.parseWhole(buffer, 0, 28, header));
        assertEquals(ProxyHeader.TRANSPORT_DGRAM, header.transport());
    }

    @Test
    void readsFromAnOffsetInDirectAndHeapByteBuffersWithoutMovingThem()
    {
        final byte[] line = ascii("PROXY TCP4 10.0.0.9 10.0.0.1 4000 80\r\n");
        for (final ByteBuffer buffer : new ByteBuffer[]{ ByteBuffer.allocate(200), ByteBuffer.allocateDirect(200) })
        {
            buffer.put(50, line);
            buffer.position(7).limit(9);
            assertEquals(line.length, any.parse(buffer, 50, line.length, header));
            assertEquals(4000, header.sourcePort());
            assertEquals(7, buffer.position());
            assertEquals(9, buffer.limit());
        }
    }

    @Test
    void answersAreEasyToTellApart()
    {
        assertTrue(ProxyParser.isDone(28));
        assertFalse(ProxyParser.isDone(ProxyParser.NEED_MORE));
        assertEquals(ProxyReject.OVERSIZED, ProxyParser.reason(-ProxyReject.OVERSIZED));
        assertEquals(0, ProxyParser.reason(28));
        assertEquals("timeout", ProxyReject.name(ProxyReject.TIMEOUT));
        assertEquals("missing", ProxyReject.name(ProxyReject.MISSING));
        assertThrows(IllegalArgumentException.class, () -> ProxyReject.name(0));
        assertThrows(IllegalArgumentException.class, () -> new ProxyParser(7));
        assertThrows(IllegalArgumentException.class, () -> new ProxyParser(ProxyParser.MODE_V2, 51));
        assertEquals(ProxyParser.V1_MAX_LENGTH, new ProxyParser(ProxyParser.MODE_V1).maxLength());
        assertEquals(IpText.INVALID, -1);
    }

    private void assertRejected(final int reason, final byte[] bytes)
    {
        header.clear();
        assertEquals(-reason, parse(any, bytes), () -> HexFormat.of().formatHex(bytes));
        assertEquals(0, header.version(), "the header was written");
    }

    private int parse(final ProxyParser parser, final byte[] bytes)
    {
        return parse(parser, bytes, bytes.length);
    }

    private int parse(final ProxyParser parser, final byte[] bytes, final int length)
    {
        // The bytes sit at an offset inside a larger buffer whose other bytes would break any header.
        final byte[] padded = new byte[bytes.length + 20];
        java.util.Arrays.fill(padded, (byte)0xEE);
        System.arraycopy(bytes, 0, padded, 10, bytes.length);
        return parser.parse(new UnsafeBuffer(padded), 10, length, header);
    }

    static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] hex(final String hex)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(HexFormat.of().parseHex(hex));
        return out.toByteArray();
    }
}
