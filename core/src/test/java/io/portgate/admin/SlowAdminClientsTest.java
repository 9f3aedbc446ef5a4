package io.portgate.admin;

import io.portgate.Portgate;
import io.portgate.config.Addresses;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.testing.EchoServer;
import io.portgate.testing.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Issue 15, finding 1: slow clients must not take the admin endpoint away. A thousand connections that each send half
 * a request and wait, over real sockets to a running balancer; then {@code GET /metrics}, a drain and a reload must
 * still be answered. The 5 s bound is a hang detector only (the JDK server this endpoint replaced never answered);
 * how long the answer took is printed, not asserted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SlowAdminClientsTest
{
    private static final int SLOW_CLIENTS = 1_000;
    private static final Duration HANG = Duration.ofSeconds(5);

    @Test
    void aThousandSlowClientsDelayNeitherMetricsNorChanges() throws Exception
    {
        try (EchoServer target = EchoServer.start())
        {
            final Portgate portgate = Portgate.start(PortgateConfig.builder().workers(1)
                .admin(Addresses.parseEndpoint("127.0.0.1:" + FreePorts.tcp(), true))
                .listener(ListenerConfig.builder("web").bind("127.0.0.1:" + FreePorts.tcp()).pool("web").build())
                .pool(PoolConfig.builder("web").target(InetAddress.getLoopbackAddress(), target.port()).build())
                .build());
            final List<Socket> slow = new ArrayList<>();
            try
            {
                final InetSocketAddress admin = new InetSocketAddress(InetAddress.getLoopbackAddress(),
                    portgate.adminAddress().getPort());
                final byte[] partial = "GET /metrics HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII);
                for (int i = 0; i < SLOW_CLIENTS; i++)
                {
                    final Socket s = new Socket();
                    s.connect(admin, 5_000);
                    s.getOutputStream().write(partial);
                    slow.add(s);
                }

                final long start = System.nanoTime();
                final String metrics = request(admin, "GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
                final long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                System.out.println("GET /metrics behind " + SLOW_CLIENTS + " slow clients answered in " + tookMs +
                    " ms");
                assertTrue(metrics.startsWith("HTTP/1.1 200 OK\r\n"), metrics);
                assertTrue(metrics.contains("portgate_tcp_connections_total{listener=\"web\"}"), metrics);

                final String target1 = "127.0.0.1:" + target.port();
                final String drain = request(admin, "POST /api/pools/web/targets/" + target1 + "/drain HTTP/1.1\r\n" +
                    "Host: x\r\nConnection: close\r\n\r\n");
                assertTrue(drain.startsWith("HTTP/1.1 200 OK\r\n"), drain);
                final String reload = request(admin, "POST /api/reload HTTP/1.1\r\nHost: x\r\nConnection: close" +
                    "\r\n\r\n");
                assertTrue(reload.startsWith("HTTP/1.1 409 Conflict\r\n"), "a built configuration has no file to " +
                    "re-read: " + reload);

                // The slow clients were shed as newer ones came: memory and descriptors stay within the cap.
                final long evicted = metricValue(metrics, "portgate_admin_closed_connections_total{reason=\"evicted\"}");
                assertTrue(evicted >= SLOW_CLIENTS - AdminLimits.DEFAULTS.maxConnections(), metrics);
                int closedByServer = 0;
                for (final Socket s : slow)
                {
                    s.setSoTimeout(1);
                    if (closed(s))
                    {
                        closedByServer++;
                    }
                }
                assertTrue(closedByServer >= SLOW_CLIENTS - AdminLimits.DEFAULTS.maxConnections(),
                    closedByServer + " of the slow clients' connections were closed by the endpoint");
            }
            finally
            {
                for (final Socket s : slow)
                {
                    s.close();
                }
                portgate.close(Duration.ZERO);
            }
        }
    }

    private static boolean closed(final Socket socket)
    {
        try
        {
            return socket.getInputStream().read() < 0;
        }
        catch (final java.net.SocketTimeoutException stillOpen)
        {
            return false;
        }
        catch (final IOException reset)
        {
            return true;
        }
    }

    private static long metricValue(final String text, final String series)
    {
        for (final String line : text.split("\n"))
        {
            if (line.startsWith(series + " "))
            {
                return Long.parseLong(line.substring(series.length() + 1).strip());
            }
        }
        return fail(series + " is missing from " + text);
    }

    /** One request on a new connection, read to the end, with a hang detector. */
    private static String request(final InetSocketAddress admin, final String request) throws Exception
    {
        final CompletableFuture<String> answer = CompletableFuture.supplyAsync(() ->
        {
            try (Socket s = new Socket())
            {
                s.connect(admin, (int)HANG.toMillis());
                s.setSoTimeout((int)HANG.toMillis());
                s.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                final InputStream in = s.getInputStream();
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            }
            catch (final IOException ex)
            {
                return "failed: " + ex;
            }
        });
        try
        {
            return answer.get(HANG.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final TimeoutException ex)
        {
            return fail("no answer within " + HANG + " (the slow clients starve the endpoint)");
        }
        catch (final ExecutionException ex)
        {
            throw ex;
        }
    }
}
