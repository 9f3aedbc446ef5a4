package io.portgate.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code portgate demo} works with no configuration, warms both paths up before it measures them, checks every byte
 * and reports what each target got and how the paths compare. No figure is asserted: only that each is there.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DemoCommandTest
{
    @Test
    void warmsUpBothPathsThenMeasuresThemInTurnAndPrintsTheRatio()
    {
        final CliRun run = CliRun.of("demo", "--connections", "6", "--messages", "50", "--size", "100", "--warmup",
            "300");
        assertEquals(0, run.status(), run.all());
        final List<String> mapRows = run.out().lines().filter(l -> l.matches("demo +tcp +127\\.0\\.0\\.1:\\d+ +-> " +
            "+echo +round-robin +127\\.0\\.0\\.1:\\d+")).toList();
        assertEquals(3, mapRows.size(), run.out());

        final Matcher warmUp = Pattern.compile("Warm-up: (\\d+) round trips on each path, checked and discarded, " +
            "in \\d+\\.\\ds: .*").matcher(run.out());
        assertTrue(warmUp.find(), run.out());
        final long warmedUp = Long.parseLong(warmUp.group(1));
        assertTrue(warmedUp >= 300, "at least --warmup round trips: " + run.out());
        assertEquals(6L * 50 * 100 + warmedUp * 100, bytesToTargets(run), "the warm-up went through portgate " +
            "too, every byte of it and of the measured round trips came back: " + run.out());
        assertTrue(run.out().contains("Measured: 300 round trips of 100 bytes on each path (6 connections x 50), " +
            "direct and through portgate in turn, every byte checked."), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.matches("direct +\\d+us +\\d+us +\\d+us +\\d+us +\\d+us")),
            run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.matches("portgate +\\d+us +\\d+us +\\d+us +\\d+us +\\d+us")),
            run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.matches("portgate / direct: \\d+\\.\\d\\dx at p50, " +
            "\\d+\\.\\d\\dx at p90, \\d+\\.\\d\\dx at p99")), run.out());
    }

    @Test
    void withoutAWarmUpItSaysTheFiguresAreAColdJvms()
    {
        final CliRun run = CliRun.of("demo", "--connections", "3", "--messages", "20", "--size", "64", "--warmup",
            "0");
        assertEquals(0, run.status(), run.all());
        assertTrue(run.out().contains("Warm-up: none (--warmup 0), so the figures below are a cold JVM's"),
            run.out());
        assertEquals(3L * 20 * 64, bytesToTargets(run), run.out());
        assertTrue(run.out().lines().anyMatch(l -> l.startsWith("portgate / direct: ")), run.out());
    }

    /** The bytes every target got, summed, checking each sent back all it got. */
    private static long bytesToTargets(final CliRun run)
    {
        final List<String> targetRows = run.out().lines()
            .filter(l -> l.matches("127\\.0\\.0\\.1:\\d+ +\\d+ +\\d+ +\\d+ +0")).toList();
        assertEquals(3, targetRows.size(), run.out());
        long bytes = 0;
        long connections = 0;
        for (final String row : targetRows)
        {
            final String[] cells = row.trim().split(" +");
            connections += Long.parseLong(cells[1]);
            bytes += Long.parseLong(cells[2]);
            assertEquals(cells[2], cells[3], "every byte sent to a target came back");
        }
        assertEquals(targetRows.size() * Long.parseLong(targetRows.getFirst().trim().split(" +")[1]), connections,
            "one worker, round robin: an even split");
        return bytes;
    }

    @Test
    void badOptionsAreRefused()
    {
        final CliRun run = CliRun.of("demo", "--backends", "0");
        assertEquals(2, run.status());
        assertTrue(run.err().contains("--backends 1-16"), run.err());
        final CliRun cold = CliRun.of("demo", "--warmup", "-1");
        assertEquals(2, cold.status());
        assertTrue(cold.err().contains("--warmup >= 0"), cold.err());
        final CliRun idle = CliRun.of("demo", "--idle-strategy", "nap");
        assertEquals(2, idle.status());
        assertTrue(idle.err().contains("'nap' is not one of"), idle.err());
    }
}
