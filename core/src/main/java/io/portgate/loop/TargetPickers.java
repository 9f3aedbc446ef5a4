package io.portgate.loop;

import io.portgate.balance.BalanceAlgorithm;

import java.util.function.IntUnaryOperator;

/**
 * Makes the {@link TargetPicker} of a pool on one worker. The one place where the balancing policies plug in: until
 * they exist every algorithm is served by a round robin over the targets.
 */
public final class TargetPickers
{
    private TargetPickers()
    {
    }

    /**
     * Creates a picker.
     *
     * @param algorithm         the pool's policy.
     * @param targetIds         the ids of the targets that may be picked.
     * @param weights           their weights, index for index.
     * @param activeConnections open connections of a target id on this worker, for load-aware policies.
     * @param seed              a seed for randomised policies, distinct per worker.
     * @return a picker owned by the calling worker.
     */
    public static TargetPicker create(
        final BalanceAlgorithm algorithm,
        final int[] targetIds,
        final int[] weights,
        final IntUnaryOperator activeConnections,
        final long seed)
    {
        // Swap for BalancerPolicies.create(algorithm, targetIds, weights, activeConnections::applyAsInt, seed)::pick
        // once io.portgate.balance lands; the signatures match on purpose.
        return new RoundRobin(targetIds, (int)Long.remainderUnsigned(seed, Math.max(1, targetIds.length)));
    }

    private static final class RoundRobin implements TargetPicker
    {
        private final int[] targetIds;
        private int next;

        RoundRobin(final int[] targetIds, final int start)
        {
            this.targetIds = targetIds.clone();
            this.next = start;
        }

        @Override
        public int pick(final long hashKey)
        {
            if (targetIds.length == 0)
            {
                return -1;
            }
            final int id = targetIds[next];
            next = next + 1 == targetIds.length ? 0 : next + 1;
            return id;
        }
    }
}
