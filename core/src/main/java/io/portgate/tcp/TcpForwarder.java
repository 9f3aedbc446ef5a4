package io.portgate.tcp;

import io.portgate.loop.DrainDeadlines;
import io.portgate.loop.IntrusiveList;
import io.portgate.loop.LocalFailureLog;
import io.portgate.loop.LoopService;
import io.portgate.loop.Worker;
import org.agrona.collections.Int2ObjectHashMap;

import java.io.IOException;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.IdentityHashMap;

/**
 * One worker's TCP forwarding: its listening sockets, its connections and their pools. Lives on the worker's
 * thread; shares with other workers only the limits, the memory budget and the immutable routes. What it forwards
 * comes in {@link TcpReload}s: the first at start, from nothing, then one per reload.
 */
public final class TcpForwarder implements LoopService
{
    private final MemoryBudget budget;
    private final long retainBytes;
    private final boolean splice;
    private final Int2ObjectHashMap<TransferPool> poolsBySize = new Int2ObjectHashMap<>();
    private final ArrayDeque<TcpConnection> freeConnections = new ArrayDeque<>();
    private final IntrusiveList<TcpConnection> active = new IntrusiveList<>();
    private final IntrusiveList<TcpConnection> waiters = new IntrusiveList<>();
    private final DrainDeadlines deadlines = new DrainDeadlines(this::onDrainDeadline);
    private final LocalFailureLog localFailures = new LocalFailureLog();
    private TcpRouteRuntime[] runtimes = new TcpRouteRuntime[0];
    private TcpAcceptor[][] acceptors = new TcpAcceptor[0][];
    private Worker worker;
    private boolean accepting = true;
    /** Listening sockets pausing after a failed accept; a connection that closes resumes them. */
    private int pausedAcceptors;

    /**
     * Creates a worker's forwarder with no listener yet.
     *
     * @param budget      the shared memory budget.
     * @param retainBytes most bytes of empty buffers this worker keeps per buffer size.
     * @param splice      true to move bytes with splice(2), false to copy them through NIO buffers.
     */
    public TcpForwarder(final MemoryBudget budget, final long retainBytes, final boolean splice)
    {
        this.budget = budget;
        this.retainBytes = retainBytes;
        this.splice = splice;
    }

    /**
     * Switches to the listeners, targets, counters and policies of a reload. Worker thread only (the control plane
     * sends it as a command). Connections to listeners and targets that remain carry on under their new runtimes;
     * those to listeners and targets that are gone for good are closed; listening sockets that remain keep their
     * registration, so nothing waiting in an accept queue is lost.
     *
     * @param reload what to switch to.
     */
    public void apply(final TcpReload reload)
    {
        final TcpRouteRuntime[] next = reload.runtimes();
        // Connections to what is gone for good (their drain deadline passed) close under the old runtimes.
        for (IntrusiveList.Link<TcpConnection> link = active.head(); link != null; )
        {
            final TcpConnection connection = link.element();
            link = link.next();
            final int r = connection.runtime().route().index();
            final int target = connection.target();
            if (reload.routeMap()[r] < 0 || target >= 0 && reload.targetMaps()[r][target] < 0)
            {
                connection.close();
            }
        }
        for (int r = 0; r < runtimes.length; r++)
        {
            if (reload.routeMap()[r] >= 0)
            {
                next[reload.routeMap()[r]].carryFrom(runtimes[r], reload.targetMaps()[r]);
            }
        }
        for (final TcpRouteRuntime runtime : next)
        {
            runtime.transfers(pool(runtime.route().bufferSize()));
        }
        for (IntrusiveList.Link<TcpConnection> link = active.head(); link != null; link = link.next())
        {
            final TcpConnection connection = link.element();
            final int r = connection.runtime().route().index();
            final int target = connection.target();
            connection.remap(next[reload.routeMap()[r]], target < 0 ? -1 : reload.targetMaps()[r][target]);
        }
        reassignAcceptors(reload);
        runtimes = next.clone();
        final io.portgate.loop.Route[] routes = new io.portgate.loop.Route[runtimes.length];
        for (int r = 0; r < routes.length; r++)
        {
            routes[r] = runtimes[r].route();
        }
        deadlines.arm(worker, routes);
    }

    private void reassignAcceptors(final TcpReload reload)
    {
        final IdentityHashMap<ServerSocketChannel, TcpAcceptor> old = new IdentityHashMap<>();
        for (final TcpAcceptor[] routeAcceptors : acceptors)
        {
            for (final TcpAcceptor acceptor : routeAcceptors)
            {
                old.put(acceptor.channel(), acceptor);
            }
        }
        final TcpAcceptor[][] next = new TcpAcceptor[reload.runtimes().length][];
        for (int r = 0; r < next.length; r++)
        {
            final ServerSocketChannel[] channels = reload.channels()[r];
            next[r] = new TcpAcceptor[accepting ? channels.length : 0];
            for (int p = 0; p < next[r].length; p++)
            {
                TcpAcceptor acceptor = old.remove(channels[p]);
                if (acceptor != null)
                {
                    acceptor.reassign(reload.runtimes()[r], p);
                }
                else
                {
                    acceptor = new TcpAcceptor(this, reload.runtimes()[r], p, channels[p]);
                    register(acceptor, reload.runtimes()[r]);
                }
                next[r][p] = acceptor;
            }
        }
        // Sockets of listeners a reload removed: nothing accepts on them any more.
        for (final TcpAcceptor gone : old.values())
        {
            gone.close();
        }
        if (!accepting)
        {
            // Stopped while the reload was on its way: the new listeners' sockets close too.
            for (final ServerSocketChannel[] channels : reload.channels())
            {
                for (final ServerSocketChannel channel : channels)
                {
                    closeQuietly(channel);
                }
            }
        }
        acceptors = next;
    }

    private void register(final TcpAcceptor acceptor, final TcpRouteRuntime runtime)
    {
        try
        {
            acceptor.register();
        }
        catch (final IOException ex)
        {
            worker.errorHandler().onError(new IOException("listener '" + runtime.route().name() +
                "' cannot register its socket with " + worker.roleName(), ex));
        }
    }

    private void closeQuietly(final ServerSocketChannel channel)
    {
        try
        {
            channel.close();
        }
        catch (final IOException ex)
        {
            worker.errorHandler().onError(ex);
        }
    }

    private void onDrainDeadline(final long nowNs)
    {
        for (IntrusiveList.Link<TcpConnection> link = active.head(); link != null; )
        {
            final TcpConnection connection = link.element();
            link = link.next();
            final TcpRoute route = connection.runtime().route();
            final int target = connection.target();
            if (route.draining() && DrainDeadlines.passed(route.drainUntilNs(), nowNs) ||
                target >= 0 && route.targets().isRetired(target) &&
                DrainDeadlines.passed(route.targets().retiredUntilNs(target), nowNs))
            {
                connection.close();
            }
        }
    }

    /**
     * Resets every open connection of a listener to one target, as {@code on-down: close} asks when it goes down.
     * Worker thread only.
     *
     * @param runtime the listener, as this worker runs it.
     * @param target  the target id.
     * @return how many connections were reset.
     */
    public int resetConnectionsTo(final TcpRouteRuntime runtime, final int target)
    {
        int reset = 0;
        for (IntrusiveList.Link<TcpConnection> link = active.head(); link != null; )
        {
            final TcpConnection connection = link.element();
            link = link.next();
            if (connection.runtime() == runtime && connection.isOpenTo(target))
            {
                connection.resetBoth();
                reset++;
            }
        }
        return reset;
    }

    private TransferPool pool(final int bufferSize)
    {
        TransferPool pool = poolsBySize.get(bufferSize);
        if (pool == null)
        {
            pool = splice ? TransferPool.splice(budget, bufferSize, retainBytes) :
                TransferPool.nio(budget, bufferSize, retainBytes);
            poolsBySize.put(bufferSize, pool);
        }
        return pool;
    }

    @Override
    public void open(final Worker worker)
    {
        this.worker = worker;
    }

    @Override
    public int doWork(final long nowNs)
    {
        int work = 0;
        while (!waiters.isEmpty())
        {
            final TcpConnection waiter = waiters.first();
            if (!waiter.retryMemory())
            {
                break;
            }
            waiters.remove(waiter.waiterLink);
            work++;
        }
        return work;
    }

    @Override
    public void stopAccepting()
    {
        if (accepting)
        {
            accepting = false;
            for (final TcpAcceptor[] routeAcceptors : acceptors)
            {
                for (final TcpAcceptor acceptor : routeAcceptors)
                {
                    acceptor.close();
                }
            }
        }
    }

    @Override
    public int openCount()
    {
        return active.size();
    }

    @Override
    public void close()
    {
        stopAccepting();
        while (!active.isEmpty())
        {
            active.first().close();
        }
        for (final TransferPool pool : poolsBySize.values())
        {
            pool.close();
        }
    }

    /**
     * Whether bytes move by splice(2).
     *
     * @return true on the splice path.
     */
    public boolean usesSplice()
    {
        return splice;
    }


    Worker worker()
    {
        return worker;
    }

    LocalFailureLog localFailures()
    {
        return localFailures;
    }

    void onAccepted(final TcpRouteRuntime runtime, final int portOffset, final SocketChannel client,
        final boolean noDelayInherited, final long nowNs)
    {
        if (!runtime.tryAdmit())
        {
            runtime.counters().addListener(TcpSlots.L_LIMIT_REJECTED, 1);
            TcpSockets.closeQuietly(client, false, worker.errorHandler());
            return;
        }
        TcpConnection connection = freeConnections.pollFirst();
        if (connection == null)
        {
            connection = new TcpConnection(this);
        }
        active.addLast(connection.activeLink);
        runtime.counters().addListener(TcpSlots.L_ACTIVE, 1);
        runtime.counters().addListener(TcpSlots.L_TOTAL, 1);
        connection.start(runtime, portOffset, client, noDelayInherited, nowNs);
    }

    void onReleased(final TcpConnection connection)
    {
        waiters.remove(connection.waiterLink);
        active.remove(connection.activeLink);
        connection.runtime().counters().addListener(TcpSlots.L_ACTIVE, -1);
        connection.runtime().releaseAdmission();
        freeConnections.addFirst(connection);
        if (pausedAcceptors > 0)
        {
            resumeAcceptors();
        }
    }

    void acceptorPaused()
    {
        pausedAcceptors++;
    }

    void acceptorResumed()
    {
        pausedAcceptors--;
    }

    private void resumeAcceptors()
    {
        for (final TcpAcceptor[] routeAcceptors : acceptors)
        {
            for (final TcpAcceptor acceptor : routeAcceptors)
            {
                acceptor.resumeEarly();
            }
        }
    }

    void awaitMemory(final TcpConnection connection)
    {
        if (!connection.waiterLink.isLinked())
        {
            waiters.addLast(connection.waiterLink);
        }
    }
}
