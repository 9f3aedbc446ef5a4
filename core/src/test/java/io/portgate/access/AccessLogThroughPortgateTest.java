package io.portgate.access;

import io.portgate.Portgate;
import io.portgate.config.CidrConfig;
import io.portgate.config.FastPath;
import io.portgate.config.IdleStrategyName;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.config.Protocol;
import io.portgate.testing.EchoServer;
import io.portgate.testing.Exchange;
import io.portgate.testing.FreePorts;
import io.portgate.testing.UdpClient;
import io.portgate.testing.UdpEchoServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The access log end to end: a connection's or flow's record, written by the writer thread to a real file, names
 * its client, target and bytes; a refusal is a record too; the file is opened again after a rename (log rotation).
 */
@Timeout(60)
class AccessLogThroughPortgateTest
{
    @TempDir
    Path dir;
    private Portgate portgate;
    private EchoServer echo;
    private UdpEchoServer udpEcho;

    @AfterEach
    void close()
    {
        if (portgate != null)
        {
            portgate.close(Duration.ZERO);
        }
        if (echo != null)
        {
            echo.close();
        }
        if (udpEcho != null)
        {
            udpEcho.close();
        }
    }

    @Test
    void aConnectionsJsonLineNamesItsClientTargetAndBytes() throws Exception
    {
        final Path log = dir.resolve("access.log");
        start(io.portgate.config.AccessLogConfig.file(log, io.portgate.config.LogFormat.JSON));
        final byte[] payload = Exchange.random(12_345);
        final int clientPort;
        try (SocketChannel client = TcpAccessTest.connectFrom("127.0.0.2", front("web")))
        {
            clientPort = ((InetSocketAddress)client.getLocalAddress()).getPort();
            assertArrayEquals(payload, Exchange.roundTrip(client, payload));
        }
        final String line = awaitLine(log, l -> l.contains("\"client_port\":" + clientPort));
        assertTrue(line.startsWith("{\"time\":\""), line);
        assertTrue(line.contains("\"protocol\":\"tcp\""), line);
        assertTrue(line.contains("\"listener\":\"web\""), line);
        assertTrue(line.contains("\"client\":\"127.0.0.2\""), line);
        assertTrue(line.contains("\"target\":\"127.0.0.1:" + echo.port() + "\""), line);
        assertTrue(line.contains("\"bytes_in\":12345"), line);
        assertTrue(line.contains("\"bytes_out\":12345"), line);
        assertTrue(line.contains("\"end\":\"client_close\""), line);
        // A refused connection is a record too, with no target.
        TcpAccessTest.assertRefused(TcpAccessTest.connectFrom("127.0.0.4", front("web")));
        final String refused = awaitLine(log, l -> l.contains("\"client\":\"127.0.0.4\""));
        assertTrue(refused.contains("\"target\":null") && refused.contains("\"end\":\"refused_by_rule\""), refused);
    }

    @Test
    void aUdpFlowsLineCountsItsDatagramsWhenItExpires() throws Exception
    {
        final Path log = dir.resolve("access.log");
        start(io.portgate.config.AccessLogConfig.file(log, io.portgate.config.LogFormat.TEXT));
        try (UdpClient client = UdpClient.open("127.0.0.3", front("dns")))
        {
            for (int i = 0; i < 3; i++)
            {
                assertEquals(5, client.exchange(("query " + i).getBytes(StandardCharsets.US_ASCII)));
            }
            final String line = awaitLine(log, l -> l.contains(" udp ") && l.contains("127.0.0.3:" +
                client.local().getPort()));
            final String[] fields = line.split(" ");
            // time protocol listener client target bytes_in bytes_out datagrams_in datagrams_out connect duration end
            assertEquals(List.of("udp", "dns", "127.0.0.3:" + client.local().getPort(), "127.0.0.1:" + udpEcho.port(),
                "21", "24", "3", "3", "-"), List.of(fields).subList(1, 10), line);
            assertEquals("idle_timeout", fields[11], line);
        }
    }

    @Test
    void aRenamedFileIsOpenedAgainOnRequest() throws Exception
    {
        final Path log = dir.resolve("access.log");
        start(io.portgate.config.AccessLogConfig.file(log, io.portgate.config.LogFormat.TEXT));
        assertArrayEquals(new byte[] {1}, Exchange.roundTrip(front("web"), new byte[] {1}));
        awaitLine(log, l -> l.contains(" tcp web "));
        final Path rotated = dir.resolve("access.log.1");
        Files.move(log, rotated);
        portgate.reopenAccessLog();
        // Records go on to the old file until the writer reopens; the first one in the new file proves it did.
        for (int i = 0; i < 200 && !Files.exists(log); i++)
        {
            assertArrayEquals(new byte[] {2}, Exchange.roundTrip(front("web"), new byte[] {2}));
            Thread.sleep(10);
        }
        assertArrayEquals(new byte[] {3}, Exchange.roundTrip(front("web"), new byte[] {3}));
        awaitLine(log, l -> l.contains(" tcp web "));
        assertEquals(1, io.portgate.PortgateInternals.accessLog(portgate).writer().reopens());
    }

    @Test
    void aReloadTurnsTheLogOnAndOffWithoutDroppingConnections() throws Exception
    {
        start(null);
        final Path log = dir.resolve("later.log");
        try (SocketChannel open = SocketChannel.open(front("web")))
        {
            echoOnce(open, "before".getBytes(StandardCharsets.US_ASCII));
            portgate.reload(portgate.config().toBuilder().accessLog(io.portgate.config.AccessLogConfig.file(log,
                io.portgate.config.LogFormat.JSON)).build());
            echoOnce(open, "during".getBytes(StandardCharsets.US_ASCII));
            assertArrayEquals(new byte[] {4}, Exchange.roundTrip(front("web"), new byte[] {4}));
            awaitLine(log, l -> l.contains("\"bytes_in\":1,"));
            echoOnce(open, "after".getBytes(StandardCharsets.US_ASCII));
        }
        // The connection open across the reload logs under the configuration it ended in.
        awaitLine(log, l -> l.contains("\"bytes_in\":17,"));
    }

    private static void echoOnce(final SocketChannel channel, final byte[] payload) throws IOException
    {
        Exchange.writeFully(channel, payload);
        assertArrayEquals(payload, Exchange.readExactly(channel, payload.length));
    }

    private void start(final io.portgate.config.AccessLogConfig settings)
    {
        echo = EchoServer.start();
        udpEcho = UdpEchoServer.start(5);
        final PortgateConfig config = PortgateConfig.builder().workers(2).splice(FastPath.OFF)
            .udpBatching(FastPath.OFF).idleStrategy(IdleStrategyName.BACKOFF).accessLog(settings)
            .listener(ListenerConfig.builder("web").bind("127.0.0.1:" + FreePorts.tcp()).pool("tcp-pool")
                .deny(CidrConfig.of("deny", "127.0.0.4")).build())
            .listener(ListenerConfig.builder("dns").protocol(Protocol.UDP).bind("127.0.0.1:" + FreePorts.udp())
                .pool("udp-pool").idleTimeout(Duration.ofMillis(300)).build())
            .pool(PoolConfig.builder("tcp-pool").target(InetAddress.getLoopbackAddress(), echo.port()).build())
            .pool(PoolConfig.builder("udp-pool").target(InetAddress.getLoopbackAddress(), udpEcho.port()).build())
            .build();
        portgate = Portgate.start(config);
    }

    private InetSocketAddress front(final String listener)
    {
        return portgate.boundAddresses(listener).getFirst();
    }

    private static String awaitLine(final Path log, final Predicate<String> match) throws Exception
    {
        for (int i = 0; i < 1000; i++)
        {
            if (Files.exists(log))
            {
                for (final String line : Files.readAllLines(log))
                {
                    if (match.test(line))
                    {
                        return line;
                    }
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no matching line in " + log + ": " +
            (Files.exists(log) ? Files.readAllLines(log) : "no file"));
    }
}
