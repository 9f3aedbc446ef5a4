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
