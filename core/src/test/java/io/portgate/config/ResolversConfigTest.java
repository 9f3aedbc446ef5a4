package io.portgate.config;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code resolvers:}, {@code resolve-interval} and targets written as host names, as the parser reads them. */
class ResolversConfigTest
{
    private static ConfigParser.Result parse(final String resolvers, final String interval, final String target)
    {
        return ConfigParser.parse("t.yaml", """
            %s
            listeners:
              - name: web
                bind: 127.0.0.1:8080
                pool: web
            pools:
              web:
                port: 9000
            %s
                targets: [%s]
            """.formatted(resolvers, interval.isEmpty() ? "" : "    resolve-interval: " + interval, target));
    }

    private static List<String> errors(final ConfigParser.Result result)
    {
        return result.diagnostics().stream().filter(d -> d.severity() == Severity.ERROR).map(Diagnostic::format)
            .toList();
    }

    @Test
    void resolversAreIpAddressesWithPort53UnlessWritten()
    {
        final ConfigParser.Result r = parse("resolvers: [10.0.0.53, \"10.0.0.54:5353\", \"[2001:db8::53]\", " +
            "\"[2001:db8::54]:5300\"]", "", "10.0.0.1");

        assertEquals(List.of(), errors(r));
        assertEquals(List.of(
            new InetSocketAddress(InetAddress.ofLiteral("10.0.0.53"), 53),
            new InetSocketAddress(InetAddress.ofLiteral("10.0.0.54"), 5353),
            new InetSocketAddress(InetAddress.ofLiteral("2001:db8::53"), 53),
            new InetSocketAddress(InetAddress.ofLiteral("2001:db8::54"), 5300)), r.config().resolvers());
        assertEquals(new Position(1, 12), r.config().resolversPosition());
    }

    @Test
    void withoutResolversTheSystemResolverIsUsed()
    {
        final ConfigParser.Result r = parse("", "", "10.0.0.1");

        assertEquals(List.of(), errors(r));
        assertEquals(List.of(), r.config().resolvers());
    }

    @Test
    void everyBadResolverIsAnErrorAtItsPosition()
    {
        final ConfigParser.Result r = parse("resolvers: [dns.example:53, \"10.0.0.53:53-54\", \"10.0.0.53:70000\", " +
            "53, \"10.0.0.9\", \"10.0.0.9:53\", \"10.0.0.300\"]", "", "10.0.0.1");

        assertEquals(List.of(
            "t.yaml:1:13: error: resolvers: 'dns.example' is a host name; a resolver must be an IP address, since " +
                "looking its name up would need a resolver; write address:port, e.g. 10.0.0.53:53; the port is 53 " +
                "when left out",
            "t.yaml:1:29: error: resolvers: '10.0.0.53:53-54' names a port range; a resolver listens on one port; " +
                "write address:port, e.g. 10.0.0.53:53; the port is 53 when left out",
            "t.yaml:1:48: error: resolvers: port 70000 is outside 1-65535; write address:port, e.g. 10.0.0.53:53; " +
                "the port is 53 when left out",
            "t.yaml:1:67: error: resolvers: an item must be a DNS server's address such as 10.0.0.53:53, found " +
                "the number 53",
            "t.yaml:1:83: error: resolvers lists 10.0.0.9:53 twice (first at line 1); keep one of them",
            "t.yaml:1:98: error: resolvers: '10.0.0.300' is not an IP address (each of the four numbers is " +
                "0-255) nor a host name (whose last part is not a number); write address:port, e.g. " +
                "10.0.0.53:53; the port is 53 when left out"), errors(r));
    }

    @Test
    void resolversMustBeANonEmptyList()
    {
        assertEquals(List.of("t.yaml:1:12: error: resolvers must be a list (lines starting with '- '), found " +
            "'10.0.0.53'"), errors(parse("resolvers: 10.0.0.53", "", "10.0.0.1")));
        assertEquals(List.of("t.yaml:1:12: error: 'resolvers:' is empty; list DNS servers as address:port, e.g. " +
            "[10.0.0.53:53], or remove the key to use the system resolver"), errors(parse("resolvers: []", "",
            "10.0.0.1")));
        assertTrue(errors(parse("resolver: [10.0.0.53]", "", "10.0.0.1")).getFirst()
            .contains("did you mean 'resolvers'?"));
    }

    @Test
    void resolveIntervalIsADurationOfZeroOrMoreUpToTheLargest()
    {
        assertEquals(Duration.ZERO, parse("", "0s", "web.internal").config().pools().get("web").resolveInterval());
        // As every duration, with a unit: a bare 0 says how to write it.
        assertEquals(List.of("t.yaml:9:23: error: pool 'web' resolve-interval: duration '0' has no unit; write " +
            "e.g. 0s or 0ms"), errors(parse("", "0", "web.internal")));
        assertEquals(Duration.ofMinutes(5),
            parse("", "5m", "web.internal").config().pools().get("web").resolveInterval());
        assertEquals(PoolConfig.DEFAULT_RESOLVE_INTERVAL, parse("", "", "web.internal").config().pools().get("web")
            .resolveInterval());

        final List<String> bad = errors(parse("", "5x", "web.internal"));
        assertEquals(1, bad.size(), bad.toString());
        assertTrue(bad.getFirst().startsWith("t.yaml:9:23: error: pool 'web' resolve-interval: "), bad.getFirst());
        final List<String> tooLong = errors(parse("", "400d", "web.internal"));
        assertTrue(tooLong.getFirst().startsWith("t.yaml:9:23: error: pool 'web' resolve-interval: ") &&
            tooLong.getFirst().contains("365d"), tooLong.toString());
        assertEquals(1, errors(parse("", "[30s]", "web.internal")).size());
    }

    @Test
    void aTargetWrittenAsAHostNameKeepsItsNameAndIsNotLookedUpByTheParser()
    {
        final ConfigParser.Result r = parse("", "", "\"db.portgate.invalid:9001\", {address: web.portgate.invalid, " +
            "weight: 3}, 10.0.0.1, \"[::1]\"");

        assertEquals(List.of(), errors(r));
        final List<TargetConfig> targets = r.config().pools().get("web").targets();
        assertEquals("db.portgate.invalid", targets.get(0).name());
        assertNull(targets.get(0).address(), "looked up when loaded, through resolvers:");
        assertEquals(PortRange.of(9001), targets.get(0).ports());
        assertEquals("db.portgate.invalid:9001", targets.get(0).label(r.config().pools().get("web")));
        assertEquals("web.portgate.invalid", targets.get(1).name());
        assertEquals(3, targets.get(1).weight());
        assertTrue(targets.get(1).isNamed());
        // IP addresses exactly as before: no name, an address.
        assertNull(targets.get(2).name());
        assertEquals(InetAddress.ofLiteral("10.0.0.1"), targets.get(2).address());
        assertFalse(targets.get(3).isNamed());
        assertEquals(InetAddress.ofLiteral("::1"), targets.get(3).address());
    }

    @Test
    void aTargetThatIsNeitherAnAddressNorANameIsStillAnError()
    {
        assertEquals(List.of("t.yaml:10:15: error: pool 'web' target: '10.0.0.256' is not an IP address (each of " +
            "the four numbers is 0-255) nor a host name (whose last part is not a number)"),
            errors(parse("", "", "10.0.0.256")));
        assertEquals(List.of("t.yaml:10:15: error: pool 'web' target: 'web_1.internal' is neither an IP address " +
            "nor a host name"), errors(parse("", "", "web_1.internal")));
    }

    @Test
    void aNameGivenAnAddressKeepsItsNameAndEverythingElse()
    {
        final TargetConfig named = parse("", "", "{address: \"web.internal:9001\", weight: 4}").config().pools()
            .get("web").targets().getFirst();

        final TargetConfig at = named.withAddress(InetAddress.ofLiteral("10.0.0.7"));

        assertEquals("web.internal", at.name());
        assertEquals(InetAddress.ofLiteral("10.0.0.7"), at.address());
        assertEquals(named.ports(), at.ports());
        assertEquals(4, at.weight());
        assertEquals(named.position(), at.position());
        assertEquals("10.0.0.7:9001", at.label(parse("", "", "10.0.0.1").config().pools().get("web")));
    }
}
