package io.portgate.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code portgate check --live} against real sockets on 127.0.0.1. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class CheckLiveTest
{
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;

    private ServerSocket tcpListening;
    private int tcpClosedPort;
    private DatagramSocket udpAnswering;
    private DatagramSocket udpSilent;
    private int udpClosedPort;
    /** Ports the listeners name: free a moment ago, so the check of listener ports finds them free. */
    private int webPort;
    private int dnsPort;
    private Thread answerer;

    @BeforeEach
    void startTargets() throws IOException
    {
        tcpListening = new ServerSocket(0, 50, LOOPBACK);
        try (ServerSocket s = new ServerSocket(0, 50, LOOPBACK))
        {
            tcpClosedPort = s.getLocalPort();
        }
        udpAnswering = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        udpSilent = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0)))
        {
            udpClosedPort = s.getLocalPort();
        }
        webPort = freeBelowEphemeral(true);
        dnsPort = freeBelowEphemeral(false);
        answerer = Thread.ofPlatform().daemon().start(() ->
        {
            final byte[] buf = new byte[1500];
            try
            {
                while (true)
                {
                    final DatagramPacket p = new DatagramPacket(buf, buf.length);
                    udpAnswering.receive(p);
                    final byte[] reply = "pong".getBytes(StandardCharsets.US_ASCII);
                    udpAnswering.send(new DatagramPacket(reply, reply.length, p.getSocketAddress()));
                }
            }
            catch (final IOException closed)
            {
                // the socket was closed at the end of the test
            }
        });
    }

    @AfterEach
    void stopTargets() throws Exception
    {
        tcpListening.close();
        udpAnswering.close();
        udpSilent.close();
        answerer.join(5000);
    }

    /** A port free a moment ago below the kernel's ephemeral range, which a listener port should not be in. */
    static int freeBelowEphemeral(final boolean tcp)
    {
        for (int attempt = 0; attempt < 200; attempt++)
        {
            final int port = java.util.concurrent.ThreadLocalRandom.current().nextInt(20_000, 32_000);
            try (java.io.Closeable socket = tcp ? new ServerSocket(port, 1, LOOPBACK) : new DatagramSocket(port))
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

    private Path config() throws IOException
    {
        final Path file = dir.resolve("live.yaml");
        Files.writeString(file, """
            listeners:
              - name: web
                protocol: tcp
                bind: 127.0.0.1:%d
                pool: web
              - name: dns
                protocol: udp
                bind: 127.0.0.1:%d
                pool: dns
            pools:
              web:
                targets:
                  - 127.0.0.1:%d
                  - 127.0.0.1:%d
              dns:
                targets:
                  - 127.0.0.1:%d
                  - 127.0.0.1:%d
                  - 127.0.0.1:%d
                health:
                  protocol: udp
                  send: ping
                  expect: pong
            """.formatted(webPort, dnsPort, tcpListening.getLocalPort(), tcpClosedPort, udpAnswering.getLocalPort(),
            udpSilent.getLocalPort(), udpClosedPort));
        return file;
    }

    private static String row(final String output, final int port)
    {
        return output.lines().filter(l -> l.contains("127.0.0.1:" + port + " ")).findFirst()
            .orElseThrow(() -> new AssertionError("no row for port " + port + " in:\n" + output));
    }

    @Test
    void reportsEachTargetAsReachableRefusedOrTimedOut() throws IOException
    {
        final CliRun run = CliRun.of("check", config().toString(), "--live", "--timeout", "500ms");

        assertEquals(Main.WARNINGS, run.status(), run.all());
        assertTrue(row(run.out(), tcpListening.getLocalPort()).contains("reachable"), run.out());
        assertTrue(row(run.out(), tcpClosedPort).contains("refused"), run.out());
        assertTrue(row(run.out(), udpAnswering.getLocalPort()).contains("reachable"), run.out());
        assertTrue(row(run.out(), udpSilent.getLocalPort()).contains("timed out"), run.out());
        assertTrue(row(run.out(), udpClosedPort).contains("ICMP port unreachable"), run.out());
        assertTrue(run.out().contains("3 of 5 direct requests were not answered as expected"), run.out());
        assertTrue(run.out().contains("Listener ports: all 2 free on this host."), run.out());
    }

    @Test
    void aListenerPortAlreadyHeldIsAnErrorNamingThePortAndTheProcess() throws IOException
    {
        final Path file = config();
        // Held as a second balancer would hold them: with SO_REUSEPORT, which listening sockets could join silently.
        try (java.nio.channels.ServerSocketChannel holder = java.nio.channels.ServerSocketChannel.open();
            java.nio.channels.DatagramChannel udpHolder = java.nio.channels.DatagramChannel.open())
        {
            holder.setOption(java.net.StandardSocketOptions.SO_REUSEPORT, true);
            holder.bind(new InetSocketAddress(LOOPBACK, webPort));
            udpHolder.setOption(java.net.StandardSocketOptions.SO_REUSEPORT, true);
            udpHolder.bind(new InetSocketAddress("0.0.0.0", dnsPort));

            final CliRun run = CliRun.of("check", file.toString(), "--live", "--timeout", "300ms");
            assertEquals(Main.ERRORS, run.status(), run.all());
            final long pid = ProcessHandle.current().pid();
            assertTrue(run.out().contains("Listener ports: 2 of 2 in use on this host, so 'portgate run' would " +
                "exit 2:"), run.out());
            assertTrue(run.out().contains(file + ":4:11: error: listener 'web' cannot bind TCP 127.0.0.1:" + webPort +
                ": the port is in use by this process, pid " + pid + " ("), run.out());
            assertTrue(run.out().contains(file + ":8:11: error: listener 'dns' cannot bind UDP 127.0.0.1:" +
                dnsPort + ": the port is in use by this process, pid " + pid + " ("), run.out());

            final CliRun json = CliRun.of("check", file.toString(), "--live", "--timeout", "300ms", "--format",
                "json");
            assertEquals(Main.ERRORS, json.status(), json.all());
            assertTrue(json.out().contains("\"portsInUse\": ["), json.out());
            assertTrue(json.out().contains("\"port\": " + webPort), json.out());
            assertTrue(json.out().contains("\"pid\": " + pid), json.out());
        }
    }

    @Test
    void allAnsweredExitsZeroAndJsonListsEveryCheck() throws IOException
    {
        final Path file = dir.resolve("ok.yaml");
        // max-connections within any open-file limit: this test is about the live checks, not the host's limits.
        Files.writeString(file, """
            listeners:
              - name: web
                bind: 127.0.0.1:%d
                pool: web
                max-connections: 1000
            pools:
              web:
                targets:
                  - 127.0.0.1:%d
            """.formatted(webPort, tcpListening.getLocalPort()));
        final CliRun text = CliRun.of("check", file.toString(), "--live");
        assertEquals(Main.OK, text.status(), text.all());
        assertTrue(text.out().contains("All 1 direct requests were answered."), text.out());

        final CliRun json = CliRun.of("check", config().toString(), "--live", "--timeout", "300ms", "--format", "json");
        assertEquals(Main.WARNINGS, json.status(), json.all());
        assertEquals(5, json.out().split("\"probe\"", -1).length - 1, json.out());
        assertTrue(json.out().contains("\"result\": \"refused\""), json.out());
        assertTrue(json.out().contains("\"result\": \"timed out\""), json.out());
    }

    @Test
    void liveChecksAreSkippedWhenTheConfigurationHasErrors() throws IOException, SocketException
    {
        final Path file = dir.resolve("bad.yaml");
        Files.writeString(file, "listeners: []\npools: {}\n");
        final CliRun run = CliRun.of("check", file.toString(), "--live");
        assertEquals(Main.ERRORS, run.status(), run.all());
        assertTrue(run.out().contains("live checks skipped"), run.out());
    }
}
