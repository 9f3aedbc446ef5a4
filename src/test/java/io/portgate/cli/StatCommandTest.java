package io.portgate.cli;

import io.portgate.metrics.Labels;
import io.portgate.metrics.Metric;
import io.portgate.metrics.MetricsFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StatCommandTest
{
    @TempDir
    Path dir;

    @Test
    void printsListenerAndTargetCountersSummedOverWorkers()
    {
        final Path file = dir.resolve("stat.metrics");
        try (MetricsFile metrics = MetricsFile.create(file, 64))
        {
            metrics.counter(Metric.TCP_CONNECTIONS, 0, Labels.of("listener", "web")).getAndAddRelease(40);
            metrics.counter(Metric.TCP_CONNECTIONS, 1, Labels.of("listener", "web")).getAndAddRelease(2);
            metrics.counter(Metric.TCP_CONNECTIONS_ACTIVE, 0, Labels.of("listener", "web")).getAndAddRelease(3);
            metrics.counter(Metric.TARGET_CONNECTIONS, 0,
                Labels.of("listener", "web", "pool", "web", "target", "127.0.0.1:9000")).getAndAddRelease(21);
            metrics.counter(Metric.TARGET_CONNECTIONS, 1,
                Labels.of("listener", "web", "pool", "web", "target", "127.0.0.1:9001")).getAndAddRelease(21);

            final CliRun run = CliRun.of("stat", "--file", file.toString(), "--once");
            assertEquals(0, run.status(), run.all());
            final String[] lines = run.out().split("\n");
            assertTrue(lines[0].startsWith("portgate pid " + ProcessHandle.current().pid() + ", up "), lines[0]);
            assertTrue(run.out().lines().anyMatch(l -> l.matches("LISTENER +CONNECTIONS_ACTIVE +CONNECTIONS")),
                run.out());
            assertTrue(run.out().lines().anyMatch(l -> l.matches("web +3 +42")), run.out());
            assertTrue(run.out().lines().anyMatch(l -> l.matches("web +127\\.0\\.0\\.1:9000 +21")), run.out());
            assertTrue(run.out().lines().anyMatch(l -> l.matches("web +127\\.0\\.0\\.1:9001 +21")), run.out());

            final CliRun json = CliRun.of("stat", "--file", file.toString(), "--once", "--format", "json");
            assertEquals(0, json.status(), json.all());
            assertTrue(json.out().contains("\"metric\":\"portgate_tcp_connections_total\",\"labels\":" +
                "{\"listener\":\"web\"},\"value\":42"), json.out());
            assertTrue(json.out().contains("\"running\":true"), json.out());

            final CliRun refreshing = CliRun.of("stat", "--file", file.toString(), "--count", "2", "--interval",
                "10ms");
            assertEquals(0, refreshing.status(), refreshing.all());
            assertEquals(2, refreshing.out().split("portgate pid ", -1).length - 1, "two refreshes");
        }
    }

    @Test
    void gaugesReadAsWordsAndDurationsAndReloadsAsALineOfTheirOwn()
    {
        final Path file = dir.resolve("gauges.metrics");
        try (MetricsFile metrics = MetricsFile.create(file, 64))
        {
            final String target = "127.0.0.1:9000";
            metrics.counter(Metric.TARGET_CONNECTIONS, 0, Labels.of("listener", "web", "pool", "web", "target",
                target)).getAndAddRelease(5);
            final String gauge = Labels.of("pool", "web", "target", target);
            metrics.counter(Metric.TARGET_STATE, 0, gauge).setRelease(2);
            metrics.counter(Metric.TARGET_STATE_SINCE, 0, gauge)
                .setRelease(System.currentTimeMillis() / 1000 - 3725);
            metrics.counter(Metric.TARGET_PROBE_RESULT, 0, gauge)
                .setRelease(io.portgate.spi.ProbeResult.BAD_REPLY.ordinal() + 1);
            metrics.counter(Metric.TARGET_PROBE_LATENCY, 0, gauge).setRelease(812);
            metrics.counter(Metric.RELOADS, 0, Labels.of("result", "applied")).getAndAddRelease(3);
            metrics.counter(Metric.RELOADS, 0, Labels.of("result", "rejected")).getAndAddRelease(1);

            final CliRun run = CliRun.of("stat", "--file", file.toString(), "--once");
            assertEquals(0, run.status(), run.all());
            assertTrue(run.out().lines().anyMatch(l -> l.equals("reloads: 3 applied, 1 rejected")), run.out());
            assertTrue(run.out().lines().anyMatch(l -> l.matches(
                "POOL +TARGET +CONNECTIONS +STATE +IN_STATE +PROBE_LATENCY_MICROSECONDS +PROBE_RESULT")), run.out());
            // 3725 s ago; a second may pass between writing and reading.
            assertTrue(run.out().lines().anyMatch(l -> l.matches(
                "web +127\\.0\\.0\\.1:9000 +5 +draining +1h2m +812 +bad_reply")), run.out());
            assertTrue(run.out().lines().noneMatch(l -> l.matches("^\\s+\\d.*")), "no row without a name: " +
                run.out());
        }
    }

    @Test
    void missingFileIsAClearError()
    {
        final CliRun run = CliRun.of("stat", "--file", dir.resolve("none.metrics").toString(), "--once");
        assertEquals(2, run.status());
        assertTrue(run.err().contains("no metrics file at"), run.err());
    }
}
