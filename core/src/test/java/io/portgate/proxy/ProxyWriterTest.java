package io.portgate.proxy;

import io.portgate.net.Ip;
import io.portgate.net.IpText;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.util.HexFormat;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ProxyWriterTest
{
    private final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
    private final ProxyParser parser = new ProxyParser(ProxyParser.MODE_ANY);
    private final ProxyHeader parsed = new ProxyHeader();

    @Test
    void writesTheSpecificationsVersion1Line()
    {
        final int length = ProxyWriter.writeV1(buffer, 5, 0, address("192.168.0.1"), 56324, 0,
            address("192.168.0.11"), 443);
        assertEquals("PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n",
            buffer.getStringWithoutLengthAscii(5, length));
    }

    @Test
    void writesIpv6AndMixedFamiliesAsTcp6()
    {
        int length = ProxyWriter.writeV1(buffer, 0, high("2001:db8::1"), address("2001:db8::1"), 1,
            high("2001:db8::2"), address("2001:db8::2"), 65535);
        assertEquals("PROXY TCP6 2001:db8::1 2001:db8::2 1 65535\r\n", buffer.getStringWithoutLengthAscii(0, length));
        length = ProxyWriter.writeV1(buffer, 0, 0, address("10.0.0.1"), 1000, high("::1"), address("::1"), 80);
        assertEquals("PROXY TCP6 ::ffff:10.0.0.1 ::1 1000 80\r\n", buffer.getStringWithoutLengthAscii(0, length));
        assertEquals(length, parser.parse(buffer, 0, length, parsed));
        assertEquals("10.0.0.1", Ip.toString(parsed.sourceHigh(), parsed.sourceLow()));
    }

    @Test
    void writesVersion2ByteForByte()
    {
        int length = ProxyWriter.writeV2(buffer, 0, ProxyHeader.TRANSPORT_STREAM, 0, address("192.0.2.1"), 54321, 0,
            address("198.51.100.1"), 443);
        assertEquals("0d0a0d0a000d0a515549540a" + "21" + "11" + "000c" + "c0000201" + "c6336401" + "d431" + "01bb",
            hex(length));
        length = ProxyWriter.writeV2(buffer, 0, ProxyHeader.TRANSPORT_DGRAM, high("2001:db8::1"),
            address("2001:db8::1"), 8080, 0, address("192.0.2.1"), 53);
        assertEquals("0d0a0d0a000d0a515549540a" + "21" + "22" + "0024" + "20010db8000000000000000000000001" +
            "00000000000000000000ffffc0000201" + "1f90" + "0035", hex(length));
        length = ProxyWriter.writeV2Local(buffer, 0);
        assertEquals("0d0a0d0a000d0a515549540a" + "20" + "00" + "0000", hex(length));
        assertEquals("PROXY UNKNOWN\r\n",
            buffer.getStringWithoutLengthAscii(0, ProxyWriter.writeV1Unknown(buffer, 0)));
    }

    @Test
    void everyHeaderWrittenParsesBackToTheSameAddresses()
    {
        final SplittableRandom random = new SplittableRandom(7);
        final ProxyHeader written = new ProxyHeader();
        for (int i = 0; i < 50_000; i++)
        {
            final int version = 1 + (i & 1);
            final int transport = version == 2 && (i & 2) != 0 ? ProxyHeader.TRANSPORT_DGRAM :
                ProxyHeader.TRANSPORT_STREAM;
            final boolean ipv4 = (i & 4) != 0;
            final long sourceHigh = ipv4 ? 0 : random.nextLong();
            final long sourceLow = ipv4 ? Ip.mappedLow(random.nextInt()) : random.nextLong();
            final long destinationHigh = ipv4 || (i & 8) != 0 ? 0 : random.nextLong();
            final long destinationLow = ipv4 || (i & 8) != 0 ? Ip.mappedLow(random.nextInt()) : random.nextLong();
            written.proxy(version, transport, sourceHigh, sourceLow, random.nextInt(65536), destinationHigh,
                destinationLow, random.nextInt(65536));
            final int offset = random.nextInt(100);
            final int length = ProxyWriter.write(buffer, offset, written);
            buffer.putByte(offset + length, (byte)'x');

            assertEquals(length, parser.parse(buffer, offset, length + 1, parsed), written::toString);
            assertEquals(version, parsed.version());
            assertEquals(transport, parsed.transport());
            assertEquals(written.family(), parsed.family());
            assertEquals(sourceHigh, parsed.sourceHigh());
            assertEquals(sourceLow, parsed.sourceLow());
            assertEquals(written.sourcePort(), parsed.sourcePort());
            assertEquals(destinationHigh, parsed.destinationHigh());
            assertEquals(destinationLow, parsed.destinationLow());
            assertEquals(written.destinationPort(), parsed.destinationPort());
        }
    }

    @Test
    void aHeaderFromJdkAddressesCarriesThem() throws Exception
    {
        final InetAddress client = InetAddress.ofLiteral("127.0.0.2");
        final InetAddress listener = InetAddress.ofLiteral("127.0.0.1");
        final ProxyHeader header = new ProxyHeader().proxy(ProxyHeader.VERSION_2, ProxyHeader.TRANSPORT_STREAM,
            Ip.high(client), Ip.low(client), 40000, Ip.high(listener), Ip.low(listener), 8080);
        final int length = ProxyWriter.write(buffer, 0, header);
        parser.parse(buffer, 0, length, parsed);
        assertEquals(client, Ip.toInetAddress(parsed.sourceHigh(), parsed.sourceLow()));
        assertEquals(listener, Ip.toSocketAddress(parsed.destinationHigh(), parsed.destinationLow(), 8080)
            .getAddress());
    }

    @Test
    void refusesWhatNoHeaderCarriesAndBuffersTooSmall()
    {
        final ProxyHeader udpV1 = new ProxyHeader().proxy(ProxyHeader.VERSION_1, ProxyHeader.TRANSPORT_DGRAM, 0,
            address("10.0.0.1"), 1, 0, address("10.0.0.2"), 2);
        assertThrows(IllegalArgumentException.class, () -> ProxyWriter.write(buffer, 0, udpV1));
        assertThrows(IllegalArgumentException.class, () -> ProxyWriter.writeV2(buffer, 0, 0, 0, 0, 0, 0, 0, 0));
        final UnsafeBuffer small = new UnsafeBuffer(new byte[60]);
        assertThrows(IndexOutOfBoundsException.class, () -> ProxyWriter.writeV1(small, 0, 1, 2, 3, 4, 5, 6));
        assertEquals(ProxyWriter.V2_IPV6_LENGTH, ProxyWriter.writeV2(small, 8, ProxyHeader.TRANSPORT_STREAM,
            1, 2, 3, 4, 5, 6));
        assertThrows(IndexOutOfBoundsException.class,
            () -> ProxyWriter.writeV2(small, 9, ProxyHeader.TRANSPORT_STREAM, 1, 2, 3, 4, 5, 6));
    }

    private String hex(final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.getBytes(0, bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static long address(final String text)
    {
        final IpText parser = new IpText();
        if (!parser.parse(text))
        {
            throw new IllegalArgumentException(text);
        }
        return parser.low();
    }

    private static long high(final String text)
    {
        final IpText parser = new IpText();
        parser.parse(text);
        return parser.high();
    }
}
