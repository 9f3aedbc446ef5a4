package io.portgate.balance;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@code round-robin}, the default: smooth weighted round robin, a plain rotation when the weights are equal.
 */
class RoundRobinPolicyTest extends BalancerPolicyContractTest
{
    BalanceAlgorithm algorithm()
    {
        return BalanceAlgorithm.ROUND_ROBIN;
    }

    boolean isKeyedByClient()
    {
        return false;
    }

    @Test
    void equalWeightsCycleThroughTargetsInOrderFromTheSeededStart()
    {
        final int[] equal = { 2, 2, 2, 2 };
        final BalancerPolicy policy = newPolicy(IDS, equal, 7);
        final int start = indexOf(IDS, policy.pick(0));
        for (int i = 1; i < 3 * IDS.length; i++)
        {
            assertEquals(IDS[(start + i) % IDS.length], policy.pick(i));
        }
    }

    @Test
    void loopsSeededDifferentlyStartOnDifferentTargets()
    {
        final java.util.Set<Integer> firsts = new java.util.HashSet<>();
        for (long seed = 0; seed < 16; seed++)
        {
            firsts.add(newPolicy(IDS, new int[]{ 1, 1, 1, 1 }, seed).pick(0));
        }
        assertEquals(IDS.length, firsts.size(), "sixteen loops rebuilt at once all started on " + firsts);
    }

    @Test
    void givesEachTargetExactlyItsWeightPerCycle()
    {
        final BalancerPolicy policy = newPolicy(IDS, WEIGHTS, 1);

        // 1e6 picks are 100_000 whole cycles of total weight 10, so the shares are exact, not within a tolerance.
        assertArrayEquals(new long[]{ 100_000, 200_000, 300_000, 400_000 }, hits(policy, IDS, 1_000_000, 1));
    }

    @Test
    void interleavesAsNginxDoes()
    {
        final int a = 0;
        final int b = 1;
        final int c = 2;
        // A tie goes to the first target of the seeded scan; this seed starts it at a, as nginx always does.
        final BalancerPolicy policy = newPolicy(new int[]{ a, b, c }, new int[]{ 5, 1, 1 }, seedStartingAt(0, 3));

        final int[] cycle = { a, a, b, a, c, a, a };
        assertArrayEquals(cycle, picks(policy, cycle.length, 1));
        assertArrayEquals(cycle, picks(policy, cycle.length, 1));
    }

    @Test
    void threeToOneInterleavesWithinEachCycleOfFour()
    {
        final BalancerPolicy policy = newPolicy(new int[]{ 10, 11 }, new int[]{ 3, 1 }, 5);
        for (int cycle = 0; cycle < 100; cycle++)
        {
            final long[] hits = hits(policy, new int[]{ 10, 11 }, 4, cycle);
            assertArrayEquals(new long[]{ 3, 1 }, hits, "cycle " + cycle);
        }
    }

    @Test
    void equalWeightsGiveTheSameSequenceAsTheWeightedScan()
    {
        for (long seed = 0; seed < 8; seed++)
        {
            final BalancerPolicy rotation = newPolicy(IDS, new int[]{ 5, 5, 5, 5 }, seed);
            final BalancerPolicy scan = new SmoothWeightedRoundRobinPolicy(IDS, new int[]{ 5, 5, 5, 5 }, seed);
            assertArrayEquals(picks(scan, 100, 1), picks(rotation, 100, 1), "seed " + seed);
        }
    }

    /** A seed whose scan starts at {@code index} of {@code count} targets. */
    static long seedStartingAt(final int index, final int count)
    {
        for (long seed = 0; ; seed++)
        {
            if (Hashing.reduce(Hashing.mix64(seed), count) == index)
            {
                return seed;
            }
        }
    }
}
