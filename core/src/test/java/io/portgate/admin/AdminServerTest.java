package io.portgate.admin;

import io.portgate.Portgate;
import io.portgate.PortgateStats;
import io.portgate.ReloadResult;
import io.portgate.TargetView;
import io.portgate.config.Addresses;
import io.portgate.config.ConfigException;
import io.portgate.config.Diagnostic;
import io.portgate.config.Endpoint;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.config.Position;
import io.portgate.config.Severity;
import io.portgate.spi.TargetState;
import io.portgate.metrics.MetricsReader;
import io.portgate.testing.EchoServer;
import io.portgate.testing.Exchange;
import io.portgate.testing.FreePorts;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.HdrHistogram.Histogram;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The admin endpoint over real HTTP on 127.0.0.1. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminServerTest
{
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private EchoServer a;
    private EchoServer b;
    private Portgate portgate;
    private String base;

    @BeforeEach
    void start()
    {
        a = EchoServer.start();
        b = EchoServer.start();
        final int adminPort = FreePorts.tcp();
        portgate = Portgate.start(PortgateConfig.builder().workers(2)
            .admin(Addresses.parseEndpoint("127.0.0.1:" + adminPort, true))
            .listener(ListenerConfig.builder("web").bind("127.0.0.1:" + FreePorts.tcp()).pool("web").build())
            .pool(PoolConfig.builder("web").target(InetAddress.getLoopbackAddress(), a.port())
                .target(InetAddress.getLoopbackAddress(), b.port()).build())
            .build());
        base = "http://127.0.0.1:" + portgate.adminAddress().getPort();
    }

    @AfterEach
    void stop()
    {
        portgate.close(Duration.ZERO);
        a.close();
        b.close();
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

    private HttpResponse<String> send(final AdminServer server, final String method, final String path,
        final String authorization) throws Exception
    {
        final InetSocketAddress address = server.address();
        final HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" +
            Endpoint.format(address.getAddress(), address.getPort()) + path))
            .method(method, HttpRequest.BodyPublishers.noBody());
        if (authorization != null)
        {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Parses Prometheus text: every sample line is {@code name{labels} value}. */
    private static Map<String, Double> parsePrometheus(final String text)
    {
        final Map<String, Double> samples = new HashMap<>();
        for (final String line : text.split("\n"))
        {
            if (line.isEmpty() || line.startsWith("#"))
            {
                assertTrue(line.isEmpty() || line.startsWith("# HELP ") || line.startsWith("# TYPE "), line);
                continue;
            }
            final int space = line.lastIndexOf(' ');
            final String series = line.substring(0, space);
            assertTrue(series.matches("[a-z_]+(\\{([a-z]+=\"[^\"]*\",?)+})?"), "a valid series: " + series);
            samples.put(series, Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    @Test
    void metricsAgreeWithTheTrafficSent() throws Exception
    {
        final var front = portgate.boundAddresses("web").getFirst();
        for (int i = 0; i < 12; i++)
        {
            final byte[] payload = Exchange.random(500);
            assertArrayEquals(payload, Exchange.roundTrip(front, payload));
        }
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        Map<String, Double> samples;
        do
        {
            final HttpResponse<String> response = get("/metrics");
            assertEquals(200, response.statusCode(), response.body());
            assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("text/plain; " +
                "version=0.0.4"));
            samples = parsePrometheus(response.body());
        }
        while (samples.getOrDefault("portgate_sent_bytes_total{listener=\"web\"}", 0.0) < 6000 &&
            System.nanoTime() < deadline);

        assertEquals(12, samples.get("portgate_tcp_connections_total{listener=\"web\"}"));
        assertEquals(6000, samples.get("portgate_received_bytes_total{listener=\"web\"}"));
        assertEquals(6000, samples.get("portgate_sent_bytes_total{listener=\"web\"}"));
        assertEquals(12, samples.get("portgate_tcp_connect_seconds_count{listener=\"web\"}"),
            "one connect time per connection");
        assertTrue(samples.get("portgate_tcp_connect_seconds{listener=\"web\",quantile=\"0.5\"}") > 0);
        final String aLabels = "{listener=\"web\",pool=\"web\",target=\"127.0.0.1:" + a.port() + "\"}";
        final String bLabels = "{listener=\"web\",pool=\"web\",target=\"127.0.0.1:" + b.port() + "\"}";
        assertEquals(12, samples.get("portgate_target_connections_total" + aLabels) +
            samples.get("portgate_target_connections_total" + bLabels));
        assertEquals(a.accepted(), samples.get("portgate_target_connections_total" + aLabels));
        assertEquals(1, samples.get("portgate_target_state{pool=\"web\",target=\"127.0.0.1:" + a.port() + "\"}"));
        assertEquals(12, portgate.connectLatency("web").count());
    }

    @Test
    void listsPoolsAndListenersAsJson() throws Exception
    {
        final HttpResponse<String> pools = get("/api/pools");
        assertEquals(200, pools.statusCode());
        assertTrue(pools.body().contains("\"target\": \"127.0.0.1:" + a.port() + "\""), pools.body());
        assertTrue(pools.body().contains("\"state\": \"up\""), pools.body());
        assertTrue(pools.body().contains("\"probe\": \"none\""), pools.body());
        final HttpResponse<String> listeners = get("/api/listeners");
        assertEquals(200, listeners.statusCode());
        assertTrue(listeners.body().contains("\"name\": \"web\""), listeners.body());
    }

    @Test
    void drainUndrainAndWeight() throws Exception
    {
        final String target = "127.0.0.1:" + a.port();
        final HttpResponse<String> drained = post("/api/pools/web/targets/" + target + "/drain");
        assertEquals(200, drained.statusCode(), drained.body());
        awaitState(target, TargetState.DRAINING);
        assertEquals(200, post("/api/pools/web/targets/" + target + "/undrain").statusCode());
        awaitState(target, TargetState.UP);

        final HttpResponse<String> weight = post("/api/pools/web/targets/" + target + "/weight?value=7");
        assertEquals(200, weight.statusCode(), weight.body());
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (portgate.targets().getFirst().weight() != 7 && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
        }
        assertEquals(7, portgate.targets().getFirst().weight());
    }

    @Test
    void badRequestsGetAClearErrorAndChangeNothing() throws Exception
    {
        final String target = "127.0.0.1:" + a.port();
        assertEquals(404, get("/nope").statusCode());
        assertEquals(405, get("/api/pools/web/targets/" + target + "/drain").statusCode());
        assertEquals(405, post("/metrics").statusCode());
        final HttpResponse<String> noPool = post("/api/pools/nope/targets/" + target + "/drain");
        assertEquals(404, noPool.statusCode());
        assertTrue(noPool.body().contains("\"error\""), noPool.body());
        assertEquals(404, post("/api/pools/web/targets/10.9.9.9:1/drain").statusCode());
        assertEquals(404, post("/api/pools/web/targets/" + target + "/explode").statusCode());
        final HttpResponse<String> badWeight = post("/api/pools/web/targets/" + target + "/weight?value=0");
        assertEquals(400, badWeight.statusCode());
        assertTrue(badWeight.body().contains("weight must be from 1 to 10000"), badWeight.body());
        assertEquals(400, post("/api/pools/web/targets/" + target + "/weight?value=x").statusCode());
        assertTrue(portgate.targets().stream().allMatch(v -> v.state() == TargetState.UP && v.weight() == 1));
    }

    @Test
    void reloadThatAppliesAnswersWithWhatChanged() throws Exception
    {
        final ReloadOperations operations = new ReloadOperations(() -> new ReloadResult(3,
            List.of("pool web: +target 127.0.0.1:9003", "listener web: max-connections 100 -> 200"),
            List.of("workers: 2 -> 4")));
        try (AdminServer server = AdminServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            null, operations))
        {
            final HttpResponse<String> response = send(server, "POST", "/api/reload", null);
            assertEquals(200, response.statusCode(), response.body());
            assertTrue(response.headers().firstValue("Content-Type").orElseThrow().startsWith("application/json"));
            assertEquals("""
                {
                  "result": "applied",
                  "generation": 3,
                  "changes": [
                    "pool web: +target 127.0.0.1:9003",
                    "listener web: max-connections 100 -> 200"
                  ],
                  "restartRequired": [
                    "workers: 2 -> 4"
                  ]
                }
                """, response.body());
            assertEquals(1, operations.calls.get());
        }
    }

    @Test
    void reloadOfAFileWithErrorsAnswers422WithCheckMessages() throws Exception
    {
        final ReloadOperations operations = new ReloadOperations(() ->
        {
            throw new ConfigException(List.of(
                new Diagnostic(Severity.ERROR, "/etc/portgate.yaml", new Position(6, 11),
                    "listener 'web' forwards to pool 'nope', which is not defined", "pools: web"),
                new Diagnostic(Severity.WARNING, "/etc/portgate.yaml", new Position(9, 3),
                    "pool 'web' has one target", null),
                new Diagnostic(Severity.ERROR, "/etc/portgate.yaml", new Position(12, 5),
                    "port 70000 is out of range", null)));
        });
        try (AdminServer server = AdminServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            null, operations))
        {
            final HttpResponse<String> response = send(server, "POST", "/api/reload", null);
            assertEquals(422, response.statusCode(), response.body());
            assertEquals("""
                {
                  "result": "rejected",
                  "errors": [
                    "/etc/portgate.yaml:6:11: error: listener 'web' forwards to pool 'nope', which is not defined; \
                pools: web",
                    "/etc/portgate.yaml:12:5: error: port 70000 is out of range"
                  ]
                }
                """, response.body());
            assertFalse(response.body().contains("one target"), "warnings are not errors: " + response.body());
        }
    }

    @Test
    void reloadThatCannotApplyAnswers409() throws Exception
    {
        final ReloadOperations operations = new ReloadOperations(() ->
        {
            throw new IllegalStateException("listener 'dns' cannot bind 127.0.0.1:53: address in use");
        });
        try (AdminServer server = AdminServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            null, operations))
        {
            final HttpResponse<String> response = send(server, "POST", "/api/reload", null);
            assertEquals(409, response.statusCode(), response.body());
            assertEquals("""
                {
                  "result": "rejected",
                  "error": "listener 'dns' cannot bind 127.0.0.1:53: address in use"
                }
                """, response.body());
        }
    }

    @Test
    void reloadIsPostOnly() throws Exception
    {
        final ReloadOperations operations = new ReloadOperations(() -> new ReloadResult(1, List.of(), List.of()));
        try (AdminServer server = AdminServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0),
            null, operations))
        {
            final HttpResponse<String> get = send(server, "GET", "/api/reload", null);
            assertEquals(405, get.statusCode(), get.body());
            assertTrue(get.body().contains("use POST"), get.body());
            assertEquals(405, send(server, "PUT", "/api/reload", null).statusCode());
            assertEquals(0, operations.calls.get(), "a refused request reloads nothing");
        }
    }

    @Test
    void reloadFromOutsideLoopbackNeedsTheToken() throws Exception
    {
        final InetAddress external = nonLoopbackAddress();
        assumeTrue(external != null, "this machine has no non-loopback IPv4 address to call from");
        final ReloadOperations operations = new ReloadOperations(() -> new ReloadResult(1, List.of(), List.of()));
        // Bound to the machine's own external address, so the request's source address is that one too.
        try (AdminServer server = AdminServer.start(new InetSocketAddress(external, 0), "s3cret", operations))
        {
            final HttpResponse<String> anonymous = send(server, "POST", "/api/reload", null);
            assertEquals(403, anonymous.statusCode(), anonymous.body());
            assertTrue(anonymous.body().contains("Authorization: Bearer"), anonymous.body());
            assertEquals(403, send(server, "POST", "/api/reload", "Bearer wrong").statusCode());
            assertEquals(403, send(server, "POST", "/api/reload", "s3cret").statusCode());
            assertEquals(0, operations.calls.get(), "refused requests reload nothing");

            final HttpResponse<String> authorised = send(server, "POST", "/api/reload", "Bearer s3cret");
            assertEquals(200, authorised.statusCode(), authorised.body());
            assertTrue(authorised.body().contains("\"result\": \"applied\""), authorised.body());
            assertEquals(1, operations.calls.get());
        }
    }

    @Test
    void reloadThroughTheBalancerOfACodeBuiltConfigurationIsRefused() throws Exception
    {
        // Built in code, so there is no file to re-read: the facade refuses and nothing changes.
        final HttpResponse<String> response = post("/api/reload");
        assertEquals(409, response.statusCode(), response.body());
        assertTrue(response.body().contains("\"result\": \"rejected\""), response.body());
        final var front = portgate.boundAddresses("web").getFirst();
        final byte[] payload = Exchange.random(100);
        assertArrayEquals(payload, Exchange.roundTrip(front, payload), "still forwarding");
    }

    private static InetAddress nonLoopbackAddress() throws SocketException
    {
        for (final NetworkInterface nic : NetworkInterface.networkInterfaces().toList())
        {
            if (nic.isUp() && !nic.isLoopback())
            {
                for (final InetAddress address : nic.inetAddresses().toList())
                {
                    if (address instanceof Inet4Address && !address.isLoopbackAddress() &&
                        !address.isLinkLocalAddress())
                    {
                        return address;
                    }
                }
            }
        }
        return null;
    }

    /** Answers reloads as the test says and counts them; nothing else of it is called. */
    private static final class ReloadOperations implements AdminServer.Operations
    {
        private final Supplier<ReloadResult> reload;
        private final AtomicInteger calls = new AtomicInteger();

        ReloadOperations(final Supplier<ReloadResult> reload)
        {
            this.reload = reload;
        }

        @Override
        public ReloadResult reload()
        {
            calls.incrementAndGet();
            return reload.get();
        }

        @Override
        public PortgateStats stats()
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public List<TargetView> targets()
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public MetricsReader metrics()
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public void drain(final String pool, final String target, final boolean drain)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public void weight(final String pool, final String target, final int weight)
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public Map<String, Histogram> connectLatencies()
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public io.portgate.InstanceHealth health()
        {
            throw new UnsupportedOperationException();
        }

        @Override
        public void failHealth(final boolean failed)
        {
            throw new UnsupportedOperationException();
        }
    }

    private void awaitState(final String target, final TargetState state) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline)
        {
            if (portgate.targets().stream().anyMatch(v -> v.target().equals(target) && v.state() == state))
            {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError(target + " never became " + state);
    }
}
