package io.portgate.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code ./portgate demo} as a newcomer runs it first: it warms both paths up, says so, and prints portgate's ratio to
 * direct. No figure is asserted, only that each is there and that nothing went wrong.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DemoIT
{
    @Test
    void theDemoWarmsUpMeasuresBothPathsInTurnAndPrintsTheRatio() throws Exception
    {
        final PortgateProcess.Result r = PortgateProcess.run(Duration.ofSeconds(60), Map.of(), "demo",
            "--connections", "4", "--messages", "100", "--warmup", "500");
        assertEquals(0, r.status(), r.toString());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("Warm-up: \\d+ round trips on each path, checked and " +
            "discarded, in \\d+\\.\\ds: .*")), r.toString());
        assertTrue(r.out().contains("Measured: 400 round trips of 64 bytes on each path (4 connections x 100), " +
            "direct and through portgate in turn, every byte checked."), r.toString());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("portgate / direct: \\d+\\.\\d\\dx at p50, " +
            "\\d+\\.\\d\\dx at p90, \\d+\\.\\d\\dx at p99")), r.toString());
        assertTrue(r.err().lines().allMatch(l -> l.startsWith("portgate: INFO: ")), "nothing but the start line on " +
            "stderr: " + r);
    }
}
