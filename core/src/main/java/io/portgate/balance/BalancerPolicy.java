package io.portgate.balance;

import io.portgate.spi.BalancingPolicy;

/**
 * Chooses the target for a new connection or flow among a pool's eligible targets: the picker every forwarder loop
 * holds, built-in ({@link BalancerPolicies}) or an embedder's ({@link BalancingPolicy}).
 * <p>
 * Built from an immutable description of the eligible targets and replaced, not updated, when that set changes.
 * Unless an implementation says it is immutable, an instance belongs to one forwarder loop.
 */
@FunctionalInterface
public interface BalancerPolicy extends BalancingPolicy.Picker
{
    /**
     * Chooses a target. Never allocates.
     *
     * @param hashKey a hash of the client: of its address for source-hash, of address and port for a flow. It need
     *                not be well mixed, the hashing policies mix it. Policies that do not hash ignore it.
     * @return the stable id of the chosen target, or {@link #NO_TARGET} when there is no eligible target.
     */
    @Override
    int pick(long hashKey);
}
