package io.portgate.cli;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./portgate stat} and {@code ./portgate ports} as processes, reading a {@code ./portgate run} that runs
 * beside them: every row has a name, and gauges read as what they mean (a state, a probe result, a time in state)
 * rather than as the numbers the metrics file stores.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class LiveViewsIT
{
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    private static final Duration WITHIN = Duration.ofSeconds(60);

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
    void statAndPortsShowNamesWordsAndDurations() throws Exception
    {
        final ServerSocket probed = new ServerSocket(0, 50, LOOPBACK);
        resources.add(probed);
        final int udpTarget;
        try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0)))
        {
            udpTarget = s.getLocalPort();
        }
        final Path metrics = dir.resolve("views.metrics");
        final Path file = dir.resolve("views.yaml");
        Files.writeString(file, """
            workers: 1
            metrics-file: %s
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
                health:
                  protocol: tcp
                  interval: 100ms
              dns:
                targets: [127.0.0.1:%d]
            """.formatted(metrics, Echoes.freeTcpPort(), Echoes.freeUdpPort(), probed.getLocalPort(), udpTarget));
        final PortgateProcess run = PortgateProcess.start(Map.of(), "run", file.toString());
        resources.add(run);
        run.awaitOut(l -> l.startsWith("portgate: running"), WITHIN);
        run.signal("HUP");
        run.awaitOut(l -> l.contains("reload=1 result=applied"), WITHIN);

        final PortgateProcess.Result stat = statOnceProbed(metrics);
        assertEquals(0, stat.status(), stat.toString());
        assertTrue(stat.out().lines().anyMatch(l -> l.equals("reloads: 1 applied, 0 rejected")), stat.toString());
        assertFalse(stat.out().contains("RELOADS"), stat.toString());
        assertTrue(stat.out().lines().noneMatch(l -> l.matches("^\\s+\\S.*")), "every row has a name: " + stat);
        final List<String> targetHeaders = stat.out().lines().filter(l -> l.startsWith("POOL")).toList();
        assertEquals(2, targetHeaders.size(), stat.toString());
        for (final String header : targetHeaders)
        {
            assertTrue(header.contains(" IN_STATE "), header);
            assertFalse(header.contains("SINCE"), header);
        }
        assertTrue(stat.out().lines().anyMatch(l -> l.matches("web +127\\.0\\.0\\.1:" + probed.getLocalPort() +
            " .* up .* \\d{1,2}s +\\d+ +ok( .*|$)")), stat.toString());
        assertTrue(stat.out().lines().anyMatch(l -> l.matches("dns +127\\.0\\.0\\.1:" + udpTarget +
            " .* up .* \\d{1,2}s +- +none_yet( .*|$)")), stat.toString());

        final PortgateProcess.Result ports = PortgateProcess.run(WITHIN, Map.of(), "ports", file.toString(), "--live");
        assertEquals(0, ports.status(), ports.toString());
        assertTrue(ports.out().lines().anyMatch(l -> l.startsWith("LISTENER") &&
            l.endsWith("STATE  LAST PROBE  PROBE LATENCY  TIME IN STATE")), ports.toString());
        assertTrue(ports.out().lines().anyMatch(l -> l.startsWith("dns ") &&
            l.matches(".* up +none yet +- +\\d{1,2}s$")), "no probe yet is said in words: " + ports);
        assertTrue(ports.out().lines().anyMatch(l -> l.startsWith("web ") &&
            l.matches(".* up +ok +\\d+us +\\d{1,2}s$")), ports.toString());

        final PortgateProcess.Result markdown = PortgateProcess.run(WITHIN, Map.of(), "ports", file.toString(),
            "--format", "markdown");
        assertEquals(0, markdown.status(), markdown.toString());
        final String header = markdown.out().lines().findFirst().orElseThrow();
        assertTrue(header.startsWith("| LISTENER |"), markdown.toString());
        for (final String cell : header.substring(1, header.length() - 1).split("\\|"))
        {
            assertFalse(cell.isBlank(), "every heading has a name: " + header);
        }

        run.signal("TERM");
        assertEquals(0, run.await(WITHIN).status());
    }

    /** {@code stat --once}, again until the probed target's first probe has been published. */
    private static PortgateProcess.Result statOnceProbed(final Path metrics) throws Exception
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true)
        {
            final PortgateProcess.Result stat = PortgateProcess.run(WITHIN, Map.of(), "stat", "--once", "--file",
                metrics.toString());
            if (stat.out().lines().anyMatch(l -> l.startsWith("web ") && l.contains(" ok")) ||
                System.nanoTime() - deadline > 0)
            {
                return stat;
            }
            Thread.sleep(200);
        }
    }
}
