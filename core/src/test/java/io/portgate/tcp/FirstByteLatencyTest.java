package io.portgate.tcp;

import io.portgate.LatencySnapshot;

import io.portgate.Portgate;
import io.portgate.config.Addresses;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.testing.EchoServer;
import io.portgate.testing.Exchange;
import io.portgate.testing.FreePorts;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * First-byte times through real sockets: targets that hold their answer for a known time, so the recorded time must
 * at least cover it (a lower bound the target enforces, not a claim about speed).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FirstByteLatencyTest
{
    private static final long DELAY_MS = 120;
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void close() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    /** Reads the client's first bytes, waits, then echoes them and everything after. */
    private static final EchoServer.Behaviour SLOW_FIRST_ANSWER = channel ->
    {
        final ByteBuffer first = ByteBuffer.allocate(64 * 1024);
        if (channel.read(first) < 0)
        {
            return;
        }
        sleep(DELAY_MS);
        first.flip();
        while (first.hasRemaining())
        {
            channel.write(first);
        }
        EchoServer.ECHO.serve(channel);
    };

    /** Speaks first: a greeting after a pause, then echoes. */
    private static final EchoServer.Behaviour GREETS_FIRST = channel ->
    {
        sleep(DELAY_MS);
        channel.write(ByteBuffer.wrap("hello\n".getBytes(StandardCharsets.US_ASCII)));
        EchoServer.ECHO.serve(channel);
    };

    private static void sleep(final long millis) throws IOException
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException(ex);
        }
    }

    private Portgate start(final EchoServer target, final boolean record)
    {
        final Portgate portgate = Portgate.start(PortgateConfig.builder()
            .workers(2)
            .admin(Addresses.parseEndpoint("127.0.0.1:" + FreePorts.tcp(), true))
            .listener(ListenerConfig.builder("web").bind("127.0.0.1:" + FreePorts.tcp()).pool("back")
                .firstByteLatency(record).build())
            .pool(PoolConfig.builder("back").target(InetAddress.getLoopbackAddress(), target.port()).build())
            .build());
        resources.add(() -> portgate.close(Duration.ZERO));
        return portgate;
    }

    @Test
    void recordsOneFirstByteTimePerConnectionCoveringTheTargetsPause() throws Exception
    {
        final EchoServer target = EchoServer.start(SLOW_FIRST_ANSWER);
        resources.add(target);
        final Portgate portgate = start(target, true);
        final var front = portgate.boundAddresses("web").getFirst();
        final int connections = 4;
        for (int i = 0; i < connections; i++)
        {
            try (SocketChannel channel = SocketChannel.open(front))
            {
                // Several exchanges per connection: only the first answer is timed.
                for (int round = 0; round < 3; round++)
                {
                    final byte[] payload = Exchange.random(200 + round);
                    Exchange.writeFully(channel, payload);
                    assertArrayEquals(payload, Exchange.readExactly(channel, payload.length));
                }
            }
        }
        final LatencySnapshot firstByte = awaitCount(portgate, connections);
        assertEquals(connections, firstByte.count());
        // The histogram keeps two significant digits, so a value reads back as the low end of its bucket; the worker's
        // clock is read once per duty cycle, a few microseconds early at most.
        final long floor = new Histogram(2).lowestEquivalentValue(TimeUnit.MILLISECONDS.toNanos(DELAY_MS - 1));
        assertTrue(firstByte.minNanos() >= floor,
            "recorded " + firstByte.minNanos() + " ns for a target that waited " + DELAY_MS + " ms");
        // Connect times do not include the pause: the target accepted at once.
        assertEquals(connections, portgate.connectLatency("web").count());

        final String metrics = scrape(portgate);
        assertTrue(metrics.contains("# TYPE portgate_tcp_first_byte_seconds summary\n"), metrics);
        assertTrue(metrics.contains("portgate_tcp_first_byte_seconds_count{listener=\"web\"} " + connections + "\n"),
            metrics);
    }

    private static LatencySnapshot awaitCount(final Portgate portgate, final long count) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        LatencySnapshot histogram = portgate.firstByteLatency("web");
        while (histogram.count() < count && System.nanoTime() - deadline < 0)
        {
            Thread.sleep(5);
            histogram = portgate.firstByteLatency("web");
        }
        return histogram;
    }

    /** Fetches /metrics with a client that is closed at once, so no socket of it outlives the test. */
    private static String scrape(final Portgate portgate) throws Exception
    {
        try (HttpClient http = HttpClient.newHttpClient())
        {
            return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" +
                portgate.adminAddress().getPort() + "/metrics")).GET().build(),
                HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    @Test
    void aTargetThatSpeaksFirstIsTimedFromTheConnect() throws Exception
    {
        final EchoServer target = EchoServer.start(GREETS_FIRST);
        resources.add(target);
        final Portgate portgate = start(target, true);
        try (SocketChannel channel = SocketChannel.open(portgate.boundAddresses("web").getFirst()))
        {
            assertArrayEquals("hello\n".getBytes(StandardCharsets.US_ASCII), Exchange.readExactly(channel, 6));
        }
        // The worker records right after the greeting reaches the client, which may read it a moment before.
        final LatencySnapshot firstByte = awaitCount(portgate, 1);
        assertEquals(1, firstByte.count());
        // The target's pause starts at its accept, which may come a little before the worker sees the connect
        // complete on a busy machine: the time covers most of the pause, not necessarily all of it.
        assertTrue(firstByte.minNanos() >= TimeUnit.MILLISECONDS.toNanos(DELAY_MS / 2), firstByte.minNanos() +
            " ns for a greeting sent " + DELAY_MS + " ms after the accept");
    }

    @Test
    void nothingIsRecordedUnlessAsked() throws Exception
    {
        final EchoServer target = EchoServer.start(SLOW_FIRST_ANSWER);
        resources.add(target);
        final Portgate portgate = start(target, false);
        final byte[] payload = Exchange.random(300);
        assertArrayEquals(payload, Exchange.roundTrip(portgate.boundAddresses("web").getFirst(), payload));
        assertEquals(0, portgate.firstByteLatency("web").count());
        final String metrics = scrape(portgate);
        assertTrue(metrics.contains("portgate_tcp_connect_seconds_count{listener=\"web\"} 1\n"), metrics);
        assertTrue(!metrics.contains("portgate_tcp_first_byte_seconds"), metrics);
    }
}
