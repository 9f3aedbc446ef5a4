package io.portgate.balance;

import io.portgate.config.ConfigEnum;
import io.portgate.spi.BalancingPolicy;
import io.portgate.spi.EligibleTargets;
import io.portgate.spi.LoadView;

import java.util.ArrayList;
import java.util.List;

/**
 * The built-in balancing policies, by their configuration names; each is a {@link BalancingPolicy} as an embedder's
 * is.
 */
public enum BalanceAlgorithm implements ConfigEnum, BalancingPolicy
{
    /**
     * Smooth weighted round robin, as nginx's default and HAProxy's {@code roundrobin}: each target in turn, as often
     * as its weight says, interleaved; with equal weights, plain rotation.
     */
    ROUND_ROBIN,
    /** Another name for {@link #ROUND_ROBIN}, accepted for configurations written when only it honoured weights. */
    WEIGHTED,
    /**
     * The target with the fewest active connections relative to its weight; among equally loaded targets, smooth
     * weighted round robin, as nginx's {@code least_conn}.
     */
    LEAST_CONN,
    /** Power of two random choices over active connections. */
    P2C,
    /** A hash of the client address picks the target. */
    SOURCE_HASH,
    /** Maglev consistent hashing with weights. */
    MAGLEV;

    /**
     * Looks a policy up by its configuration name.
     *
     * @param name the name as written in the file.
     * @return the policy, or null when there is none of that name.
     */
    public static BalanceAlgorithm fromConfigName(final String name)
    {
        for (final BalanceAlgorithm algorithm : values())
        {
            if (algorithm.configName().equals(name))
            {
                return algorithm;
            }
        }
        return null;
    }

    /**
     * Every configuration name, in declaration order.
     *
     * @return the names.
     */
    public static List<String> configNames()
    {
        final List<String> names = new ArrayList<>();
        for (final BalanceAlgorithm algorithm : values())
        {
            names.add(algorithm.configName());
        }
        return names;
    }

    /**
     * Builds this policy's picker, keying Maglev targets by their addresses.
     *
     * @param targets the eligible targets.
     * @param load    the loop's open connections.
     * @param seed    the loop's seed.
     * @return the picker.
     */
    @Override
    public BalancerPolicy picker(final EligibleTargets targets, final LoadView load, final long seed)
    {
        final long[] keys = new long[targets.count()];
        for (int i = 0; i < keys.length; i++)
        {
            keys[i] = Hashing.targetKey(targets.address(i));
        }
        return BalancerPolicies.create(this, targets.ids(), targets.weights(), keys, load, seed);
    }

    @Override
    public String toString()
    {
        return configName();
    }
}
