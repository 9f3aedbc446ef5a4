package io.portgate.udp;

import io.portgate.balance.BalancerPolicy;
import io.portgate.balance.LoadView;
import io.portgate.loop.PolicyHost;
import io.portgate.loop.TargetFailureListener;
import io.portgate.ffm.NativeFd;
import io.portgate.loop.LoopService;
import io.portgate.loop.Route;
import io.portgate.loop.Worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.DatagramChannel;
import java.util.List;

/**
 * One worker's UDP forwarding: its socket on every port of every UDP listener, the flows of each listener and the
 * path datagrams take through the kernel. Lives on the worker's thread; shares nothing mutable with other workers.
 */
public final class UdpForwarder implements LoopService, PolicyHost
{
    /**
     * Once the balancer stops, a flow with no datagram either way for this long is done and no longer holds the
     * stop (or its idle timeout, if shorter). A UDP flow has no close: going quiet is how it ends.
     */
    public static final java.time.Duration QUIET_AT_STOP = java.time.Duration.ofSeconds(1);
    private static final long QUIET_AT_STOP_NS = QUIET_AT_STOP.toNanos();

    private final int workerIndex;
    private UdpFlows[] flows;
    private UdpListenerSocket[][] sockets;
    private final boolean batching;
    private final DatagramPath path;
    private final io.portgate.loop.TimeoutHandler drainDeadline = this::onDrainDeadline;
    private final org.agrona.collections.LongHashSet armedDeadlines = new org.agrona.collections.LongHashSet();
    private boolean accepting = true;
    private volatile TargetFailureListener failureListener = TargetFailureListener.NONE;
    private Worker worker;
    private boolean closed;

    /**
     * Creates a worker's forwarder over listener sockets already bound.
     *
     * @param workerIndex the worker's index, which seeds its pickers.
     * @param routes      the UDP listeners, by index.
     * @param channels    this worker's bound, non-blocking sockets, by listener index and port offset.
     * @param counters    this worker's counters.
     * @param batching    true to move datagrams with recvmmsg/sendmmsg, false for plain NIO.
     * @param gso         true to send runs of equal-sized datagrams with UDP_SEGMENT; needs {@code batching}.
     */
    public UdpForwarder(
        final int workerIndex,
        final List<UdpRoute> routes,
        final DatagramChannel[][] channels,
        final UdpCounters counters,
        final boolean batching,
        final boolean gso)
    {
        if (gso && !batching)
        {
            throw new IllegalArgumentException("segmented sends ride on the batching path");
        }
        this.workerIndex = workerIndex;
        this.batching = batching;
        this.flows = new UdpFlows[routes.size()];
        this.sockets = new UdpListenerSocket[routes.size()][];
        for (int r = 0; r < routes.size(); r++)
        {
            flows[r] = new UdpFlows(this, routes.get(r), counters, workerIndex);
            sockets[r] = new UdpListenerSocket[channels[r].length];
            for (int p = 0; p < channels[r].length; p++)
            {
                sockets[r][p] = new UdpListenerSocket(flows[r], p, channels[r][p],
                    batching ? NativeFd.of(channels[r][p]) : -1);
            }
        }
        this.path = batching ? new BatchedDatagramPath(gso) : new NioDatagramPath();
    }

    /**
     * Opens one worker's socket for one port of a listener. Every worker binds the same address with SO_REUSEPORT,
     * so the kernel spreads clients over the workers by their address and port: a client's datagrams keep reaching
     * the same worker and so the same flow.
     *
     * @param address the address and port.
     * @param route   the listener, for its buffer sizes.
     * @return a bound, non-blocking socket.
     * @throws IOException when the socket cannot be opened or bound.
     */
    public static DatagramChannel openListeningSocket(final InetSocketAddress address, final UdpRoute route)
        throws IOException
    {
        final DatagramChannel channel = DatagramChannel.open(UdpRoute.familyOf(address));
        try
        {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            UdpFlows.configure(channel, route);
            if (address.getAddress().isAnyLocalAddress())
            {
                receiveArrivalAddresses(channel, address);
            }
            channel.bind(address);
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
     * A socket bound to the wildcard receives datagrams sent to any address of the host, and a reply must leave from
     * the one its client sent to: the kernel is asked to say which, for every datagram. Only the batched path reads
     * the answer; {@link UdpService} refuses a wildcard listener on the NIO path.
     */
    private static void receiveArrivalAddresses(final DatagramChannel channel, final InetSocketAddress address)
        throws IOException
    {
        if (!NativeFd.isAvailable())
        {
            throw new IOException("a UDP listener on the wildcard needs each datagram's arrival address " +
                "(IP_PKTINFO), which needs the native layer: " + NativeFd.unavailabilityCause().getMessage());
        }
        final int errno = io.portgate.ffm.DatagramBatch.receiveArrivalAddresses(NativeFd.of(channel),
            UdpRoute.familyOf(address) == java.net.StandardProtocolFamily.INET6);
        if (errno != 0)
        {
            throw new IOException("cannot ask for each datagram's arrival address (IP_PKTINFO): " +
                io.portgate.ffm.LibC.strerror(errno));
        }
    }

    /**
     * Sets a listener's socket buffer sizes on one of its sockets, as a reload that changed them does.
     *
     * @param channel the socket.
     * @param route   the listener.
     * @throws IOException when an option cannot be set.
     */
    public static void configure(final DatagramChannel channel, final UdpRoute route) throws IOException
    {
        UdpFlows.configure(channel, route);
    }

    @Override
    public void open(final Worker worker)
    {
        this.worker = worker;
        path.open();
        try
        {
            for (final UdpListenerSocket[] routeSockets : sockets)
            {
                for (final UdpListenerSocket socket : routeSockets)
                {
                    socket.register(worker.selector());
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot register UDP sockets with " + worker.roleName(), ex);
        }
    }

    @Override
    public int doWork(final long nowNs)
    {
        return 0;
    }

    /**
     * Switches to the listeners, targets, counters and policies of a reload. Worker thread only (the control plane
     * sends it as a command). Flows of listeners that remain carry on, on their targets' new ids; flows on targets
     * gone for good re-pick; a listener gone for good closes its flows and its sockets, except those another
     * listener took over.
     *
     * @param reload what to switch to.
     */
    public void apply(final UdpReload reload)
    {
        final UdpRoute[] routes = reload.routes();
        final UdpFlows[] next = new UdpFlows[routes.length];
        for (int r = 0; r < flows.length; r++)
        {
            final int to = reload.routeMap()[r];
            if (to < 0)
            {
                flows[r].closeAll();
                continue;
            }
            next[to] = flows[r];
            next[to].update(routes[to], reload.targetMaps()[r], reload.counters(), reload.pickers()[to],
                accepting && !routes[to].draining());
        }
        for (int r = 0; r < routes.length; r++)
        {
            if (next[r] == null)
            {
                next[r] = new UdpFlows(this, routes[r], reload.counters(), workerIndex);
                next[r].setPicker(reload.pickers()[r]);
                if (!accepting)
                {
                    next[r].stopAccepting();
                }
            }
        }
        final java.util.IdentityHashMap<DatagramChannel, UdpListenerSocket> old = new java.util.IdentityHashMap<>();
        for (final UdpListenerSocket[] routeSockets : sockets)
        {
            for (final UdpListenerSocket socket : routeSockets)
            {
                if (socket != null)
                {
                    old.put(socket.channel, socket);
                }
            }
        }
        final UdpListenerSocket[][] nextSockets = new UdpListenerSocket[routes.length][];
        for (int r = 0; r < routes.length; r++)
        {
            final DatagramChannel[] channels = reload.channels()[r];
            nextSockets[r] = new UdpListenerSocket[channels.length];
            for (int p = 0; p < channels.length; p++)
            {
                if (channels[p] == null || !channels[p].isOpen())
                {
                    continue;
                }
                final UdpListenerSocket before = old.remove(channels[p]);
                if (before != null && before.flows == next[r] && before.portOffset == p)
                {
                    nextSockets[r][p] = before;
                    continue;
                }
                final UdpListenerSocket socket = new UdpListenerSocket(next[r], p, channels[p],
                    before != null ? before.fd : batching ? NativeFd.of(channels[p]) : -1);
                if (before != null)
                {
                    // Flows of the listener it came from still reply through it.
                    before.moveOn();
                }
                try
                {
                    // Registering a registered channel again keeps its key and swaps the attachment.
                    socket.register(worker.selector());
                }
                catch (final IOException ex)
                {
                    worker.errorHandler().onError(new IOException("listener '" + routes[r].name() +
                        "' cannot register its UDP socket with " + worker.roleName(), ex));
                }
                nextSockets[r][p] = socket;
            }
        }
        for (final UdpListenerSocket gone : old.values())
        {
            gone.close();
        }
        flows = next;
        sockets = nextSockets;
        failureListener = reload.failureListener();
        final org.agrona.collections.LongHashSet deadlines = new org.agrona.collections.LongHashSet();
        for (final Route route : routes)
        {
            Route.addDrainDeadlines(route, deadlines);
        }
        for (final long deadline : deadlines)
        {
            if (armedDeadlines.add(deadline))
            {
                worker.scheduleTimeout(Math.max(worker.nowNs(), deadline), drainDeadline);
            }
        }
    }

    private void onDrainDeadline(final long timerId, final long nowNs)
    {
        armedDeadlines.removeIf(deadline -> nowNs - deadline >= 0);
        for (int r = 0; r < flows.length; r++)
        {
            final UdpRoute route = flows[r].route();
            if (route.draining() && nowNs - route.drainUntilNs() >= 0)
            {
                flows[r].closeAll();
                for (int p = 0; p < sockets[r].length; p++)
                {
                    if (sockets[r][p] != null)
                    {
                        sockets[r][p].close();
                        sockets[r][p] = null;
                    }
                }
            }
            else
            {
                flows[r].dropExpiredTargets(nowNs);
            }
        }
    }

    /**
     * The balancer stops: new clients are turned away and flows end once they have been quiet for
     * {@link #QUIET_AT_STOP}; the sockets stay open, since replies to the flows still going leave through them.
     */
    @Override
    public void stopAccepting()
    {
        accepting = false;
        for (final UdpFlows routeFlows : flows)
        {
            routeFlows.stopForShutdown(QUIET_AT_STOP_NS, worker.nowNs());
        }
    }

    @Override
    public int openCount()
    {
        int open = 0;
        for (final UdpFlows routeFlows : flows)
        {
            open += routeFlows.count();
        }
        return open;
    }

    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        for (final UdpFlows routeFlows : flows)
        {
            if (worker != null)
            {
                routeFlows.closeAll();
            }
        }
        for (final UdpListenerSocket[] routeSockets : sockets)
        {
            for (final UdpListenerSocket socket : routeSockets)
            {
                if (socket != null)
                {
                    socket.close();
                }
            }
        }
        if (worker != null)
        {
            path.close();
        }
    }

    @Override
    public void setPolicy(final int routeIndex, final BalancerPolicy policy)
    {
        flows[routeIndex].setPicker(policy);
    }

    @Override
    public LoadView loadView(final int routeIndex)
    {
        // Read through the index when asked, so that the control plane may build a reload's policies first.
        return target -> flows[routeIndex].loadView().activeConnections(target);
    }

    @Override
    public int resetConnectionsTo(final int routeIndex, final int target)
    {
        return flows[routeIndex].dropTarget(target);
    }

    @Override
    public void failureListener(final TargetFailureListener listener)
    {
        this.failureListener = listener;
    }

    TargetFailureListener failureListener()
    {
        return failureListener;
    }

    /**
     * Whether datagrams move in batches through recvmmsg/sendmmsg.
     *
     * @return true on the batched path.
     */
    public boolean usesBatching()
    {
        return batching;
    }

    /**
     * The worker's index.
     *
     * @return 0-based.
     */
    public int workerIndex()
    {
        return workerIndex;
    }

    boolean batching()
    {
        return batching;
    }

    Worker worker()
    {
        return worker;
    }

    DatagramPath path()
    {
        return path;
    }
}
