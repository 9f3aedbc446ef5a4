package io.portgate.cli;

import io.portgate.ListenerStats;
import io.portgate.Portgate;
import io.portgate.TargetStats;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.metrics.Metric;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code portgate stat --once} against a live balancer prints the figures the balancer itself reports. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class StatLiveTest
{
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;

    @Test
    void statPrintsTheBalancersOwnFigures() throws Exception
    {
        try (ServerSocket a = echo(); ServerSocket b = echo())
        {
            final int front;
            try (ServerSocket probe = new ServerSocket(0, 1, LOOPBACK))
            {
                front = probe.getLocalPort();
            }
            final Path file = dir.resolve("live.metrics");
            final PortgateConfig config = PortgateConfig.builder().workers(2).metricsFile(file)
                .listener(ListenerConfig.builder("web").bind("127.0.0.1:" + front).pool("web").build())
                .pool(PoolConfig.builder("web").target(LOOPBACK, a.getLocalPort()).target(LOOPBACK, b.getLocalPort())
                    .build())
                .build();
            try (Portgate portgate = Portgate.start(config))
            {
                final byte[] payload = new byte[1000];
                Arrays.fill(payload, (byte)7);
                for (int i = 0; i < 10; i++)
                {
                    try (Socket client = new Socket(LOOPBACK, front))
                    {
                        client.getOutputStream().write(payload);
                        client.shutdownOutput();
                        assertArrayEquals(payload, client.getInputStream().readAllBytes());
                    }
                }
                final ListenerStats web = awaitIdle(portgate);
                assertEquals(10, web.totalConnections());
                assertEquals(10_000, web.bytesIn());

                final CliRun run = CliRun.of("stat", "--file", file.toString(), "--once");
                assertEquals(0, run.status(), run.all());
                final String header = run.out().lines().filter(l -> l.startsWith("LISTENER")).findFirst().orElseThrow();
                final String row = run.out().lines().filter(l -> l.startsWith("web ")).findFirst().orElseThrow();
                assertEquals(web.totalConnections(), cell(header, row, "CONNECTIONS"), run.out());
                assertEquals(web.bytesIn(), cell(header, row, "RECEIVED_BYTES"), run.out());
                assertEquals(web.bytesOut(), cell(header, row, "SENT_BYTES"), run.out());
                assertEquals(0, cell(header, row, "CONNECTIONS_ACTIVE"), run.out());
                for (final TargetStats target : web.targets())
                {
                    final String targetHeader = run.out().lines().filter(l -> l.startsWith("POOL")).findFirst()
                        .orElseThrow();
                    final String targetRow = run.out().lines()
                        .filter(l -> l.startsWith("web ") && l.contains(target.target() + " ")).findFirst()
                        .orElseThrow(() -> new AssertionError("no row for " + target.target() + ":\n" + run.out()));
                    assertEquals(target.totalConnections(), cell(targetHeader, targetRow, "CONNECTIONS"), run.out());
                    assertEquals(target.bytesIn(), cell(targetHeader, targetRow, "SENT_BYTES"), run.out());
                    assertEquals("up", text(targetHeader, targetRow, "STATE"), run.out());
                }
                assertEquals(10, io.portgate.PortgateInternals.metrics(portgate).sum(Metric.TCP_CONNECTIONS, "listener", "web"));
            }
        }
    }

    private static ListenerStats awaitIdle(final Portgate portgate) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        ListenerStats web = portgate.stats().listener("web");
        while ((web.activeConnections() != 0 || web.bytesOut() != 10_000) && System.nanoTime() < deadline)
        {
            Thread.sleep(10);
            web = portgate.stats().listener("web");
        }
        return web;
    }

    @Test
    void reloadsHaveALineOfTheirOwnAndTargetGaugesReadAsWordsAndDurations() throws Exception
    {
        try (ServerSocket probed = echo(); ServerSocket passive = echo())
        {
            final int front;
            final int other;
            try (ServerSocket a = new ServerSocket(0, 1, LOOPBACK); ServerSocket b = new ServerSocket(0, 1, LOOPBACK))
            {
                front = a.getLocalPort();
                other = b.getLocalPort();
            }
            final Path file = dir.resolve("gauges.metrics");
            final PortgateConfig config = PortgateConfig.builder().workers(1).metricsFile(file)
                .listener(ListenerConfig.builder("web").bind("127.0.0.1:" + front).pool("web").build())
                .listener(ListenerConfig.builder("api").bind("127.0.0.1:" + other).pool("api").build())
                .pool(PoolConfig.builder("web").target(LOOPBACK, probed.getLocalPort())
                    .health(io.portgate.config.HealthConfig.builder().protocol(io.portgate.config.HealthProtocol.TCP)
                        .interval(java.time.Duration.ofMillis(100)).build())
                    .build())
                .pool(PoolConfig.builder("api").target(LOOPBACK, passive.getLocalPort()).build())
                .build();
            try (Portgate portgate = Portgate.start(config))
            {
                assertEquals(1, portgate.reload(config).generation(), "a reload that changes nothing is applied");
                awaitProbe(portgate);

                final CliRun run = CliRun.of("stat", "--file", file.toString(), "--once");
                assertEquals(0, run.status(), run.all());
                assertTrue(run.out().lines().anyMatch(l -> l.equals("reloads: 1 applied, 0 rejected")), run.out());
                assertTrue(run.out().lines().noneMatch(l -> l.contains("RELOADS")), "no table for reloads: " +
                    run.out());
                assertTrue(run.out().lines().noneMatch(l -> l.matches("^\\s+\\d.*")), "no row without a name: " +
                    run.out());

                final String header = run.out().lines().filter(l -> l.startsWith("POOL") && l.contains("IN_STATE"))
                    .findFirst().orElseThrow(() -> new AssertionError(run.out()));
                assertFalse(header.contains("SINCE"), header);
                final String web = row(run.out(), "web ");
                final String api = row(run.out(), "api ");
                assertEquals("up", text(header, web, "STATE"), run.out());
                assertEquals("ok", text(header, web, "PROBE_RESULT"), run.out());
                assertTrue(text(header, web, "PROBE_LATENCY_MICROSECONDS").matches("\\d+"), run.out());
                assertEquals("none_yet", text(header, api, "PROBE_RESULT"), "no health: never probed\n" + run.out());
                assertEquals("-", text(header, api, "PROBE_LATENCY_MICROSECONDS"), run.out());
                for (final String row : List.of(web, api))
                {
                    // Started moments ago: seconds, not the billions of an epoch time.
                    assertTrue(text(header, row, "IN_STATE").matches("\\d{1,2}s"), run.out());
                }
            }
        }
    }

    private static void awaitProbe(final Portgate portgate) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (io.portgate.PortgateInternals.metrics(portgate).sum(Metric.TARGET_PROBE_RESULT, "pool", "web") == 0 &&
            System.nanoTime() < deadline)
        {
            Thread.sleep(20);
        }
    }

    private static String row(final String out, final String start)
    {
        return out.lines().filter(l -> l.startsWith(start) && l.contains("127.0.0.1:")).findFirst()
            .orElseThrow(() -> new AssertionError("no target row starting '" + start + "':\n" + out));
    }

    /** The text in a column of an aligned text table whose cells hold no spaces, found by the column's header. */
    private static String text(final String header, final String row, final String column)
    {
        final String[] names = header.trim().split(" +");
        final String[] cells = row.trim().split(" +");
        assertEquals(names.length, cells.length, header + "\n" + row);
        for (int i = 0; i < names.length; i++)
        {
            if (names[i].equals(column))
            {
                return cells[i];
            }
        }
        throw new AssertionError("no column " + column + " in " + header);
    }

    /** The value in a column of an aligned text table, found by the column's header. */
    private static long cell(final String header, final String row, final String column)
    {
        final String[] names = header.trim().split(" +");
        final String[] cells = row.trim().split(" +");
        final int offset = cells.length - names.length;
        for (int i = 0; i < names.length; i++)
        {
            if (names[i].equals(column))
            {
                return Long.parseLong(cells[i + offset]);
            }
        }
        throw new AssertionError("no column " + column + " in " + header);
    }

    private static ServerSocket echo() throws IOException
    {
        final ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(LOOPBACK, 0));
        Thread.ofVirtual().start(() ->
        {
            try
            {
                while (true)
                {
                    final Socket s = server.accept();
                    Thread.ofVirtual().start(() ->
                    {
                        try (s)
                        {
                            s.getInputStream().transferTo(s.getOutputStream());
                            s.shutdownOutput();
                        }
                        catch (final IOException ignored)
                        {
                            // client gone
                        }
                    });
                }
            }
            catch (final IOException closed)
            {
                // test over
            }
        });
        assertTrue(server.isBound());
        return server;
    }
}
