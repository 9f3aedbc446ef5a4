package io.portgate.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The open-file limit as the kernel enforces it on {@code ./portgate} started under {@code prlimit}: check warns when
 * max-connections cannot fit, with the numbers and the fix; and a configuration it finds to fit really holds that
 * many connections open at once under that limit, every one forwarding.
 */
@EnabledOnOs(OS.LINUX)
@Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class OpenFileLimitIT
{
    private static final int LIMIT = 1024;
    private static final List<String> LIMITED = List.of("prlimit", "--nofile=" + LIMIT + ":" + LIMIT);
    private static final Pattern NEEDED = Pattern.compile("may need (\\d+) open files at its busiest \\((\\d+) for " +
        "(\\d+) TCP connections \\(2 each\\), ");

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

    private Path config(final int maxConnections, final int listen, final int target) throws IOException
    {
        final Path file = dir.resolve("limit-" + maxConnections + ".yaml");
        Files.writeString(file, """
            workers: 1
            metrics-file: %s
            drain-timeout: 1s
            listeners:
              - name: web
                bind: 127.0.0.1:%d
                pool: web
                max-connections: %d
            pools:
              web:
                targets: [127.0.0.1:%d]
            """.formatted(dir.resolve("m-" + maxConnections), listen, maxConnections, target));
        return file;
    }

    @Test
    void checkWarnsWithTheNumbersAndTheFixWhenMaxConnectionsCannotFit() throws Exception
    {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "prlimit (util-linux) is not installed");
        final Path file = config(1000, 18080, 9000);
        try (PortgateProcess p = PortgateProcess.start(LIMITED, Map.of(), "check", file.toString()))
        {
            final PortgateProcess.Result r = p.await(Duration.ofSeconds(60));
            assertEquals(1, r.status(), r.toString());
            assertTrue(r.out().contains(file + ": warning: this configuration may need "), r.toString());
            assertTrue(r.out().contains("(2000 for 1000 TCP connections (2 each), 1 listening sockets (one per port " +
                "per worker), about "), r.toString());
            assertTrue(r.out().contains("but this process may open " + LIMIT + " (its open-file limit, ulimit -n)"),
                r.toString());
            final Matcher m = NEEDED.matcher(r.out());
            assertTrue(m.find(), r.toString());
            final long needed = Long.parseLong(m.group(1));
            assertTrue(r.out().contains("raise the limit to at least " + needed + " (ulimit -n " + needed + " in the " +
                "shell that starts portgate, LimitNOFILE=" + needed + " in its systemd unit), or lower " +
                "max-connections or max-flows"), r.toString());
        }
    }

    @Test
    void asManyConnectionsAsCheckSaysFitAreHeldOpenAtOnce() throws Exception
    {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/prlimit")), "prlimit (util-linux) is not installed");
        final ServerSocket echo = new ServerSocket(0, 1000, InetAddress.getLoopbackAddress());
        open.add(echo);
        Thread.ofVirtual().start(() -> serveEcho(echo));

        // What check counts for everything but the connections, from its own warning...
        final int listen = NonEphemeralPort.free();
        final PortgateProcess.Result tooMany = PortgateProcess.start(LIMITED, Map.of(), "check",
            config(1000, listen, echo.getLocalPort()).toString()).await(Duration.ofSeconds(60));
        final Matcher m = NEEDED.matcher(tooMany.out());
        assertTrue(m.find(), tooMany.toString());
        final long rest = Long.parseLong(m.group(1)) - Long.parseLong(m.group(2));
        // ...gives the most connections that fit, which check then passes without a word.
        final int fits = (int)((LIMIT - rest) / 2);
        final Path file = config(fits, listen, echo.getLocalPort());
        final PortgateProcess.Result clean = PortgateProcess.start(LIMITED, Map.of(), "check", file.toString())
            .await(Duration.ofSeconds(60));
        assertEquals(0, clean.status(), clean.toString());

        final PortgateProcess portgate = PortgateProcess.start(LIMITED, Map.of(), "run", file.toString());
        open.add(portgate);
        portgate.awaitOut(l -> l.startsWith("portgate: running"), Duration.ofSeconds(60));
        final List<Socket> clients = new ArrayList<>();
        try
        {
            for (int i = 0; i < fits; i++)
            {
                final Socket client = new Socket();
                clients.add(client);
                client.setSoTimeout(10_000);
                client.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), listen), 10_000);
                final byte[] payload = ("connection " + i + "\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII);
                client.getOutputStream().write(payload);
                assertArrayEquals(payload, client.getInputStream().readNBytes(payload.length),
                    "connection " + i + " of " + fits + " forwards");
            }
            // All of them at once, still open: each echoes again.
            for (int i = 0; i < fits; i++)
            {
                final byte[] payload = {(byte)i, (byte)(i >> 8)};
                clients.get(i).getOutputStream().write(payload);
                assertArrayEquals(payload, clients.get(i).getInputStream().readNBytes(2), "connection " + i);
            }
        }
        finally
        {
            for (final Socket client : clients)
            {
                client.close();
            }
        }
        assertFalse(portgate.err().contains("Too many open files"), portgate.err());
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
}
