package io.portgate.balance;

import io.portgate.spi.LoadView;

/**
 * Power of two random choices: draw two distinct targets at random, each with probability proportional to its
 * weight, and take the one with fewer active connections for its weight (the first drawn on a tie). Unlike
 * least-conn it needs only two load reads per pick, and because the choice is random, loops whose counts are stale
 * or alike do not all pile onto the same least loaded target.
 * <p>
 * The random state is a SplitMix64 sequence held in a field, so drawing allocates nothing; loops should be given
 * different seeds so that their draws differ.
 */
final class PowerOfTwoChoicesPolicy implements BalancerPolicy
{
    private static final long GOLDEN_GAMMA = 0x9E37_79B9_7F4A_7C15L;

    private final int[] targetIds;
    private final int[] weights;
    private final CumulativeWeights cumulativeWeights;
    private final LoadView load;
    private long randomState;

    PowerOfTwoChoicesPolicy(final int[] targetIds, final int[] weights, final LoadView load, final long seed)
    {
        this.targetIds = targetIds;
        this.weights = weights;
        this.cumulativeWeights = new CumulativeWeights(weights);
        this.load = load;
        this.randomState = seed;
    }

    public int pick(final long hashKey)
    {
        final int[] targetIds = this.targetIds;
        if (1 == targetIds.length)
        {
            return targetIds[0];
        }

        final CumulativeWeights cumulativeWeights = this.cumulativeWeights;
        final int totalWeight = cumulativeWeights.totalWeight();
        final int first = cumulativeWeights.indexOf(Hashing.reduce(nextRandom(), totalWeight));

        // Draw the second from the weight range with the first's run cut out, so it is distinct without retrying.
        final int firstWeight = weights[first];
        int point = Hashing.reduce(nextRandom(), totalWeight - firstWeight);
        if (point >= cumulativeWeights.start(first))
        {
            point += firstWeight;
        }
        final int second = cumulativeWeights.indexOf(point);

        final long firstActive = load.openConnections(targetIds[first]);
        final long secondActive = load.openConnections(targetIds[second]);

        return secondActive * firstWeight < firstActive * weights[second] ? targetIds[second] : targetIds[first];
    }

    private long nextRandom()
    {
        final long state = randomState + GOLDEN_GAMMA;
        randomState = state;

        return Hashing.mix64(state);
    }
}
