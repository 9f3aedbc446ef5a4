package io.portgate.cli;

import io.portgate.metrics.Metric;
import io.portgate.metrics.MetricsReader;
import org.junit.jupiter.api.AfterEach;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * SIGHUP with a file that once overflowed the parser's stack: {@code ./portgate run} says the reload was rejected,
 * counts it in portgate_reloads_total, keeps forwarding, and serves the next reload.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class ReloadFailureIT
{
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;

    private ServerSocket echo;

    @AfterEach
    void close() throws IOException
    {
        if (echo != null)
        {
            echo.close();
        }
    }

    @Test
    void aReloadThatOnceKilledTheReloadThreadIsRejectedCountedAndTheNextOneApplies() throws Exception
    {
        echo = new ServerSocket(0, 50, LOOPBACK);
        Thread.ofVirtual().start(this::serveEcho);
        final int listen = NonEphemeralPort.free();
        final Path metrics = dir.resolve("portgate.metrics");
        final Path file = dir.resolve("portgate.yaml");
        final String valid = """
            workers: 1
            metrics-file: %s
            drain-timeout: 1s
            listeners:
              - name: web
                bind: 127.0.0.1:%d
                pool: web
                max-connections: 100
            pools:
              web:
                targets: [127.0.0.1:%d]
            """.formatted(metrics, listen, echo.getLocalPort());
        Files.writeString(file, valid);
        try (PortgateProcess portgate = PortgateProcess.start(Map.of(), "run", file.toString()))
        {
            portgate.awaitOut(l -> l.startsWith("portgate: running"), Duration.ofSeconds(60));
            assertForwards(listen);

            Files.writeString(file, valid + "extra: " + "[".repeat(10_000) + "\n");
            portgate.signal("HUP");
            final String rejected = portgate.awaitErr(l -> l.contains("portgate: reload result=rejected"),
                Duration.ofSeconds(30));
            // A log line: a timestamp, the level, then what happened.
            assertTrue(rejected.matches("\\S+Z WARN  portgate: reload result=rejected reason=1 error in " +
                java.util.regex.Pattern.quote(file.toString()) + "; still running the previous configuration"),
                rejected);
            assertTrue(portgate.err().contains(file + ":12:57: error: the file nests lists and mappings more than 50 " +
                "levels deep"), portgate.err());
            try (MetricsReader reader = MetricsReader.open(metrics))
            {
                assertEquals(1, reader.sum(Metric.RELOADS, "result", "rejected"));
                assertEquals(0, reader.sum(Metric.RELOADS, "result", "applied"));
            }
            assertForwards(listen);

            // The reload thread lives on: the next SIGHUP applies.
            Files.writeString(file, valid.replace("max-connections: 100", "max-connections: 99"));
            portgate.signal("HUP");
            final String applied = portgate.awaitOut(l -> l.startsWith("portgate: reload"), Duration.ofSeconds(30));
            assertTrue(applied.contains("result=applied"), portgate.out() + portgate.err());
            try (MetricsReader reader = MetricsReader.open(metrics))
            {
                assertEquals(1, reader.sum(Metric.RELOADS, "result", "applied"));
            }
            portgate.signal("TERM");
            assertEquals(0, portgate.await(Duration.ofSeconds(30)).status());
        }
    }

    private static void assertForwards(final int port) throws IOException
    {
        try (Socket client = new Socket(LOOPBACK, port))
        {
            client.setSoTimeout(10_000);
            final byte[] payload = "through portgate\n".getBytes(StandardCharsets.US_ASCII);
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
