package io.portgate;

import java.util.List;

/**
 * Counters of one UDP listener, summed over all workers. Datagrams "in" go from clients to targets, "out" from
 * targets back to clients.
 *
 * @param name              the listener's name.
 * @param activeFlows       flows held now.
 * @param totalFlows        flows created.
 * @param datagramsIn       datagrams forwarded to targets.
 * @param bytesIn           bytes forwarded to targets.
 * @param datagramsOut      datagrams returned to clients.
 * @param bytesOut          bytes returned to clients.
 * @param dropsNoTarget     datagrams dropped because no target was eligible.
 * @param dropsWouldBlock   datagrams dropped because a socket's send buffer was full.
 * @param dropsTruncated    datagrams dropped because they were larger than the largest datagram passed.
 * @param dropsUnreachable  datagrams dropped because their target had just reported itself unreachable.
 * @param dropsDraining     datagrams of new clients dropped while the balancer stops.
 * @param dropsError        datagrams dropped because a socket failed otherwise.
 * @param flowsEvicted      flows evicted, longest idle first, because the flow table was full.
 * @param flowsExpired      flows closed by the idle timeout.
 * @param unreachable       times a target answered with ICMP port unreachable.
 * @param dropsReceiveBuffer datagrams the kernel dropped at the listening sockets, their receive buffers full.
 * @param localFailures     the balancer's own failures opening flows' sockets (out of descriptors, say), all reasons.
 * @param targets           the pool's targets, in configuration order.
 */
public record UdpListenerStats(
    String name,
    long activeFlows,
    long totalFlows,
    long datagramsIn,
    long bytesIn,
    long datagramsOut,
    long bytesOut,
    long dropsNoTarget,
    long dropsWouldBlock,
    long dropsTruncated,
    long dropsUnreachable,
    long dropsDraining,
    long dropsError,
    long flowsEvicted,
    long flowsExpired,
    long unreachable,
    long dropsReceiveBuffer,
    long localFailures,
    List<UdpTargetStats> targets)
{
    /**
     * Copies the list so the record stays immutable.
     */
    public UdpListenerStats
    {
        targets = List.copyOf(targets);
    }
}
