package io.portgate.spi;

/**
 * The calling forwarder loop's own count of open connections or flows per target, read by load-aware policies.
 *
 * <p>The counts are the loop's alone rather than pool-wide: every loop balances its own share of the traffic, which
 * keeps the data path free of shared mutable state.
 */
@FunctionalInterface
public interface LoadView
{
    /**
     * How many connections or flows this loop has open to a target now.
     *
     * @param targetId the target's stable id, as {@link EligibleTargets#id(int)} gives it.
     * @return the count, never negative. Does not allocate: it is called on the data path.
     */
    int openConnections(int targetId);
}
