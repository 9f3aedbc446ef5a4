package io.portgate.cli;

import io.portgate.metrics.Metric;
import io.portgate.metrics.MetricsReader;
import io.portgate.testing.EchoServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code ./portgate run} out of file descriptors (issue 15), under {@code prlimit --nofile}: a UDP listener's flows,
 * one socket each, take every descriptor the process has left, so that accepting a TCP client fails with EMFILE, as
 * do the health probes' sockets. Its healthy targets stay up and are charged nothing; the accept loop pauses instead
 * of spinning (its failed accepts are counted, and are few); once the flows expire and free their descriptors, the
 * clients that waited in the accept queue are served, every byte echoed.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class FdStarvationIT
{
    private static final int LIMIT = 160;
    private static final int UDP_CLIENTS = 300;
    private static final int TCP_CLIENTS = 20;
    /** Fewer failed accepts than this while starved: a loop that retried at once would fail hundreds of thousands. */
    private static final int FEW_ACCEPT_FAILURES = 60;

    @TempDir
    Path dir;

    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void close() throws Exception
    {
        for (final AutoCloseable c : open.reversed())
        {
            c.close();
        }
    }

    @Test
    void starvedOfDescriptorsTheBalancerPausesBlamesNoTargetAndServesWhenTheyComeFree() throws Exception
    {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "prlimit (util-linux) is not installed");
        final InetAddress loopback = InetAddress.getLoopbackAddress();
        final EchoServer a = EchoServer.start();
        open.add(a);
        final EchoServer b = EchoServer.start();
        open.add(b);
        final DatagramChannel sink = DatagramChannel.open(StandardProtocolFamily.INET)
            .bind(new InetSocketAddress(loopback, 0));
        open.add(sink);
        final Path metrics = dir.resolve("portgate.metrics");
        final int fill = NonEphemeralPort.free();
        final int starved = NonEphemeralPort.free();
        final Path config = dir.resolve("portgate.yaml");
        Files.writeString(config, """
            workers: 1
            metrics-file: %s
            drain-timeout: 1s
            listeners:
              - name: fill
                protocol: udp
                bind: 127.0.0.1:%d
                pool: sink
                idle-timeout: 3s
              - name: starved
                bind: 127.0.0.1:%d
                pool: echo
            pools:
              sink:
                targets: [127.0.0.1:%d]
              echo:
                balance: round-robin
                targets: [127.0.0.1:%d, 127.0.0.1:%d]
                health:
                  protocol: tcp
                  interval: 200ms
                  timeout: 150ms
                  rise: 1
                  fall: 2
            """.formatted(metrics, fill, starved, ((InetSocketAddress)sink.getLocalAddress()).getPort(), a.port(),
            b.port()));
        final PortgateProcess portgate = PortgateProcess.start(List.of("prlimit", "--nofile=" + LIMIT + ":" + LIMIT),
            Map.of(), "run", config.toString());
        open.add(portgate);
        portgate.awaitOut(l -> l.startsWith("portgate: running"), Duration.ofSeconds(60));
        assertEquals(2, sum(metrics, Metric.TARGET_STATE, "pool", "echo"), "both targets up before");

        // Flows take every descriptor: the balancer's own failure to open more is counted as such.
        final InetSocketAddress front = new InetSocketAddress(loopback, fill);
        final List<DatagramChannel> clients = new ArrayList<>();
        for (int i = 0; i < UDP_CLIENTS; i++)
        {
            final DatagramChannel client = DatagramChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress(loopback, 0));
            open.add(client);
            clients.add(client);
        }
        // One new flow at a time, so that which flows hold a socket is known: until several in a row could not open
        // one (a health probe may hold a descriptor for a moment), there is none left.
        final List<DatagramChannel> holding = new ArrayList<>();
        int failedInARow = 0;
        long keptAlive = System.nanoTime();
        for (int i = 0; failedInARow < 5; i++)
        {
            assertTrue(i < UDP_CLIENTS, "the flows filled the descriptor table");
            if (System.nanoTime() - keptAlive > TimeUnit.MILLISECONDS.toNanos(500))
            {
                // Filling takes a while: the first flows must not expire meanwhile.
                sendFrom(holding, front);
                keptAlive = System.nanoTime();
            }
            final long failuresBefore = udpEmfile(metrics);
            final long flowsBefore = sum(metrics, Metric.UDP_FLOWS, "listener", "fill");
            clients.get(i).send(ByteBuffer.wrap(("flow " + i).getBytes(StandardCharsets.US_ASCII)), front);
            final long flowDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (sum(metrics, Metric.UDP_FLOWS, "listener", "fill") == flowsBefore)
            {
                assertTrue(System.nanoTime() - flowDeadline < 0, "flow " + i + " was admitted");
                Thread.sleep(1);
            }
            if (udpEmfile(metrics) > failuresBefore)
            {
                failedInARow++;
            }
            else
            {
                failedInARow = 0;
                holding.add(clients.get(i));
            }
        }
        clients.retainAll(holding);

        // Clients wait in the accept queue, and accepting them fails.
        final List<SocketChannel> waiting = new ArrayList<>();
        for (int i = 0; i < TCP_CLIENTS; i++)
        {
            final SocketChannel client = SocketChannel.open(new InetSocketAddress(loopback, starved));
            open.add(client);
            waiting.add(client);
            client.write(ByteBuffer.wrap(payload(i)));
        }
        // Accepts fail: the clients wait in the queue, unanswered. Eight pauses in a row are 10 + 20 + ... + 640 ms: more than six probe intervals, and fall is 2.
        awaitWhileSending(clients, front, () -> acceptFailures(metrics) >= 8, "accepts to fail eight times");
        awaitWhileSending(clients, front, () -> probeResults(metrics, 0) + probeResults(metrics, 1) == 0,
            "both targets' last probe to fail");
        final long acceptFailures = acceptFailures(metrics);
        assertTrue(acceptFailures < FEW_ACCEPT_FAILURES, "the accept loop pauses rather than spins: " +
            acceptFailures + " failed accepts");
        assertEquals(2, sum(metrics, Metric.TARGET_STATE, "pool", "echo"), "no healthy target marked down");
        assertEquals(2, probeResults(metrics, 7), "the probes failed for want of descriptors (7, local failure)");
        assertEquals(0, sum(metrics, Metric.HEALTH_CHANGES), "no health change");
        assertEquals(0, sum(metrics, Metric.TARGET_CONNECT_FAILURES), "no connect failure charged to a target");

        // One flow goes quiet and expires: one descriptor comes free, enough to accept a client but not to open its
        // socket to a target. That client is closed, the failure counted as the balancer's and not the target's.
        final DatagramChannel quiet = clients.removeFirst();
        awaitWhileSending(clients, front, () -> sum(metrics, Metric.LOCAL_FAILURES, "listener", "starved", "reason",
            "emfile") > 0, "a client accepted with no descriptor left for its target");
        assertEquals(0, sum(metrics, Metric.TARGET_CONNECT_FAILURES), "no connect failure charged to a target");
        assertEquals(2, sum(metrics, Metric.TARGET_STATE, "pool", "echo"), "no healthy target marked down");
        quiet.close();

        // All the flows go quiet and expire, their descriptors come free. Each waiting client was answered: closed,
        // as above, or served (never left hanging, never charged to a target).
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int served = 0;
        for (int i = 0; i < TCP_CLIENTS; i++)
        {
            served += answered(waiting.get(i), payload(i), deadline) ? 1 : 0;
        }
        // Then every client is served.
        int late = 0;
        while (late < 5)
        {
            try (SocketChannel client = SocketChannel.open(new InetSocketAddress(loopback, starved)))
            {
                client.write(ByteBuffer.wrap(payload(TCP_CLIENTS + late)));
                if (answered(client, payload(TCP_CLIENTS + late), deadline))
                {
                    late++;
                }
                else
                {
                    assertEquals(0, late, "once served again, every client is");
                }
            }
        }
        assertEquals(2, sum(metrics, Metric.TARGET_STATE, "pool", "echo"), "both targets still up");
        System.out.println(served + " of " + TCP_CLIENTS + " waiting clients served, the others closed; " +
            acceptFailures + " failed accepts while starved; " + holding.size() + " flows filled the table");
        assertEquals(0, sum(metrics, Metric.TARGET_CONNECT_FAILURES), "no connect failure charged to a target");

        final PortgateProcess.Result stat = PortgateProcess.run("stat", "--once", "--file", metrics.toString());
        assertEquals(0, stat.status(), stat.toString());
        assertTrue(stat.out().contains("LOCAL_FAILURES:ACCEPT_EMFILE"), stat.out());
        assertTrue(stat.out().contains("LOCAL_FAILURES:EMFILE"), stat.out());
        // Logged once per burst, not once per failure.
        final long logged = portgate.err().lines().filter(l -> l.contains("the balancer's own failure (")).count();
        assertTrue(logged >= 1 && logged < sum(metrics, Metric.LOCAL_FAILURES), logged + " lines: " + portgate.err());
        portgate.signal("TERM");
        assertEquals(0, portgate.await(Duration.ofSeconds(60)).status(), portgate.toString());
    }

    private static byte[] payload(final int i)
    {
        return ("client " + i + " says hello through a starved balancer\n").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Reads a client's answer before the deadline: its bytes echoed whole (true), or a close before any byte (false);
     * anything else fails.
     */
    private static boolean answered(final SocketChannel client, final byte[] sent, final long deadline)
        throws IOException
    {
        client.configureBlocking(false);
        final ByteBuffer got = ByteBuffer.allocate(sent.length);
        while (got.hasRemaining())
        {
            assertTrue(System.nanoTime() - deadline < 0, "a client waits for an answer");
            final int n;
            try
            {
                n = client.read(got);
            }
            catch (final IOException reset)
            {
                assertEquals(0, got.position(), "reset after part of the echo");
                return false;
            }
            if (n < 0)
            {
                assertEquals(0, got.position(), "closed after part of the echo");
                return false;
            }
            Thread.onSpinWait();
        }
        assertEquals(new String(sent, StandardCharsets.US_ASCII), new String(got.array(), StandardCharsets.US_ASCII));
        return true;
    }

    /** Waits for a condition, every client sending a datagram each round so that their flows stay open. */
    private static void awaitWhileSending(final List<DatagramChannel> clients, final InetSocketAddress front,
        final BooleanSupplier condition, final String what) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (!condition.getAsBoolean())
        {
            assertTrue(System.nanoTime() - deadline < 0, "timed out waiting for " + what);
            sendFrom(clients, front);
            Thread.sleep(50);
        }
    }

    private static void sendFrom(final List<DatagramChannel> clients, final InetSocketAddress front)
        throws IOException
    {
        for (int i = 0; i < clients.size(); i++)
        {
            clients.get(i).send(ByteBuffer.wrap(("flow " + i).getBytes(StandardCharsets.US_ASCII)), front);
        }
    }

    private static long udpEmfile(final Path metrics)
    {
        return sum(metrics, Metric.LOCAL_FAILURES, "listener", "fill", "reason", "emfile");
    }

    private static long acceptFailures(final Path metrics)
    {
        return sum(metrics, Metric.LOCAL_FAILURES, "listener", "starved", "reason", "accept_emfile");
    }

    /** How many targets' last probe ended with the given result, as the gauge holds it. */
    private static int probeResults(final Path metrics, final long result)
    {
        try (MetricsReader reader = MetricsReader.open(metrics))
        {
            int n = 0;
            for (final MetricsReader.Sample s : reader.samples())
            {
                n += s.metric() == Metric.TARGET_PROBE_RESULT && "echo".equals(s.label("pool")) &&
                    s.value() == result ? 1 : 0;
            }
            return n;
        }
    }

    private static long sum(final Path metrics, final Metric metric, final String... labels)
    {
        try (MetricsReader reader = MetricsReader.open(metrics))
        {
            return reader.sum(metric, labels);
        }
    }
}
