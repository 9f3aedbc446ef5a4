package io.portgate.balance;

import java.util.Arrays;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PowerOfTwoChoicesPolicyTest extends BalancerPolicyContractTest
{
    BalanceAlgorithm algorithm()
    {
        return BalanceAlgorithm.P2C;
    }

    boolean isKeyedByClient()
    {
        return false;
    }

    @Test
    void drawsByWeightWhenLoadIsEqual()
    {
        final BalancerPolicy policy = newPolicy(IDS, WEIGHTS, 1);

        // At equal load the first of the two draws wins, so the shares are the weighted draw's; the standard error
        // of a share over 1e6 picks is below 0.05 percentage points, so one point is a wide margin.
        assertSharesFollowWeights(shares(policy, IDS, 1_000_000, 1), WEIGHTS, 0.01);
    }

    @Test
    void neverPicksTheBusiestTarget()
    {
        final BalancerPolicy policy = newPolicy(IDS, WEIGHTS, 1);
        activeConnections[IDS[0]] = 1;
        activeConnections[IDS[1]] = 4;
        activeConnections[IDS[2]] = 30;
        activeConnections[IDS[3]] = 3;

        final long[] hits = hits(policy, IDS, 100_000, 1);
        assertEquals(0, hits[2], "the busiest target for its weight always loses its comparison");
        assertTrue(hits[0] > 0 && hits[1] > 0 && hits[3] > 0);
    }

    @Test
    void alwaysPicksTheLessLoadedOfTwo()
    {
        final BalancerPolicy policy = newPolicy(new int[]{ 1, 2 }, new int[]{ 1, 9 }, 1);
        activeConnections[1] = 2;
        activeConnections[2] = 17;

        for (int i = 0; i < 1_000; i++)
        {
            assertEquals(2, policy.pick(i), "17 / 9 is less than 2 / 1");
        }
    }

    @Test
    void differentSeedsDrawDifferently()
    {
        final int[] ids = { 0, 1, 2, 3, 4, 5, 6, 7 };
        final int[] weights = { 1, 1, 1, 1, 1, 1, 1, 1 };

        assertFalse(Arrays.equals(
            picks(newPolicy(ids, weights, 1), 100, 1), picks(newPolicy(ids, weights, 2), 100, 1)));
    }
}
