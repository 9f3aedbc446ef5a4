package io.portgate.balance;

/**
 * Each eligible target in turn: what {@code round-robin} picks with when every eligible target has the same weight.
 * It gives the same sequence as {@link SmoothWeightedRoundRobinPolicy} would for equal weights, at a constant cost
 * per pick instead of a scan.
 * <p>
 * The first turn goes to the target chosen by the seed rather than to the first target: the conductor rebuilds the
 * policy of every loop at the same moment, and starting them all at the same target would send it a burst.
 */
final class RoundRobinPolicy implements BalancerPolicy
{
    private final int[] targetIds;
    private int next;

    RoundRobinPolicy(final int[] targetIds, final long seed)
    {
        this.targetIds = targetIds;
        this.next = Hashing.reduce(Hashing.mix64(seed), targetIds.length);
    }

    public int pick(final long hashKey)
    {
        final int index = next;
        next = index + 1 == targetIds.length ? 0 : index + 1;

        return targetIds[index];
    }
}
