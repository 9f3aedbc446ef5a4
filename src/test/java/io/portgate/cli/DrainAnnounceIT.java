package io.portgate.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code drain-announce} with a real SIGTERM to {@code ./portgate run}: health turns 503 "stopping" at once, while
 * open connections and new ones are still served, and only after the announce do the listeners close and the drain
 * begin; a second SIGTERM ends the announce at once.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DrainAnnounceIT
{
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Duration STARTS_WITHIN = Duration.ofSeconds(60);
    private static final String STOPPING_BODY = "{\n  \"status\": \"fail\",\n  \"reasons\": [\n    \"stopping\"\n  ]\n}\n";

    @TempDir
    Path dir;

    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @AfterEach
    void closeAll() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    @Test
    void sigtermAnnouncesTheStopWhileServingThenDrains() throws Exception
    {
        final Balancer balancer = start(Duration.ofSeconds(8));
        final PortgateProcess process = balancer.process();
        assertEquals(200, health(balancer).statusCode());
        try (Socket open = new Socket(LOOPBACK, balancer.port()))
        {
            open.setSoTimeout(10_000);
            assertEchoes(open, 1);
            process.signal("TERM");
            final String announced = process.awaitOut(l -> l.startsWith("portgate: stopping: /api/health answers 503"),
                STARTS_WITHIN);
            assertTrue(announced.contains("for 8s while everything is still served"), announced);
            final HttpResponse<String> stopping = health(balancer);
            assertEquals(503, stopping.statusCode(), stopping.body());
            assertEquals(STOPPING_BODY, stopping.body());
            // Still serving during the announce: the open connection, and new ones.
            assertEchoes(open, 2);
            for (int i = 0; i < 5; i++)
            {
                try (Socket fresh = new Socket(LOOPBACK, balancer.port()))
                {
                    fresh.setSoTimeout(10_000);
                    assertEchoes(fresh, 10 + i);
                }
            }
            assertTrue(!process.out().contains("no new connections"), "the listeners are still open\n" +
                process.out());

            // Then the listeners close and the open connection drains, as a stop without the announce does.
            process.awaitOut(l -> l.startsWith("portgate: stopping: no new connections"), STARTS_WITHIN);
            assertEchoes(open, 3);
        }
        final PortgateProcess.Result r = process.await(Duration.ofSeconds(25));
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("portgate: stopped"), r.toString());
        final int announcedAt = r.out().indexOf("/api/health answers 503");
        final int closedAt = r.out().indexOf("no new connections");
        assertTrue(announcedAt >= 0 && announcedAt < closedAt, r.out());
    }

    @Test
    void aSecondSigtermEndsTheAnnounceAtOnce() throws Exception
    {
        final Balancer balancer = start(Duration.ofMinutes(10));
        final PortgateProcess process = balancer.process();
        process.signal("TERM");
        process.awaitOut(l -> l.startsWith("portgate: stopping: /api/health answers 503"), STARTS_WITHIN);
        assertEquals(503, health(balancer).statusCode());
        process.signal("TERM");
        final PortgateProcess.Result r = process.await(Duration.ofSeconds(25));
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().contains("portgate: stopped"), r.toString());
    }

    private HttpResponse<String> health(final Balancer balancer) throws Exception
    {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + balancer.admin() + "/api/health"))
            .GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    private record Balancer(PortgateProcess process, int port, int admin)
    {
    }

    private Balancer start(final Duration announce) throws Exception
    {
        final int target = Echoes.tcp(resources);
        final int port = Echoes.freeTcpPort();
        final int admin = Echoes.freeTcpPort();
        final Path file = dir.resolve("announce.yaml");
        Files.writeString(file, """
            workers: 2
            metrics-file: %s
            admin: 127.0.0.1:%d
            drain-announce: %ds
            drain-timeout: 60s
            listeners:
              - name: web
                bind: 127.0.0.1:%d
                pool: web
            pools:
              web:
                targets: [127.0.0.1:%d]
            """.formatted(dir.resolve("announce.metrics"), admin, announce.toSeconds(), port, target));
        final PortgateProcess process = PortgateProcess.start(Map.of(), "run", file.toString());
        resources.add(process);
        process.awaitOut(l -> l.startsWith("portgate: running"), STARTS_WITHIN);
        return new Balancer(process, port, admin);
    }

    private static void assertEchoes(final Socket client, final int sequence) throws IOException
    {
        final byte[] payload = new byte[4096];
        new SplittableRandom(sequence).nextBytes(payload);
        client.getOutputStream().write(payload);
        assertArrayEquals(payload, client.getInputStream().readNBytes(payload.length), "message " + sequence);
    }
}
