package io.portgate.health;

import io.portgate.spi.ProbeResult;

import io.portgate.spi.TargetState;

import io.portgate.config.HealthConfig;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Thresholds, jitter, passive failures and draining, stepped on a hand-moved clock: no sockets, no sleeping. */
class HealthCheckerTest
{
    private static final long INTERVAL_NS = Duration.ofSeconds(1).toNanos();
    private static final long STEP_NS = Duration.ofMillis(10).toNanos();

    private long now = 1_000_000_000L;
    private final ScriptedTransport transport = new ScriptedTransport();
    private final List<String> changes = new ArrayList<>();

    /** Completes every probe on the next poll with the result the test set for its target. */
    private static final class ScriptedTransport implements ProbeTransport
    {
        final List<ProbeTarget> started = new ArrayList<>();
        final List<Long> startTimes = new ArrayList<>();
        final List<Integer> startIds = new ArrayList<>();
        ProbeResult[] results = new ProbeResult[] {ProbeResult.OK, ProbeResult.OK};

        @Override
        public void start(final ProbeTarget target, final long nowNs)
        {
            started.add(target);
            startTimes.add(nowNs);
            startIds.add(target.id());
        }

        @Override
        public int poll(final long nowNs, final Completion completion)
        {
            final int n = started.size();
            for (final ProbeTarget t : started)
            {
                completion.complete(t, results[t.id()], 1000);
            }
            started.clear();
            return n;
        }

        @Override
        public void close()
        {
        }
    }

    private HealthChecker checker(final int rise, final int fall)
    {
        final HealthConfig config = HealthConfig.builder().interval(Duration.ofNanos(INTERVAL_NS))
            .timeout(Duration.ofMillis(500)).rise(rise).fall(fall).build();
        final List<ProbeTarget> targets = List.of(
            new ProbeTarget(0, "p", new InetSocketAddress("127.0.0.1", 9000),
                new InetSocketAddress("127.0.0.1", 9000), config),
            new ProbeTarget(1, "p", new InetSocketAddress("127.0.0.1", 9001),
                new InetSocketAddress("127.0.0.1", 9001), config));
        return new HealthChecker(targets, transport, () -> now,
            (t, from, to, cause, reason) -> changes.add(t.id() + ":" + from.label() + "->" + to.label() + ":" + (cause == null ? "operator" : cause.label())),
            42);
    }

    /** Advances the clock in small steps, running the agent at each. */
    private void runFor(final HealthChecker checker, final long nanos)
    {
        final long end = now + nanos;
        while (now - end < 0)
        {
            checker.doWork();
            now += STEP_NS;
        }
        checker.doWork();
    }

    @Test
    void goesDownAfterExactlyFallFailuresWithinFallTimesInterval()
    {
        final HealthChecker checker = checker(2, 3);
        runFor(checker, 3 * INTERVAL_NS);
        assertEquals(TargetState.UP, checker.status(0).state());
        assertTrue(changes.isEmpty());

        transport.results[0] = ProbeResult.REFUSED;
        final long failingSince = now;
        int probesBefore = (int)checker.status(0).probes();
        while (checker.status(0).state() == TargetState.UP)
        {
            runFor(checker, STEP_NS);
            assertTrue(now - failingSince <= 3 * INTERVAL_NS * (1 + HealthChecker.JITTER_FRACTION) + STEP_NS * 2,
                "down within fall x interval plus jitter");
        }
        assertEquals(3, checker.status(0).probes() - probesBefore, "exactly fall failed probes");
        assertEquals(List.of("0:up->down:refused"), changes);
        assertEquals(TargetState.UP, checker.status(1).state(), "the other target is untouched");
    }

    @Test
    void sleepingUntilTheNextDeadlineRunsEveryProbeOnTimeWithItsJitter()
    {
        final HealthChecker checker = checker(2, 3);
        final long start = now;
        int cycles = 0;
        final List<Long> starts = new ArrayList<>();
        while (now - (start + 40 * INTERVAL_NS) < 0)
        {
            // As the conductor's thread does: sleep until the next deadline (no command can arrive here), then work.
            final long next = checker.nextDeadlineNs(now);
            if (next - now > 0)
            {
                now = next;
            }
            final int before = transport.startTimes.size();
            checker.doWork();
            cycles++;
            for (int i = before; i < transport.startTimes.size(); i++)
            {
                if (transport.startIds.get(i) == 0)
                {
                    starts.add(transport.startTimes.get(i));
                }
            }
        }
        final java.util.Set<Long> gaps = new java.util.HashSet<>();
        for (int i = 1; i < starts.size(); i++)
        {
            final long gap = starts.get(i) - starts.get(i - 1);
            assertTrue(gap >= INTERVAL_NS * (1 - HealthChecker.JITTER_FRACTION) &&
                gap <= INTERVAL_NS * (1 + HealthChecker.JITTER_FRACTION) + ProbeTransport.SCRIPTED_POLL_NS,
                "probe " + i + " of target 0 came " + gap + " ns after the one before");
            gaps.add(gap);
        }
        assertTrue(starts.size() >= 36, "target 0 probed " + starts.size() + " times in 40 intervals");
        assertTrue(gaps.size() > starts.size() / 2, "the jitter is kept: " + gaps.size() + " distinct gaps");
        // Two probes per interval, each a start and a completion: a few cycles per probe, not one per millisecond.
        assertTrue(cycles <= 2 * 2 * 41 + 10, cycles + " duty cycles for " + transport.startTimes.size() + " probes");
    }

    @Test
    void comesBackAfterRiseSuccesses()
    {
        final HealthChecker checker = checker(2, 1);
        transport.results[0] = ProbeResult.TIMEOUT;
        runFor(checker, 2 * INTERVAL_NS);
        assertEquals(TargetState.DOWN, checker.status(0).state());

        transport.results[0] = ProbeResult.OK;
        final long probesAtRecovery = checker.status(0).probes();
        while (checker.status(0).state() == TargetState.DOWN)
        {
            runFor(checker, STEP_NS);
        }
        assertEquals(2, checker.status(0).probes() - probesAtRecovery, "exactly rise successful probes");
        assertEquals(List.of("0:up->down:timeout", "0:down->up:ok"), changes);
    }

    @Test
    void aFlappingTargetDoesNotOscillateFasterThanItsThresholds()
    {
        final HealthChecker checker = checker(2, 2);
        // Alternate results probe by probe: never two in a row of either, so the state never changes.
        for (int i = 0; i < 50; i++)
        {
            transport.results[0] = i % 2 == 0 ? ProbeResult.REFUSED : ProbeResult.OK;
            final long before = checker.status(0).probes();
            while (checker.status(0).probes() == before)
            {
                runFor(checker, STEP_NS);
            }
        }
        assertEquals(TargetState.UP, checker.status(0).state());
        assertTrue(changes.isEmpty(), changes.toString());
    }

    @Test
    void passiveFailuresCountTowardFall()
    {
        final HealthChecker checker = checker(2, 3);
        checker.doWork();
        checker.reportPassiveFailure(1);
        checker.reportPassiveFailure(1);
        checker.doWork();
        assertEquals(TargetState.UP, checker.status(1).state());
        checker.reportPassiveFailure(1);
        checker.doWork();
        assertEquals(TargetState.DOWN, checker.status(1).state(), "down between probes");
        assertEquals(ProbeResult.PASSIVE_FAILURE, checker.status(1).lastResult());
    }

    @Test
    void probesThatFailForTheBalancersOwnReasonsCountNeitherWay()
    {
        // Out of file descriptors, a probe cannot open its socket: that says nothing about the target (issue 15).
        final HealthChecker checker = checker(2, 2);
        runFor(checker, 2 * INTERVAL_NS);
        transport.results[0] = ProbeResult.REFUSED;
        final long before = checker.status(0).probes();
        while (checker.status(0).probes() == before)
        {
            runFor(checker, STEP_NS);
        }
        // One real failure, then many local ones: fall is 2, so a second failure would take the target down.
        transport.results[0] = ProbeResult.LOCAL_FAILURE;
        runFor(checker, 10 * INTERVAL_NS);
        assertTrue(checker.status(0).probes() - before >= 8, "probes kept running: " + checker.status(0).probes());
        assertEquals(TargetState.UP, checker.status(0).state());
        assertEquals(ProbeResult.LOCAL_FAILURE, checker.status(0).lastResult());
        assertTrue(changes.isEmpty(), changes.toString());
        // Local failures do not reset the count either: the next real failure is the second in a row.
        transport.results[0] = ProbeResult.REFUSED;
        while (checker.status(0).state() == TargetState.UP)
        {
            runFor(checker, STEP_NS);
        }
        assertEquals(List.of("0:up->down:refused"), changes);
    }

    @Test
    void probesAreSpacedByTheIntervalWithJitter()
    {
        final HealthChecker checker = checker(2, 3);
        runFor(checker, 40 * INTERVAL_NS);
        final List<Long> starts = new ArrayList<>();
        for (int i = 0; i < transport.startTimes.size(); i++)
        {
            if (transport.startIds.get(i) == 0)
            {
                starts.add(transport.startTimes.get(i));
            }
        }
        assertTrue(starts.size() >= 35, "about one probe per interval: " + starts.size());
        final long min = (long)(INTERVAL_NS * (1 - HealthChecker.JITTER_FRACTION)) - STEP_NS;
        final long max = (long)(INTERVAL_NS * (1 + HealthChecker.JITTER_FRACTION)) + 2 * STEP_NS;
        final List<Long> gaps = new ArrayList<>();
        for (int i = 1; i < starts.size(); i++)
        {
            final long gap = starts.get(i) - starts.get(i - 1);
            assertTrue(gap >= min && gap <= max, "gap " + gap + " outside interval +/- jitter");
            gaps.add(gap);
        }
        assertTrue(gaps.stream().distinct().count() >= 5, "jitter varies the gaps: " + gaps);
    }

    @Test
    void drainingOverlaysHealth()
    {
        final HealthChecker checker = checker(1, 1);
        checker.setDraining(0, true);
        checker.doWork();
        assertEquals(TargetState.DRAINING, checker.status(0).state());

        transport.results[0] = ProbeResult.REFUSED;
        runFor(checker, 2 * INTERVAL_NS);
        assertEquals(TargetState.DRAINING, checker.status(0).state(), "an operator's drain wins over health");

        checker.setDraining(0, false);
        checker.doWork();
        assertEquals(TargetState.DOWN, checker.status(0).state(), "undrained, it shows its real health");
        assertEquals(List.of("0:up->draining:operator", "0:draining->down:operator"), changes);
    }
}
