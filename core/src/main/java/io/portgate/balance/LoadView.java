package io.portgate.balance;

/**
 * The forwarder loop's own count of active connections or flows per target, read by the load-aware policies.
 * <p>
 * The counts are the calling loop's alone rather than pool-wide: every loop balances its own share of the traffic,
 * which keeps the data path free of shared mutable state.
 */
@FunctionalInterface
public interface LoadView
{
    /**
     * The number of connections or flows this loop currently has open to a target.
     *
     * @param targetId the stable id of the target, as given to {@link BalancerPolicies}.
     * @return the count, never negative. Must not allocate: it is called on the data path.
     */
    int activeConnections(int targetId);
}
