package io.portgate.balance;

/**
 * Maps a client's hash onto the weight range, each target owning a run as long as its weight, so the same client
 * reaches the same target while the eligible set is unchanged and targets receive clients in proportion to weight.
 * <p>
 * This is map-based hashing: when a target leaves or joins, the runs after it shift and many clients move. Pools that
 * need clients to stay put across such changes should use {@link MaglevTable}. Immutable, so one instance may serve
 * every loop.
 */
final class SourceHashPolicy implements BalancerPolicy
{
    private final int[] targetIds;
    private final CumulativeWeights cumulativeWeights;

    SourceHashPolicy(final int[] targetIds, final int[] weights)
    {
        this.targetIds = targetIds;
        this.cumulativeWeights = new CumulativeWeights(weights);
    }

    public int pick(final long hashKey)
    {
        final CumulativeWeights cumulativeWeights = this.cumulativeWeights;
        final int point = Hashing.reduce(Hashing.mix64(hashKey), cumulativeWeights.totalWeight());

        return targetIds[cumulativeWeights.indexOf(point)];
    }
}
