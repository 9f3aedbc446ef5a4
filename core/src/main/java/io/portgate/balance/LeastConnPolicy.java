package io.portgate.balance;

import io.portgate.spi.LoadView;

/**
 * The target with the fewest active connections for its weight, that is the smallest {@code active / weight},
 * compared by cross-multiplying so no division or rounding is involved (HAProxy's {@code leastconn} and nginx's
 * {@code least_conn} weigh connections the same way). Among equally loaded targets the choice is smooth weighted
 * round robin over those targets, as in nginx: an idle pool, or one where short connections close before the next
 * one opens, is then spread by weight rather than evenly or from the first target.
 * <p>
 * The counts come from the calling loop's {@link LoadView}, so each loop balances its own connections; with the
 * accepted connections spread evenly over the loops this converges to the pool-wide balance without any shared
 * state. Picking scans all targets, which is cheap next to opening a connection.
 */
final class LeastConnPolicy implements BalancerPolicy
{
    private final int[] targetIds;
    private final int[] weights;
    private final LoadView load;
    private final long[] active;
    private final long[] currentWeights;
    private final int scanStart;

    LeastConnPolicy(final int[] targetIds, final int[] weights, final LoadView load, final long seed)
    {
        this.targetIds = targetIds;
        this.weights = weights;
        this.load = load;
        this.active = new long[targetIds.length];
        this.currentWeights = new long[targetIds.length];
        // Seeded for the same reason as round robin: loops rebuilt together should not all start on one target.
        this.scanStart = Hashing.reduce(Hashing.mix64(seed), targetIds.length);
    }

    public int pick(final long hashKey)
    {
        final int[] targetIds = this.targetIds;
        final int[] weights = this.weights;
        final long[] active = this.active;
        final int count = targetIds.length;

        int least = 0;
        int ties = 0;
        for (int i = 0; i < count; i++)
        {
            final long connections = load.openConnections(targetIds[i]);
            active[i] = connections;
            final long order = Long.compare(connections * weights[least], active[least] * weights[i]);
            if (i == 0 || order < 0)
            {
                least = i;
                ties = 1;
            }
            else if (order == 0)
            {
                ties++;
            }
        }
        if (ties == 1)
        {
            return targetIds[least];
        }

        return targetIds[amongTied(least)];
    }

    /** Smooth weighted round robin over the targets as loaded for their weight as {@code least}. */
    private int amongTied(final int least)
    {
        final int[] weights = this.weights;
        final long[] active = this.active;
        final long[] currentWeights = this.currentWeights;
        final int count = active.length;
        final long leastActive = active[least];
        final long leastWeight = weights[least];
        long total = 0;
        int best = least;
        long bestWeight = Long.MIN_VALUE;
        int index = scanStart;
        for (int i = 0; i < count; i++)
        {
            if (active[index] * leastWeight == leastActive * weights[index])
            {
                final long current = currentWeights[index] + weights[index];
                currentWeights[index] = current;
                total += weights[index];
                if (current > bestWeight)
                {
                    bestWeight = current;
                    best = index;
                }
            }
            index = index + 1 == count ? 0 : index + 1;
        }
        currentWeights[best] = bestWeight - total;

        return best;
    }
}
