package io.portgate.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./portgate} on configurations at and past the limits: what check refuses it refuses with exit 2 and a line
 * that says where, and the largest values it accepts really run.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ConfigLimitsIT
{
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

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
    void deepNestingIsOneErrorWithExit2NotAStackOverflow() throws Exception
    {
        final Path file = dir.resolve("deep.yaml");
        Files.writeString(file, "listeners: " + "[".repeat(10_000) + "\n");
        final PortgateProcess.Result r = PortgateProcess.run("check", file.toString());
        assertEquals(2, r.status(), r.toString());
        assertTrue(r.out().startsWith(file + ":1:61: error: the file nests lists and mappings more than 50 levels " +
            "deep"), r.toString());
        assertEquals("", r.err(), r.toString());
    }

    @Test
    void aFileOverTheSizeLimitIsRefusedWithExit2() throws Exception
    {
        final Path file = dir.resolve("huge.yaml");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw"))
        {
            f.setLength(9L << 20);
        }
        final PortgateProcess.Result r = PortgateProcess.run("check", file.toString());
        assertEquals(2, r.status(), r.toString());
        assertTrue(r.out().startsWith(file + ": error: the file is 9437184 bytes, more than the limit of 4194304 " +
            "bytes (4m)"), r.toString());
    }

    @Test
    void durationsThatOverflowAreCheckErrorsAtTheirPosition() throws Exception
    {
        final Path file = dir.resolve("overflow.yaml");
        Files.writeString(file, """
            drain-timeout: 106752d
            listeners:
              - name: web
                bind: 127.0.0.1:18080
                pool: web
                max-connections: 100
                idle-timeout: 106752d
                connect-timeout: 9223372036854775807ns
            pools:
              web:
                targets: [127.0.0.1:9000]
            """);
        final PortgateProcess.Result r = PortgateProcess.run("check", file.toString());
        assertEquals(2, r.status(), r.toString());
        assertEquals(List.of(
            file + ":1:16: error: drain-timeout: duration '106752d' is longer than the largest allowed, 365d",
            file + ":7:19: error: listener 'web' idle-timeout: duration '106752d' is longer than the largest " +
                "allowed, 365d",
            file + ":8:22: error: listener 'web' connect-timeout: duration '9223372036854775807ns' is longer than " +
                "the largest allowed, 365d",
            file + ": 3 errors, 0 warnings, 0 notes; nothing will start until the errors are fixed"),
            r.out().lines().toList(), r.toString());
    }

    @Test
    void theLargestDurationsAllowedRunForwardReloadAndStop() throws Exception
    {
        final ServerSocket echo = new ServerSocket(0, 50, LOOPBACK);
        open.add(echo);
        Thread.ofVirtual().start(() -> serveEcho(echo));
        final DatagramSocket udpEcho = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        open.add(udpEcho);
        Thread.ofVirtual().start(() -> serveUdpEcho(udpEcho));
        final int tcp = NonEphemeralPort.free();
        final int udp = NonEphemeralPort.free();
        final String config = """
            workers: 1
            metrics-file: %s
            drain-timeout: 365d
            listeners:
              - name: web
                bind: 127.0.0.1:%d
                pool: web
                max-connections: 100
                connect-timeout: 365d
                idle-timeout: 365d
              - name: dns
                protocol: udp
                bind: 127.0.0.1:%d
                pool: dns
                max-flows: 100
                idle-timeout: 365d
            pools:
              web:
                slow-start: 12h
                targets: [127.0.0.1:%d]
                health:
                  interval: 365d
                  timeout: 365d
              dns:
                targets: [127.0.0.1:%d]
            """.formatted(dir.resolve("m"), tcp, udp, echo.getLocalPort(), udpEcho.getLocalPort());
        final Path file = dir.resolve("largest.yaml");
        Files.writeString(file, config);
        final PortgateProcess.Result checked = PortgateProcess.run("check", file.toString());
        assertEquals(0, checked.status(), checked.toString());

        final PortgateProcess portgate = PortgateProcess.start(Map.of(), "run", file.toString());
        open.add(portgate);
        portgate.awaitOut(l -> l.startsWith("portgate: running"), Duration.ofSeconds(60));
        try (Socket idle = new Socket(LOOPBACK, tcp))
        {
            idle.setSoTimeout(10_000);
            assertEchoes(idle, "first");
            for (int i = 0; i < 20; i++)
            {
                try (Socket client = new Socket(LOOPBACK, tcp))
                {
                    client.setSoTimeout(10_000);
                    assertEchoes(client, "connection " + i);
                }
            }
            // A connection quiet for a while is not timed out (a deadline that overflowed would have fired at once).
            Thread.sleep(1500);
            assertEchoes(idle, "still open");

            // A reload computes drain deadlines from drain-timeout: with the largest, it applies.
            Files.writeString(file, config.replace("max-connections: 100", "max-connections: 99"));
            portgate.signal("HUP");
            final String reloaded = portgate.awaitOut(l -> l.startsWith("portgate: reload"),
                Duration.ofSeconds(30));
            assertTrue(reloaded.contains("result=applied"), portgate.out() + portgate.err());
            assertEchoes(idle, "after the reload");
        }
        // Nothing open: a stop does not wait for the year-long drain.
        Thread.sleep(200);
        portgate.signal("TERM");
        final PortgateProcess.Result stopped = portgate.await(Duration.ofSeconds(30));
        assertEquals(0, stopped.status(), stopped.toString());
        assertFalse(stopped.err().contains("Exception"), stopped.toString());

        // A UDP flow with the longest idle-timeout forwards too; a flow holds a stop until it goes idle, so this one
        // runs with a short drain-timeout.
        Files.writeString(file, config.replace("drain-timeout: 365d", "drain-timeout: 1s"));
        final PortgateProcess udpRun = PortgateProcess.start(Map.of(), "run", file.toString());
        open.add(udpRun);
        udpRun.awaitOut(l -> l.startsWith("portgate: running"), Duration.ofSeconds(60));
        try (DatagramSocket client = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0)))
        {
            // One client, so one flow: quiet for a while, it is not expired.
            client.setSoTimeout(5_000);
            assertUdpEchoes(client, udp, "datagram");
            Thread.sleep(1500);
            assertUdpEchoes(client, udp, "after a quiet while");
        }
        udpRun.signal("TERM");
        final PortgateProcess.Result udpStopped = udpRun.await(Duration.ofSeconds(30));
        assertEquals(0, udpStopped.status(), udpStopped.toString());
        assertFalse(udpStopped.err().contains("Exception"), udpStopped.toString());
    }

    private static void assertEchoes(final Socket socket, final String text) throws IOException
    {
        final byte[] payload = (text + "\n").getBytes(StandardCharsets.UTF_8);
        socket.getOutputStream().write(payload);
        assertArrayEquals(payload, socket.getInputStream().readNBytes(payload.length), text);
    }

    private static void assertUdpEchoes(final DatagramSocket client, final int port, final String text)
        throws IOException
    {
        final byte[] payload = text.getBytes(StandardCharsets.UTF_8);
        client.send(new DatagramPacket(payload, payload.length, LOOPBACK, port));
        final DatagramPacket reply = new DatagramPacket(new byte[1500], 1500);
        client.receive(reply);
        assertEquals(text, new String(reply.getData(), 0, reply.getLength(), StandardCharsets.UTF_8));
    }

    private static void serveEcho(final ServerSocket server)
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
    }

    private static void serveUdpEcho(final DatagramSocket socket)
    {
        final byte[] buf = new byte[1500];
        try
        {
            while (true)
            {
                final DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                socket.send(new DatagramPacket(p.getData(), p.getLength(), p.getSocketAddress()));
            }
        }
        catch (final IOException closed)
        {
            // test over
        }
    }
}
