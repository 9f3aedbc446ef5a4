package io.portgate.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code portgate demo} works with no configuration, checks every byte and reports what each target got. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DemoCommandTest
{
    @Test
    void runsABurstThroughEmbeddedBackendsAndExits()
    {
        final CliRun run = CliRun.of("demo", "--connections", "6", "--messages", "50", "--size", "100");
        assertEquals(0, run.status(), run.all());
        final List<String> mapRows = run.out().lines().filter(l -> l.matches("demo +tcp +127\\.0\\.0\\.1:\\d+ +-> " +
            "+echo +round-robin +127\\.0\\.0\\.1:\\d+")).toList();
        assertEquals(3, mapRows.size(), run.out());
        final List<String> targetRows = run.out().lines()
            .filter(l -> l.matches("127\\.0\\.0\\.1:\\d+ +\\d+ +\\d+ +\\d+ +0")).toList();
        assertEquals(3, targetRows.size(), run.out());
        long connections = 0;
        long bytesToTargets = 0;
        for (final String row : targetRows)
        {
            final String[] cells = row.trim().split(" +");
            connections += Long.parseLong(cells[1]);
            bytesToTargets += Long.parseLong(cells[2]);
            assertEquals(cells[2], cells[3], "every byte sent to a target came back");
            assertEquals(2, Long.parseLong(cells[1]), "one worker, round robin: an even split");
        }
        assertEquals(6, connections);
        assertEquals(6L * 50 * 100, bytesToTargets);
        assertTrue(run.out().contains("Round trips: 300 through portgate and 300 direct to the backends, every byte " +
            "checked."), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.matches("portgate +\\d+us +\\d+us +\\d+us +\\d+us +\\d+us")),
            run.out());
    }

    @Test
    void badOptionsAreRefused()
    {
        final CliRun run = CliRun.of("demo", "--backends", "0");
        assertEquals(2, run.status());
        assertTrue(run.err().contains("--backends 1-16"), run.err());
        final CliRun idle = CliRun.of("demo", "--idle-strategy", "nap");
        assertEquals(2, idle.status());
        assertTrue(idle.err().contains("'nap' is not one of"), idle.err());
    }
}
