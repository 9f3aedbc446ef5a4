package io.portgate.balance;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
    void cyclesThroughTargetsInOrderFromTheSeededStart()
    {
        final BalancerPolicy policy = newPolicy(IDS, WEIGHTS, 7);
        final int start = indexOf(IDS, policy.pick(0));
        for (int i = 1; i < 3 * IDS.length; i++)
        {
            assertEquals(IDS[(start + i) % IDS.length], policy.pick(i));
        }
    }

    @Test
    void givesEqualSharesWhateverTheWeights()
    {
        final BalancerPolicy policy = newPolicy(IDS, WEIGHTS, 1);

        assertArrayEquals(new long[]{ 250_000, 250_000, 250_000, 250_000 }, hits(policy, IDS, 1_000_000, 1));
    }
}
