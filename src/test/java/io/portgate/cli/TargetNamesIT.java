package io.portgate.cli;

import io.portgate.testing.DnsServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Targets written as host names, with {@code ./portgate} as a process and an in-process DNS server named by
 * {@code resolvers:}: the shaded jar looks names up through it, logs nothing of its own on stderr, and {@code run}
 * forwards to the addresses the name has, looked up again every {@code resolve-interval}.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class TargetNamesIT
{
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;

    private DnsServer dns;
    private ServerSocket echo;

    @BeforeEach
    void start() throws IOException
    {
        dns = DnsServer.start();
        echo = new ServerSocket(0, 50, LOOPBACK);
        Thread.ofVirtual().start(this::serveEcho);
    }

    @AfterEach
    void stop() throws IOException
    {
        echo.close();
        dns.close();
    }

    private Path config(final int listen, final String target) throws IOException
    {
        final Path file = dir.resolve("portgate.yaml");
        Files.writeString(file, """
            workers: 1
            metrics-file: %s
            drain-timeout: 1s
            max-connections: 100
            resolvers: ["%s"]
            listeners:
              - name: web
                bind: 127.0.0.1:%d
                pool: web
            pools:
              web:
                port: %d
                resolve-interval: 200ms
                targets: [%s]
            """.formatted(dir.resolve("portgate.metrics"), dns.text(), listen, echo.getLocalPort(), target));
        return file;
    }

    @Test
    void checkLooksNamesUpThroughResolversAndWarnsOfOneThatDoesNotResolve() throws Exception
    {
        dns.set("web.portgate.test", "127.0.0.1");
        final Path file = config(NonEphemeralPort.free(), "web.portgate.test, gone.portgate.test");
        // A bind by name goes through the JDK's own resolver, beside the lookups of targets through resolvers:.
        Files.writeString(file, Files.readString(file).replace("bind: 127.0.0.1:", "bind: localhost:"));

        final PortgateProcess.Result r = PortgateProcess.run("check", file.toString());

        assertEquals(1, r.status(), r.toString());
        assertTrue(r.out().contains(file + ":14:34: warning: pool 'web' target 'gone.portgate.test:" +
            echo.getLocalPort() + "': host name 'gone.portgate.test' does not resolve: NXDOMAIN: no such name; " +
            "asked " + dns.text()), r.toString());
        assertEquals("", r.err(), "nothing on stderr");
        assertEquals(2, dns.questionsAbout("web.portgate.test"));
    }

    @Test
    void runKeepsANamesLastGoodAddressWhenItStopsResolvingAndAReloadStillApplies() throws Exception
    {
        dns.set("web.portgate.test", "127.0.0.1");
        final int listen = NonEphemeralPort.free();
        final Path file = config(listen, "web.portgate.test");
        try (PortgateProcess portgate = PortgateProcess.start(Map.of(), "run", file.toString()))
        {
            portgate.awaitOut(l -> l.startsWith("portgate: running"), Duration.ofSeconds(60));
            assertForwards(listen);

            dns.remove("web.portgate.test");
            final String failed = portgate.awaitErr(l -> l.contains("target name 'web.portgate.test'") &&
                l.contains("lookup failed"), Duration.ofSeconds(30));
            assertTrue(failed.contains("keeping its last address, 127.0.0.1"), failed);
            portgate.signal("HUP");
            portgate.awaitOut(l -> l.startsWith("portgate: reload=1 result=applied"), Duration.ofSeconds(30));
            assertFalse(portgate.err().contains("result=rejected"), portgate.err());
            assertForwards(listen);

            portgate.signal("TERM");
            assertEquals(0, portgate.await(Duration.ofSeconds(30)).status());
        }
    }

    @Test
    void runStartsWithANameThatDoesNotResolveAndForwardsOnceItDoes() throws Exception
    {
        final int listen = NonEphemeralPort.free();
        final Path file = config(listen, "late.portgate.test");
        try (PortgateProcess portgate = PortgateProcess.start(Map.of(), "run", file.toString()))
        {
            portgate.awaitOut(l -> l.startsWith("portgate: running"), Duration.ofSeconds(60));
            assertTrue(portgate.err().contains("host name 'late.portgate.test' does not resolve"), portgate.err());
            assertClosedUnanswered(listen);

            dns.set("late.portgate.test", "127.0.0.1");
            portgate.awaitErr(l -> l.contains("targets named by host name changed: applied as a reload"),
                Duration.ofSeconds(30));
            assertForwards(listen);

            portgate.signal("TERM");
            assertEquals(0, portgate.await(Duration.ofSeconds(30)).status());
        }
    }

    /** No target to forward to: the connection is closed (or reset) without a byte back. */
    private static void assertClosedUnanswered(final int port) throws IOException
    {
        try (Socket client = new Socket(LOOPBACK, port))
        {
            client.setSoTimeout(10_000);
            client.getOutputStream().write("nobody\n".getBytes(StandardCharsets.US_ASCII));
            int read;
            try
            {
                read = client.getInputStream().read();
            }
            catch (final java.net.SocketException reset)
            {
                read = -1;
            }
            assertEquals(-1, read, "closed without an answer");
        }
    }

    private static void assertForwards(final int port) throws IOException
    {
        try (Socket client = new Socket(LOOPBACK, port))
        {
            client.setSoTimeout(10_000);
            final byte[] payload = "through a name\n".getBytes(StandardCharsets.US_ASCII);
            client.getOutputStream().write(payload);
            assertArrayEquals(payload, client.getInputStream().readNBytes(payload.length));
        }
    }

    private void serveEcho()
    {
        try
        {
            while (true)
            {
                final Socket s = echo.accept();
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
}
