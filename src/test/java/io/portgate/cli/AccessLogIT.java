package io.portgate.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code portgate run} with an access log and a deny list, as an operator runs it: records land in the file,
 * logrotate's rename and SIGUSR1 make a new file, and {@code portgate stat} shows the refusals by reason.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class AccessLogIT
{
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

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
    void sigusr1OpensTheRenamedLogAgainAndStatCountsRefusals() throws Exception
    {
        final int target = tcpEcho();
        final int port;
        try (ServerSocket probe = new ServerSocket(0, 1, LOOPBACK))
        {
            port = probe.getLocalPort();
        }
        final Path log = dir.resolve("access.log");
        final Path metrics = dir.resolve("run.metrics");
        final Path file = dir.resolve("access.yaml");
        Files.writeString(file, """
            workers: 1
            metrics-file: %s
            access-log: {path: %s, format: text}
            listeners:
              - name: web
                bind: 127.0.0.1:%d
                pool: web
                deny: [127.0.0.2]
            pools:
              web:
                targets: [127.0.0.1:%d]
            """.formatted(metrics, log, port, target));
        final PortgateProcess process = PortgateProcess.start(Map.of(), "run", file.toString());
        resources.add(process);
        process.awaitOut(l -> l.startsWith("portgate: running"), Duration.ofSeconds(60));
        assertTrue(process.out().contains("portgate: access log to " + log + " (text); SIGUSR1 opens it again"),
            process.out());

        roundTrip(port, "first");
        awaitLine(log, " tcp web 127.0.0.1:");
        final Path rotated = dir.resolve("access.log.1");
        Files.move(log, rotated);
        process.signal("USR1");
        for (int i = 0; i < 100 && !Files.exists(log); i++)
        {
            Thread.sleep(20);
        }
        roundTrip(port, "second");
        final String line = awaitLine(log, " tcp web 127.0.0.1:");
        assertTrue(line.contains(" 6 6 - - "), line);
        assertEquals(1, Files.readAllLines(rotated).size(), Files.readAllLines(rotated).toString());

        try (Socket denied = new Socket())
        {
            denied.bind(new InetSocketAddress("127.0.0.2", 0));
            denied.connect(new InetSocketAddress(LOOPBACK, port));
            denied.setSoTimeout(10_000);
            assertEquals(-1, denied.getInputStream().read());
        }
        catch (final SocketException reset)
        {
            // Closed with a reset: refused as well.
        }
        awaitLine(log, " refused_by_rule");
        final PortgateProcess.Result stat = PortgateProcess.run(Duration.ofSeconds(60), Map.of(), "stat", "--file",
            metrics.toString(), "--once");
        assertEquals(0, stat.status(), stat.toString());
        assertTrue(stat.out().contains("ACCESS_REFUSED:DENIED"), stat.out());
    }

    private static void roundTrip(final int port, final String text) throws IOException
    {
        try (Socket socket = new Socket(LOOPBACK, port))
        {
            final byte[] bytes = text.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            final OutputStream out = socket.getOutputStream();
            out.write(bytes);
            socket.shutdownOutput();
            final InputStream in = socket.getInputStream();
            assertArrayEquals(bytes, in.readAllBytes());
        }
    }

    private static String awaitLine(final Path log, final String part) throws Exception
    {
        for (int i = 0; i < 1000; i++)
        {
            if (Files.exists(log))
            {
                for (final String line : Files.readAllLines(log))
                {
                    if (line.contains(part))
                    {
                        return line;
                    }
                }
            }
            Thread.sleep(10);
        }
        throw new AssertionError("no line with '" + part + "' in " + log);
    }

    private int tcpEcho() throws IOException
    {
        final ServerSocket server = new ServerSocket(0, 50, LOOPBACK);
        resources.add(server);
        Thread.ofVirtual().start(() ->
        {
            try
            {
                while (true)
                {
                    final Socket s = server.accept();
                    resources.add(s);
                    Thread.ofVirtual().start(() ->
                    {
                        try (s)
                        {
                            s.getInputStream().transferTo(s.getOutputStream());
                            s.shutdownOutput();
                        }
                        catch (final IOException ignored)
                        {
                            // the balancer closed it
                        }
                    });
                }
            }
            catch (final IOException closed)
            {
                // the test is over
            }
        });
        return server.getLocalPort();
    }
}
