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
        assertEquals("[0:0:0:0:0:0:0:1]:30000-30009", v6.toString());

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
