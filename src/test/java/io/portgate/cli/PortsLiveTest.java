package io.portgate.cli;

import io.portgate.Portgate;
import io.portgate.config.ConfigLoader;
import io.portgate.config.HostFacts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code portgate ports CONFIG --live} shows what the running balancer believes about each target. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class PortsLiveTest
{
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

    @TempDir
    Path dir;

    private static int freePort() throws Exception
    {
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK))
        {
            return s.getLocalPort();
        }
    }

    @Test
    void showsStateLastProbeAndTimeInState() throws Exception
    {
        try (ServerSocket live = new ServerSocket(0, 50, LOOPBACK))
        {
            final int dead = freePort();
            final Path metrics = dir.resolve("ports.metrics");
            final Path file = dir.resolve("live.yaml");
            Files.writeString(file, """
                workers: 1
                metrics-file: %s
                listeners:
                  - name: web
                    bind: 127.0.0.1:%d
                    pool: web
                pools:
                  web:
                    targets:
                      - 127.0.0.1:%d
                      - 127.0.0.1:%d
                    health:
                      protocol: tcp
                      interval: 100ms
                      timeout: 80ms
                      rise: 1
                      fall: 1
                """.formatted(metrics, freePort(), live.getLocalPort(), dead));
            final ConfigLoader.Result loaded = ConfigLoader.load(file, HostFacts.system());
            try (Portgate portgate = Portgate.start(loaded.orThrow()))
            {
                // The gauges are published as each probe ends (and once a second): read until they show the dead
                // target down and the live one probed (each first probe lands at a random point of its interval).
                final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                CliRun run = CliRun.of("ports", file.toString(), "--live");
                while ((run.out().lines().noneMatch(l -> l.contains("127.0.0.1:" + dead + " ") && l.contains(" down ")) ||
                    run.out().lines().noneMatch(l -> l.contains("127.0.0.1:" + live.getLocalPort() + " ") &&
                        l.contains(" ok "))) && System.nanoTime() - deadline < 0)
                {
                    run = CliRun.of("ports", file.toString(), "--live");
                }
                assertEquals(0, run.status(), run.all());
                assertTrue(run.out().lines().anyMatch(l -> l.startsWith("LISTENER") && l.contains("STATE") &&
                    l.contains("LAST PROBE") && l.contains("PROBE LATENCY") && l.endsWith("TIME IN STATE")), run.out());
                assertTrue(run.out().lines().anyMatch(l -> l.contains("127.0.0.1:" + live.getLocalPort() + " ") &&
                    l.matches(".* up +ok +\\d+us +\\d+s$")), run.out());
                assertTrue(run.out().lines().anyMatch(l -> l.contains("127.0.0.1:" + dead + " ") &&
                    l.matches(".* down +refused +\\d+us +\\d+s$")), run.out());

                final CliRun json = CliRun.of("ports", file.toString(), "--live", "--format", "json");
                assertTrue(json.out().contains("\"state\": \"down\""), json.out());
            }
            final CliRun stopped = CliRun.of("ports", file.toString(), "--live");
            assertEquals(2, stopped.status(), stopped.all());
            assertTrue(stopped.err().contains("no metrics file at"), stopped.err());
        }
    }
}
