package io.portgate.udp;

import io.portgate.config.FastPath;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.config.Protocol;
import io.portgate.ffm.UdpBatching;
import io.portgate.ffm.UdpGso;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The UDP side of a balancer as the facade sees it: the UDP listeners resolved into routes, every worker's bound
 * sockets and counters, and which fast paths are used. {@link #plan} decides the fast paths and refuses what cannot
 * work before anything is bound; {@link #bind} then binds every socket before any thread starts, so a setting that
 * cannot be honoured or a port that is taken fails the start with nothing left open.
 */
public final class UdpService
{
    private static final System.Logger LOG = System.getLogger("io.portgate.udp");

    private final List<UdpRoute> routes;
    private final List<ListenerConfig> listeners;
    private final boolean batching;
    private final boolean gso;
    private DatagramChannel[][][] channels;
    private UdpCounters[] counters;
    private Map<String, List<InetSocketAddress>> boundAddresses = Map.of();

    private UdpService(
        final List<UdpRoute> routes,
        final List<ListenerConfig> listeners,
        final boolean batching,
        final boolean gso)
    {
        this.routes = routes;
        this.listeners = listeners;
        this.batching = batching;
        this.gso = gso;
    }

    /**
     * Moves the counters into a metrics file, so that {@code portgate stat} and {@code /metrics} see them. Call
     * after {@link #bind(int)} and before the first {@link #forwarder(int)}.
     *
     * @param metrics the metrics file.
     */
    public void countInto(final io.portgate.metrics.MetricsFile metrics)
    {
        for (int w = 0; w < counters.length; w++)
        {
            counters[w] = new UdpCounters(routes, metrics, w);
        }
    }

    /**
     * Resolves the UDP listeners of a validated configuration and decides the fast paths, binding nothing yet.
     *
     * @param config the configuration.
     * @return the service, to {@link #bind(int)}.
     * @throws IllegalStateException when a fast path is {@code on} but does not work here, or a listener is bound to
     *                               the wildcard where replies cannot name the address their client sent to.
     */
    public static UdpService plan(final PortgateConfig config)
    {
        final List<UdpRoute> routes = new ArrayList<>();
        final List<ListenerConfig> listeners = new ArrayList<>();
        for (final ListenerConfig listener : config.listeners())
        {
            if (listener.protocol() == Protocol.UDP)
            {
                routes.add(UdpRoute.of(routes.size(), listener, config.poolOf(listener)));
                listeners.add(listener);
            }
        }
        final boolean batching = !routes.isEmpty() && useBatching(config.udpBatching());
        final boolean gso = batching && useGso(config.udpGso());
        if (!routes.isEmpty() && !batching && config.udpGso() == FastPath.ON)
        {
            throw new IllegalStateException("fast-paths.udp-gso: on needs fast-paths.udp-batching, which is off; " +
                "set udp-gso: auto or off, or udp-batching: auto or on");
        }
        for (final ListenerConfig listener : listeners)
        {
            requireReplyAddress(listener, batching, config.udpBatching());
        }
        return new UdpService(List.copyOf(routes), List.copyOf(listeners), batching, gso);
    }

    /**
     * Refuses a UDP listener bound to the wildcard when datagrams move through plain NIO: a socket bound to 0.0.0.0
     * or [::] receives datagrams sent to any address of the host, and only the batched path learns which address each
     * one was sent to and sends the reply from it. From any other address, a client on a connected socket (as most
     * are) would drop the reply.
     *
     * @param listener a UDP listener.
     * @param batching whether datagrams move in batches through the Panama layer.
     * @param setting  the {@code fast-paths.udp-batching} setting, to say why they do not.
     * @throws IllegalStateException naming the listener, why, and how to fix it.
     */
    public static void requireReplyAddress(final ListenerConfig listener, final boolean batching,
        final FastPath setting)
    {
        if (batching || !listener.bind().isWildcard())
        {
            return;
        }
        final String why = setting == FastPath.OFF ? "fast-paths.udp-batching is off" :
            !UdpBatching.isAvailable() ? "recvmmsg/sendmmsg do not work here (" + UdpBatching.probe().reason() +
                ")" : "this balancer started with no UDP listener, so its workers pass datagrams through plain NIO " +
                "until a restart";
        throw new IllegalStateException("listener '" + listener.name() + "' binds UDP to the wildcard " +
            listener.bind() + ", but " + why + ": without the batched path a reply cannot name the address its " +
            "client sent to, so it would leave from whichever address the kernel picks and a client on a connected " +
            "socket would drop it. Bind the listener to each address it should answer on (one listener per " +
            "address)" + (setting == FastPath.OFF ? ", or set fast-paths.udp-batching: auto" :
                !UdpBatching.isAvailable() ? ", or run where the batched path works (Linux, with the JVM flags of " +
                    "the README's \"JVM flags\")" : ", or restart with it"));
    }

    /**
     * Binds every worker's sockets for every UDP listener.
     *
     * @param workers how many workers.
     * @throws UncheckedIOException when a socket cannot bind; the message names the listener and address, and
     *                              nothing is left open.
     */
    public void bind(final int workers)
    {
        channels = new DatagramChannel[workers][routes.size()][];
        final Map<String, List<InetSocketAddress>> bound = new LinkedHashMap<>();
        for (int w = 0; w < workers; w++)
        {
            for (int r = 0; r < routes.size(); r++)
            {
                final ListenerConfig listener = listeners.get(r);
                final int ports = listener.bind().ports().size();
                channels[w][r] = new DatagramChannel[ports];
                for (int p = 0; p < ports; p++)
                {
                    final InetSocketAddress address = listener.bind().socketAddress(p);
                    try
                    {
                        channels[w][r][p] = UdpForwarder.openListeningSocket(address, routes.get(r));
                        if (w == 0)
                        {
                            bound.computeIfAbsent(listener.name(), k -> new ArrayList<>())
                                .add((InetSocketAddress)channels[w][r][p].getLocalAddress());
                        }
                    }
                    catch (final IOException ex)
                    {
                        closeAll(channels);
                        throw new UncheckedIOException("listener '" + listener.name() + "' cannot bind UDP " +
                            io.portgate.config.Endpoint.format(address) + ": " +
                            ex.getMessage(), ex);
                    }
                }
            }
        }
        final Map<String, List<InetSocketAddress>> immutable = new LinkedHashMap<>();
        bound.forEach((name, addresses) -> immutable.put(name, List.copyOf(addresses)));
        boundAddresses = Collections.unmodifiableMap(immutable);
        final int[] targetsPerListener = routes.stream().mapToInt(UdpRoute::targetCount).toArray();
        counters = new UdpCounters[workers];
        for (int w = 0; w < workers; w++)
        {
            counters[w] = new UdpCounters(targetsPerListener);
        }
    }

    private static boolean useBatching(final FastPath setting)
    {
        return UdpBatching.probe().resolve(setting, "fast-paths.udp-batching");
    }

    private static boolean useGso(final FastPath setting)
    {
        return UdpGso.probe().resolve(setting, "fast-paths.udp-gso");
    }

    /**
     * Makes a worker's forwarder over that worker's sockets. Call once per worker.
     *
     * @param worker the worker's index.
     * @return the forwarder, to run as one of the worker's services.
     */
    public UdpForwarder forwarder(final int worker)
    {
        return new UdpForwarder(worker, routes, channels[worker], counters[worker], batching, gso);
    }

    /**
     * A worker's counters.
     *
     * @param worker the worker's index.
     * @return its counters.
     */
    public UdpCounters counters(final int worker)
    {
        return counters[worker];
    }

    /**
     * A worker's bound sockets.
     *
     * @param worker the worker's index.
     * @return by listener index and port offset.
     */
    public DatagramChannel[][] channels(final int worker)
    {
        return channels[worker];
    }

    /** @return the UDP listeners, by index. */
    public List<UdpRoute> routes()
    {
        return routes;
    }

    /** @return the addresses each UDP listener is bound to, one per port of its range, by listener name. */
    public Map<String, List<InetSocketAddress>> boundAddresses()
    {
        return boundAddresses;
    }

    /** @return true when datagrams move with recvmmsg/sendmmsg. */
    public boolean batching()
    {
        return batching;
    }

    /** @return true when runs of equal-sized datagrams are sent with UDP_SEGMENT. */
    public boolean gso()
    {
        return gso;
    }

    /** Closes every socket, for a start that failed before the workers took them over. */
    public void closeUnstarted()
    {
        if (channels != null)
        {
            closeAll(channels);
        }
    }

    private static void closeAll(final DatagramChannel[][][] channels)
    {
        for (final DatagramChannel[][] perWorker : channels)
        {
            for (final DatagramChannel[] perRoute : perWorker)
            {
                if (perRoute == null)
                {
                    continue;
                }
                for (final DatagramChannel channel : perRoute)
                {
                    if (channel != null)
                    {
                        try
                        {
                            channel.close();
                        }
                        catch (final IOException ignore)
                        {
                            // Closing to clean up after a failed start: the start's own error is what matters.
                        }
                    }
                }
            }
        }
    }
}
