package io.portgate;

/**
 * Counters of one target as seen through one UDP listener, summed over all workers.
 *
 * @param target       the target as {@code address:port(s)}.
 * @param activeFlows  flow sockets open to it now.
 * @param totalFlows   flow sockets opened to it.
 * @param datagramsIn  datagrams forwarded to it.
 * @param bytesIn      bytes forwarded to it.
 * @param datagramsOut datagrams forwarded from it.
 * @param bytesOut     bytes forwarded from it.
 * @param unreachable  times it answered with ICMP port unreachable.
 */
public record UdpTargetStats(String target, long activeFlows, long totalFlows, long datagramsIn, long bytesIn,
    long datagramsOut, long bytesOut, long unreachable)
{
}
