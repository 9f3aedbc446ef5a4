package io.portgate.udp;

import java.nio.channels.DatagramChannel;

/**
 * What one worker's UDP forwarder switches to on a reload (or at start, from nothing), built by the control plane
 * and applied on the worker's thread in one command.
 *
 * @param runtimes   the listeners now, by index: the configuration's, then those a reload removed that still drain.
 * @param channels   this worker's sockets, by listener index and port offset. A listener that stays keeps its
 *                   sockets and flows; a socket moved to another listener (its bind did not change) takes new clients
 *                   there while the old listener's flows still reply through it; {@code null} where a draining
 *                   listener's socket moved on. A socket found nowhere is closed.
 * @param routeMap   by listener index before, the index now or -1 when it is gone.
 * @param targetMaps by listener index before and target id before, the target id now or -1 when it is gone.
 */
public record UdpReload(UdpRouteRuntime[] runtimes, DatagramChannel[][] channels, int[] routeMap,
    int[][] targetMaps)
{
    /**
     * The first switch of a worker, from no listener.
     *
     * @param runtimes the listeners.
     * @param channels this worker's sockets, by listener and port offset.
     * @return the switch.
     */
    public static UdpReload initial(final UdpRouteRuntime[] runtimes, final DatagramChannel[][] channels)
    {
        return new UdpReload(runtimes, channels, new int[0], new int[0][]);
    }
}
