package io.portgate.balance;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class SourceHashPolicyTest extends BalancerPolicyContractTest
{
    BalanceAlgorithm algorithm()
    {
        return BalanceAlgorithm.SOURCE_HASH;
    }

    boolean isKeyedByClient()
    {
        return true;
    }

    @Test
    void sharesFollowWeightsForRandomClients()
    {
        final BalancerPolicy policy = newPolicy(IDS, WEIGHTS, 1);

        // Each target owns exactly its weight's fraction of the hash range, so only sampling error remains: below
        // 0.05 percentage points over 1e6 keys.
        assertSharesFollowWeights(shares(policy, IDS, 1_000_000, 1), WEIGHTS, 0.01);
    }

    @Test
    void sharesFollowWeightsForSequentialClients()
    {
        final BalancerPolicy policy = newPolicy(IDS, WEIGHTS, 1);
        final long[] hits = new long[IDS.length];
        final long firstAddress = 0x0A00_0000L;
        for (long address = firstAddress; address < firstAddress + 1_000_000; address++)
        {
            hits[indexOf(IDS, policy.pick(address))]++;
        }

        final double[] shares = new double[IDS.length];
        for (int i = 0; i < IDS.length; i++)
        {
            shares[i] = hits[i] / 1e6;
        }
        assertSharesFollowWeights(shares, WEIGHTS, 0.01);
    }

    @Test
    void sameClientSameTargetInEveryLoop()
    {
        final BalancerPolicy oneLoop = newPolicy(IDS, WEIGHTS, 1);
        final BalancerPolicy otherLoop = newPolicy(IDS, WEIGHTS, 2);
        final SplittableRandom random = new SplittableRandom(6);
        for (int i = 0; i < 10_000; i++)
        {
            final long client = random.nextLong();
            assertEquals(oneLoop.pick(client), otherLoop.pick(client));
        }
    }
}
