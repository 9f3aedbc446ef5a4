package io.portgate.bench.jmh;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@link AccessPartsBenchmark}'s bodies by hand, without JMH, so a broken setup shows in the build. No timing
 * is asserted.
 */
class AccessPartsBenchmarkTest
{
    @Test
    void everyBodyDoesItsWork()
    {
        final AccessPartsBenchmark bench = new AccessPartsBenchmark();
        bench.setUp();
        int denied = 0;
        for (int i = 0; i < 100_000; i++)
        {
            denied += bench.denyListCheck();
        }
        assertTrue(denied > 0 && denied < 100_000, "some clients fall in the deny blocks, most do not: " + denied);
        for (int i = 0; i < 10_000; i++)
        {
            assertTrue(bench.sourceAcquireRelease() >= 0, "8 connections per source are never reached here");
            assertEquals(28, bench.proxyV2Write());
            assertEquals(28 + 54_321, bench.proxyV2Parse());
            assertEquals("PROXY TCP4 192.0.2.1 127.0.0.1 54321 443\r\n".length() + 54_321, bench.proxyV1Parse());
        }
    }
}
