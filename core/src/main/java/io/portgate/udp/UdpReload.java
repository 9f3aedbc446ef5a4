package io.portgate.udp;

import io.portgate.balance.BalancerPolicy;
import io.portgate.loop.TargetFailureListener;

import java.nio.channels.DatagramChannel;

/**
 * What one worker's UDP forwarder switches to on a reload, built by the control plane and applied on the worker's
 * thread in one command.
 *
 * @param routes          the listeners now, by index: the configuration's, then those a reload removed that still
 *                        drain.
 * @param channels        this worker's sockets, by listener index and port offset. A listener that stays keeps its
 *                        sockets and flows; a socket moved to another listener (its bind did not change) takes new
 *                        clients there while the old listener's flows still reply through it; {@code null} where a
 *                        draining listener's socket moved on. A socket found nowhere is closed.
 * @param routeMap        by listener index before, the index now or -1 when it is gone.
 * @param targetMaps      by listener index before and target id before, the target id now or -1 when it is gone.
 * @param counters        the worker's counters now.
 * @param pickers         the policy of each listener now, built over {@link UdpForwarder#loadView(int)} of the new
 *                        indices.
 * @param failureListener who hears of unreachable targets now.
 */
public record UdpReload(
    UdpRoute[] routes,
    DatagramChannel[][] channels,
    int[] routeMap,
    int[][] targetMaps,
    UdpCounters counters,
    BalancerPolicy[] pickers,
    TargetFailureListener failureListener)
{
}
