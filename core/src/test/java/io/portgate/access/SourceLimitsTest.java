package io.portgate.access;

import io.portgate.net.Ip;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SourceLimitsTest
{
    private static final long A = Ip.mappedLow(0x7F00_0002);
    private static final long B = Ip.mappedLow(0x7F00_0003);
    private static final long MS = 1_000_000L;

    @Test
    void theSixthConcurrentConnectionIsRefusedUnderALimitOfFiveWhileAnotherSourceIsServed()
    {
        final SourceLimits limits = new SourceLimits(64, SourceLimits.Settings.tcp(5, 0), 1);
        final long[] handles = new long[5];
        for (int i = 0; i < 5; i++)
        {
            handles[i] = limits.acquire(0, A, 0);
            assertTrue(handles[i] >= 0);
        }
        assertEquals(-SourceLimits.CONCURRENCY_LIMIT, limits.acquire(0, A, 0));
        assertTrue(limits.acquire(0, B, 0) >= 0);
        assertEquals(5, limits.concurrent(0, A));
        assertEquals(1, limits.refusedConcurrency());

        limits.release(handles[2], 0);
        assertEquals(4, limits.concurrent(0, A));
        assertTrue(limits.acquire(0, A, 0) >= 0);
    }

    @Test
    void theConnectionRateRefillsWithTime()
    {
        final SourceLimits limits = new SourceLimits(64, SourceLimits.Settings.tcp(0, 10), 1);
        final long start = 5_000 * MS;
        for (int i = 0; i < 10; i++)
        {
            limits.release(limits.acquire(0, A, start), start);
        }
        assertEquals(-SourceLimits.RATE_LIMIT, limits.acquire(0, A, start));
        assertEquals(-SourceLimits.RATE_LIMIT, limits.acquire(0, A, start + 99 * MS));
        assertTrue(limits.acquire(0, A, start + 100 * MS) >= 0, "one token per 100 ms");
        assertEquals(-SourceLimits.RATE_LIMIT, limits.acquire(0, A, start + 150 * MS));
        for (int i = 0; i < 10; i++)
        {
            assertTrue(limits.acquire(0, A, start + 1100 * MS) >= 0, "a full second's burst after a quiet second");
        }
        assertEquals(-SourceLimits.RATE_LIMIT, limits.acquire(0, A, start + 1100 * MS));
        assertTrue(limits.acquire(0, B, start) >= 0, "another source has its own bucket");
        assertEquals(4, limits.refusedRate());
    }

    @Test
    void aClockThatWrapsPastZeroStillRefills()
    {
        final SourceLimits limits = new SourceLimits(8, SourceLimits.Settings.tcp(0, 1), 1);
        final long before = Long.MAX_VALUE - 500 * MS;
        assertTrue(limits.acquire(0, A, before) >= 0);
        assertEquals(-SourceLimits.RATE_LIMIT, limits.acquire(0, A, before + 400 * MS));
        assertTrue(limits.acquire(0, A, before + 1000 * MS) >= 0);
    }

    @Test
    void udpChargesDatagramsAndCountsFlowsApart()
    {
        final SourceLimits limits = new SourceLimits(64, SourceLimits.Settings.udp(2, 3), 1);
        assertTrue(limits.acquire(0, A, 0) >= 0, "a flow does not charge the datagram rate");
        assertTrue(limits.acquire(0, A, 0) >= 0);
        assertEquals(-SourceLimits.CONCURRENCY_LIMIT, limits.acquire(0, A, 0));
        for (int i = 0; i < 3; i++)
        {
            assertEquals(SourceLimits.ADMITTED, limits.charge(0, A, 0));
        }
        assertEquals(SourceLimits.RATE_LIMIT, limits.charge(0, A, 0));
        assertEquals(SourceLimits.ADMITTED, limits.charge(0, A, 334 * MS));
        assertEquals(SourceLimits.ADMITTED, limits.charge(0, B, 0));

        final SourceLimits noRate = new SourceLimits(4, SourceLimits.Settings.udp(2, 0), 1);
        assertEquals(SourceLimits.ADMITTED, noRate.charge(0, A, 0));
        assertEquals(0, noRate.size(), "no rate, no state");
    }

    @Test
    void aSourceWithNothingOpenAndAFullBucketIsForgottenAtOnce()
    {
        final SourceLimits limits = new SourceLimits(4, SourceLimits.Settings.tcp(5, 0), 1);
        final long handle = limits.acquire(0, A, 0);
        assertEquals(1, limits.size());
        limits.release(handle, 0);
        assertEquals(0, limits.size());
        assertFalse(limits.tracks(0, A));

        final SourceLimits rated = new SourceLimits(4, SourceLimits.Settings.tcp(5, 1), 1);
        rated.release(rated.acquire(0, A, 0), 0);
        assertTrue(rated.tracks(0, A), "its rate debt is remembered");
    }

    @Test
    void whenFullItEvictsTheIdleSourceThatLosesNothingFirstThenTheLongestIdleThenTheLeastRecentlyUsed()
    {
        final SourceLimits limits = new SourceLimits(3, SourceLimits.Settings.tcp(10, 1), 1);
        final long busy = Ip.mappedLow(1);
        final long indebted = Ip.mappedLow(2);
        final long rested = Ip.mappedLow(3);
        limits.release(limits.acquire(0, rested, 0), 0);
        limits.release(limits.acquire(0, indebted, 1_000 * MS), 1_000 * MS);
        final long handle = limits.acquire(0, busy, 1_000 * MS);
        // At 1.5 s: "rested" has been idle longest and its bucket is full again; "indebted" owes half a second.
        final long at = 1_500 * MS;
        assertTrue(limits.tracks(0, rested));

        assertTrue(limits.acquire(0, Ip.mappedLow(4), at) >= 0);
        assertFalse(limits.tracks(0, rested));
        assertEquals(1, limits.evictions());
        assertEquals(0, limits.lossyEvictions());

        limits.acquire(0, Ip.mappedLow(5), at);
        assertFalse(limits.tracks(0, indebted), "the longest idle source goes next, debt and all");
        assertEquals(1, limits.lossyEvictions());
        assertTrue(limits.tracks(0, busy));

        limits.acquire(0, Ip.mappedLow(6), at);
        assertFalse(limits.tracks(0, busy), "with nothing idle, the least recently used busy source goes");
        assertEquals(3, limits.evictions());
        assertEquals(2, limits.lossyEvictions());

        limits.release(handle, at);
        assertEquals(1, limits.staleReleases(), "a release for an evicted entry is ignored");
        assertEquals(3, limits.size());
    }

    @Test
    void aStaleHandleNeverDecrementsANewerEntryOfTheSameSource()
    {
        final SourceLimits limits = new SourceLimits(1, SourceLimits.Settings.tcp(3, 0), 1);
        final long old = limits.acquire(0, A, 0);
        limits.acquire(0, B, 0);
        final long fresh = limits.acquire(0, A, 0);
        assertTrue(fresh >= 0);
        limits.release(old, 0);
        assertEquals(1, limits.concurrent(0, A));
        limits.release(fresh, 0);
        limits.release(fresh, 0);
        assertEquals(0, limits.concurrent(0, A));
        assertEquals(2, limits.staleReleases());
        limits.release(-1, 0);
        limits.release(Long.MAX_VALUE, 0);
        assertEquals(4, limits.staleReleases());
    }

    @Test
    void memoryNeverGrowsWhateverTheSources()
    {
        final SourceLimits limits = new SourceLimits(1_000, SourceLimits.Settings.tcp(5, 100), 9);
        final SplittableRandom random = new SplittableRandom(3);
        for (int i = 0; i < 1_000_000; i++)
        {
            final long high = (i & 1) == 0 ? 0 : random.nextLong() | 1L << 62;
            final long low = (i & 1) == 0 ? Ip.mappedLow(random.nextInt()) : random.nextLong();
            assertTrue(limits.acquire(high, low, i) >= 0);
        }
        assertEquals(1_000, limits.size());
        assertEquals(999_000, limits.evictions());
        assertEquals(999_000, limits.lossyEvictions(), "every one was busy");
    }

    @Test
    void ipv6SourcesCanBeNamedByTheirSubnet()
    {
        final SourceLimits perAddress = new SourceLimits(8, SourceLimits.Settings.tcp(1, 0), 1);
        final SourceLimits perSubnet = new SourceLimits(8, new SourceLimits.Settings(1, 0, 1, 64, true), 1);
        final long subnet = 0x2001_0db8_0000_0001L;
        assertTrue(perAddress.acquire(subnet, 1, 0) >= 0);
        assertTrue(perAddress.acquire(subnet, 2, 0) >= 0);
        assertTrue(perSubnet.acquire(subnet, 1, 0) >= 0);
        assertEquals(-SourceLimits.CONCURRENCY_LIMIT, perSubnet.acquire(subnet, 2, 0));
        assertTrue(perSubnet.acquire(0, A, 0) >= 0, "IPv4 sources stay whole addresses");
        assertTrue(perSubnet.acquire(0, B, 0) >= 0);
    }

    @Test
    void aReloadKeepsCountsAndAppliesTheNewLimit()
    {
        final SourceLimits limits = new SourceLimits(8, SourceLimits.Settings.tcp(5, 0), 1);
        final long first = limits.acquire(0, A, 0);
        limits.acquire(0, A, 0);
        limits.acquire(0, A, 0);
        limits.reconfigure(SourceLimits.Settings.tcp(2, 0));
        assertEquals(3, limits.concurrent(0, A));
        assertEquals(-SourceLimits.CONCURRENCY_LIMIT, limits.acquire(0, A, 0));
        limits.release(first, 0);
        assertEquals(-SourceLimits.CONCURRENCY_LIMIT, limits.acquire(0, A, 0));
        limits.reconfigure(SourceLimits.Settings.tcp(0, 0));
        assertTrue(limits.acquire(0, A, 0) >= 0);
    }

    @Test
    void agreesWithASimpleModelUnderRandomTraffic()
    {
        final SplittableRandom random = new SplittableRandom(11);
        final int sources = 300;
        // Room for every source: the table must then decide exactly as a map of unbounded size would.
        final SourceLimits limits = new SourceLimits(sources, new SourceLimits.Settings(4, 50, 5, 128, true), 5);
        final Map<Integer, Integer> open = new HashMap<>();
        final Map<Integer, Long> fullAt = new HashMap<>();
        final List<long[]> handles = new ArrayList<>();
        long now = 0;
        for (int step = 0; step < 300_000; step++)
        {
            now += random.nextInt(200_000);
            if (random.nextInt(3) == 0 && !handles.isEmpty())
            {
                final long[] held = handles.remove(random.nextInt(handles.size()));
                limits.release(held[1], now);
                open.merge((int)held[0], -1, Integer::sum);
                continue;
            }
            final int source = random.nextInt(sources);
            final long low = Ip.mappedLow(source * 7919);
            final int count = open.getOrDefault(source, 0);
            final long due = fullAt.getOrDefault(source, Long.MIN_VALUE);
            final long from = due != Long.MIN_VALUE && due - now > 0 ? due : now;
            final int expected = count >= 4 ? -SourceLimits.CONCURRENCY_LIMIT :
                from - now > 4 * 20 * MS ? -SourceLimits.RATE_LIMIT : 0;
            final long handle = limits.acquire(0, low, now);
            assertEquals(expected, handle < 0 ? (int)handle : 0, "step " + step);
            if (handle >= 0)
            {
                fullAt.put(source, from + 20 * MS);
                open.put(source, count + 1);
                handles.add(new long[]{ source, handle });
            }
            assertEquals(open.getOrDefault(source, 0), limits.concurrent(0, low));
        }
        assertEquals(0, limits.evictions());
        assertEquals(0, limits.staleReleases());
    }

    @Test
    void staysConsistentUnderChurnInATinyTable()
    {
        final SplittableRandom random = new SplittableRandom(17);
        final SourceLimits limits = new SourceLimits(16, SourceLimits.Settings.tcp(3, 1000), 5);
        final List<Long> handles = new ArrayList<>();
        long admitted = 0;
        for (int step = 0; step < 200_000; step++)
        {
            final long now = step * 10_000L;
            if (random.nextBoolean() && !handles.isEmpty())
            {
                limits.release(handles.remove(random.nextInt(handles.size())), now);
            }
            else
            {
                final long handle = limits.acquire(0, Ip.mappedLow(random.nextInt(64)), now);
                if (handle >= 0)
                {
                    handles.add(handle);
                    admitted++;
                }
            }
            assertTrue(limits.size() <= 16);
        }
        int tracked = 0;
        for (int source = 0; source < 64; source++)
        {
            tracked += limits.tracks(0, Ip.mappedLow(source)) ? 1 : 0;
        }
        assertEquals(limits.size(), tracked, "every entry is findable, and no other");
        for (final long handle : handles)
        {
            limits.release(handle, Long.MAX_VALUE / 2);
        }
        assertTrue(admitted > 0);
        assertTrue(limits.evictions() > 0);
    }

    @Test
    void refusesSettingsOutOfRangeAndNamesVerdicts()
    {
        assertThrows(IllegalArgumentException.class, () -> new SourceLimits.Settings(-1, 0, 1, 128, true));
        assertThrows(IllegalArgumentException.class, () -> new SourceLimits.Settings(0, 2_000_000_000L, 1, 128, true));
        assertThrows(IllegalArgumentException.class, () -> new SourceLimits.Settings(0, 1, 0, 128, true));
        assertThrows(IllegalArgumentException.class, () -> new SourceLimits.Settings(0, 1, 1, 0, true));
        assertThrows(IllegalArgumentException.class, () -> new SourceLimits(0, SourceLimits.Settings.tcp(1, 0), 1));
        assertEquals("concurrency_limit", SourceLimits.reasonName(SourceLimits.CONCURRENCY_LIMIT));
        assertEquals("rate_limit", SourceLimits.reasonName(SourceLimits.RATE_LIMIT));
        assertEquals("admitted", SourceLimits.reasonName(SourceLimits.ADMITTED));
    }
}
