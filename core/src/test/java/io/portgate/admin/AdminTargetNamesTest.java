package io.portgate.admin;

import io.portgate.Portgate;
import io.portgate.config.Addresses;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortRange;
import io.portgate.config.PortgateConfig;
import io.portgate.config.TargetConfig;
import io.portgate.testing.EchoServer;
import io.portgate.testing.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Targets are named one way everywhere, over real HTTP to a running balancer: an IPv6 target as {@code [::1]:port}
 * and a range target by its range, in /api/pools, /api/listeners and /metrics alike; and the admin calls take those
 * names, percent-encoded or not.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminTargetNamesTest
{
    private static final InetAddress V6_LOOPBACK = InetAddress.ofLiteral("::1");

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> open = new ArrayList<>();
    private Portgate portgate;
    private EchoServer v6;
    private int rangeFirst;
    private String base;

    @BeforeEach
    void start() throws Exception
    {
        boolean hasV6 = true;
        try
        {
            v6 = EchoServer.startOn(new InetSocketAddress(V6_LOOPBACK, 0), EchoServer.ECHO);
        }
        catch (final RuntimeException ex)
        {
            hasV6 = false;
        }
        assumeTrue(hasV6, "no IPv6 loopback here");
        open.add(v6);
        rangeFirst = FreePorts.tcpRange(2);
        for (int p = rangeFirst; p < rangeFirst + 2; p++)
        {
            open.add(EchoServer.startOn(new InetSocketAddress(InetAddress.getLoopbackAddress(), p), EchoServer.ECHO));
        }
        final int listen = FreePorts.tcpRange(2);
        portgate = Portgate.start(PortgateConfig.builder().workers(1)
            .admin(Addresses.parseEndpoint("127.0.0.1:" + FreePorts.tcp(), true))
            .listener(ListenerConfig.builder("web").bind("127.0.0.1:" + listen + "-" + (listen + 1)).pool("web")
                .maxConnections(100).build())
            .pool(PoolConfig.builder("web")
                .target(TargetConfig.of(V6_LOOPBACK, PortRange.of(v6.port())))
                .target(TargetConfig.of(InetAddress.getLoopbackAddress(), new PortRange(rangeFirst, rangeFirst + 1)))
                .build())
            .build());
        base = "http://127.0.0.1:" + portgate.adminAddress().getPort();
    }

    @AfterEach
    void stop() throws Exception
    {
        if (portgate != null)
        {
            portgate.close(Duration.ZERO);
        }
        for (final AutoCloseable c : open)
        {
            c.close();
        }
    }

    private HttpResponse<String> send(final String method, final String path) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create(base + path))
            .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    private String stateOf(final String target) throws Exception
    {
        final String pools = send("GET", "/api/pools").body();
        final int at = pools.indexOf("\"target\": \"" + target + "\"");
        assertTrue(at >= 0, target + " in " + pools);
        final int state = pools.indexOf("\"state\": \"", at) + "\"state\": \"".length();
        return pools.substring(state, pools.indexOf('"', state));
    }

    /**
     * Waits until {@code /api/pools} shows a target in a state: a drain or undrain answers once the conductor has it,
     * and the state shown is the one every forwarder picks by, a moment later.
     */
    private void awaitState(final String target, final String expected) throws Exception
    {
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        String state = stateOf(target);
        while (!state.equals(expected) && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(5);
            state = stateOf(target);
        }
        assertEquals(expected, state, target);
    }

    private static String weightOf(final String pools, final String target)
    {
        final int at = pools.indexOf("\"target\": \"" + target + "\"");
        return pools.substring(at, pools.indexOf('}', at));
    }

    @Test
    void everyEndpointNamesTargetsAlike() throws Exception
    {
        final String v6Name = "[::1]:" + v6.port();
        final String rangeName = "127.0.0.1:" + rangeFirst + "-" + (rangeFirst + 1);
        final String pools = send("GET", "/api/pools").body();
        final String listeners = send("GET", "/api/listeners").body();
        final String metrics = send("GET", "/metrics").body();
        for (final String name : List.of(v6Name, rangeName))
        {
            assertTrue(pools.contains("\"target\": \"" + name + "\""), name + " in " + pools);
            assertTrue(listeners.contains("\"target\": \"" + name + "\""), name + " in " + listeners);
            assertTrue(metrics.contains("target=\"" + name + "\""), name + " in " + metrics);
        }
        for (final String text : List.of(pools, listeners, metrics))
        {
            assertFalse(text.contains("0:0:0:0"), text);
            assertFalse(text.contains("\"127.0.0.1:" + rangeFirst + "\""), "no target named by its first port: " +
                text);
        }
    }

    @Test
    void anIpv6TargetIsDrainedUndrainedAndWeightedByItsName() throws Exception
    {
        final String name = "[::1]:" + v6.port();
        final HttpResponse<String> drain = send("POST", "/api/pools/web/targets/%5B%3A%3A1%5D%3A" + v6.port() +
            "/drain");
        assertEquals(200, drain.statusCode(), drain.body());
        assertTrue(drain.body().contains("\"target\": \"" + name + "\""), "answered with the target's name: " +
            drain.body());
        awaitState(name, "draining");
        // Without brackets, which a URL path can carry unencoded.
        final HttpResponse<String> undrain = send("POST", "/api/pools/web/targets/::1:" + v6.port() + "/undrain");
        assertEquals(200, undrain.statusCode(), undrain.body());
        awaitState(name, "up");
        // Lower-case escapes and the long form name the same target.
        final HttpResponse<String> weight = send("POST", "/api/pools/web/targets/%5b0:0:0:0:0:0:0:1%5d:" +
            v6.port() + "/weight?value=7");
        assertEquals(200, weight.statusCode(), weight.body());
        // Shown once every forwarder picks by it, a moment after the call answered.
        final long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
        String pools = send("GET", "/api/pools").body();
        while (!weightOf(pools, name).contains("\"weight\": 7") && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(5);
            pools = send("GET", "/api/pools").body();
        }
        assertTrue(weightOf(pools, name).contains("\"weight\": 7"), pools);
        // Still forwarding to it.
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), portgate.boundAddresses("web").getFirst()
            .getPort()))
        {
            client.setSoTimeout(10_000);
            client.getOutputStream().write("x\n".getBytes(StandardCharsets.US_ASCII));
            assertEquals("x", new String(client.getInputStream().readNBytes(1), StandardCharsets.US_ASCII));
        }

        final HttpResponse<String> unknown = send("POST", "/api/pools/web/targets/%5B%3A%3A2%5D%3A9/drain");
        assertEquals(404, unknown.statusCode(), unknown.body());
        assertTrue(unknown.body().contains("pool 'web' has no target '[::2]:9'; targets: [" + name + ", "),
            unknown.body());
    }

    @Test
    void aRangeTargetIsNamedByItsRangeOrItsFirstPort() throws Exception
    {
        final String name = "127.0.0.1:" + rangeFirst + "-" + (rangeFirst + 1);
        assertEquals(200, send("POST", "/api/pools/web/targets/" + name + "/drain").statusCode());
        awaitState(name, "draining");
        final HttpResponse<String> byFirstPort = send("POST", "/api/pools/web/targets/127.0.0.1:" + rangeFirst +
            "/undrain");
        assertEquals(200, byFirstPort.statusCode(), byFirstPort.body());
        assertTrue(byFirstPort.body().contains("\"target\": \"" + name + "\""), byFirstPort.body());
        awaitState(name, "up");
        assertEquals(404, send("POST", "/api/pools/web/targets/127.0.0.1:" + (rangeFirst + 1) + "/drain")
            .statusCode(), "a port inside the range is not the target's name");
    }

    @Test
    void rawBracketsNameTheTargetToo() throws Exception
    {
        // The JDK's HTTP server, which the endpoint once ran on, parsed the request line with java.net.URI, which
        // takes no '[' in a path, and answered 400 itself. portgate's own parser takes any visible character.
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), portgate.adminAddress().getPort()))
        {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST /api/pools/web/targets/[::1]:" + v6.port() + "/drain HTTP/1.1\r\n" +
                "Host: 127.0.0.1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            final String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(response.startsWith("HTTP/1.1 200 "), response);
            assertTrue(response.contains("\"target\": \"[::1]:" + v6.port() + "\""), response);
        }
        assertEquals("draining", stateOf("[::1]:" + v6.port()));
    }
}
