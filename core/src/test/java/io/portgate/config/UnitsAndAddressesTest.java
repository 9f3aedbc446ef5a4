package io.portgate.config;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class UnitsAndAddressesTest
{
    @Test
    void durations()
    {
        assertEquals(Duration.ofMillis(250), Units.parseDuration("250ms"));
        assertEquals(Duration.ofSeconds(2), Units.parseDuration("2s"));
        assertEquals(Duration.ofSeconds(90), Units.parseDuration("1m30s"));
        assertEquals(Duration.ofHours(1), Units.parseDuration("1h"));
        assertEquals(Duration.ofNanos(500_000), Units.parseDuration("500us"));
        assertEquals(Duration.ofDays(2), Units.parseDuration("2d"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Units.parseDuration("5")).getMessage()
            .contains("has no unit"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseDuration("5 sec"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseDuration(""));
        assertThrows(IllegalArgumentException.class, () -> Units.parseDuration("-1s"));
        assertEquals("90s", Units.formatDuration(Duration.ofSeconds(90)));
        assertEquals("250ms", Units.formatDuration(Duration.ofMillis(250)));
    }

    @Test
    void sizes()
    {
        assertEquals(65536, Units.parseSize("65536"));
        assertEquals(64 * 1024, Units.parseSize("64k"));
        assertEquals(64 * 1024, Units.parseSize("64KiB"));
        assertEquals(4L << 20, Units.parseSize("4m"));
        assertEquals(1L << 30, Units.parseSize("1g"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseSize("64q"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseSize("-1k"));
        assertThrows(IllegalArgumentException.class, () -> Units.parseSize("1.5m"));
        assertEquals("64k", Units.formatSize(65536));
        assertEquals("4m", Units.formatSize(4L << 20));
    }

    @Test
    void endpoints()
    {
        final Endpoint v4 = Addresses.parseEndpoint("10.0.0.1:8080", true);
        assertEquals(InetAddress.ofLiteral("10.0.0.1"), v4.address());
        assertEquals(PortRange.of(8080), v4.ports());

        final Endpoint v6 = Addresses.parseEndpoint("[::1]:30000-30009", true);
        assertEquals(InetAddress.ofLiteral("::1"), v6.address());
        assertEquals(new PortRange(30000, 30009), v6.ports());
        assertEquals("[::1]:30000-30009", v6.toString());

        final Endpoint bareV6 = Addresses.parseEndpoint("fe80::1", false);
        assertNull(bareV6.ports());
        assertNull(Addresses.parseEndpoint("10.0.0.1", false).ports());
        assertTrue(Addresses.parseEndpoint("[::]:80", true).isWildcard());
        assertTrue(Addresses.parseEndpoint("localhost:9000", true).isLoopback());

        assertTrue(assertThrows(IllegalArgumentException.class, () -> Addresses.parseEndpoint("10.0.0.1", true))
            .getMessage().contains("has no port"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Addresses.parseEndpoint("::1:80", true))
            .getMessage().contains("brackets"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Addresses.parseEndpoint(":80", true))
            .getMessage().contains("has no address"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Addresses.parseEndpoint("1.2.3.4:0", true))
            .getMessage().contains("outside 1-65535"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Addresses.parseEndpoint("a b:80", true))
            .getMessage().contains("neither an IP address nor a host name"));
        assertThrows(IllegalArgumentException.class, () -> Addresses.parseEndpoint("[::1:80", true));
        assertThrows(IllegalArgumentException.class, () -> Addresses.parsePorts("80-"));
        assertThrows(IllegalArgumentException.class, () -> Addresses.parsePorts("http"));
    }

    @Test
    void ipv6IsPrintedInRfc5952Form() throws Exception
    {
        // RFC 5952 section 4: lowercase, no leading zeros, the longest run of zero groups (the first of equal runs)
        // as ::, a single zero group not shortened, IPv4-mapped in dotted form.
        final String[][] cases = {
            {"0:0:0:0:0:0:0:1", "::1"},
            {"0:0:0:0:0:0:0:0", "::"},
            {"2001:0DB8:0000:0000:0000:0000:0000:0001", "2001:db8::1"},
            {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},
            {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"},
            {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},
            {"fe80:0:0:0:0:0:0:0", "fe80::"},
            {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
            {"2001:db8:aaaa:bbbb:cccc:dddd:0:1", "2001:db8:aaaa:bbbb:cccc:dddd:0:1"},
        };
        for (final String[] c : cases)
        {
            assertEquals("[" + c[1] + "]", Endpoint.literal(InetAddress.ofLiteral(c[0])), c[0]);
            assertEquals("[" + c[1] + "]:80", Endpoint.format(InetAddress.ofLiteral(c[0]), 80), c[0]);
        }
        final byte[] mapped = new byte[16];
        mapped[10] = (byte)0xff;
        mapped[11] = (byte)0xff;
        mapped[12] = (byte)192;
        mapped[13] = 0;
        mapped[14] = 2;
        mapped[15] = 1;
        assertEquals("[::ffff:192.0.2.1]", Endpoint.literal(java.net.Inet6Address.getByAddress(null, mapped, -1)));
        assertEquals("[fe80::1%7]", Endpoint.literal(InetAddress.ofLiteral("fe80::1%7")));
        assertEquals("127.0.0.1:9000", Endpoint.format(new java.net.InetSocketAddress("127.0.0.1", 9000)));
        assertEquals("[::1]:9000", Endpoint.format(new java.net.InetSocketAddress("::1", 9000)));
        assertEquals("[::1]:8080", Addresses.parseEndpoint("[0:0::1]:8080", true).toString());
    }

    @Test
    void anUnknownInterfaceIsNamedWithTheInterfacesThereAre() throws Exception
    {
        final List<java.net.NetworkInterface> nics = java.net.NetworkInterface.networkInterfaces().toList();
        final String message = assertThrows(IllegalArgumentException.class,
            () -> Addresses.parseEndpoint("[fe80::2%nosuch]:80", true)).getMessage();
        assertTrue(message.startsWith("'fe80::2%nosuch' names network interface 'nosuch', which this host does not " +
            "have; its interfaces: "), message);
        for (final java.net.NetworkInterface nic : nics)
        {
            assertTrue(message.contains(nic.getName()), nic.getName() + " in " + message);
        }
        // An interface that exists but has no link-local address cannot scope one either: said as such.
        for (final java.net.NetworkInterface nic : nics)
        {
            final boolean hasLinkLocal = nic.inetAddresses()
                .anyMatch(a -> a instanceof java.net.Inet6Address && a.isLinkLocalAddress());
            final String text = "[fe80::2%" + nic.getName() + "]:80";
            if (hasLinkLocal)
            {
                assertEquals(text, Addresses.parseEndpoint(text, true).toString());
                assertTrue(message.contains("with an interface that has a link-local address: "), message);
            }
            else
            {
                final String refused = assertThrows(IllegalArgumentException.class,
                    () -> Addresses.parseEndpoint(text, true)).getMessage();
                assertTrue(refused.contains("names network interface '" + nic.getName() + "', which has no " +
                    "link-local IPv6 address to scope it"), refused);
            }
        }
    }

    @Test
    void durationsLongerThanTheirMaximumNameIt()
    {
        final Duration year = Duration.ofDays(365);
        assertEquals(year, Units.parseDuration("365d", year));
        assertEquals(year, Units.parseDuration("364d24h", year));
        for (final String tooLong : List.of("365d1ns", "106752d", "9223372036854775807ns", "99999999999999999999d",
            "1d" + "9".repeat(40) + "s"))
        {
            final String message = assertThrows(IllegalArgumentException.class,
                () -> Units.parseDuration(tooLong, year)).getMessage();
            assertTrue(message.endsWith("is longer than the largest allowed, 365d"), message);
        }
        // Without a maximum, the largest is what a long of nanoseconds holds.
        assertEquals(Duration.ofNanos(Long.MAX_VALUE), Units.parseDuration("9223372036854775807ns"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Units.parseDuration("106752d")).getMessage()
            .contains("longer than the largest allowed"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Units.parseDuration("1dx")).getMessage()
            .contains("is not a duration"));
    }

    @Test
    void sizesLargerThanTheirMaximumNameIt()
    {
        assertEquals(1L << 40, Units.parseSize("1024g", 1L << 40));
        for (final String tooLarge : List.of("1025g", "9999999999999999g", "99999999999999999999", "8388608t"))
        {
            final IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> Units.parseSize(tooLarge, 1L << 40));
            if (!tooLarge.endsWith("t"))
            {
                assertTrue(ex.getMessage().endsWith("is larger than the largest allowed, 1024g"), ex.getMessage());
            }
        }
    }

    @Test
    void aQuotedValueIsCutShortAndItsControlCharactersShown()
    {
        assertEquals("'web'", Quote.of("web"));
        assertEquals("'a\\nb\\t\\u001b'", Quote.of("a\nb\t\u001b"));
        final String huge = "x".repeat(7_000_000);
        assertEquals("'" + "x".repeat(60) + "...' (7000000 characters)", Quote.of(huge));
        final String message = assertThrows(IllegalArgumentException.class,
            () -> Addresses.parseEndpoint(huge + ":80", true)).getMessage();
        assertTrue(message.length() < 300, message.length() + " characters");
    }

    @Test
    void portRanges()
    {
        final PortRange r = new PortRange(30000, 30009);
        assertEquals(10, r.size());
        assertEquals(30003, r.portAt(3));
        assertEquals(9000, PortRange.of(9000).portAt(3));
        assertTrue(r.overlaps(new PortRange(30009, 30010)));
        assertTrue(!r.overlaps(PortRange.of(29999)));
        assertThrows(IllegalArgumentException.class, () -> new PortRange(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new PortRange(5, 4));
    }

    @Test
    void suggestions()
    {
        final List<String> keys = ConfigParser.LISTENER_KEYS;
        assertEquals("bind", Suggest.closest("bnd", keys));
        assertEquals("protocol", Suggest.closest("protcol", keys));
        assertEquals("idle-timeout", Suggest.closest("idle-timout", keys));
        assertEquals("connect-timeout", Suggest.closest("connect-tiemout", keys));
        assertNull(Suggest.closest("xyzzy", keys));
    }
}
