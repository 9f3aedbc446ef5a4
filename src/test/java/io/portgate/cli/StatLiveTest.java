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
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
                    assertEquals(1, cell(targetHeader, targetRow, "STATE"), "up: " + run.out());
                }
                assertEquals(10, portgate.metrics().sum(Metric.TCP_CONNECTIONS, "listener", "web"));
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
