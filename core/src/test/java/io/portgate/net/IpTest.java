package io.portgate.net;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class IpTest
{
    private final IpText text = new IpText();

    @ParameterizedTest
    @CsvSource({
        "0.0.0.0, 0", "255.255.255.255, 4294967295", "10.0.0.1, 167772161", "192.168.0.11, 3232235531",
        "1.22.133.4, 18253060" })
    void parsesDottedQuads(final String address, final long expected)
    {
        assertEquals(expected, IpText.parseIpv4(buffer(address), 0, address.length()));
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", "1.2.3", "1.2.3.4.5", "256.1.1.1", "1.2.3.04", "01.2.3.4", "00.0.0.0", "1..2.3", ".1.2.3", "1.2.3.4.",
        "1.2.3.-4", "1.2.3.4 ", " 1.2.3.4", "1.2.3.4a", "a.b.c.d", "1.2.3.1000", "1.2.3.4/8", "::1" })
    void refusesWhatIsNotADottedQuad(final String address)
    {
        assertEquals(IpText.INVALID, IpText.parseIpv4(buffer(address), 0, address.length()), address);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "::", "::1", "1::", "2001:db8::1", "2001:DB8:0:0:8:800:200C:417A", "ff01::101", "::ffff:10.0.0.1",
        "::13.1.68.3", "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "fe80::1:2", "0:0:0:0:0:0:0:0",
        "1:2:3:4:5:6:1.2.3.4", "abcd:ef01:2345:6789:abcd:ef01:2345:6789", "0001:002:03:4::" })
    void parsesIpv6TextAsTheJdkDoes(final String address) throws Exception
    {
        assertTrue(text.parseIpv6(buffer(address), 0, address.length()), address);
        final InetAddress jdk = InetAddress.ofLiteral(address);
        assertEquals(Ip.high(jdk), text.high(), address);
        assertEquals(Ip.low(jdk), text.low(), address);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "", ":", ":::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", ":1::", "1::2:", "1:2:3:4:5:6:7:8::",
        "::1.2.3", "::1.2.3.04", "1:2:3:4:5:6:7:1.2.3.4", "fe80::1%eth0", "[::1]", "::g", "1.2.3.4", ":: 1",
        "1:2:3:4:5:6:7:8:", "::ffff:256.0.0.1", "0:0:0:0:0:0:0:0:0" })
    void refusesWhatIsNotIpv6Text(final String address)
    {
        text.parseIpv6(buffer("::5"), 0, 3);
        assertFalse(text.parseIpv6(buffer(address), 0, address.length()), address);
        assertEquals(5, text.low(), "a failed parse leaves the last result");
    }

    @ParameterizedTest
    @CsvSource({
        "::, ::", "::1, ::1", "2001:db8:0:0:0:0:2:1, 2001:db8::2:1", "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "2001:0:0:1:0:0:0:1, 2001:0:0:1::1", "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1", "1:0:0:0:0:0:0:0, 1::",
        "FE80::A:B, fe80::a:b", "1:2:3:4:5:6:7:8, 1:2:3:4:5:6:7:8", "::ffff:10.0.0.1, 10.0.0.1",
        "10.0.0.1, 10.0.0.1", "0:0:1:0:0:0:1:0, 0:0:1::1:0" })
    void formatsTheCanonicalText(final String address, final String canonical)
    {
        assertTrue(text.parse(address));
        assertEquals(canonical, Ip.toString(text.high(), text.low()));
    }

    @Test
    void writesMappedAddressesInMixedIpv6FormWhenAsked()
    {
        final UnsafeBuffer out = new UnsafeBuffer(new byte[64]);
        final int length = Ip.putIpv6Text(0, Ip.mappedLow(0xC000_0201), out, 3);
        assertEquals("::ffff:192.0.2.1", out.getStringWithoutLengthAscii(3, length));
    }

    @Test
    void randomAddressesSurviveTextAndTheJdkBothWays() throws Exception
    {
        final SplittableRandom random = new SplittableRandom(13);
        for (int i = 0; i < 20_000; i++)
        {
            final long high = (i & 3) == 0 ? 0 : random.nextLong();
            long low = random.nextLong();
            if ((i & 7) == 1)
            {
                low &= 0xFFFF_0000_FFFF_FFFFL;
            }
            if ((i & 7) == 2)
            {
                low = Ip.mappedLow((int)low);
            }
            final String formatted = Ip.toString(high, low);
            assertTrue(text.parse(formatted), formatted);
            assertEquals(high, text.high(), formatted);
            assertEquals(low, text.low(), formatted);

            final InetAddress jdk = Ip.toInetAddress(high, low);
            assertEquals(high, Ip.high(jdk));
            assertEquals(low, Ip.low(jdk));
            assertEquals(Ip.isIpv4(high, low), jdk instanceof java.net.Inet4Address);
            assertEquals(jdk, InetAddress.ofLiteral(formatted));
        }
    }

    @ParameterizedTest
    @CsvSource({ "0, 0", "80, 80", "65535, 65535", "65536, -1", "080, -1", "00, -1", "'', -1", "1a, -1",
        "123456, -1", "-1, -1" })
    void parsesPortsWithoutLeadingZeros(final String port, final long expected)
    {
        assertEquals(expected, IpText.parsePort(buffer(port), 0, port.length()));
    }

    private static UnsafeBuffer buffer(final String text)
    {
        // One byte of slack before and after, so no parse reads outside the range it was given.
        final byte[] bytes = ("#" + text + "#").getBytes(StandardCharsets.ISO_8859_1);
        return new UnsafeBuffer(bytes, 1, text.length());
    }
}
