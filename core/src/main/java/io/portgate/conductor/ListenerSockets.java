package io.portgate.conductor;

import io.portgate.config.Endpoint;
import io.portgate.config.FastPath;
import io.portgate.config.ListenerConfig;
import io.portgate.ffm.LibC;
import io.portgate.ffm.NativeFd;
import io.portgate.ffm.SocketDrops;
import io.portgate.ffm.UdpBatching;
import io.portgate.ports.ListenerPorts;
import io.portgate.tcp.TcpRoute;
import io.portgate.udp.UdpRoute;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.net.StandardSocketOptions;
import java.nio.channels.Channel;
import java.nio.channels.DatagramChannel;
import java.nio.channels.NetworkChannel;
import java.nio.channels.SelectableChannel;
import java.nio.channels.ServerSocketChannel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The one place listening sockets are bound, at start and on a reload, TCP and UDP alike: every worker gets its own
 * socket on every port of every listener (SO_REUSEPORT, so the kernel spreads clients over the workers), kept,
 * taken over or bound as a {@link ReloadPlan} says. Before anything is bound, {@link #probe} makes sure no other
 * process holds a port ({@link ListenerPorts}: with SO_REUSEPORT a second balancer of the same user would otherwise
 * share it silently). A failure closes whatever this call bound and names the listener and address.
 */
public final class ListenerSockets
{
    private final int workers;
    /**
     * Why, and what to do instead, when a UDP listener on the wildcard cannot be served; null when it can. Worked out
     * only when asked, since it may run the batching probe.
     */
    private final java.util.function.Supplier<String[]> wildcardRefusal;

    /**
     * A binder for a balancer.
     *
     * @param workers         how many workers each get a socket per port.
     * @param batching        whether datagrams move in batches (which a UDP listener on the wildcard needs).
     * @param batchingSetting the {@code fast-paths.udp-batching} setting, to say why they do not.
     */
    public ListenerSockets(final int workers, final boolean batching, final FastPath batchingSetting)
    {
        this.workers = workers;
        this.wildcardRefusal = batching ? null : () -> wildcardRefusal(batchingSetting);
    }

    /**
     * The sockets of every listener after a plan, by worker, listener and port offset, and where each listener is
     * bound.
     *
     * @param tcp       by worker, TCP listener and port.
     * @param udp       by worker, UDP listener and port; null where a removed listener's socket moved on.
     * @param bound     by listener name (listeners that accept), the addresses bound, one per port.
     * @param notes     changes that wait for a restart after all (a backlog the native layer could not change).
     * @param opened    the sockets this plan bound, to close if it is given up.
     */
    public record Bound(ServerSocketChannel[][][] tcp, DatagramChannel[][][] udp,
        Map<String, List<InetSocketAddress>> bound, List<String> notes, List<Channel> opened)
    {
        /** Nothing bound: before a start. */
        public static Bound none(final int workers)
        {
            return new Bound(new ServerSocketChannel[workers][0][], new DatagramChannel[workers][0][], Map.of(),
                List.of(), List.of());
        }

        /** Closes what the plan bound, for a plan given up. */
        public void closeOpened()
        {
            for (final Channel channel : opened)
            {
                try
                {
                    channel.close();
                }
                catch (final IOException ignore)
                {
                    // Undoing a start or reload that failed: its own error is what is reported.
                }
            }
        }
    }

    /**
     * Refuses what cannot be bound, before anything is: a UDP listener on the wildcard where replies cannot name
     * their source, or a port another process holds.
     *
     * @param plan the plan.
     * @throws IllegalStateException naming a UDP listener on the wildcard without the batched path.
     * @throws UncheckedIOException  naming every port another process holds.
     */
    public void probe(final ReloadPlan plan)
    {
        for (final ReloadPlan.Listener<UdpRoute> listener : plan.udp().listeners())
        {
            if (!listener.route().draining())
            {
                requireReplyAddress(listener.route().listener());
            }
        }
        ListenerPorts.requireFree(plan.fresh(), plan::holdsNow);
    }

    /**
     * Binds what a plan opens, takes over and keeps the rest, and sets what a kept listener changed (backlog, socket
     * buffers).
     *
     * @param plan    the plan.
     * @param running the sockets that run now.
     * @return the sockets after the plan.
     * @throws UncheckedIOException naming the listener and address that cannot be bound; nothing stays bound.
     */
    public Bound bind(final ReloadPlan plan, final Bound running)
    {
        final List<Channel> opened = new ArrayList<>();
        final List<String> notes = new ArrayList<>();
        try
        {
            final ServerSocketChannel[][][] tcp = sockets(plan.tcp(), running.tcp(), ServerSocketChannel[]::new,
                ServerSocketChannel[][]::new, (listener, address) -> openTcp(address, (TcpRoute)listener), opened);
            final DatagramChannel[][][] udp = sockets(plan.udp(), running.udp(), DatagramChannel[]::new,
                DatagramChannel[][]::new, (listener, address) -> openUdp(address, (UdpRoute)listener), opened);
            relisten(plan, tcp, notes);
            reconfigure(plan, udp);
            final Map<String, List<InetSocketAddress>> bound = new LinkedHashMap<>();
            addBound(plan.tcp(), tcp, bound);
            addBound(plan.udp(), udp, bound);
            return new Bound(tcp, udp, Collections.unmodifiableMap(bound), List.copyOf(notes), List.copyOf(opened));
        }
        catch (final RuntimeException ex)
        {
            new Bound(null, null, Map.of(), List.of(), opened).closeOpened();
            throw ex;
        }
    }

    /** Opens and binds one socket of a listener. */
    @FunctionalInterface
    private interface Opener<C>
    {
        C open(io.portgate.loop.Route route, InetSocketAddress address) throws IOException;
    }

    private <R extends io.portgate.loop.Route, C extends NetworkChannel> C[][][] sockets(
        final ReloadPlan.Transport<R> plan, final C[][][] running, final IntFunction<C[]> ports,
        final IntFunction<C[][]> routes, final Opener<C> opener, final List<Channel> opened)
    {
        final List<ReloadPlan.Listener<R>> listeners = plan.listeners();
        final C[][][] sockets = java.util.Arrays.copyOf(running, workers);
        for (int w = 0; w < workers; w++)
        {
            sockets[w] = routes.apply(listeners.size());
            for (int i = 0; i < listeners.size(); i++)
            {
                final ReloadPlan.Listener<R> listener = listeners.get(i);
                sockets[w][i] = ports.apply(listener.ports().size());
                for (int p = 0; p < listener.ports().size(); p++)
                {
                    final ReloadPlan.Port port = listener.ports().get(p);
                    final C had = port.from() == ReloadPlan.From.KEEP || port.from() == ReloadPlan.From.TAKE_OVER ?
                        running[w][port.oldRoute()][port.oldPort()] : null;
                    if (port.from() == ReloadPlan.From.NONE || port.from() == ReloadPlan.From.KEEP &&
                        listener.route().draining())
                    {
                        sockets[w][i][p] = port.from() == ReloadPlan.From.NONE ? null : had;
                    }
                    else if (had != null && had.isOpen())
                    {
                        sockets[w][i][p] = had;
                    }
                    else
                    {
                        sockets[w][i][p] = open(listener.route(), port.address(), opener, opened);
                    }
                }
            }
        }
        return sockets;
    }

    private static <C extends NetworkChannel> C open(final io.portgate.loop.Route route,
        final InetSocketAddress address, final Opener<C> opener, final List<Channel> opened)
    {
        try
        {
            final C channel = opener.open(route, address);
            opened.add(channel);
            return channel;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("listener '" + route.name() + "' cannot bind " +
                route.listener().protocol().name() + " " + Endpoint.format(address) + ": " + ex.getMessage(), ex);
        }
    }

    /** A backlog change on the sockets a listener keeps: listen(2) again, or a restart where that fails. */
    private void relisten(final ReloadPlan plan, final ServerSocketChannel[][][] tcp, final List<String> notes)
    {
        final List<ReloadPlan.Listener<TcpRoute>> listeners = plan.tcp().listeners();
        for (int i = 0; i < listeners.size(); i++)
        {
            final ReloadPlan.Listener<TcpRoute> listener = listeners.get(i);
            if (!listener.relisten())
            {
                continue;
            }
            String failure = null;
            for (int w = 0; w < workers; w++)
            {
                for (final ServerSocketChannel channel : tcp[w][i])
                {
                    final String why = relisten(channel, listener.route().backlog());
                    failure = failure == null ? why : failure;
                }
            }
            if (failure != null)
            {
                notes.add("listener " + listener.route().name() + ": backlog " + listener.was().backlog() + " -> " +
                    listener.route().backlog() + " (" + failure + ")");
            }
        }
    }

    /** Socket buffer sizes a reload changed take effect on the sockets a UDP listener keeps. */
    private void reconfigure(final ReloadPlan plan, final DatagramChannel[][][] udp)
    {
        final List<ReloadPlan.Listener<UdpRoute>> listeners = plan.udp().listeners();
        for (int i = 0; i < listeners.size(); i++)
        {
            final ReloadPlan.Listener<UdpRoute> listener = listeners.get(i);
            for (int w = 0; listener.reconfigure() && w < workers; w++)
            {
                for (final DatagramChannel channel : udp[w][i])
                {
                    try
                    {
                        setListenerBuffers(channel, listener.route());
                    }
                    catch (final IOException ex)
                    {
                        throw new UncheckedIOException("listener '" + listener.route().name() + "' cannot set its " +
                            "socket buffers: " + ex.getMessage(), ex);
                    }
                }
            }
        }
    }

    private static <R extends io.portgate.loop.Route> void addBound(final ReloadPlan.Transport<R> plan,
        final NetworkChannel[][][] sockets, final Map<String, List<InetSocketAddress>> bound)
    {
        for (int i = 0; i < plan.listeners().size(); i++)
        {
            final R route = plan.listeners().get(i).route();
            if (route.draining())
            {
                continue;
            }
            final List<InetSocketAddress> addresses = new ArrayList<>();
            for (final NetworkChannel channel : sockets[0][i])
            {
                try
                {
                    addresses.add((InetSocketAddress)channel.getLocalAddress());
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("listener '" + route.name() + "': " + ex.getMessage(), ex);
                }
            }
            bound.put(route.name(), List.copyOf(addresses));
        }
    }

    /**
     * Opens one worker's listening socket for one port of a TCP listener. Every worker binds the same address with
     * SO_REUSEPORT, so the kernel spreads new connections over the workers.
     *
     * @param address the address and port.
     * @param route   the listener, for its backlog and buffer sizes.
     * @return a bound, non-blocking listening socket.
     * @throws IOException when the socket cannot be opened or bound.
     */
    public static ServerSocketChannel openTcp(final InetSocketAddress address, final TcpRoute route)
        throws IOException
    {
        return reusable(ServerSocketChannel.open(), channel ->
        {
            if (route.receiveBuffer() > 0)
            {
                // Set before listen so the window scale offered to clients accounts for it.
                channel.setOption(StandardSocketOptions.SO_RCVBUF, route.receiveBuffer());
            }
            channel.bind(address, route.backlog());
        });
    }

    /**
     * Opens one worker's socket for one port of a UDP listener. Every worker binds the same address with
     * SO_REUSEPORT, so the kernel spreads clients over the workers by their address and port: a client's datagrams
     * keep reaching the same worker and so the same flow.
     *
     * @param address the address and port.
     * @param route   the listener, for its buffer sizes.
     * @return a bound, non-blocking socket.
     * @throws IOException when the socket cannot be opened or bound.
     */
    public static DatagramChannel openUdp(final InetSocketAddress address, final UdpRoute route) throws IOException
    {
        return reusable(DatagramChannel.open(route.bindFamily()), channel ->
        {
            setListenerBuffers(channel, route);
            if (NativeFd.isAvailable())
            {
                // Each datagram carries the socket's drop count; without it SO_MEMINFO alone counts the drops.
                SocketDrops.attachDropCounts(NativeFd.of(channel));
            }
            if (address.getAddress().isAnyLocalAddress())
            {
                receiveArrivalAddresses(channel, route);
            }
            channel.bind(address);
        });
    }

    /** Binds a socket as the listener wants it. */
    @FunctionalInterface
    private interface Binding<C>
    {
        void bind(C channel) throws IOException;
    }

    /**
     * A socket every worker binds to the same address (SO_REUSEPORT, and SO_REUSEADDR so an earlier run's
     * connections in TIME_WAIT do not block a restart), non-blocking; closed again if anything fails.
     */
    private static <C extends SelectableChannel & NetworkChannel> C reusable(final C channel,
        final Binding<C> binding) throws IOException
    {
        try
        {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            binding.bind(channel);
            channel.configureBlocking(false);
            return channel;
        }
        catch (final IOException | RuntimeException ex)
        {
            channel.close();
            throw ex;
        }
    }

    /**
     * Sets a UDP listener's buffer sizes on one of its listening sockets: as {@link #setBuffers}, except that the
     * receive buffer is {@link ListenerConfig#DEFAULT_UDP_RECEIVE_BUFFER} unless {@code receive-buffer} is set, since
     * every client's datagrams queue there. Where {@code net.core.rmem_max} caps it, the buffer is forced past the
     * cap when the process may (CAP_NET_ADMIN), else a warning names the sysctl that lifts it, once per listener.
     *
     * @param channel a listening socket.
     * @param route   the listener.
     * @throws IOException when an option cannot be set.
     */
    public static void setListenerBuffers(final DatagramChannel channel, final UdpRoute route) throws IOException
    {
        if (route.sendBuffer() > 0)
        {
            channel.setOption(StandardSocketOptions.SO_SNDBUF, route.sendBuffer());
        }
        final int wanted = route.receiveBuffer() > 0 ? route.receiveBuffer() :
            ListenerConfig.DEFAULT_UDP_RECEIVE_BUFFER;
        channel.setOption(StandardSocketOptions.SO_RCVBUF, wanted);
        // Linux stores twice what is asked (room for its bookkeeping) and the JDK halves what it reports, so this
        // reads back what was asked unless net.core.rmem_max cut it.
        int got = channel.getOption(StandardSocketOptions.SO_RCVBUF);
        if (got < wanted && NativeFd.isAvailable() &&
            SocketDrops.forceReceiveBuffer(NativeFd.of(channel), wanted) == 0)
        {
            got = channel.getOption(StandardSocketOptions.SO_RCVBUF);
        }
        if (got < wanted)
        {
            warnReceiveBufferCapped(route, wanted, got);
        }
    }

    /** Listeners already warned of a capped receive buffer, and at what size: one line each, not one per socket. */
    private static final java.util.Set<String> CAPPED_WARNED = java.util.concurrent.ConcurrentHashMap.newKeySet();

    private static void warnReceiveBufferCapped(final UdpRoute route, final int wanted, final int got)
    {
        if (CAPPED_WARNED.add(route.name() + "=" + wanted))
        {
            System.getLogger("io.portgate").log(System.Logger.Level.WARNING, "listener '" + route.name() + "': " +
                "its UDP receive buffer is " + got + " bytes, not the " + wanted + " asked for: " +
                "net.core.rmem_max (" + rmemMax() + ") caps it; bursts past it are dropped by the kernel " +
                "(counted as portgate_dropped_datagrams_total{reason=\"receive_buffer\"}). Lift the cap with " +
                "sysctl -w net.core.rmem_max=" + wanted + " (or run with CAP_NET_ADMIN)");
        }
    }

    /**
     * The host's cap on SO_RCVBUF, from the real /proc (read whole: {@code Files.readString} gets one byte of a
     * /proc/sys file).
     *
     * @return {@code net.core.rmem_max} in bytes, or -1 where it cannot be read.
     */
    public static long rmemMax()
    {
        try
        {
            return Long.parseLong(java.nio.file.Files.readAllLines(
                java.nio.file.Path.of("/proc/sys/net/core/rmem_max")).getFirst().trim());
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }

    /**
     * Sets a UDP listener's socket buffer sizes on one of its sockets (listening or to a target).
     *
     * @param channel the socket.
     * @param route   the listener.
     * @throws IOException when an option cannot be set.
     */
    public static void setBuffers(final DatagramChannel channel, final UdpRoute route) throws IOException
    {
        if (route.sendBuffer() > 0)
        {
            channel.setOption(StandardSocketOptions.SO_SNDBUF, route.sendBuffer());
        }
        if (route.receiveBuffer() > 0)
        {
            channel.setOption(StandardSocketOptions.SO_RCVBUF, route.receiveBuffer());
        }
    }

    /**
     * A socket bound to the wildcard receives datagrams sent to any address of the host, and a reply must leave from
     * the one its client sent to: the kernel is asked to say which, for every datagram. Only the batched path reads
     * the answer; {@link #probe} refuses a wildcard listener on the NIO path.
     */
    private static void receiveArrivalAddresses(final DatagramChannel channel, final UdpRoute route)
        throws IOException
    {
        if (!NativeFd.isAvailable())
        {
            throw new IOException("a UDP listener on the wildcard needs each datagram's arrival address " +
                "(IP_PKTINFO), which needs the native layer: " + NativeFd.unavailabilityCause().getMessage());
        }
        final int errno = io.portgate.ffm.DatagramBatch.receiveArrivalAddresses(NativeFd.of(channel),
            route.bindFamily() == StandardProtocolFamily.INET6);
        if (errno != 0)
        {
            throw new IOException("cannot ask for each datagram's arrival address (IP_PKTINFO): " +
                LibC.strerror(errno));
        }
    }

    /**
     * Changes the backlog of a socket that already listens, as a reload that changed a listener's {@code backlog}
     * does: listen(2) again, which on Linux keeps the socket and its accept queue. Needs the Panama layer; without it
     * the change waits for a restart.
     *
     * @param channel a listening socket.
     * @param backlog the new backlog.
     * @return null when done, else why it could not be done.
     */
    public static String relisten(final ServerSocketChannel channel, final int backlog)
    {
        try
        {
            final java.lang.foreign.MemorySegment callState = LibC.newCallState();
            if (LibC.listen(callState, NativeFd.of(channel), backlog) != 0)
            {
                return "listen(2) failed with errno " + LibC.errno(callState);
            }
            return null;
        }
        catch (final RuntimeException | LinkageError ex)
        {
            return "the native layer is unavailable (" + ex.getMessage() + ")";
        }
    }

    /**
     * Refuses a UDP listener bound to the wildcard when datagrams move through plain NIO: a socket bound to 0.0.0.0
     * or [::] receives datagrams sent to any address of the host, and only the batched path learns which address each
     * one was sent to and sends the reply from it. From any other address, a client on a connected socket (as most
     * are) would drop the reply.
     *
     * @param listener a UDP listener.
     * @throws IllegalStateException naming the listener, why, and how to fix it.
     */
    public void requireReplyAddress(final ListenerConfig listener)
    {
        if (wildcardRefusal == null || !listener.bind().isWildcard())
        {
            return;
        }
        final String[] refusal = wildcardRefusal.get();
        throw new IllegalStateException("listener '" + listener.name() + "' binds UDP to the wildcard " +
            listener.bind() + ", but " + refusal[0] + ": without the batched path a reply cannot name the " +
            "address its client sent to, so it would leave from whichever address the kernel picks and a client on " +
            "a connected socket would drop it. Bind the listener to each address it should answer on (one listener " +
            "per address)" + refusal[1]);
    }

    /** Why datagrams pass through plain NIO, and what would let them pass in batches. */
    private static String[] wildcardRefusal(final FastPath setting)
    {
        if (setting == FastPath.OFF)
        {
            return new String[] {"fast-paths.udp-batching is off", ", or set fast-paths.udp-batching: auto"};
        }
        if (!UdpBatching.probe().isAvailable())
        {
            return new String[] {"recvmmsg/sendmmsg do not work here (" + UdpBatching.probe().reason() + ")",
                ", or run where the batched path works (Linux, with the JVM flags of the README's \"JVM flags\")"};
        }
        return new String[] {"this balancer started with no UDP listener, so its workers pass datagrams through " +
            "plain NIO until a restart", ", or restart with it"};
    }
}
