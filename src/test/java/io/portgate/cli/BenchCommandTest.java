package io.portgate.cli;

import io.portgate.bench.harness.BenchContext;
import io.portgate.bench.harness.BenchServer;
import io.portgate.config.Units;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code portgate bench}: short runs against the harness's own servers on 127.0.0.1, and every refusal. */
@Timeout(20)
class BenchCommandTest
{
    private static final InetSocketAddress LOOPBACK_ANY_PORT =
        new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

    @TempDir
    Path dir;

    private static String address(final BenchServer server)
    {
        return "127.0.0.1:" + server.localAddress().getPort();
    }

    /** JSON is YAML 1.2, so the YAML parser the configuration uses reads the report back as a real parse. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> parse(final String json)
    {
        return (Map<String, Object>)new Load(LoadSettings.builder().build()).loadFromString(json);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(final Map<String, Object> m, final String key)
    {
        return (Map<String, Object>)m.get(key);
    }

    private static long number(final Map<String, Object> m, final String key)
    {
        return ((Number)m.get(key)).longValue();
    }

    @Test
    void rrJsonReportParsesWithEveryKey()
    {
        try (BenchServer echo = BenchServer.start(BenchServer.Kind.TCP_ECHO, LOOPBACK_ANY_PORT))
        {
            final CliRun run = CliRun.of("bench", "rr", address(echo), "-c", "2", "--rate", "2000", "-d", "500ms",
                "-w", "200ms", "--format", "json", "--quiet");
            assertEquals(Main.OK, run.status(), run.all());
            assertEquals("", run.err());
            final Map<String, Object> report = parse(run.out());
            for (final String key : new String[] {"mode", "target", "connections", "size", "requestedRate",
                "measuredNanos", "operations", "rate", "errors", "timeouts", "latency", "errorMessages"})
            {
                assertTrue(report.containsKey(key), key + " missing from " + run.out());
            }
            assertEquals("rr", report.get("mode"));
            assertEquals(address(echo), report.get("target"));
            assertEquals(2000L, number(report, "requestedRate"));
            assertTrue(number(report, "operations") > 0, run.out());
            final Map<String, Object> latency = map(map(report, "latency"), "latency");
            assertEquals("ns", latency.get("unit"));
            assertTrue(number(latency, "p50") <= number(latency, "p99"), run.out());
            assertTrue(number(latency, "p99") <= number(latency, "p999"), run.out());
            assertTrue(number(latency, "p999") <= number(latency, "max"), run.out());
            assertTrue(map(report, "latency").containsKey("service"), run.out());
        }
        catch (final IOException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    @Test
    void textReportAndAProgressLineOnStderr() throws IOException
    {
        try (BenchServer echo = BenchServer.start(BenchServer.Kind.UDP_ECHO, LOOPBACK_ANY_PORT))
        {
            final CliRun run = CliRun.of("bench", "udp-rr", address(echo), "-d", "1200ms", "-w", "0s");
            assertEquals(Main.OK, run.status(), run.all());
            assertTrue(run.out().startsWith("portgate bench udp-rr -> " + address(echo)), run.out());
            assertTrue(run.out().contains("round trips"), run.out());
            assertTrue(run.out().matches("(?s).*\\n  latency +\\S+ +\\S+ +\\S+ +\\S+ +\\S+ +\\S+ +\\d+\\n.*"),
                run.out());
            assertTrue(run.err().matches("(?s) +1\\.0s  udp-rr  \\d+ round trips/s  p50 .*errors 0\\n.*"), run.err());
        }
    }

    @Test
    void udpOneWayStraightIntoItsSinkAndThroughTheCommandLinesOwnSink() throws IOException
    {
        final CliRun direct = CliRun.of("bench", "udp-oneway", "-r", "2000", "-d", "500ms", "-w", "100ms",
            "--format", "json", "-q");
        assertEquals(Main.OK, direct.status(), direct.all());
        final Map<String, Object> loss = map(parse(direct.out()), "loss");
        assertEquals(number(loss, "sent"), number(loss, "received") + number(loss, "lost"), direct.out());
        assertEquals(1000, number(loss, "sent"), direct.out());

        // A standalone sink as the target: the run's own sink gets nothing, so everything counts as lost.
        try (BenchServer other = BenchServer.start(BenchServer.Kind.UDP_SINK, LOOPBACK_ANY_PORT))
        {
            final int freePort;
            try (var probe = new java.net.DatagramSocket(0, InetAddress.getLoopbackAddress()))
            {
                freePort = probe.getLocalPort();
            }
            final CliRun elsewhere = CliRun.of("bench", "udp-oneway", address(other), "--sink", "127.0.0.1:" + freePort,
                "-r", "1000", "-d", "300ms", "-w", "0s", "--drain", "20ms", "-q");
            assertEquals(Main.OK, elsewhere.status(), elsewhere.all());
            assertTrue(elsewhere.out().contains("lost         300 (100.000%)"), elsewhere.out());
            assertTrue(other.messages() >= 300, "the target got them: " + other.messages());
        }
    }

    @Test
    void histogramLogIsWritten() throws IOException
    {
        final Path log = dir.resolve("connect.hlog");
        try (BenchServer echo = BenchServer.start(BenchServer.Kind.TCP_ECHO, LOOPBACK_ANY_PORT))
        {
            final CliRun run = CliRun.of("bench", "connect", address(echo), "-r", "200", "-d", "1100ms", "-w", "0s",
                "--histogram-log", log.toString(), "-q");
            assertEquals(Main.OK, run.status(), run.all());
            final String text = Files.readString(log);
            assertTrue(text.contains("#[StartTime: "), text);
            assertTrue(text.contains("Tag=handshake,"), text);
            assertTrue(text.contains("Tag=connect,"), text);
        }
    }

    @Test
    void serverRunsForItsDurationAndSaysWhereItListens()
    {
        final CliRun run = CliRun.of("bench", "server", "--sink", "tcp", "--bind", "127.0.0.1:0", "-d", "300ms",
            "-q");
        assertEquals(Main.OK, run.status(), run.all());
        assertTrue(run.out().matches("(?s)portgate bench server: tcp sink listening on 127\\.0\\.0\\.1:\\d+\\n" +
            "portgate bench server: 0 connections, 0 bytes\\n"), run.out());

        final CliRun udp = CliRun.of("bench", "server", "--sink", "udp", "--bind", "127.0.0.1:0", "-d", "100ms");
        assertEquals(Main.OK, udp.status(), udp.all());
        assertTrue(udp.out().contains("measured bench datagrams: 0 distinct"), udp.out());
    }

    @Test
    void aTargetNobodyListensOnIsOneLineAndExit2() throws IOException
    {
        final int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            port = s.getLocalPort();
        }
        assertRefused("portgate bench: cannot connect to 127.0.0.1:" + port + ": Connection refused",
            "bench", "rr", "127.0.0.1:" + port, "-d", "200ms");
    }

    @Test
    void badInputIsOneClearLineAndExit2()
    {
        assertRefused("portgate bench: unknown mode 'ping'; use one of rr, connect, udp-rr, udp-oneway, bulk",
            "bench", "ping", "127.0.0.1:9");
        assertRefused("portgate bench: give a mode: rr, connect, udp-rr, udp-oneway, bulk (or 'server' to run an " +
            "echo server or a sink); see 'portgate bench --help'", "bench");
        assertRefused("portgate bench: rr needs a TARGET address, e.g. 'portgate bench rr 127.0.0.1:8080'",
            "bench", "rr");
        assertRefused("portgate bench: --rate must be more than zero, not 0; leave it out to run as fast as " +
            "replies come", "bench", "rr", "127.0.0.1:9", "--rate", "0");
        assertRefused("portgate bench: --rate must be more than zero, not -5; leave it out to run as fast as " +
            "replies come", "bench", "udp-oneway", "--rate=-5");
        assertRefused("portgate bench: target: '127.0.0.1' has no port; write address:port, e.g. 127.0.0.1:8080",
            "bench", "rr", "127.0.0.1");
        assertRefused("portgate bench: target: 'http' is not a port or a port range",
            "bench", "connect", "127.0.0.1:http");
        assertRefused("portgate bench: target: '127.0.0.1:80-81' is a port range; give one port",
            "bench", "rr", "127.0.0.1:80-81");
        assertRefused("portgate bench: rr messages carry a 16-byte header (sequence and send time), so size must " +
            "be at least 16, not 8", "bench", "rr", "127.0.0.1:9", "-s", "8");
        assertRefused("portgate bench: udp-oneway messages carry a 16-byte header", "bench", "udp-oneway", "-s",
            "15");
        assertRefused("portgate bench: size 70000 is more than the 65507 bytes udp-rr can send in one datagram",
            "bench", "udp-rr", "127.0.0.1:9", "-s", "70000");
        assertRefused("portgate bench: --size: 'big' is not a size", "bench", "bulk", "127.0.0.1:9", "-s", "big");
        assertRefused("portgate bench: bulk pushes as fast as it can; a rate does not apply to it",
            "bench", "bulk", "127.0.0.1:9", "-r", "100");
        assertRefused("portgate bench: --duration: duration '5' has no unit; write e.g. 5s or 5ms",
            "bench", "rr", "127.0.0.1:9", "-d", "5");
        assertRefused("portgate bench: duration must be more than zero", "bench", "rr", "127.0.0.1:9", "-d", "0s");
        assertRefused("portgate bench: connections must be at least 1, not 0", "bench", "rr", "127.0.0.1:9",
            "-c", "0");
        assertRefused("portgate bench: --count must be more than zero, not 0", "bench", "rr", "127.0.0.1:9",
            "-n", "0");
        assertRefused("portgate bench: --format 'xml' is not one of: text, json", "bench", "rr", "127.0.0.1:9",
            "--format", "xml");
        assertRefused("portgate bench: udp-oneway needs a sink address: the address the target forwards to",
            "bench", "udp-oneway", "127.0.0.1:9");
        assertRefused("portgate bench: --sink: port 0 would pick a port the target cannot know",
            "bench", "udp-oneway", "127.0.0.1:9", "--sink", "127.0.0.1:0");
        assertRefused("portgate bench: a sink address applies to udp-oneway only", "bench", "rr", "127.0.0.1:9",
            "--sink", "127.0.0.1:10");
        assertRefused("portgate bench: threads applies to rr and udp-rr only", "bench", "connect", "127.0.0.1:9",
            "-c", "4", "-t", "2");
        assertRefused("portgate bench server: --echo: protocol 'sctp' is not tcp or udp", "bench", "server",
            "--echo", "sctp", "--bind", "127.0.0.1:0");
        assertRefused("portgate bench server: --bind: '127.0.0.1' has no port", "bench", "server",
            "--echo", "tcp", "--bind", "127.0.0.1");
        assertRefused("portgate bench server: --sink: protocol 'icmp' is not tcp or udp", "bench", "server",
            "--sink", "icmp", "--bind", "127.0.0.1:0");
    }

    @Test
    void picocliRefusalsAlsoExit2()
    {
        final CliRun unknownOption = CliRun.of("bench", "rr", "127.0.0.1:9", "--rat", "5");
        assertEquals(Main.ERRORS, unknownOption.status(), unknownOption.all());
        assertTrue(unknownOption.err().startsWith("portgate: Unknown options: '--rat', '5'"), unknownOption.err());
        final CliRun notANumber = CliRun.of("bench", "rr", "127.0.0.1:9", "--rate", "fast");
        assertEquals(Main.ERRORS, notANumber.status(), notANumber.all());
        assertTrue(notANumber.err().contains("'fast' is not a long"), notANumber.err());
        final CliRun noRole = CliRun.of("bench", "server", "--bind", "127.0.0.1:0");
        assertEquals(Main.ERRORS, noRole.status(), noRole.all());
        assertTrue(noRole.err().contains("Missing required argument"), noRole.err());
    }

    @Test
    void helpNamesEveryModeAndTheServer()
    {
        final CliRun run = CliRun.of("bench", "--help");
        assertEquals(Main.OK, run.status(), run.all());
        for (final String word : new String[] {"rr ", "connect ", "udp-rr ", "udp-oneway ", "bulk ", "server ",
            "--rate", "--histogram-log", "coordinated", "wrk2"})
        {
            assertTrue(run.out().contains(word), word + " missing from help");
        }
        assertTrue(CliRun.of("--help").out().contains("bench"));
        // The library owns the defaults; the help text must say the same.
        for (final String fact : new String[] {
            "default " + Units.formatDuration(BenchContext.DEFAULT_DURATION),
            "default " + Units.formatDuration(BenchContext.DEFAULT_WARMUP),
            "default " + Units.formatDuration(BenchContext.DEFAULT_TIMEOUT),
            "default " + Units.formatDuration(BenchContext.DEFAULT_DRAIN),
            "default " + Units.formatSize(BenchContext.DEFAULT_BULK_WRITE_SIZE)})
        {
            assertTrue(run.out().replaceAll("\\s+", " ").contains(fact), fact + " missing from help");
        }
    }

    private static void assertRefused(final String expectedStart, final String... args)
    {
        final CliRun run = CliRun.of(args);
        assertEquals(Main.ERRORS, run.status(), String.join(" ", args) + " -> " + run.all());
        assertEquals("", run.out(), String.join(" ", args));
        assertTrue(run.err().startsWith(expectedStart), String.join(" ", args) + " -> " + run.err());
        assertEquals(1, run.err().strip().lines().count(), "one line: " + run.err());
    }
}
