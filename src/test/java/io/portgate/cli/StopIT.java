package io.portgate.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Stopping {@code ./portgate run} as an operator does, with signals to the real process: a quiet UDP flow does not
 * hold the stop, a busy one does until it goes quiet, and a second SIGTERM or SIGINT ends a drain at once. The drain
 * timeout is a minute, so "at once" and "within a few seconds" are told apart from "waited for the drain" by a
 * bound far from both.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class StopIT
{
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** The configured drain timeout: what a stop that is not hurried or ended early would wait. */
    private static final Duration DRAIN = Duration.ofSeconds(60);
    /** Far below {@link #DRAIN} and far above what a stop takes, even on a busy machine. */
    private static final Duration WELL_BEFORE_THE_DRAIN_ENDS = Duration.ofSeconds(25);
    private static final Duration STARTS_WITHIN = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    private final List<AutoCloseable> resources = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeAll() throws Exception
    {
        for (int i = resources.size() - 1; i >= 0; i--)
        {
            resources.get(i).close();
        }
    }

    @Test
    void aQuietUdpFlowDoesNotHoldTheStop() throws Exception
    {
        final Ports ports = startBalancer();
        try (DatagramSocket client = udpClient(ports.udp()))
        {
            assertEchoes(client, 0);
            ports.process().signal("TERM");
            final PortgateProcess.Result r = ports.process().await(WELL_BEFORE_THE_DRAIN_ENDS);
            assertEquals(0, r.status(), r.toString());
            assertTrue(r.out().contains("portgate: stopped"), r.toString());
            assertFalse(r.err().contains("drain timeout reached"), r.toString());
        }
    }

    @Test
    void aSecondSigtermEndsTheDrainAtOnce() throws Exception
    {
        secondSignalEndsTheDrain("TERM");
    }

    @Test
    void sigintDuringTheDrainEndsItAtOnce() throws Exception
    {
        secondSignalEndsTheDrain("INT");
    }

    private void secondSignalEndsTheDrain(final String second) throws Exception
    {
        final Ports ports = startBalancer();
        final PortgateProcess process = ports.process();
        try (Socket client = new Socket(LOOPBACK, ports.tcp()))
        {
            client.setSoTimeout(10_000);
            assertTcpEchoes(client, 1);
            process.signal("TERM");
            final String stopping = process.awaitOut(l -> l.startsWith("portgate: stopping"), STARTS_WITHIN);
            assertTrue(stopping.contains("SIGTERM or Ctrl-C again stops at once"), stopping);
            assertTcpEchoes(client, 2);
            assertTrue(process.process().isAlive(), "the open connection holds the drain\n" + process.out() +
                process.err());

            process.signal(second);
            final PortgateProcess.Result r = process.await(WELL_BEFORE_THE_DRAIN_ENDS);
            assertEquals(0, r.status(), r.toString());
            assertTrue(r.err().contains("stop hurried: closing 1 open connection(s) and flow(s) now"), r.toString());
            assertTrue(r.out().contains("portgate: stopped"), r.toString());
            assertEquals(-1, readOrEnd(client), "the balancer closed the connection");
        }
    }

    @Test
    void aBusyUdpFlowHoldsTheDrainUntilItGoesQuiet() throws Exception
    {
        final Ports ports = startBalancer();
        final PortgateProcess process = ports.process();
        try (DatagramSocket client = udpClient(ports.udp()))
        {
            assertEchoes(client, 0);
            process.signal("TERM");
            process.awaitOut(l -> l.startsWith("portgate: stopping"), STARTS_WITHIN);
            // A datagram every 100 ms for 3 s: three times the quiet that ends a flow.
            for (int i = 1; i <= 30; i++)
            {
                Thread.sleep(100);
                assertEchoes(client, i);
            }
            assertTrue(process.process().isAlive(), "the busy flow holds the drain\n" + process.out() +
                process.err());
            final PortgateProcess.Result r = process.await(WELL_BEFORE_THE_DRAIN_ENDS);
            assertEquals(0, r.status(), r.toString());
            assertFalse(r.err().contains("drain timeout reached"), r.toString());
        }
    }

    /** Starts {@code ./portgate run} with a TCP and a UDP listener in front of echo servers. */
    private Ports startBalancer() throws Exception
    {
        final int tcpTarget = Echoes.tcp(resources);
        final int udpTarget = Echoes.udp(resources);
        final int tcp = Echoes.freeTcpPort();
        final int udp = Echoes.freeUdpPort();
        final Path file = dir.resolve("stop.yaml");
        Files.writeString(file, """
            workers: 2
            metrics-file: %s
            drain-timeout: %ds
            listeners:
              - name: web
                bind: 127.0.0.1:%d
                pool: web
              - name: dns
                protocol: udp
                bind: 127.0.0.1:%d
                pool: dns
            pools:
              web:
                targets: [127.0.0.1:%d]
              dns:
                targets: [127.0.0.1:%d]
            """.formatted(dir.resolve("stop.metrics"), DRAIN.toSeconds(), tcp, udp, tcpTarget, udpTarget));
        final PortgateProcess process = PortgateProcess.start(Map.of(), "run", file.toString());
        resources.add(process);
        process.awaitOut(l -> l.startsWith("portgate: running"), STARTS_WITHIN);
        return new Ports(process, tcp, udp);
    }

    private record Ports(PortgateProcess process, int tcp, int udp)
    {
    }

    private DatagramSocket udpClient(final int port) throws IOException
    {
        final DatagramSocket client = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        client.connect(new InetSocketAddress(LOOPBACK, port));
        client.setSoTimeout(10_000);
        return client;
    }

    private static void assertEchoes(final DatagramSocket client, final int sequence) throws IOException
    {
        final byte[] payload = payload(sequence, 200);
        client.send(new DatagramPacket(payload, payload.length));
        final byte[] reply = new byte[payload.length + 1];
        final DatagramPacket packet = new DatagramPacket(reply, reply.length);
        client.receive(packet);
        assertArrayEquals(payload, Arrays.copyOf(reply, packet.getLength()), "datagram " + sequence);
    }

    private static void assertTcpEchoes(final Socket client, final int sequence) throws IOException
    {
        final byte[] payload = payload(sequence, 4096);
        client.getOutputStream().write(payload);
        assertArrayEquals(payload, client.getInputStream().readNBytes(payload.length), "message " + sequence);
    }

    private static byte[] payload(final int sequence, final int size)
    {
        final byte[] payload = new byte[size];
        new SplittableRandom(sequence).nextBytes(payload);
        return payload;
    }

    private static int readOrEnd(final Socket client) throws IOException
    {
        try
        {
            return client.getInputStream().read();
        }
        catch (final SocketTimeoutException ex)
        {
            throw new AssertionError("the connection is still open", ex);
        }
        catch (final IOException reset)
        {
            // A reset ends it as well as a FIN does.
            return -1;
        }
    }
}
