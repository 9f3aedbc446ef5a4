package io.portgate.bench.harness;

import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A constant-rate run against a target that stalls once, stepped by hand with simulated time: the latencies the
 * {@link Pacer} leads to measure include the stall for every request it delayed, where timing each request from its
 * actual send time would hide it in one sample.
 */
@Timeout(10)
class CoordinatedOmissionTest
{
    private static final long MS = 1_000_000;
    private static final long SERVICE_NS = 100_000;
    private static final long STALL_NS = 100 * MS;
    private static final int REQUESTS = 1_000;

    @Test
    void stallShowsInTheHighPercentilesWhenMeasuredFromIntendedTimes()
    {
        final Histogram corrected = new Histogram(3);
        final Histogram uncorrected = new Histogram(3);
        simulate(Pacer.constantRate(0, MS), corrected, uncorrected);

        assertEquals(REQUESTS, corrected.getTotalCount());
        // The stall delays the ~100 requests due during it, from 100ms down to 1ms late: 10% of the run.
        assertTrue(corrected.getValueAtPercentile(99) >= 50 * MS,
            "corrected p99 " + corrected.getValueAtPercentile(99));
        assertTrue(corrected.getValueAtPercentile(90) >= SERVICE_NS,
            "corrected p90 " + corrected.getValueAtPercentile(90));
        assertTrue(corrected.getMaxValue() >= STALL_NS, "corrected max " + corrected.getMaxValue());
        // Measured from the actual send, only the one request that met the stall is slow.
        assertTrue(uncorrected.getValueAtPercentile(99) < MS,
            "uncorrected p99 " + uncorrected.getValueAtPercentile(99));
        assertTrue(uncorrected.getMaxValue() >= STALL_NS);
    }

    @Test
    void hdrHistogramExpectedIntervalCorrectionAgreesOnTheStall()
    {
        final Histogram corrected = new Histogram(3);
        final Histogram uncorrected = new Histogram(3);
        simulate(Pacer.closedLoop(), corrected, uncorrected);
        final Histogram byExpectedInterval = new Histogram(3);
        // The same closed-loop samples, corrected afterwards the way HdrHistogram offers for tools that cannot pace.
        byExpectedInterval.add(uncorrected.copyCorrectedForCoordinatedOmission(MS));
        assertTrue(byExpectedInterval.getValueAtPercentile(99) >= 50 * MS,
            "p99 " + byExpectedInterval.getValueAtPercentile(99));
    }

    @Test
    void closedLoopIntendedTimeIsTheSendTime()
    {
        final Pacer pacer = Pacer.closedLoop();
        assertTrue(pacer.isDue(Long.MIN_VALUE));
        assertEquals(42, pacer.take(42));
        assertEquals(1, pacer.sent());
    }

    @Test
    void constantRateScheduleDoesNotDrift()
    {
        // 3 per second does not divide a second evenly; the millionth send is still due exactly on schedule.
        final Pacer pacer = Pacer.constantRate(0, 1e9 / 3);
        long due = 0;
        for (int i = 0; i < 1_000_000; i++)
        {
            due = pacer.take(due);
        }
        assertEquals(TimeUnit.SECONDS.toNanos(999_999) / 3, due, 1);
    }

    @Test
    void lanesShareTheRateEvenlySpread()
    {
        final Pacer first = Pacer.forLane(0, 1_000, 4, 0);
        final Pacer second = Pacer.forLane(0, 1_000, 4, 1);
        assertEquals(0, first.take(0));
        assertEquals(MS, second.take(MS));
        assertEquals(4 * MS, first.nextDueNs());
        assertEquals(5 * MS, second.nextDueNs());
    }

    /**
     * One connection, one request outstanding, as the rr loop runs it: send when due and the previous reply is in,
     * record from the intended time. Request 100 meets a 100ms stall.
     */
    private static void simulate(final Pacer pacer, final Histogram fromIntended, final Histogram fromSend)
    {
        long nowNs = 0;
        for (int i = 0; i < REQUESTS; i++)
        {
            if (pacer.isConstantRate() && !pacer.isDue(nowNs))
            {
                nowNs = pacer.nextDueNs();
            }
            final long sentNs = nowNs;
            final long intendedNs = pacer.take(sentNs);
            nowNs = sentNs + (i == 100 ? STALL_NS : SERVICE_NS);
            fromIntended.recordValue(nowNs - intendedNs);
            fromSend.recordValue(nowNs - sentNs);
        }
    }
}
