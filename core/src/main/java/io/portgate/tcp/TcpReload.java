package io.portgate.tcp;

import java.nio.channels.ServerSocketChannel;

/**
 * What one worker's TCP forwarder switches to on a reload (or at start, from nothing), built by the control plane
 * and applied on the worker's thread in one command, so the worker never sees half of it.
 *
 * @param runtimes   the listeners now, by index: the configuration's, then those a reload removed that still drain.
 * @param channels   this worker's listening sockets, by listener index and port offset; a socket the worker already
 *                   has keeps its registration, one it no longer finds here is closed. Draining listeners have none.
 * @param routeMap   by listener index before, the index now or -1 when it is gone.
 * @param targetMaps by listener index before and target id before, the target id now or -1 when it is gone.
 */
public record TcpReload(TcpRouteRuntime[] runtimes, ServerSocketChannel[][] channels, int[] routeMap,
    int[][] targetMaps)
{
    /**
     * The first switch of a worker, from no listener.
     *
     * @param runtimes the listeners.
     * @param channels this worker's listening sockets, by listener and port offset.
     * @return the switch.
     */
    public static TcpReload initial(final TcpRouteRuntime[] runtimes, final ServerSocketChannel[][] channels)
    {
        return new TcpReload(runtimes, channels, new int[0], new int[0][]);
    }
}
