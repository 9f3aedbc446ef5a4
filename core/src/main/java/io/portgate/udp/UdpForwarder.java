package io.portgate.udp;

import io.portgate.ffm.NativeFd;
import io.portgate.ffm.SocketDrops;
import io.portgate.loop.DrainDeadlines;
import io.portgate.loop.LocalFailureLog;
import io.portgate.loop.LoopService;
import io.portgate.loop.Route;
import io.portgate.loop.Worker;

import java.io.IOException;
import java.nio.channels.DatagramChannel;
import java.util.IdentityHashMap;

/**
 * One worker's UDP forwarding: its socket on every port of every UDP listener, the flows of each listener and the
 * path datagrams take through the kernel. Lives on the worker's thread; shares nothing mutable with other workers.
 * What it forwards comes in {@link UdpReload}s: the first at start, from nothing, then one per reload.
 */
public final class UdpForwarder implements LoopService
{
    /**
     * Once the balancer stops, a flow with no datagram either way for this long is done and no longer holds the
     * stop (or its idle timeout, if shorter). A UDP flow has no close: going quiet is how it ends.
     */
    public static final java.time.Duration QUIET_AT_STOP = java.time.Duration.ofSeconds(1);
    private static final long QUIET_AT_STOP_NS = QUIET_AT_STOP.toNanos();

    /** How often the kernel's drop counts of the listening sockets are read (SO_MEMINFO). */
    static final long DROP_COUNT_INTERVAL_NS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100);

    private final boolean batching;
    private SocketDrops socketDrops;
    private long nextDropCountNs;
    private final DatagramPath path;
    private final DrainDeadlines deadlines = new DrainDeadlines(this::onDrainDeadline);
    private final LocalFailureLog localFailures = new LocalFailureLog();
    private UdpFlows[] flows = new UdpFlows[0];
    private UdpListenerSocket[][] sockets = new UdpListenerSocket[0][];
    private boolean accepting = true;
    private Worker worker;
    private boolean closed;

    /**
     * Creates a worker's forwarder with no listener yet.
     *
     * @param batching    true to move datagrams with recvmmsg/sendmmsg, false for plain NIO.
     * @param gso         true to send runs of equal-sized datagrams with UDP_SEGMENT; needs {@code batching}.
     */
    public UdpForwarder(final boolean batching, final boolean gso)
    {
        if (gso && !batching)
        {
            throw new IllegalArgumentException("segmented sends ride on the batching path");
        }
        this.batching = batching;
        this.path = batching ? new BatchedDatagramPath(gso) : new NioDatagramPath();
    }

    @Override
    public void open(final Worker worker)
    {
        this.worker = worker;
        path.open();
        if (NativeFd.isAvailable())
        {
            // Freed with the forwarder's last reference: nothing to close on any thread.
            socketDrops = new SocketDrops(java.lang.foreign.Arena.ofAuto());
        }
    }

    @Override
    public int doWork(final long nowNs)
    {
        if (socketDrops != null && nowNs - nextDropCountNs >= 0)
        {
            nextDropCountNs = nowNs + DROP_COUNT_INTERVAL_NS;
            readKernelDrops();
        }
        // Reading counters is not forwarding: it does not keep the loop from idling.
        return 0;
    }

    /**
     * Counts what the kernel dropped on every listening socket since the last reading: datagrams that never reached
     * the balancer, which only the kernel saw. A few system calls a second per socket, off the datagram path.
     */
    void readKernelDrops()
    {
        for (final UdpListenerSocket[] routeSockets : sockets)
        {
            for (final UdpListenerSocket socket : routeSockets)
            {
                if (socket != null && socket.fd >= 0)
                {
                    socket.observeKernelDrops(socketDrops.read(socket.fd));
                }
            }
        }
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
        final UdpRouteRuntime[] runtimes = reload.runtimes();
        final UdpFlows[] next = new UdpFlows[runtimes.length];
        for (int r = 0; r < flows.length; r++)
        {
            final int to = reload.routeMap()[r];
            if (to < 0)
            {
                flows[r].closeAll();
                continue;
            }
            next[to] = flows[r];
            next[to].remap(runtimes[to], reload.targetMaps()[r], accepting && !runtimes[to].route().draining());
        }
        for (int r = 0; r < runtimes.length; r++)
        {
            if (next[r] == null)
            {
                next[r] = new UdpFlows(this, runtimes[r]);
                if (!accepting)
                {
                    next[r].stopAccepting();
                }
            }
        }
        sockets = reassignSockets(reload, next);
        flows = next;
        final Route[] routes = new Route[runtimes.length];
        for (int r = 0; r < routes.length; r++)
        {
            routes[r] = runtimes[r].route();
        }
        deadlines.arm(worker, routes);
    }

    private UdpListenerSocket[][] reassignSockets(final UdpReload reload, final UdpFlows[] next)
    {
        final IdentityHashMap<DatagramChannel, UdpListenerSocket> old = new IdentityHashMap<>();
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
        final UdpListenerSocket[][] nextSockets = new UdpListenerSocket[next.length][];
        for (int r = 0; r < next.length; r++)
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
                    before != null ? before.fd : NativeFd.isAvailable() ? NativeFd.of(channels[p]) : -1);
                if (before != null)
                {
                    socket.continueDropsOf(before);
                    // Flows of the listener it came from still reply through it.
                    before.moveOn();
                }
                try
                {
                    socket.register(worker);
                }
                catch (final IOException ex)
                {
                    worker.errorHandler().onError(new IOException("listener '" + next[r].route().name() +
                        "' cannot register its UDP socket with " + worker.roleName(), ex));
                }
                nextSockets[r][p] = socket;
            }
        }
        for (final UdpListenerSocket gone : old.values())
        {
            gone.close();
        }
        return nextSockets;
    }

    private void onDrainDeadline(final long nowNs)
    {
        for (int r = 0; r < flows.length; r++)
        {
            final UdpRoute route = flows[r].route();
            if (route.draining() && DrainDeadlines.passed(route.drainUntilNs(), nowNs))
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
     * Moves every flow of a listener off a target that went down ({@code on-down: close}): they re-pick on their
     * next datagram. Worker thread only.
     *
     * @param runtime the listener, as this worker runs it.
     * @param target  the target id.
     * @return how many flows moved.
     */
    public int resetConnectionsTo(final UdpRouteRuntime runtime, final int target)
    {
        for (final UdpFlows routeFlows : flows)
        {
            if (routeFlows.runtime() == runtime)
            {
                return routeFlows.dropTarget(target);
            }
        }
        return 0;
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



    boolean batching()
    {
        return batching;
    }

    Worker worker()
    {
        return worker;
    }

    LocalFailureLog localFailures()
    {
        return localFailures;
    }

    DatagramPath path()
    {
        return path;
    }
}
