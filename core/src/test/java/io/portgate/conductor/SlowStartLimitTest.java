package io.portgate.conductor;

import io.portgate.config.PoolConfig;
import io.portgate.config.TargetConfig;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The longest slow-start the configuration accepts ramps the largest weight without overflowing. */
class SlowStartLimitTest
{
    @Test
    void theLargestWeightRampsOverTheLongestSlowStart()
    {
        final long longest = PoolConfig.MAX_SLOW_START.toNanos();
        final int weight = TargetConfig.MAX_WEIGHT;
        final int full = weight * Conductor.SLOW_START_SCALE;
        int previous = 0;
        for (long t = 0; t < longest; t += longest / 1000)
        {
            final int w = Conductor.rampedWeight(weight, t, longest);
            assertTrue(w >= 1 && w <= full, w + " at " + t);
            assertTrue(w >= previous, "never shrinks while ramping: " + w + " after " + previous + " at " + t);
            previous = w;
        }
        assertEquals(full / 2, Conductor.rampedWeight(weight, longest / 2, longest));
        assertEquals(full - 1, Conductor.rampedWeight(weight, longest - longest / full, longest));
        assertEquals(full, Conductor.rampedWeight(weight, longest, longest));
    }

    @Test
    void aSlowStartPastTheLongestWouldOverflowTheRamp()
    {
        // Why the limit is where it is: at 17 hours the product weight * 16 * elapsed passes a long.
        final long tooLong = java.time.Duration.ofHours(17).toNanos();
        final int w = Conductor.rampedWeight(TargetConfig.MAX_WEIGHT, tooLong - 1, tooLong);
        assertTrue(w < 1 || w > TargetConfig.MAX_WEIGHT * Conductor.SLOW_START_SCALE || w < TargetConfig.MAX_WEIGHT,
            "a ramp near its end with an overflowed product: " + w);
    }
}
