package io.portgate.balance;

/**
 * Smooth weighted round robin as nginx does it: on each pick every target's current weight grows by its weight, the
 * target with the largest current weight wins (the first of them on a tie) and gives back the total. Over a cycle of
 * total-weight picks each target is chosen exactly weight times, interleaved rather than in runs, so weights 5, 1, 1
 * give a, a, b, a, c, a, a.
 * <p>
 * nginx also lowers a target's effective weight after failures; here a failing target leaves the eligible set
 * through a health verdict and the conductor builds a new policy, so the effective weight is always the weight.
 * Picking costs a scan of the targets, as in nginx, which is cheap next to opening a connection.
 */
final class SmoothWeightedRoundRobinPolicy implements BalancerPolicy
{
    private final int[] targetIds;
    private final int[] weights;
    private final long totalWeight;
    private final long[] currentWeights;

    SmoothWeightedRoundRobinPolicy(final int[] targetIds, final int[] weights)
    {
        this.targetIds = targetIds;
        this.weights = weights;
        long sum = 0;
        for (final int weight : weights)
        {
            sum += weight;
        }
        this.totalWeight = sum;
        // long because current weights range over [-totalWeight, totalWeight] and the total of int weights may not fit.
        this.currentWeights = new long[targetIds.length];
    }

    public int pick(final long hashKey)
    {
        final int[] weights = this.weights;
        final long[] currentWeights = this.currentWeights;
        int best = 0;
        long bestWeight = Long.MIN_VALUE;
        for (int i = 0; i < currentWeights.length; i++)
        {
            final long current = currentWeights[i] + weights[i];
            currentWeights[i] = current;
            if (current > bestWeight)
            {
                bestWeight = current;
                best = i;
            }
        }
        currentWeights[best] = bestWeight - totalWeight;

        return targetIds[best];
    }
}
