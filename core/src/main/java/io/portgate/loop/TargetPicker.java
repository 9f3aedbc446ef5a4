package io.portgate.loop;

/**
 * Picks the target of a pool for a new connection or flow. This is the seam where a balancing policy plugs in:
 * its {@code pick} has the same shape, so an adapter is one line.
 *
 * <p>A picker belongs to one worker and is called on its thread only, so it needs no synchronisation.
 */
@FunctionalInterface
public interface TargetPicker
{
    /**
     * Picks a target.
     *
     * @param hashKey a hash of the client (address and port), for policies that keep a client on one target.
     * @return the target id (its index in the pool), or -1 when none can take it.
     */
    int pick(long hashKey);
}
