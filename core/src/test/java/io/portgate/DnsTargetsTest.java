package io.portgate;

import io.portgate.TargetView;
import io.portgate.config.ConfigLoader;
import io.portgate.config.HostFacts;
import io.portgate.metrics.Metric;
import io.portgate.testing.DnsServer;
import io.portgate.testing.EchoServer;
import io.portgate.testing.Exchange;
import io.portgate.testing.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Targets named by host name follow their records, looked up from a DNS server on 127.0.0.1: every A record becomes a
 * target at the pool's port, a change is applied as a reload is (new targets take new connections, a connection to a
 * removed target carries on), and a failed lookup keeps the last good set. Real sockets, every byte checked.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class DnsTargetsTest
{
    private static final String NAME = "web.portgate.test";

    @TempDir
    Path dir;

    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final Map<String, EchoServer> echoes = new java.util.LinkedHashMap<>();
    private DnsServer dns;
    private Portgate portgate;
    private int targetPort;

    @AfterEach
    void stop() throws Exception
    {
        if (portgate != null)
        {
            portgate.close(Duration.ZERO);
        }
        for (final AutoCloseable c : toClose.reversed())
        {
            c.close();
        }
    }

    /** Echo servers on 127.0.0.2 to 127.0.0.4, all on one port: the pool's. */
    private void startTargets()
    {
        targetPort = FreePorts.tcp();
        for (final String address : List.of("127.0.0.2", "127.0.0.3", "127.0.0.4"))
        {
            final EchoServer echo = EchoServer.startOn(new InetSocketAddress(InetAddress.ofLiteral(address),
                targetPort), EchoServer.ECHO);
            toClose.add(echo);
            echoes.put(address, echo);
        }
        dns = DnsServer.start();
        toClose.add(dns);
    }

    private void startBalancer(final String resolveInterval) throws Exception
    {
        final Path file = dir.resolve("dns.yaml");
        Files.writeString(file, """
            workers: 2
            admin: 127.0.0.1:%d
            resolvers: ["127.0.0.1:%d"]
            listeners:
              - name: web
                bind: 127.0.0.1:%d
                pool: web
            pools:
              web:
                port: %d
                resolve-interval: %s
                targets: [%s]
            """.formatted(FreePorts.tcp(), dns.address().getPort(), FreePorts.tcp(), targetPort, resolveInterval,
            NAME));
        final ConfigLoader.Result loaded = ConfigLoader.load(file, HostFacts.system());
        assertTrue(!loaded.hasErrors(), loaded.diagnostics().toString());
        portgate = Portgate.start(loaded.config());
    }

    private InetSocketAddress front()
    {
        return portgate.boundAddresses("web").getFirst();
    }

    private Set<String> running()
    {
        final Set<String> targets = new TreeSet<>();
        for (final TargetView v : portgate.targets())
        {
            targets.add(v.target() + " from " + v.name());
        }
        return targets;
    }

    private static Set<String> named(final int port, final String... addresses)
    {
        final Set<String> targets = new TreeSet<>();
        for (final String a : addresses)
        {
            targets.add(a + ":" + port + " from " + NAME);
        }
        return targets;
    }

    private static void await(final BooleanSupplier condition, final String what) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("never: " + what);
            }
            Thread.sleep(10);
        }
    }

    private Map<String, Integer> accepted()
    {
        final Map<String, Integer> counts = new java.util.TreeMap<>();
        echoes.forEach((address, echo) -> counts.put(address, echo.accepted()));
        return counts;
    }

    @Test
    void recordsChangeTrafficFollowsAndAConnectionToARemovedTargetCarriesOn() throws Exception
    {
        startTargets();
        dns.set(NAME, "127.0.0.2");
        startBalancer("100ms");
        assertEquals(named(targetPort, "127.0.0.2"), running());
        final byte[] first = Exchange.random(3000);
        assertArrayEquals(first, Exchange.roundTrip(front(), first));
        assertEquals(Map.of("127.0.0.2", 1, "127.0.0.3", 0, "127.0.0.4", 0), accepted());

        try (SocketChannel longLived = SocketChannel.open(front()))
        {
            final byte[] hello = Exchange.random(1000);
            Exchange.writeFully(longLived, hello);
            assertArrayEquals(hello, Exchange.readExactly(longLived, hello.length));
            assertEquals(2, echoes.get("127.0.0.2").accepted(), "the long-lived connection is on 127.0.0.2");

            dns.set(NAME, "127.0.0.3", "127.0.0.4");
            await(() -> running().equals(named(targetPort, "127.0.0.3", "127.0.0.4")) && sum(Metric.DNS_CHANGES) == 1,
                "the new records run: " + running());
            for (int i = 0; i < 20; i++)
            {
                final byte[] payload = Exchange.random(500 + i);
                assertArrayEquals(payload, Exchange.roundTrip(front(), payload), "connection " + i);
            }
            final Map<String, Integer> after = accepted();
            assertEquals(2, after.get("127.0.0.2"), "nothing new goes to the removed address: " + after);
            assertEquals(20, after.get("127.0.0.3") + after.get("127.0.0.4"), after.toString());
            assertTrue(after.get("127.0.0.3") > 0 && after.get("127.0.0.4") > 0, "both new targets: " + after);

            // The connection to the removed target drains: still open, every byte still forwarded.
            for (int i = 0; i < 5; i++)
            {
                final byte[] more = Exchange.random(4000);
                Exchange.writeFully(longLived, more);
                assertArrayEquals(more, Exchange.readExactly(longLived, more.length), "message " + i);
            }
        }
        assertTrue(portgate.config().pools().get("web").targets().stream().allMatch(t -> NAME.equals(t.name())));
        assertEquals(1, sum(Metric.DNS_CHANGES));
        final HttpResponse<String> pools = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + portgate.adminAddress().getPort() + "/api/pools")).build(),
            HttpResponse.BodyHandlers.ofString());
        assertTrue(pools.body().contains("\"target\": \"127.0.0.3:" + targetPort + "\",\n      \"name\": \"" + NAME +
            "\""), pools.body());
    }

    @Test
    void aFailedLookupKeepsTheLastGoodSetAndIsCounted() throws Exception
    {
        startTargets();
        dns.set(NAME, "127.0.0.2", "127.0.0.3");
        startBalancer("100ms");
        // Loaded with the first address; the first lookup adds the second.
        await(() -> running().equals(named(targetPort, "127.0.0.2", "127.0.0.3")) && sum(Metric.DNS_CHANGES) == 1,
            "both records run: " + running());
        dns.behave(NAME, DnsServer.Behaviour.SERVFAIL);
        await(() -> sum(Metric.DNS_LOOKUPS, "failed") >= 3, "three failed lookups");
        assertEquals(named(targetPort, "127.0.0.2", "127.0.0.3"), running(), "the last good set");
        for (int i = 0; i < 6; i++)
        {
            final byte[] payload = Exchange.random(700);
            assertArrayEquals(payload, Exchange.roundTrip(front(), payload));
        }
        assertTrue(accepted().get("127.0.0.2") > 0 && accepted().get("127.0.0.3") > 0, accepted().toString());

        dns.behave(NAME, DnsServer.Behaviour.ANSWER).set(NAME, "127.0.0.4");
        await(() -> running().equals(named(targetPort, "127.0.0.4")) && sum(Metric.DNS_CHANGES) == 2,
            "the name resolves again: " + running());
        final int before = accepted().get("127.0.0.4");
        final byte[] payload = Exchange.random(700);
        assertArrayEquals(payload, Exchange.roundTrip(front(), payload));
        assertEquals(before + 1, accepted().get("127.0.0.4"));
    }

    @Test
    void aNameWithNoAddressAtStartIsAddedOnceItResolves() throws Exception
    {
        startTargets();
        dns.behave(NAME, DnsServer.Behaviour.NXDOMAIN);
        startBalancer("100ms");
        assertEquals(Set.of(), running(), "nothing to run yet");
        assertTrue(portgate.health().reasons().contains("pool web: no target up"), portgate.health().toString());

        dns.behave(NAME, DnsServer.Behaviour.ANSWER).set(NAME, "127.0.0.3");
        await(() -> running().equals(named(targetPort, "127.0.0.3")) && sum(Metric.DNS_CHANGES) == 1,
            "the name resolves: " + running());
        final byte[] payload = Exchange.random(1500);
        assertArrayEquals(payload, Exchange.roundTrip(front(), payload));
        assertEquals(1, accepted().get("127.0.0.3"));
        assertTrue(portgate.health().healthy(), portgate.health().toString());
    }

    private long sum(final Metric metric, final String... result)
    {
        long sum = 0;
        for (final var s : portgate.metrics().samples())
        {
            if (s.metric() == metric && (result.length == 0 || s.labels().contains("result=\"" + result[0] + "\"")))
            {
                sum += s.value();
            }
        }
        return sum;
    }
}
