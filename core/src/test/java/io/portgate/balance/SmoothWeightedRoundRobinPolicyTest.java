package io.portgate.balance;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

class SmoothWeightedRoundRobinPolicyTest extends BalancerPolicyContractTest
{
    BalanceAlgorithm algorithm()
    {
        return BalanceAlgorithm.WEIGHTED;
    }

    boolean isKeyedByClient()
    {
        return false;
    }

    @Test
    void interleavesAsNginxDoes()
    {
        final int a = 0;
        final int b = 1;
        final int c = 2;
        final BalancerPolicy policy = newPolicy(new int[]{ a, b, c }, new int[]{ 5, 1, 1 }, 1);

        final int[] cycle = { a, a, b, a, c, a, a };
        assertArrayEquals(cycle, picks(policy, cycle.length, 1));
        assertArrayEquals(cycle, picks(policy, cycle.length, 1));
    }

    @Test
    void givesEachTargetExactlyItsWeightPerCycle()
    {
        final BalancerPolicy policy = newPolicy(IDS, WEIGHTS, 1);

        // 1e6 picks are 100_000 whole cycles of total weight 10, so the shares are exact, not within a tolerance.
        assertArrayEquals(new long[]{ 100_000, 200_000, 300_000, 400_000 }, hits(policy, IDS, 1_000_000, 1));
    }
}
