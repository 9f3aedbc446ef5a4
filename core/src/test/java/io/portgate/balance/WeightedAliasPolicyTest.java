package io.portgate.balance;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** {@code weighted}: another name for {@code round-robin}, kept so that configurations naming it still load. */
class WeightedAliasPolicyTest extends BalancerPolicyContractTest
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
    void picksExactlyAsRoundRobinDoes()
    {
        for (final int[] weights : new int[][]{ WEIGHTS, { 1, 1, 1, 1 }, { 7, 1, 7, 2 } })
        {
            final BalancerPolicy weighted = newPolicy(IDS, weights, 3);
            final BalancerPolicy roundRobin =
                BalancerPolicies.create(BalanceAlgorithm.ROUND_ROBIN, IDS, weights, load, 3);
            assertArrayEquals(picks(roundRobin, 1_000, 1), picks(weighted, 1_000, 1));
        }
    }
}
