package io.portgate.ffm;

import io.portgate.config.FastPath;
import org.junit.jupiter.api.Test;

import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** One probe helper for every fast path: the cause kept as a Throwable, and on/auto/off decided in one place. */
class FeatureProbeTest
{
    private static final FeatureProbe WORKS = FeatureProbe.run("thing", "the thing does not work here",
        "doing without", () -> { });

    @Test
    void aFailureTheProbeDidNotForeseeIsKeptAsTheCause()
    {
        final IOException boom = new IOException("boom");
        final FeatureProbe probe = FeatureProbe.run("thing", "the thing does not work here", "doing without", () ->
        {
            throw boom;
        });
        assertFalse(probe.isAvailable());
        assertInstanceOf(FeatureProbe.Unavailable.class, probe.unavailabilityCause());
        assertSame(boom, probe.unavailabilityCause().getCause(), "the original failure, stack and all");
        assertEquals("the thing probe failed: java.io.IOException: boom", probe.reason());
    }

    @Test
    void aProbesOwnVerdictIsTheReason()
    {
        final FeatureProbe probe = FeatureProbe.run("thing", "the thing does not work here", "doing without",
            () -> FeatureProbe.require(1 + 1 == 3, "arithmetic is off"));
        assertEquals("arithmetic is off", probe.reason());
        assertTrue(WORKS.isAvailable());
        assertNull(WORKS.unavailabilityCause());
        assertNull(WORKS.reason());
    }

    @Test
    void onAutoAndOffAreResolvedAlike()
    {
        final FeatureProbe broken = FeatureProbe.run("thing", "the thing does not work here", "doing without",
            () -> FeatureProbe.require(false, "no thing"));
        assertFalse(broken.resolve(FastPath.OFF, "fast-paths.thing"));
        assertFalse(broken.resolve(FastPath.AUTO, "fast-paths.thing"));
        final IllegalStateException refused = assertThrows(IllegalStateException.class,
            () -> broken.resolve(FastPath.ON, "fast-paths.thing"));
        assertEquals("fast-paths.thing: on, but the thing does not work here: no thing; set fast-paths.thing: auto " +
            "or off", refused.getMessage());
        assertFalse(WORKS.resolve(FastPath.OFF, "fast-paths.thing"));
        assertTrue(WORKS.resolve(FastPath.AUTO, "fast-paths.thing"));
        assertTrue(WORKS.resolve(FastPath.ON, "fast-paths.thing"));
    }

    @Test
    void theRealProbesAnswerConsistently()
    {
        for (final FeatureProbe probe : new FeatureProbe[] {Splice.probe(), UdpBatching.probe(), UdpGso.probe()})
        {
            assertEquals(probe.isAvailable(), probe.unavailabilityCause() == null);
            assertEquals(probe.isAvailable(), probe.resolve(FastPath.AUTO, "fast-paths.x"));
        }
        if (UdpGso.probe().isAvailable())
        {
            assertTrue(UdpBatching.probe().isAvailable(), "GSO builds on batching");
        }
    }
}
