package io.portgate.conductor;

import io.portgate.config.PortgateConfig;
import io.portgate.tcp.ConnectionLimits;
import io.portgate.tcp.TcpRoute;
import io.portgate.tcp.TcpRouteRuntime;
import io.portgate.udp.UdpRoute;
import io.portgate.udp.UdpRouteRuntime;

import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.List;
import java.util.Map;

/**
 * What the balancer runs, as of the last start or reload: published by the conductor in one volatile write, read by
 * anyone (stats, bound addresses, the next reload's plan). Immutable once published; the runtimes in it belong to
 * the workers, and only their counters and recorders are read from here.
 *
 * @param config     the configuration running, with the settings that need a restart as they were at start.
 * @param generation reloads applied so far.
 * @param tcp        the TCP routes by index: the configuration's, then removed ones still draining.
 * @param udp        the UDP routes by index, likewise.
 * @param tcpRuntime by worker and TCP route, the route as that worker runs it.
 * @param udpRuntime by worker and UDP route, likewise.
 * @param sockets    every worker's listening sockets.
 * @param limits     the connection limits.
 */
public record Running(PortgateConfig config, int generation, List<TcpRoute> tcp, List<UdpRoute> udp,
    TcpRouteRuntime[][] tcpRuntime, UdpRouteRuntime[][] udpRuntime, ListenerSockets.Bound sockets,
    ConnectionLimits limits)
{
    /**
     * Nothing runs yet.
     *
     * @param config  the configuration about to start.
     * @param workers how many workers.
     * @return the empty state.
     */
    public static Running before(final PortgateConfig config, final int workers)
    {
        return new Running(config, -1, List.of(), List.of(), new TcpRouteRuntime[workers][0],
            new UdpRouteRuntime[workers][0], ListenerSockets.Bound.none(workers), null);
    }

    /** @return by listener name, the addresses each listener that accepts is bound to. */
    public Map<String, List<InetSocketAddress>> bound()
    {
        return sockets.bound();
    }

    /**
     * What a reload plans from.
     *
     * @return the routes and which UDP sockets are still open.
     */
    public ReloadPlan.Layout layout()
    {
        final boolean[][] open = new boolean[udp.size()][];
        final DatagramChannel[][] first = sockets.udp().length == 0 ? new DatagramChannel[0][] : sockets.udp()[0];
        for (int r = 0; r < open.length; r++)
        {
            open[r] = new boolean[first[r].length];
            for (int p = 0; p < open[r].length; p++)
            {
                open[r][p] = first[r][p] != null && first[r][p].isOpen();
            }
        }
        return new ReloadPlan.Layout(tcp, udp, open);
    }

    /**
     * A TCP route's runtime on every worker.
     *
     * @param route the route's index.
     * @return by worker.
     */
    public TcpRouteRuntime[] tcpRuntimes(final int route)
    {
        final TcpRouteRuntime[] perWorker = new TcpRouteRuntime[tcpRuntime.length];
        for (int w = 0; w < perWorker.length; w++)
        {
            perWorker[w] = tcpRuntime[w][route];
        }
        return perWorker;
    }

    /**
     * A UDP route's runtime on every worker.
     *
     * @param route the route's index.
     * @return by worker.
     */
    public UdpRouteRuntime[] udpRuntimes(final int route)
    {
        final UdpRouteRuntime[] perWorker = new UdpRouteRuntime[udpRuntime.length];
        for (int w = 0; w < perWorker.length; w++)
        {
            perWorker[w] = udpRuntime[w][route];
        }
        return perWorker;
    }
}
