package io.portgate;

import java.util.List;

/**
 * Counters of one listener, summed over all workers.
 *
 * @param name              the listener's name.
 * @param activeConnections client connections open now, connecting or forwarding.
 * @param totalConnections  client connections admitted.
 * @param refused           client connections closed because no target could be reached.
 * @param limitRejected     client connections closed at once because a connection limit was reached.
 * @param connectFailures   failed connects to targets.
 * @param idleTimeouts      connections closed by the idle timeout.
 * @param resets            connections reset because one side reset or failed.
 * @param bytesIn           bytes forwarded from clients to targets.
 * @param bytesOut          bytes forwarded from targets to clients.
 * @param localFailures     the balancer's own failures (out of descriptors, buffers, memory or source ports) opening
 *                          sockets to targets or accepting clients, all reasons: never charged to a target.
 * @param targets           the pool's targets, in configuration order.
 */
public record ListenerStats(
    String name,
    long activeConnections,
    long totalConnections,
    long refused,
    long limitRejected,
    long connectFailures,
    long idleTimeouts,
    long resets,
    long bytesIn,
    long bytesOut,
    long localFailures,
    List<TargetStats> targets)
{
    /**
     * Copies the list so the record stays immutable.
     */
    public ListenerStats
    {
        targets = List.copyOf(targets);
    }
}
