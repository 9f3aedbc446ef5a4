package io.portgate.admin;

import io.portgate.Portgate;
import io.portgate.config.Addresses;
import io.portgate.config.AllDown;
import io.portgate.config.Endpoint;
import io.portgate.config.HealthConfig;
import io.portgate.config.HealthProtocol;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.spi.TargetState;
import io.portgate.testing.EchoServer;
import io.portgate.testing.Exchange;
import io.portgate.testing.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** {@code /api/health} over real HTTP on 127.0.0.1, against a running balancer with real traffic. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HealthEndpointTest
{
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final String OK = "{\n  \"status\": \"ok\"\n}\n";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private Portgate portgate;
    private String base;

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

    private EchoServer echo()
    {
        final EchoServer server = EchoServer.start();
        toClose.add(server);
        return server;
    }

    private void start(final PortgateConfig.Builder config)
    {
        portgate = Portgate.start(config.workers(2).admin(Addresses.parseEndpoint("127.0.0.1:" + FreePorts.tcp(),
            true)).build());
        base = "http://127.0.0.1:" + portgate.adminAddress().getPort();
    }

    private HttpResponse<String> get(final String path) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(final String path) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create(base + path)).POST(HttpRequest.BodyPublishers.noBody())
            .build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String failed(final String... reasons)
    {
        final StringBuilder body = new StringBuilder("{\n  \"status\": \"fail\",\n  \"reasons\": [\n");
        for (int i = 0; i < reasons.length; i++)
        {
            body.append("    \"").append(reasons[i]).append('"').append(i + 1 < reasons.length ? ",\n" : "\n");
        }
        return body.append("  ]\n}\n").toString();
    }

    private static PoolConfig.Builder pool(final String name, final int... ports)
    {
        final PoolConfig.Builder pool = PoolConfig.builder(name);
        for (final int port : ports)
        {
            pool.target(LOOPBACK, port);
        }
        return pool;
    }

    private static ListenerConfig listener(final String name, final String pool)
    {
        return ListenerConfig.builder(name).bind("127.0.0.1:" + FreePorts.tcp()).pool(pool).build();
    }

    @Test
    void failedByOperatorAnswers503WhileEveryConnectionIsStillForwarded() throws Exception
    {
        final EchoServer a = echo();
        final EchoServer b = echo();
        start(PortgateConfig.builder().listener(listener("web", "web")).pool(pool("web", a.port(), b.port()).build()));
        final InetSocketAddress front = portgate.boundAddresses("web").getFirst();

        final HttpResponse<String> healthy = get("/api/health");
        assertEquals(200, healthy.statusCode(), healthy.body());
        assertEquals(OK, healthy.body());

        try (SocketChannel longLived = SocketChannel.open(front))
        {
            final byte[] before = Exchange.random(2000);
            Exchange.writeFully(longLived, before);
            assertArrayEquals(before, Exchange.readExactly(longLived, before.length));

            final HttpResponse<String> fail = post("/api/health/fail");
            assertEquals(200, fail.statusCode(), fail.body());
            final HttpResponse<String> failed = get("/api/health");
            assertEquals(503, failed.statusCode(), failed.body());
            assertEquals(failed("failed by operator"), failed.body());
            assertTrue(!portgate.health().healthy());

            // Still forwarding: the open connection and new ones, every byte.
            for (int i = 0; i < 20; i++)
            {
                final byte[] payload = Exchange.random(1000 + i * 100);
                assertArrayEquals(payload, Exchange.roundTrip(front, payload), "new connection " + i);
                final byte[] more = Exchange.random(3000);
                Exchange.writeFully(longLived, more);
                assertArrayEquals(more, Exchange.readExactly(longLived, more.length), "open connection " + i);
            }
            assertEquals(503, get("/api/health").statusCode(), "fail stays until ok");

            final HttpResponse<String> ok = post("/api/health/ok");
            assertEquals(200, ok.statusCode(), ok.body());
            final HttpResponse<String> again = get("/api/health");
            assertEquals(200, again.statusCode(), again.body());
            assertEquals(OK, again.body());
            final byte[] after = Exchange.random(500);
            Exchange.writeFully(longLived, after);
            assertArrayEquals(after, Exchange.readExactly(longLived, after.length));
        }
        assertEquals(405, get("/api/health/fail").statusCode(), "a change is a POST");
        assertEquals(405, post("/api/health").statusCode());
    }

    @Test
    void aPoolWithNoTargetUpFailsUnlessItFailsOpen() throws Exception
    {
        final EchoServer strictTarget = echo();
        final EchoServer openTarget = echo();
        final HealthConfig probe = HealthConfig.builder().protocol(HealthProtocol.TCP).interval(Duration.ofMillis(50))
            .timeout(Duration.ofMillis(500)).rise(1).fall(1).build();
        start(PortgateConfig.builder()
            .listener(listener("strict", "strict")).listener(listener("open", "open"))
            .pool(pool("strict", strictTarget.port()).health(probe).build())
            .pool(pool("open", openTarget.port()).health(probe).allDown(AllDown.FAIL_OPEN).build()));
        awaitState("strict", TargetState.UP);
        awaitState("open", TargetState.UP);
        assertEquals(200, get("/api/health").statusCode());

        strictTarget.kill();
        openTarget.kill();
        awaitState("strict", TargetState.DOWN);
        awaitState("open", TargetState.DOWN);
        final HttpResponse<String> down = get("/api/health");
        assertEquals(503, down.statusCode(), down.body());
        // The fail-open pool still picks (its targets, down, take the traffic), so it is no reason.
        assertEquals(failed("pool strict: no target up"), down.body());
    }

    @Test
    void aPoolWithEveryTargetDrainedFails() throws Exception
    {
        final EchoServer a = echo();
        final EchoServer b = echo();
        start(PortgateConfig.builder().listener(listener("web", "web")).pool(pool("web", a.port(), b.port()).build()));
        assertEquals(200, post("/api/pools/web/targets/127.0.0.1:" + a.port() + "/drain").statusCode());
        assertEquals(200, get("/api/health").statusCode(), "one target up is enough");
        assertEquals(200, post("/api/pools/web/targets/127.0.0.1:" + b.port() + "/drain").statusCode());
        final HttpResponse<String> drained = get("/api/health");
        assertEquals(503, drained.statusCode(), drained.body());
        assertEquals(failed("pool web: no target up"), drained.body());
        assertEquals(200, post("/api/health/fail").statusCode());
        assertEquals(failed("failed by operator", "pool web: no target up"), get("/api/health").body());
    }

    @Test
    void aStopAnnouncedFailsWhileTrafficFlows() throws Exception
    {
        final EchoServer a = echo();
        start(PortgateConfig.builder().listener(listener("web", "web")).pool(pool("web", a.port()).build()));
        portgate.announceStop();
        final HttpResponse<String> stopping = get("/api/health");
        assertEquals(503, stopping.statusCode(), stopping.body());
        assertEquals(failed("stopping"), stopping.body());
        final byte[] payload = Exchange.random(4000);
        assertArrayEquals(payload, Exchange.roundTrip(portgate.boundAddresses("web").getFirst(), payload));
        assertEquals(200, post("/api/health/ok").statusCode());
        assertEquals(503, get("/api/health").statusCode(), "an operator's ok does not undo a stop");
    }

    @Test
    void failAndOkFromOutsideLoopbackNeedTheToken() throws Exception
    {
        final InetAddress external = nonLoopbackAddress();
        assumeTrue(external != null, "this machine has no non-loopback IPv4 address to call from");
        final StubOperations operations = new StubOperations(1);
        try (AdminServer server = AdminServer.start(new InetSocketAddress(external, 0), "s3cret", operations))
        {
            final String at = "http://" + Endpoint.format(external, server.address().getPort());
            assertEquals(200, send(at + "/api/health", "GET", null).statusCode(), "reading needs no token");
            final HttpResponse<String> anonymous = send(at + "/api/health/fail", "POST", null);
            assertEquals(403, anonymous.statusCode(), anonymous.body());
            assertEquals(403, send(at + "/api/health/fail", "POST", "Bearer wrong").statusCode());
            assertEquals(200, send(at + "/api/health", "GET", null).statusCode(), "refused: nothing changed");
            assertEquals(200, send(at + "/api/health/fail", "POST", "Bearer s3cret").statusCode());
            assertEquals(503, send(at + "/api/health", "GET", null).statusCode());
            assertEquals(403, send(at + "/api/health/ok", "POST", null).statusCode());
            assertEquals(200, send(at + "/api/health/ok", "POST", "Bearer s3cret").statusCode());
            assertEquals(200, send(at + "/api/health", "GET", null).statusCode());
        }
    }

    private HttpResponse<String> send(final String url, final String method, final String authorization)
        throws Exception
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
            .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null)
        {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private void awaitState(final String pool, final TargetState state) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() - deadline < 0)
        {
            if (portgate.targets().stream().anyMatch(v -> v.pool().equals(pool) && v.state() == state))
            {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("pool " + pool + " never " + state + ": " + portgate.targets());
    }

    private static InetAddress nonLoopbackAddress() throws Exception
    {
        for (final NetworkInterface nic : NetworkInterface.networkInterfaces().toList())
        {
            if (nic.isUp() && !nic.isLoopback())
            {
                for (final InetAddress address : nic.inetAddresses().toList())
                {
                    if (address instanceof Inet4Address && !address.isLinkLocalAddress())
                    {
                        return address;
                    }
                }
            }
        }
        return null;
    }

    @Test
    void reasonsComeInOrderAndAListenerNotBoundIsOne()
    {
        // A running balancer always has its listeners bound (a start or reload that cannot bind fails): the
        // verdict is judged here from a state where one is not, and one of a range's ports is missing.
        final PortgateConfig config = PortgateConfig.builder()
            .listener(ListenerConfig.builder("web").bind("127.0.0.1:8080").pool("web").build())
            .listener(ListenerConfig.builder("range").bind("127.0.0.1:9000-9001").pool("web").build())
            .pool(pool("web", 1000).build()).build();
        final var bound = java.util.Map.of("range", List.of(new InetSocketAddress(LOOPBACK, 9000)));
        final var health = io.portgate.InstanceHealth.of(config, bound, List.of(), true, true);
        assertEquals(List.of("stopping", "failed by operator", "listener web: not bound",
            "listener range: not bound", "pool web: no target up"), health.reasons());
        assertTrue(!health.healthy());
        final var all = java.util.Map.of("web", List.of(new InetSocketAddress(LOOPBACK, 8080)), "range",
            List.of(new InetSocketAddress(LOOPBACK, 9000), new InetSocketAddress(LOOPBACK, 9001)));
        final var up = List.of(new io.portgate.TargetView("web", 0, "127.0.0.1:1000", 1, "none",
            TargetState.UP, null, Duration.ZERO, Duration.ZERO));
        assertEquals(new io.portgate.InstanceHealth(true, List.of()),
            io.portgate.InstanceHealth.of(config, all, up, false, false));
    }
}
