package io.portgate.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Two {@code ./portgate run} processes of one user on the same ports, as a new user might start them: the second is
 * refused with exit 2 and a message naming each listener, protocol, address and port and the first's pid, before it
 * binds anything, and the first goes on serving every connection and datagram; the same for a second one on the same
 * metrics file, for {@code check --live}, and for a reload whose new listener's port another process holds.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SecondInstanceIT
{
    private static final Duration START = Duration.ofSeconds(90);

    @TempDir
    Path dir;

    private final List<Closeable> backends = new ArrayList<>();
    private final List<PortgateProcess> processes = new ArrayList<>();
    private int tcpTarget;
    private int udpTarget;
    private int tcpPort;
    private int udpPort;

    @BeforeEach
    void startBackends() throws IOException
    {
        final ServerSocket tcp = new ServerSocket(0, 128, InetAddress.getByName("127.0.0.1"));
        backends.add(tcp);
        tcpTarget = tcp.getLocalPort();
        Thread.ofPlatform().daemon().start(() -> echoConnections(tcp));
        final DatagramSocket udp = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        backends.add(udp);
        udpTarget = udp.getLocalPort();
        Thread.ofPlatform().daemon().start(() -> echoDatagrams(udp));
        tcpPort = freePort(true);
        udpPort = freePort(false);
    }

    @AfterEach
    void stopAll() throws Exception
    {
        for (final PortgateProcess p : processes)
        {
            p.close();
        }
        for (final Closeable backend : backends)
        {
            backend.close();
        }
    }

    private Path config(final String name, final String metrics, final String extraListener) throws IOException
    {
        final Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, """
            workers: 2
            drain-timeout: 1s
            metrics-file: %s
            listeners:
              - name: web
                bind: 127.0.0.1:%d
                pool: p
              - name: dns
                protocol: udp
                bind: 0.0.0.0:%d
                pool: u
            %s
            pools:
              p:
                targets: [127.0.0.1:%d]
              u:
                targets: [127.0.0.1:%d]
            """.formatted(dir.resolve(metrics), tcpPort, udpPort, extraListener, tcpTarget, udpTarget));
        return file;
    }

    private PortgateProcess run(final Path config) throws Exception
    {
        final PortgateProcess p = PortgateProcess.start(Map.of(), "run", config.toString());
        processes.add(p);
        p.awaitOut(line -> line.startsWith("portgate: running"), START);
        return p;
    }

    @Test
    void aSecondInstanceOnTheSamePortsExits2NamingThemAndTheFirstServesOn() throws Exception
    {
        final PortgateProcess first = run(config("first", "first.metrics", ""));
        serves(40);

        final PortgateProcess.Result second = PortgateProcess.run(START, Map.of(), "run",
            config("second", "second.metrics", "").toString());

        assertEquals(2, second.status(), second.toString());
        assertTrue(second.err().contains("listener 'web' cannot bind TCP 127.0.0.1:" + tcpPort +
            ": the port is in use by pid " + first.pid() + " ("), second.toString());
        assertTrue(second.err().contains("listener 'dns' cannot bind UDP 0.0.0.0:" + udpPort +
            ": the port is in use by pid " + first.pid() + " ("), second.toString());
        assertTrue(second.err().contains("portgate.jar run"), "the holder's command line: " + second);
        assertFalse(second.out().contains("portgate: running"), second.toString());
        assertFalse(Files.exists(dir.resolve("second.metrics")), "the second left no metrics file");
        serves(40);

        final PortgateProcess.Result check = PortgateProcess.run(START, Map.of(), "check",
            config("second", "second.metrics", "").toString(), "--live", "--timeout", "500ms");
        assertEquals(2, check.status(), check.toString());
        assertTrue(check.out().contains(": error: listener 'web' cannot bind TCP 127.0.0.1:" + tcpPort +
            ": the port is in use by pid " + first.pid()), check.toString());
        assertTrue(check.out().contains(": error: listener 'dns' cannot bind UDP 0.0.0.0:" + udpPort +
            ": the port is in use by pid " + first.pid()), check.toString());

        serves(40);
        first.signal("TERM");
        assertEquals(0, first.await(Duration.ofSeconds(60)).status(), first.out() + first.err());
    }

    @Test
    void aSecondInstanceOnTheSameMetricsFileExits2SayingSo() throws Exception
    {
        final PortgateProcess first = run(config("first", "shared.metrics", ""));
        final Path other = dir.resolve("other.yaml");
        Files.writeString(other, """
            drain-timeout: 1s
            metrics-file: %s
            listeners:
              - name: other
                bind: 127.0.0.1:%d
                pool: p
            pools:
              p:
                targets: [127.0.0.1:%d]
            """.formatted(dir.resolve("shared.metrics"), freePort(true), tcpTarget));

        final PortgateProcess.Result second = PortgateProcess.run(START, Map.of(), "run", other.toString());

        assertEquals(2, second.status(), second.toString());
        assertTrue(second.err().contains("metrics file " + dir.resolve("shared.metrics") + " is in use by another " +
            "running balancer (pid " + first.pid() + "); stop it, or give this balancer its own metrics-file"),
            second.toString());
        assertTrue(Files.exists(dir.resolve("shared.metrics")), "the first one's file is still there");
        serves(20);
    }

    @Test
    void aReloadWhoseNewListenerPortAnotherProcessHoldsIsRejectedAndTheFirstServesOn() throws Exception
    {
        final Path firstConfig = config("first", "first.metrics", "");
        final PortgateProcess first = run(firstConfig);
        final int held = freePort(true);
        final Path holderConfig = dir.resolve("holder.yaml");
        Files.writeString(holderConfig, """
            drain-timeout: 1s
            metrics-file: %s
            listeners:
              - name: mine
                bind: 127.0.0.1:%d
                pool: p
            pools:
              p:
                targets: [127.0.0.1:%d]
            """.formatted(dir.resolve("holder.metrics"), held, tcpTarget));
        final PortgateProcess holder = run(holderConfig);

        Files.writeString(firstConfig, Files.readString(config("next", "first.metrics", """
              - name: extra
                bind: 127.0.0.1:%d
                pool: p
            """.formatted(held))));
        first.signal("HUP");
        final String rejected = first.awaitErr(line -> line.contains("reload result=rejected"), START);

        assertTrue(rejected.contains("listener 'extra' cannot bind TCP 127.0.0.1:" + held +
            ": the port is in use by pid " + holder.pid() + " ("), rejected);
        assertTrue(rejected.contains("still running the previous configuration"), rejected);
        serves(40);
        roundTrip(new InetSocketAddress("127.0.0.1", held), 500);
    }

    /** Every TCP connection and every datagram (from a client connected to 127.0.0.2) through the listeners. */
    private void serves(final int count) throws IOException
    {
        for (int i = 0; i < count; i++)
        {
            roundTrip(new InetSocketAddress("127.0.0.1", tcpPort), 200 + i);
        }
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0)))
        {
            client.connect(new InetSocketAddress("127.0.0.2", udpPort));
            client.setSoTimeout(2_000);
            for (int i = 0; i < count; i++)
            {
                final byte[] payload = random(100 + i);
                final byte[] reply = new byte[2048];
                DatagramPacket answer = null;
                for (int attempt = 0; attempt < 3 && answer == null; attempt++)
                {
                    client.send(new DatagramPacket(payload, payload.length));
                    try
                    {
                        answer = new DatagramPacket(reply, reply.length);
                        client.receive(answer);
                    }
                    catch (final java.net.SocketTimeoutException lost)
                    {
                        answer = null;
                    }
                }
                assertTrue(answer != null, "no reply to datagram " + i + " from 127.0.0.2:" + udpPort);
                assertArrayEquals(payload, Arrays.copyOf(reply, answer.getLength()), "datagram " + i);
            }
        }
    }

    private static void roundTrip(final InetSocketAddress address, final int size) throws IOException
    {
        try (Socket socket = new Socket())
        {
            socket.connect(address, 5_000);
            socket.setSoTimeout(5_000);
            final byte[] payload = random(size);
            socket.getOutputStream().write(payload);
            socket.shutdownOutput();
            assertArrayEquals(payload, socket.getInputStream().readAllBytes(), "echo through " + address);
        }
    }

    private static byte[] random(final int size)
    {
        final byte[] bytes = new byte[size];
        ThreadLocalRandom.current().nextBytes(bytes);
        return bytes;
    }

    /** A port free a moment ago, below the kernel's ephemeral range where listener ports belong. */
    private static int freePort(final boolean tcp)
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            final int port = ThreadLocalRandom.current().nextInt(20_000, 32_000);
            try (Closeable socket = tcp ? new ServerSocket(port, 1, InetAddress.getByName("0.0.0.0")) :
                new DatagramSocket(new InetSocketAddress(port)))
            {
                return port;
            }
            catch (final IOException taken)
            {
                // try another
            }
        }
        throw new IllegalStateException("no free port found");
    }

    private static void echoConnections(final ServerSocket server)
    {
        while (!server.isClosed())
        {
            try
            {
                final Socket socket = server.accept();
                Thread.ofVirtual().start(() ->
                {
                    try (socket; InputStream in = socket.getInputStream(); OutputStream out = socket.getOutputStream())
                    {
                        in.transferTo(out);
                    }
                    catch (final IOException ignored)
                    {
                        // the client went away
                    }
                });
            }
            catch (final IOException closed)
            {
                return;
            }
        }
    }

    private static void echoDatagrams(final DatagramSocket socket)
    {
        final byte[] buffer = new byte[65_536];
        while (!socket.isClosed())
        {
            try
            {
                final DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
                socket.receive(packet);
                socket.send(new DatagramPacket(buffer, packet.getLength(), packet.getSocketAddress()));
            }
            catch (final IOException closed)
            {
                return;
            }
        }
    }
}
