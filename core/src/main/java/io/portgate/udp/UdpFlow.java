package io.portgate.udp;

import io.portgate.balance.BalancerPolicy;
import io.portgate.loop.IntrusiveList;

import java.net.InetSocketAddress;

/**
 * One client's flow through one listener port on one worker: the client's address, the target it sticks to, and its
 * own backend sockets, so that every reply finds its way back to exactly this client. Pooled by its
 * {@link FlowTable} and reused for later clients; the backend handler objects are kept across reuse too, the kernel
 * sockets are not (see {@link UdpFlows}).
 */
final class UdpFlow
{
    final UdpFlows flows;
    /** Its place in the table's order of activity, from the longest idle to the most recently active. */
    final IntrusiveList.Link<UdpFlow> activityLink = new IntrusiveList.Link<>(this);
    /** By target id; a handler is made on first use and kept, its socket opened and closed with the flow. */
    UdpBackend[] backends;

    UdpListenerSocket listener;
    /** The offset of the listener port the client sends to, part of the flow's key. */
    int portOffset;
    boolean ipv6;
    int address4;
    long address6High;
    long address6Low;
    int port;
    int scopeId;
    /** The table key: exact for IPv4, a hash for IPv6. */
    long key;
    /** What the policy is given: the client's IP for client affinity, its IP and port otherwise. */
    long hashKey;
    InetSocketAddress client;
    /**
     * On a listener bound to the wildcard, the local address the client's latest datagram arrived on, which its
     * replies leave from: {@link io.portgate.ffm.LibC#AF_INET} or {@code AF_INET6} for the fields below, 0 when
     * unknown (the socket's own address is then used).
     */
    int arrivalFamily;
    int arrival4;
    long arrival6High;
    long arrival6Low;
    /** The interface a link-local IPv6 arrival address belongs to, else 0. */
    int arrivalInterface;
    /** The target of flow and client affinity, or {@link BalancerPolicy#NO_TARGET} until the next datagram picks. */
    int target = BalancerPolicy.NO_TARGET;
    /** Targets that reported themselves unreachable to this flow; bit t for target t below 64. */
    long failedTargets;
    /** Counts the picks of packet affinity, so each datagram hashes differently. */
    long picks;
    long lastActivityNs;
    /** The client's address as two longs (IPv4 mapped), which access rules and per-source limits key on. */
    long clientHigh;
    long clientLow;
    /** The listener's address, for a PROXY header (the socket's bound address). */
    long localHigh;
    long localLow;
    int localPort;
    /** Set at creation: the first datagram was checked with the flow; the next ones are checked each. */
    boolean fresh;
    /** The per-source table that admitted the flow, and the handle there; null without per-source limits. */
    io.portgate.access.SourceLimits sourceTable;
    long sourceHandle;
    long createdNs;
    long datagramsIn;
    long bytesIn;
    long datagramsOut;
    long bytesOut;
    /** The next IPv6 flow whose key has the same hash. */
    UdpFlow nextWithSameHash;

    UdpFlow(final UdpFlows flows, final int targetCount)
    {
        this.flows = flows;
        this.backends = new UdpBackend[targetCount];
    }

    boolean matches6(final long high, final long low, final int port, final int portOffset)
    {
        return ipv6 && address6High == high && address6Low == low && this.port == port &&
            this.portOffset == portOffset;
    }

    boolean hasFailed(final int target)
    {
        return target < Long.SIZE && (failedTargets & (1L << target)) != 0;
    }

    void markFailed(final int target)
    {
        if (target < Long.SIZE)
        {
            failedTargets |= 1L << target;
        }
    }
}
