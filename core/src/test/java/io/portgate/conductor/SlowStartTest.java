package io.portgate.conductor;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SlowStartTest
{
    private static final long SLOW_START = 30_000_000_000L;

    @Test
    void withoutSlowStartTheWeightIsAsConfigured()
    {
        assertEquals(3, Conductor.rampedWeight(3, 0, 0));
    }

    @Test
    void aRecoveredTargetRampsLinearlyToItsFullWeight()
    {
        final int full = 2 * Conductor.SLOW_START_SCALE;
        assertEquals(1, Conductor.rampedWeight(2, 0, SLOW_START), "starts at the smallest weight");
        assertEquals(full / 4, Conductor.rampedWeight(2, SLOW_START / 4, SLOW_START));
        assertEquals(full / 2, Conductor.rampedWeight(2, SLOW_START / 2, SLOW_START));
        assertEquals(full, Conductor.rampedWeight(2, SLOW_START, SLOW_START));
        assertEquals(full, Conductor.rampedWeight(2, 10 * SLOW_START, SLOW_START), "and stays there");
        int previous = 0;
        for (long t = 0; t <= SLOW_START; t += SLOW_START / 100)
        {
            final int w = Conductor.rampedWeight(2, t, SLOW_START);
            assertTrue(w >= previous, "never shrinks while ramping");
            previous = w;
        }
    }

    @Test
    void targetsAtFullWeightKeepTheirRatios()
    {
        assertEquals(3 * Conductor.rampedWeight(1, SLOW_START, SLOW_START),
            Conductor.rampedWeight(3, SLOW_START, SLOW_START));
    }
}
