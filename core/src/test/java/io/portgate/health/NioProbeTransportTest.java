package io.portgate.health;

import io.portgate.spi.ProbeResult;

import io.portgate.spi.TargetState;

import io.portgate.config.HealthConfig;
import io.portgate.config.HealthProtocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Probes over real sockets on 127.0.0.1: each protocol tells a live target from a dead one. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class NioProbeTransportTest
{
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void close() throws Exception
    {
        for (final AutoCloseable r : resources)
        {
            r.close();
        }
    }

    private static ProbeResult probe(final HealthConfig config, final int trafficPort, final int probePort)
    {
        final ProbeTarget target = new ProbeTarget(0, "p", new InetSocketAddress(LOOPBACK, trafficPort),
            new InetSocketAddress(LOOPBACK, probePort), config);
        final ProbeResult[] result = new ProbeResult[1];
        try (NioProbeTransport transport = new NioProbeTransport())
        {
            transport.start(target, System.nanoTime());
            while (result[0] == null)
            {
                transport.poll(System.nanoTime(), (t, r, latency, detail) -> result[0] = r);
                Thread.onSpinWait();
            }
        }
        return result[0];
    }

    private static HealthConfig tcp()
    {
        return HealthConfig.builder().protocol(HealthProtocol.TCP).timeout(Duration.ofMillis(500)).build();
    }

    private int listeningTcpPort() throws IOException
    {
        final ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
        resources.add(server);
        return server.getLocalPort();
    }

    private static int closedTcpPort() throws IOException
    {
        try (ServerSocket s = new ServerSocket(0, 50, LOOPBACK))
        {
            return s.getLocalPort();
        }
    }

    private static int closedUdpPort() throws IOException
    {
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0)))
        {
            return s.getLocalPort();
        }
    }

    private int udpServer(final String reply) throws IOException
    {
        final DatagramSocket socket = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        resources.add(socket);
        if (reply != null)
        {
            Thread.ofPlatform().daemon().start(() ->
            {
                final byte[] buf = new byte[1500];
                try
                {
                    while (true)
                    {
                        final DatagramPacket p = new DatagramPacket(buf, buf.length);
                        socket.receive(p);
                        final byte[] out = reply.getBytes(StandardCharsets.US_ASCII);
                        socket.send(new DatagramPacket(out, out.length, p.getSocketAddress()));
                    }
                }
                catch (final IOException closed)
                {
                    // the test ended
                }
            });
        }
        return socket.getLocalPort();
    }

    private int httpServer(final int status) throws IOException
    {
        final ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
        resources.add(server);
        Thread.ofPlatform().daemon().start(() ->
        {
            try
            {
                while (true)
                {
                    try (Socket s = server.accept())
                    {
                        final InputStream in = s.getInputStream();
                        final byte[] buf = new byte[4096];
                        int total = 0;
                        while (!new String(buf, 0, total, StandardCharsets.US_ASCII).contains("\r\n\r\n"))
                        {
                            final int n = in.read(buf, total, buf.length - total);
                            if (n < 0)
                            {
                                break;
                            }
                            total += n;
                        }
                        final OutputStream out = s.getOutputStream();
                        out.write(("HTTP/1.1 " + status + " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                        out.flush();
                    }
                }
            }
            catch (final IOException closed)
            {
                // the test ended
            }
        });
        return server.getLocalPort();
    }

    @Test
    void tcpTellsListeningFromClosed() throws IOException
    {
        final int live = listeningTcpPort();
        assertEquals(ProbeResult.OK, probe(tcp(), live, live));
        final int dead = closedTcpPort();
        assertEquals(ProbeResult.REFUSED, probe(tcp(), dead, dead));
    }

    @Test
    void udpTellsAnsweringFromClosedSilentAndWrong() throws IOException
    {
        final HealthConfig udp = HealthConfig.builder().protocol(HealthProtocol.UDP).send("ping").expect("pong")
            .timeout(Duration.ofMillis(300)).build();
        final int answering = udpServer("pong 1");
        assertEquals(ProbeResult.OK, probe(udp, answering, answering));
        final int wrong = udpServer("nope");
        assertEquals(ProbeResult.BAD_REPLY, probe(udp, wrong, wrong));
        final int closed = closedUdpPort();
        assertEquals(ProbeResult.REFUSED, probe(udp, closed, closed), "ICMP port unreachable is a failure");
        final int silent = udpServer(null);
        assertEquals(ProbeResult.TIMEOUT, probe(udp, silent, silent));
    }

    @Test
    void httpChecksTheStatus() throws IOException
    {
        final HealthConfig http = HealthConfig.builder().protocol(HealthProtocol.HTTP).path("/healthz")
            .status(200, 299).timeout(Duration.ofSeconds(2)).build();
        final int ok = httpServer(200);
        assertEquals(ProbeResult.OK, probe(http, ok, ok));
        final int failing = httpServer(503);
        assertEquals(ProbeResult.BAD_REPLY, probe(http, failing, failing));
        final int dead = closedTcpPort();
        assertEquals(ProbeResult.REFUSED, probe(http, dead, dead));
    }

    @Test
    void aHealthPortIsProbedInsteadOfTheTrafficPort() throws IOException
    {
        final int healthPort = listeningTcpPort();
        final int closedTrafficPort = closedTcpPort();
        assertEquals(ProbeResult.OK, probe(tcp(), closedTrafficPort, healthPort));

        final int liveTrafficPort = listeningTcpPort();
        final int closedHealthPort = closedTcpPort();
        assertEquals(ProbeResult.REFUSED, probe(tcp(), liveTrafficPort, closedHealthPort));
    }

    @Test
    void aTargetThatStopsListeningGoesDownAndComesBack() throws Exception
    {
        final HealthConfig config = HealthConfig.builder().protocol(HealthProtocol.TCP)
            .interval(Duration.ofMillis(50)).timeout(Duration.ofMillis(40)).rise(2).fall(2).build();
        ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
        final int port = server.getLocalPort();
        final InetSocketAddress address = new InetSocketAddress(LOOPBACK, port);
        final List<TargetState> states = new ArrayList<>();
        final HealthChecker checker = new HealthChecker(List.of(new ProbeTarget(0, "p", address, address, config)),
            new NioProbeTransport(), System::nanoTime, (t, from, to, cause, reason) -> states.add(to), 7);
        try
        {
            runUntil(checker, () -> checker.status(0).probes() >= 3);
            assertEquals(TargetState.UP, checker.status(0).state());

            server.close();
            runUntil(checker, () -> checker.status(0).state() == TargetState.DOWN);
            assertEquals(ProbeResult.REFUSED, checker.status(0).lastResult());

            server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(address);
            runUntil(checker, () -> checker.status(0).state() == TargetState.UP);
            assertEquals(List.of(TargetState.DOWN, TargetState.UP), states);
        }
        finally
        {
            server.close();
            checker.onClose();
        }
    }

    private static void runUntil(final HealthChecker checker, final java.util.function.BooleanSupplier done)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!done.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("condition not reached within 10 s");
            }
            if (checker.doWork() == 0)
            {
                Thread.sleep(1);
            }
        }
    }
}
