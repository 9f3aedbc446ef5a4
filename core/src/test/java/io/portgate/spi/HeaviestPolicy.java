package io.portgate.spi;

/**
 * A policy of the tests' own: the eligible target of the largest weight, among equals the one this loop has the
 * fewest connections open to. It reads the weights and the load view on every pick and allocates nothing.
 */
public final class HeaviestPolicy implements BalancingPolicy
{
    /** The name the tests register it under. */
    public static final String NAME = "heaviest";

    @Override
    public Picker picker(final EligibleTargets targets, final LoadView load, final long seed)
    {
        return flowHash ->
        {
            int best = Picker.NO_TARGET;
            int bestWeight = 0;
            int bestLoad = Integer.MAX_VALUE;
            for (int i = 0; i < targets.count(); i++)
            {
                final int weight = targets.weight(i);
                final int open = load.openConnections(targets.id(i));
                if (weight > bestWeight || weight == bestWeight && open < bestLoad)
                {
                    best = targets.id(i);
                    bestWeight = weight;
                    bestLoad = open;
                }
            }
            return best;
        };
    }
}
