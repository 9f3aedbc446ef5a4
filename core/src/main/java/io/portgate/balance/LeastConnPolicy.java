package io.portgate.balance;

/**
 * The target with the fewest active connections for its weight, that is the smallest {@code active / weight},
 * compared by cross-multiplying so no division or rounding is involved. Among equally loaded targets the choice
 * rotates, so that an idle pool, or one where every target is equally busy, is still spread rather than filled from
 * the first target.
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
    private int rotation;

    LeastConnPolicy(final int[] targetIds, final int[] weights, final LoadView load, final long seed)
    {
        this.targetIds = targetIds;
        this.weights = weights;
        this.load = load;
        // Seeded for the same reason as round robin: loops rebuilt together should not all start on one target.
        this.rotation = Hashing.reduce(Hashing.mix64(seed), targetIds.length);
    }

    public int pick(final long hashKey)
    {
        final int[] targetIds = this.targetIds;
        final int[] weights = this.weights;
        final int count = targetIds.length;

        int best = rotation;
        long bestActive = load.activeConnections(targetIds[best]);
        long bestWeight = weights[best];
        int index = best;
        for (int i = 1; i < count; i++)
        {
            index = index + 1 == count ? 0 : index + 1;
            final long active = load.activeConnections(targetIds[index]);
            final long weight = weights[index];
            if (active * bestWeight < bestActive * weight)
            {
                best = index;
                bestActive = active;
                bestWeight = weight;
            }
        }
        rotation = best + 1 == count ? 0 : best + 1;

        return targetIds[best];
    }
}
