package io.portgate.spi;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The targets of a pool a policy may pick from now, with their weights: those that are up (or, when every target is
 * down and the pool says {@code when-all-down: fail-open}, those that are down), not drained, each at the weight in
 * force (as configured, as an operator set it, or on its slow-start ramp). Immutable.
 */
public final class EligibleTargets
{
    private final int[] ids;
    private final int[] weights;
    private final InetSocketAddress[] addresses;
    private final long totalWeight;

    private EligibleTargets(final int[] ids, final int[] weights, final InetSocketAddress[] addresses)
    {
        this.ids = ids;
        this.weights = weights;
        this.addresses = addresses;
        long total = 0;
        for (final int weight : weights)
        {
            total += weight;
        }
        this.totalWeight = total;
    }

    /**
     * Describes a set of eligible targets; the arrays are copied.
     *
     * @param ids       each target's stable id (its index in the pool's target list): distinct, not negative.
     * @param weights   each target's weight, at least 1.
     * @param addresses each target's traffic address.
     * @return the targets.
     * @throws IllegalArgumentException when the arrays differ in length, an id repeats or is negative, or a weight
     *                                  is below 1.
     */
    public static EligibleTargets of(final int[] ids, final int[] weights, final InetSocketAddress[] addresses)
    {
        Objects.requireNonNull(ids, "ids");
        Objects.requireNonNull(weights, "weights");
        Objects.requireNonNull(addresses, "addresses");
        if (ids.length != weights.length || ids.length != addresses.length)
        {
            throw new IllegalArgumentException("ids, weights and addresses differ in length: " + ids.length + ", " +
                weights.length + ", " + addresses.length);
        }
        final java.util.BitSet seen = new java.util.BitSet();
        for (int i = 0; i < ids.length; i++)
        {
            if (ids[i] < 0 || seen.get(ids[i]))
            {
                throw new IllegalArgumentException("target id " + ids[i] + " is negative or repeated");
            }
            seen.set(ids[i]);
            if (weights[i] < 1)
            {
                throw new IllegalArgumentException("weight of target " + ids[i] + " must be at least 1: " +
                    weights[i]);
            }
            Objects.requireNonNull(addresses[i], "addresses[" + i + "]");
        }
        return new EligibleTargets(ids.clone(), weights.clone(), addresses.clone());
    }

    /**
     * How many targets are eligible; 0 when none is.
     *
     * @return how many targets are eligible; 0 when none is.
     */
    public int count()
    {
        return ids.length;
    }

    /**
     * The stable id of an eligible target, what {@link BalancingPolicy.Picker#pick(long)} returns.
     *
     * @param index 0 to {@link #count()} - 1.
     * @return its id.
     */
    public int id(final int index)
    {
        return ids[index];
    }

    /**
     * The weight in force of an eligible target.
     *
     * @param index 0 to {@link #count()} - 1.
     * @return its weight, at least 1.
     */
    public int weight(final int index)
    {
        return weights[index];
    }

    /**
     * The traffic address of an eligible target (its first internal port).
     *
     * @param index 0 to {@link #count()} - 1.
     * @return its address.
     */
    public InetSocketAddress address(final int index)
    {
        return addresses[index];
    }

    /**
     * The sum of the weights.
     *
     * @return the sum of the weights.
     */
    public long totalWeight()
    {
        return totalWeight;
    }

    /**
     * A copy of the ids, in order.
     *
     * @return a copy of the ids, in order.
     */
    public int[] ids()
    {
        return ids.clone();
    }

    /**
     * A copy of the weights, in order.
     *
     * @return a copy of the weights, in order.
     */
    public int[] weights()
    {
        return weights.clone();
    }
}
