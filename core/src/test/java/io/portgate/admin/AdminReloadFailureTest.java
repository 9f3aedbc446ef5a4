package io.portgate.admin;

import io.portgate.Portgate;
import io.portgate.ReloadResult;
import io.portgate.config.ConfigLoader;
import io.portgate.config.HostFacts;
import io.portgate.metrics.Metric;
import io.portgate.testing.EchoServer;
import io.portgate.testing.Exchange;
import io.portgate.testing.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A reload that fails in a way nobody planned for is still answered over HTTP, logged and counted as rejected, and
 * the balancer keeps running what it ran.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AdminReloadFailureTest
{
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @TempDir
    Path dir;

    private HttpResponse<String> send(final String method, final InetSocketAddress admin, final String path)
        throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + admin.getPort() + path))
            .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(20)).build(),
            HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aFileThatOnceOverflowedTheStackIsA422AndCountedRejected() throws Exception
    {
        try (EchoServer target = EchoServer.start())
        {
            final Path file = dir.resolve("portgate.yaml");
            final int listen = FreePorts.tcp();
            final String valid = """
                workers: 1
                admin: 127.0.0.1:%d
                listeners:
                  - name: web
                    bind: 127.0.0.1:%d
                    pool: back
                    max-connections: 100
                pools:
                  back:
                    targets: [127.0.0.1:%d]
                """.formatted(FreePorts.tcp(), listen, target.port());
            Files.writeString(file, valid);
            try (Portgate portgate = Portgate.start(ConfigLoader.load(file, HostFacts.system()).orThrow()))
            {
                final InetSocketAddress admin = portgate.adminAddress();
                // Sent as a reload, 10,000 '[' killed the admin thread with a StackOverflowError: no answer at all.
                Files.writeString(file, valid + "extra: " + "[".repeat(10_000) + "\n");
                final HttpResponse<String> deep = send("POST", admin, "/api/reload");
                assertEquals(422, deep.statusCode(), deep.body());
                assertTrue(deep.body().contains("\"result\": \"rejected\""), deep.body());
                assertTrue(deep.body().contains(file + ":11:57: error: the file nests lists and mappings more than " +
                    "50 levels deep"), deep.body());

                final HttpResponse<String> metrics = send("GET", admin, "/metrics");
                assertTrue(metrics.body().contains("portgate_reloads_total{result=\"rejected\"} 1\n"), metrics.body());
                assertEquals(1, io.portgate.PortgateInternals.metrics(portgate).sum(Metric.RELOADS, "result", "rejected"));
                final byte[] payload = Exchange.random(300);
                assertArrayEquals(payload, Exchange.roundTrip(new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    listen), payload), "still forwarding with the previous configuration");
            }
        }
    }

    @Test
    void anErrorThrownByTheReloadIsA500WithOneLineAndTheServerServesOn() throws Exception
    {
        // No file makes the balancer throw an Error any more; the operations stand in for one that would.
        final AdminServer.Operations failing = new ThrowingReload(() ->
        {
            throw new StackOverflowError();
        });
        try (AdminServer server = AdminServer.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null,
            failing))
        {
            for (int i = 0; i < 3; i++)
            {
                final HttpResponse<String> response = send("POST", server.address(), "/api/reload");
                assertEquals(500, response.statusCode(), response.body());
                assertEquals("""
                    {
                      "result": "rejected",
                      "error": "java.lang.StackOverflowError"
                    }
                    """, response.body());
            }
            // An Error anywhere else is answered too.
            final HttpResponse<String> pools = send("GET", server.address(), "/api/pools");
            assertEquals(500, pools.statusCode(), pools.body());
            assertTrue(pools.body().contains("java.lang.OutOfMemoryError: test"), pools.body());
        }
    }

    /** Fails every call: a reload as the test says, anything else with an Error. */
    private record ThrowingReload(java.util.function.Supplier<ReloadResult> reloads) implements AdminServer.Operations
    {
        @Override
        public ReloadResult reload()
        {
            return reloads.get();
        }

        @Override
        public io.portgate.PortgateStats stats()
        {
            throw new OutOfMemoryError("test");
        }

        @Override
        public List<io.portgate.TargetView> targets()
        {
            throw new OutOfMemoryError("test");
        }

        @Override
        public io.portgate.metrics.MetricsReader metrics()
        {
            throw new OutOfMemoryError("test");
        }

        @Override
        public void drain(final String pool, final String target, final boolean drain)
        {
            throw new OutOfMemoryError("test");
        }

        @Override
        public void weight(final String pool, final String target, final int weight)
        {
            throw new OutOfMemoryError("test");
        }

        @Override
        public java.util.Map<String, org.HdrHistogram.Histogram> connectLatencies()
        {
            throw new OutOfMemoryError("test");
        }

        @Override
        public io.portgate.InstanceHealth health()
        {
            throw new OutOfMemoryError("test");
        }

        @Override
        public void failHealth(final boolean failed)
        {
            throw new OutOfMemoryError("test");
        }
    }
}
