package io.portgate.spi;

/**
 * A balancing policy: given a pool's eligible targets, their weights, a view of the load and a flow's hash, it picks
 * the target of a new connection or UDP flow. The six built-in policies ({@code round-robin}, {@code weighted},
 * {@code least-conn}, {@code p2c}, {@code source-hash}, {@code maglev}) implement this interface too.
 *
 * <p>A policy is registered under a name with {@link Extensions.Builder#policy(String, BalancingPolicy)}, and a pool
 * selects it with {@code balance: NAME} in a configuration file or
 * {@link io.portgate.config.PoolConfig.Builder#balance(String)} in code.
 *
 * <p>The contract:
 * <ul>
 *   <li>{@link #picker} runs on the control thread whenever the eligible set or a weight changes (a target goes up
 *       or down, is drained, an operator sets a weight, a slow start ramps, a reload), never on the data path: it
 *       may allocate and precompute.</li>
 *   <li>{@link Picker#pick(long)} runs on one forwarder loop for every new connection or flow: it must not allocate,
 *       block, or throw. {@link AllocationCheck} verifies the first of these for a policy.</li>
 *   <li>Each loop gets a picker of its own, so a picker may keep mutable state without synchronisation.</li>
 * </ul>
 */
@FunctionalInterface
public interface BalancingPolicy
{
    /**
     * Builds the picker one forwarder loop uses for one listener over one set of eligible targets.
     *
     * @param targets the eligible targets with their weights; never changes once built.
     * @param load    the loop's open connections per target; read it in {@link Picker#pick(long)}, not here.
     * @param seed    a seed of this loop's own, for policies that draw at random or start a rotation somewhere.
     * @return the picker.
     */
    Picker picker(EligibleTargets targets, LoadView load, long seed);

    /** Picks one target among the eligible ones; owned by one forwarder loop. */
    @FunctionalInterface
    interface Picker
    {
        /** Returned by {@link #pick(long)} when there is no target to pick. */
        int NO_TARGET = -1;

        /**
         * Picks the target of a new connection or flow. Must not allocate, block or throw.
         *
         * @param flowHash a hash of the client: of its address for TCP, of its address and port for a UDP flow (of
         *                 its address alone under UDP client affinity). It need not be well mixed.
         * @return the chosen target's {@link EligibleTargets#id(int) id}, or {@link #NO_TARGET}.
         */
        int pick(long flowHash);
    }
}
