package io.portgate.balance;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LeastConnPolicyTest extends BalancerPolicyContractTest
{
    BalanceAlgorithm algorithm()
    {
        return BalanceAlgorithm.LEAST_CONN;
    }

    boolean isKeyedByClient()
    {
        return false;
    }

    @Test
    void followsTheLeastLoadedTargetForItsWeightAsConnectionsComeAndGo()
    {
        final BalancerPolicy policy = newPolicy(IDS, WEIGHTS, 1);
        final SplittableRandom random = new SplittableRandom(8);
        for (int i = 0; i < 100_000; i++)
        {
            if (random.nextInt(3) == 0)
            {
                closeSomeConnection(random);
            }

            final int target = policy.pick(random.nextLong());
            final int index = indexOf(IDS, target);
            for (int other = 0; other < IDS.length; other++)
            {
                // active / weight of the pick must be minimal, compared without division.
                assertTrue(
                    (long)activeConnections[target] * WEIGHTS[other] <=
                    (long)activeConnections[IDS[other]] * WEIGHTS[index],
                    "picked a target that is busier for its weight than another");
            }
            activeConnections[target]++;
        }
    }

    @Test
    void loadEndsUpProportionalToWeight()
    {
        final BalancerPolicy policy = newPolicy(IDS, WEIGHTS, 1);
        for (int i = 0; i < 1_000; i++)
        {
            activeConnections[policy.pick(i)]++;
        }

        final int[] active = new int[IDS.length];
        for (int i = 0; i < IDS.length; i++)
        {
            active[i] = activeConnections[IDS[i]];
        }
        assertArrayEquals(new int[]{ 100, 200, 300, 400 }, active);
    }

    @Test
    void spreadsOverEquallyLoadedTargets()
    {
        final BalancerPolicy policy = newPolicy(IDS, new int[]{ 1, 1, 1, 1 }, 1);
        for (final int id : IDS)
        {
            activeConnections[id] = 5;
        }

        for (int round = 0; round < 10; round++)
        {
            final Set<Integer> picked = new HashSet<>();
            for (int i = 0; i < IDS.length; i++)
            {
                picked.add(policy.pick(i));
            }
            assertEquals(IDS.length, picked.size(), "every target once per round at equal load");
        }
    }

    @Test
    void equallyLoadedTargetsShareByWeightAsNginxDoes()
    {
        // Every connection closes before the next: all idle, so the tie is broken by smooth weighted round robin.
        final BalancerPolicy policy = newPolicy(new int[]{ 1, 2 }, new int[]{ 3, 1 }, 1);

        assertArrayEquals(new long[]{ 3_000, 1_000 }, hits(policy, new int[]{ 1, 2 }, 4_000, 1));
    }

    @Test
    void aTieAmongSomeTargetsIsBrokenByTheirWeightsAlone()
    {
        final BalancerPolicy policy = newPolicy(IDS, new int[]{ 1, 2, 3, 4 }, 1);
        activeConnections[IDS[0]] = 1;
        activeConnections[IDS[1]] = 2;
        activeConnections[IDS[2]] = 30;
        activeConnections[IDS[3]] = 40;

        // 3 and 7 are equally loaded for their weights (1/1 = 2/2), the others far busier: 1:2 between the two.
        assertArrayEquals(new long[]{ 1_000, 2_000, 0, 0 }, hits(policy, IDS, 3_000, 1));
    }

    @Test
    void avoidsTheBusyTarget()
    {
        final BalancerPolicy policy = newPolicy(new int[]{ 1, 2 }, new int[]{ 1, 1 }, 1);
        activeConnections[1] = 10;
        activeConnections[2] = 3;

        for (int i = 0; i < 100; i++)
        {
            assertEquals(2, policy.pick(i));
        }
    }

    private void closeSomeConnection(final SplittableRandom random)
    {
        final int target = IDS[random.nextInt(IDS.length)];
        if (activeConnections[target] > 0)
        {
            activeConnections[target]--;
        }
    }
}
