package io.portgate.balance;

import io.portgate.spi.LoadView;

import java.util.Arrays;
import java.util.Objects;

/**
 * Builds a {@link BalancerPolicy} from the description of a pool's eligible targets. Called by the conductor whenever
 * the eligible set or a weight changes; the arrays are copied, so the caller may reuse them.
 */
public final class BalancerPolicies
{
    private static final BalancerPolicy NO_TARGETS = hashKey -> BalancerPolicy.NO_TARGET;

    private BalancerPolicies()
    {
    }

    /**
     * Builds a policy, keying Maglev targets by {@link Hashing#targetKey(int) their ids}.
     *
     * @param algorithm the policy to build.
     * @param targetIds {@code targetIds[i]} is the stable id of eligible target {@code i}: its index in the pool's
     *                  full target list. Distinct and not negative; may be empty.
     * @param weights   {@code weights[i]} is the weight of eligible target {@code i}, at least 1, summing to at most
     *                  {@link Integer#MAX_VALUE}.
     * @param load      the calling loop's connection counts; required by least-conn and p2c, ignored by the others.
     * @param seed      seeds the random draws of p2c and the target round-robin and least-conn start their scans at;
     *                  give each loop its own.
     * @return a policy owned by one loop.
     */
    public static BalancerPolicy create(
        final BalanceAlgorithm algorithm,
        final int[] targetIds,
        final int[] weights,
        final LoadView load,
        final long seed)
    {
        return create(algorithm, targetIds, weights, null, load, seed);
    }

    /**
     * Builds a policy.
     *
     * @param algorithm  the policy to build.
     * @param targetIds  {@code targetIds[i]} is the stable id of eligible target {@code i}: its index in the pool's
     *                   full target list. Distinct and not negative; may be empty.
     * @param weights    {@code weights[i]} is the weight of eligible target {@code i}, at least 1, summing to at
     *                   most {@link Integer#MAX_VALUE}.
     * @param targetKeys a stable key per target for Maglev, such as {@link
     *                   Hashing#targetKey(java.net.InetSocketAddress)} of its address, or {@code null} to key targets
     *                   by id. Ignored by the other policies.
     * @param load       the calling loop's connection counts; required by least-conn and p2c, ignored by the others.
     * @param seed       seeds the random draws of p2c and the target round-robin and least-conn start their scans
     *                   at; give each loop its own.
     * @return a policy owned by one loop. For Maglev, building one {@link MaglevTable} and giving it to every loop
     * saves a table per loop.
     */
    public static BalancerPolicy create(
        final BalanceAlgorithm algorithm,
        final int[] targetIds,
        final int[] weights,
        final long[] targetKeys,
        final LoadView load,
        final long seed)
    {
        Objects.requireNonNull(algorithm, "algorithm");
        validate(targetIds, weights);
        if (null != targetKeys && targetKeys.length != targetIds.length)
        {
            throw new IllegalArgumentException(
                "targetKeys has " + targetKeys.length + " entries for " + targetIds.length + " targets");
        }
        if (BalanceAlgorithm.LEAST_CONN == algorithm || BalanceAlgorithm.P2C == algorithm)
        {
            Objects.requireNonNull(load, () -> algorithm.configName() + " needs a LoadView");
        }
        if (0 == targetIds.length)
        {
            return NO_TARGETS;
        }

        final int[] ids = targetIds.clone();
        final int[] targetWeights = weights.clone();

        return switch (algorithm)
        {
            case ROUND_ROBIN, WEIGHTED -> roundRobin(ids, targetWeights, seed);
            case LEAST_CONN -> new LeastConnPolicy(ids, targetWeights, load, seed);
            case P2C -> new PowerOfTwoChoicesPolicy(ids, targetWeights, load, seed);
            case SOURCE_HASH -> new SourceHashPolicy(ids, targetWeights);
            case MAGLEV -> MaglevTable.build(ids, targetWeights, null != targetKeys ? targetKeys : keysOf(ids));
        };
    }

    /**
     * Weighted round robin. With equal weights a cursor gives the same sequence as the smooth weighted scan, at a
     * constant cost per pick, so the common pool of equal targets does not pay for weights it does not use.
     */
    private static BalancerPolicy roundRobin(final int[] targetIds, final int[] weights, final long seed)
    {
        for (int i = 1; i < weights.length; i++)
        {
            if (weights[i] != weights[0])
            {
                return new SmoothWeightedRoundRobinPolicy(targetIds, weights, seed);
            }
        }
        return new RoundRobinPolicy(targetIds, seed);
    }

    static void validate(final int[] targetIds, final int[] weights)
    {
        Objects.requireNonNull(targetIds, "targetIds");
        Objects.requireNonNull(weights, "weights");
        if (targetIds.length != weights.length)
        {
            throw new IllegalArgumentException(
                "weights has " + weights.length + " entries for " + targetIds.length + " targets");
        }

        long totalWeight = 0;
        for (int i = 0; i < targetIds.length; i++)
        {
            if (targetIds[i] < 0)
            {
                throw new IllegalArgumentException("target id must not be negative: " + targetIds[i]);
            }
            if (weights[i] < 1)
            {
                throw new IllegalArgumentException(
                    "weight of target " + targetIds[i] + " must be at least 1: " + weights[i]);
            }
            totalWeight += weights[i];
        }
        if (totalWeight > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("total weight " + totalWeight + " exceeds " + Integer.MAX_VALUE);
        }

        final int[] sortedIds = targetIds.clone();
        Arrays.sort(sortedIds);
        for (int i = 1; i < sortedIds.length; i++)
        {
            if (sortedIds[i] == sortedIds[i - 1])
            {
                throw new IllegalArgumentException("target id " + sortedIds[i] + " appears more than once");
            }
        }
    }

    private static long[] keysOf(final int[] targetIds)
    {
        final long[] keys = new long[targetIds.length];
        for (int i = 0; i < targetIds.length; i++)
        {
            keys[i] = Hashing.targetKey(targetIds[i]);
        }

        return keys;
    }
}
