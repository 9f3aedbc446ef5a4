package io.portgate.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code log-format} and {@code log-level} as {@code ./portgate run} writes them to stderr: every line with an ISO-8601
 * UTC timestamp and a level, as text or as one JSON object per line, nothing below the level.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LogFormatIT
{
    private static final Duration STARTS_WITHIN = Duration.ofSeconds(60);
    private static final Pattern TEXT = Pattern.compile(
        "(\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z) (ERROR|WARN |INFO |DEBUG) (\\S.*)");
    private static final Pattern JSON = Pattern.compile(
        "\\{\"time\":\"([^\"]+)\",\"level\":\"(ERROR|WARN|INFO|DEBUG)\",\"logger\":\"[a-z.]+\",\"message\":\"(.*)\"}");

    @TempDir
    Path dir;

    @Test
    void textLinesCarryATimestampAndALevel() throws Exception
    {
        final Instant before = Instant.now().minusSeconds(1);
        final String err = runUntilTargetDown("text", "info");
        final Instant after = Instant.now().plusSeconds(1);
        final List<String> lines = err.lines().toList();
        assertFalse(lines.isEmpty());
        boolean started = false;
        boolean down = false;
        for (final String line : lines)
        {
            final Matcher m = TEXT.matcher(line);
            assertTrue(m.matches(), "a log line with a timestamp and a level: " + line + "\n" + err);
            final Instant at = Instant.parse(m.group(1));
            assertTrue(!at.isBefore(before) && !at.isAfter(after), "a timestamp of this run: " + line);
            started |= m.group(2).equals("INFO ") && m.group(3).startsWith("portgate started: 2 worker(s)");
            down |= m.group(2).equals("WARN ") && m.group(3).contains("of pool 'web' is down");
        }
        assertTrue(started, err);
        assertTrue(down, err);
    }

    @Test
    void jsonIsOneObjectPerLineFromTheLevelUp() throws Exception
    {
        final String err = runUntilTargetDown("json", "warn");
        final List<String> lines = err.lines().toList();
        assertFalse(lines.isEmpty());
        boolean down = false;
        for (final String line : lines)
        {
            final Matcher m = JSON.matcher(line);
            assertTrue(m.matches(), "one JSON object: " + line + "\n" + err);
            Instant.parse(m.group(1));
            assertTrue(m.group(2).equals("WARN") || m.group(2).equals("ERROR"), "nothing below warn: " + line);
            down |= m.group(3).contains("of pool 'web' is down");
        }
        assertTrue(down, err);
        assertFalse(err.contains("portgate started"), "info is below warn: " + err);
    }

    /** Runs a balancer whose one target refuses, until the probe takes it down, then stops it; returns stderr. */
    private String runUntilTargetDown(final String format, final String level) throws Exception
    {
        final int refusing;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            refusing = s.getLocalPort();
        }
        final Path file = dir.resolve("log.yaml");
        Files.writeString(file, """
            workers: 2
            metrics-file: %s
            log-format: %s
            log-level: %s
            listeners:
              - name: web
                bind: 127.0.0.1:%d
                pool: web
            pools:
              web:
                targets: [127.0.0.1:%d]
                health: {protocol: tcp, interval: 100ms, timeout: 500ms, fall: 1, rise: 1}
            """.formatted(dir.resolve("log.metrics"), format, level, freeTcpPort(), refusing));
        try (PortgateProcess process = PortgateProcess.start(Map.of(), "run", file.toString()))
        {
            process.awaitOut(l -> l.startsWith("portgate: running"), STARTS_WITHIN);
            process.awaitErr(l -> l.contains("of pool 'web' is down"), STARTS_WITHIN);
            process.signal("TERM");
            final PortgateProcess.Result r = process.await(Duration.ofSeconds(30));
            assertEquals(0, r.status(), r.toString());
            return r.err();
        }
    }

    private static int freeTcpPort() throws IOException
    {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return s.getLocalPort();
        }
    }
}
