package io.portgate.balance;

/**
 * Smooth weighted round robin as nginx does it: on each pick every target's current weight grows by its weight, the
 * target with the largest current weight wins and gives back the total. Over a cycle of total-weight picks each
 * target is chosen exactly weight times, interleaved rather than in runs, so weights 5, 1, 1 give a, a, b, a, c, a, a.
 * This is what {@code round-robin} (and its other name, {@code weighted}) picks with when the weights differ.
 * <p>
 * A tie goes to the first of the tied targets in a scan that starts at the target the seed names, not at the first
 * target: the conductor rebuilds the policy of every loop at the same moment, and with equal current weights every
 * loop would otherwise send its next connection to the same target.
 * <p>
 * nginx also lowers a target's effective weight after failures; here a failing target leaves the eligible set
 * through a health verdict and the conductor builds a new policy, so the effective weight is the weight the
 * conductor gives (configured, set by an operator, or ramping up during a slow start). Picking costs a scan of the
 * targets, as in nginx, which is cheap next to opening a connection.
 */
final class SmoothWeightedRoundRobinPolicy implements BalancerPolicy
{
    private final int[] targetIds;
    private final int[] weights;
    private final long totalWeight;
    private final long[] currentWeights;
    private final int scanStart;

    SmoothWeightedRoundRobinPolicy(final int[] targetIds, final int[] weights, final long seed)
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
        this.scanStart = Hashing.reduce(Hashing.mix64(seed), targetIds.length);
    }

    public int pick(final long hashKey)
    {
        final int[] weights = this.weights;
        final long[] currentWeights = this.currentWeights;
        final int count = currentWeights.length;
        int best = scanStart;
        long bestWeight = Long.MIN_VALUE;
        int index = scanStart;
        for (int i = 0; i < count; i++)
        {
            final long current = currentWeights[index] + weights[index];
            currentWeights[index] = current;
            if (current > bestWeight)
            {
                bestWeight = current;
                best = index;
            }
            index = index + 1 == count ? 0 : index + 1;
        }
        currentWeights[best] = bestWeight - totalWeight;

        return targetIds[best];
    }
}
