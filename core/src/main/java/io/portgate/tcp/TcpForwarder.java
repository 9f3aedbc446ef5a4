package io.portgate.tcp;

import io.portgate.balance.BalancerPolicies;
import io.portgate.balance.BalancerPolicy;
import io.portgate.balance.Hashing;
import io.portgate.balance.LoadView;
import org.HdrHistogram.SingleWriterRecorder;
import io.portgate.loop.PolicyHost;
import io.portgate.loop.TargetFailureListener;
import io.portgate.loop.LoopService;
import io.portgate.loop.Route;
import io.portgate.loop.Worker;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayDeque;
import java.util.List;

/**
 * One worker's TCP forwarding: its listening sockets, its connections and their pools. Lives on the worker's
 * thread; shares with other workers only the limits, the memory budget and the immutable routes.
 */
public final class TcpForwarder implements LoopService, PolicyHost
{
    /**
     * Longest time the histograms hold: an hour, beyond the longest connect timeout the configuration allows; a
     * longer first-byte time is recorded as an hour.
     */
    static final long LATENCY_MAX_NS = 3_600_000_000_000L;

    private TcpRoute[] routes;
    private TcpAcceptor[][] acceptors;
    private TcpCounters counters;
    private ConnectionLimits limits;
    private TransferPool[] transferPools;
    private BalancerPolicy[] pickers;
    private int[][] activePerTarget;
    private SingleWriterRecorder[] connectLatency;
    private SingleWriterRecorder[] firstByteLatency;
    private volatile TargetFailureListener failureListener = TargetFailureListener.NONE;
    private final org.agrona.collections.Int2ObjectHashMap<TransferPool> poolsBySize =
        new org.agrona.collections.Int2ObjectHashMap<>();
    private final MemoryBudget budget;
    private final long retainBytes;
    private final ArrayDeque<TcpConnection> freeConnections = new ArrayDeque<>();
    private final boolean splice;
    private final int workerIndex;
    private final io.portgate.loop.TimeoutHandler drainDeadline = this::onDrainDeadline;
    private final org.agrona.collections.LongHashSet armedDeadlines = new org.agrona.collections.LongHashSet();
    private Worker worker;
    private TcpConnection activeHead;
    private int activeCount;
    private TcpConnection waitersHead;
    private TcpConnection waitersTail;
    private boolean accepting = true;

    /**
     * Creates a worker's forwarder over listening sockets already bound.
     *
     * @param workerIndex the worker's index, which seeds its pickers.
     * @param routes      the TCP listeners, by index.
     * @param channels    this worker's bound, non-blocking listening sockets, by listener index and port offset.
     * @param counters    this worker's counters.
     * @param limits      the shared connection limits.
     * @param budget      the shared memory budget.
     * @param retainBytes most bytes of empty buffers this worker keeps per buffer size.
     * @param splice      true to move bytes with splice(2), false to copy them through NIO buffers.
     */
    public TcpForwarder(
        final int workerIndex,
        final List<TcpRoute> routes,
        final ServerSocketChannel[][] channels,
        final TcpCounters counters,
        final ConnectionLimits limits,
        final MemoryBudget budget,
        final long retainBytes,
        final boolean splice)
    {
        this.workerIndex = workerIndex;
        this.routes = routes.toArray(new TcpRoute[0]);
        this.counters = counters;
        this.limits = limits;
        this.splice = splice;
        this.budget = budget;
        this.retainBytes = retainBytes;
        this.acceptors = new TcpAcceptor[this.routes.length][];
        this.transferPools = new TransferPool[this.routes.length];
        this.pickers = new BalancerPolicy[this.routes.length];
        this.activePerTarget = new int[this.routes.length][];
        this.connectLatency = new SingleWriterRecorder[this.routes.length];
        this.firstByteLatency = new SingleWriterRecorder[this.routes.length];
        for (int r = 0; r < this.routes.length; r++)
        {
            final TcpRoute route = this.routes[r];
            transferPools[r] = pool(route.bufferSize());
            activePerTarget[r] = new int[route.targetCount()];
            connectLatency[r] = newLatencyRecorder();
            firstByteLatency[r] = newLatencyRecorder();
            pickers[r] = BalancerPolicies.create(route.algorithm(), route.targetIds(), route.weights(),
                targetKeys(route), loadView(r), workerIndex);
            acceptors[r] = new TcpAcceptor[channels[r].length];
            for (int p = 0; p < channels[r].length; p++)
            {
                acceptors[r][p] = new TcpAcceptor(this, route, p, channels[r][p]);
            }
        }
    }

    /**
     * A recorder for connect times, as every forwarder keeps per listener.
     *
     * @return a new recorder.
     */
    public static SingleWriterRecorder newLatencyRecorder()
    {
        return new SingleWriterRecorder(LATENCY_MAX_NS, 2);
    }

    /**
     * Switches to the listeners, targets, counters and policies of a reload. Worker thread only (the control plane
     * sends it as a command). Connections to listeners and targets that remain carry on under their new indices;
     * those to listeners and targets that are gone for good are closed; listening sockets that remain keep their
     * registration, so nothing waiting in an accept queue is lost.
     *
     * @param reload what to switch to.
     */
    public void apply(final TcpReload reload)
    {
        // Connections to what is gone for good (their drain deadline passed) close under the old indices.
        TcpConnection connection = activeHead;
        while (connection != null)
        {
            final TcpConnection next = connection.nextActive;
            final int r = connection.routeIndex();
            final int newRoute = reload.routeMap()[r];
            final int target = connection.target();
            if (newRoute < 0 || target >= 0 && reload.targetMaps()[r][target] < 0)
            {
                connection.close();
            }
            connection = next;
        }
        final TcpRoute[] newRoutes = reload.routes();
        final int[][] active = new int[newRoutes.length][];
        for (int r = 0; r < newRoutes.length; r++)
        {
            active[r] = new int[newRoutes[r].targetCount()];
        }
        for (int r = 0; r < routes.length; r++)
        {
            final int to = reload.routeMap()[r];
            if (to < 0)
            {
                continue;
            }
            for (int t = 0; t < activePerTarget[r].length; t++)
            {
                final int id = reload.targetMaps()[r][t];
                if (id >= 0)
                {
                    active[to][id] += activePerTarget[r][t];
                }
            }
        }
        connection = activeHead;
        final TcpCounters next = reload.counters();
        while (connection != null)
        {
            final int r = connection.routeIndex();
            final int target = connection.target();
            final int newRoute = reload.routeMap()[r];
            final int newTarget = target < 0 ? -1 : reload.targetMaps()[r][target];
            // Gauges move with the connection: a no-op where the labels did not change (both name the same cell),
            // a move where a listener or pool was renamed.
            counters.addListener(r, TcpCounters.L_ACTIVE, -1);
            next.addListener(newRoute, TcpCounters.L_ACTIVE, 1);
            if (connection.isOpen())
            {
                counters.addTarget(r, target, TcpCounters.T_ACTIVE, -1);
                next.addTarget(newRoute, newTarget, TcpCounters.T_ACTIVE, 1);
            }
            connection.remap(newRoutes[newRoute], newTarget, next);
            connection = connection.nextActive;
        }
        reassignAcceptors(reload);
        final TransferPool[] pools = new TransferPool[newRoutes.length];
        for (int r = 0; r < newRoutes.length; r++)
        {
            pools[r] = pool(newRoutes[r].bufferSize());
        }
        routes = newRoutes;
        activePerTarget = active;
        transferPools = pools;
        counters = reload.counters();
        limits = reload.limits();
        pickers = reload.pickers().clone();
        connectLatency = reload.connectLatency().clone();
        firstByteLatency = reload.firstByteLatency().clone();
        failureListener = reload.failureListener();
        scheduleDrainDeadlines();
    }

    private void reassignAcceptors(final TcpReload reload)
    {
        final java.util.IdentityHashMap<ServerSocketChannel, TcpAcceptor> old = new java.util.IdentityHashMap<>();
        for (final TcpAcceptor[] routeAcceptors : acceptors)
        {
            for (final TcpAcceptor acceptor : routeAcceptors)
            {
                old.put(acceptor.channel(), acceptor);
            }
        }
        final TcpAcceptor[][] next = new TcpAcceptor[reload.routes().length][];
        for (int r = 0; r < next.length; r++)
        {
            final ServerSocketChannel[] channels = reload.channels()[r];
            next[r] = new TcpAcceptor[accepting ? channels.length : 0];
            for (int p = 0; p < next[r].length; p++)
            {
                TcpAcceptor acceptor = old.remove(channels[p]);
                if (acceptor != null)
                {
                    acceptor.reassign(reload.routes()[r], p);
                }
                else
                {
                    acceptor = new TcpAcceptor(this, reload.routes()[r], p, channels[p]);
                    try
                    {
                        acceptor.register();
                    }
                    catch (final IOException ex)
                    {
                        worker.errorHandler().onError(new IOException("listener '" + reload.routes()[r].name() +
                            "' cannot register its socket with " + worker.roleName(), ex));
                    }
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
                    try
                    {
                        channel.close();
                    }
                    catch (final IOException ex)
                    {
                        worker.errorHandler().onError(ex);
                    }
                }
            }
        }
        acceptors = next;
    }

    private void scheduleDrainDeadlines()
    {
        final org.agrona.collections.LongHashSet deadlines = new org.agrona.collections.LongHashSet();
        for (final Route route : routes)
        {
            Route.addDrainDeadlines(route, deadlines);
        }
        final long now = worker.nowNs();
        for (final long deadline : deadlines)
        {
            if (armedDeadlines.add(deadline))
            {
                worker.scheduleTimeout(Math.max(now, deadline), drainDeadline);
            }
        }
    }

    private void onDrainDeadline(final long timerId, final long nowNs)
    {
        armedDeadlines.removeIf(deadline -> nowNs - deadline >= 0);
        TcpConnection connection = activeHead;
        while (connection != null)
        {
            final TcpConnection next = connection.nextActive;
            final TcpRoute route = connection.route();
            final int target = connection.target();
            if (route.draining() && nowNs - route.drainUntilNs() >= 0 ||
                target >= 0 && route.targets().isRetired(target) &&
                nowNs - route.targets().retiredUntilNs(target) >= 0)
            {
                connection.close();
            }
            connection = next;
        }
    }

    /**
     * Opens one worker's listening socket for one port of a listener. Every worker binds the same address with
     * SO_REUSEPORT, so the kernel spreads new connections over the workers.
     *
     * @param address the address and port.
     * @param route   the listener, for its backlog and buffer sizes.
     * @return a bound, non-blocking listening socket.
     * @throws IOException when the socket cannot be opened or bound.
     */
    public static ServerSocketChannel openListeningSocket(final InetSocketAddress address, final TcpRoute route)
        throws IOException
    {
        final ServerSocketChannel channel = ServerSocketChannel.open();
        try
        {
            channel.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            channel.setOption(StandardSocketOptions.SO_REUSEPORT, true);
            if (route.receiveBuffer() > 0)
            {
                // Set before listen so the window scale offered to clients accounts for it.
                channel.setOption(StandardSocketOptions.SO_RCVBUF, route.receiveBuffer());
            }
            channel.bind(address, route.backlog());
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
            final java.lang.foreign.MemorySegment callState = io.portgate.ffm.LibC.newCallState();
            if (io.portgate.ffm.LibC.listen(callState, io.portgate.ffm.NativeFd.of(channel), backlog) != 0)
            {
                return "listen(2) failed with errno " + io.portgate.ffm.LibC.errno(callState);
            }
            return null;
        }
        catch (final RuntimeException | LinkageError ex)
        {
            return "the native layer is unavailable (" + ex.getMessage() + ")";
        }
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
        try
        {
            for (final TcpAcceptor[] routeAcceptors : acceptors)
            {
                for (final TcpAcceptor acceptor : routeAcceptors)
                {
                    acceptor.register();
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot register listening sockets with " + worker.roleName(), ex);
        }
    }

    @Override
    public int doWork(final long nowNs)
    {
        int work = 0;
        while (waitersHead != null)
        {
            final TcpConnection waiter = waitersHead;
            if (!waiter.retryMemory())
            {
                break;
            }
            removeWaiter(waiter);
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
            closeAcceptors();
        }
    }

    @Override
    public int openCount()
    {
        return activeCount;
    }

    @Override
    public void close()
    {
        stopAccepting();
        while (activeHead != null)
        {
            activeHead.close();
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

    /**
     * The worker's index.
     *
     * @return 0-based.
     */
    public int workerIndex()
    {
        return workerIndex;
    }

    Worker worker()
    {
        return worker;
    }

    /**
     * Connect times to targets of a listener, recorded by this worker only; a reporter on another thread takes
     * interval histograms from it without stopping the worker.
     *
     * @param routeIndex the listener.
     * @return the recorder, values in nanoseconds.
     */
    public SingleWriterRecorder connectLatency(final int routeIndex)
    {
        return connectLatency[routeIndex];
    }

    /**
     * First-byte times of a listener's connections, recorded by this worker only when the listener asks for them.
     *
     * @param routeIndex the listener.
     * @return the recorder, values in nanoseconds.
     */
    public SingleWriterRecorder firstByteLatency(final int routeIndex)
    {
        return firstByteLatency[routeIndex];
    }

    TcpCounters counters()
    {
        return counters;
    }

    TransferPool transferPool(final int routeIndex)
    {
        return transferPools[routeIndex];
    }

    /**
     * Replaces a listener's balancing policy, for example when health verdicts change which targets may be picked.
     * Worker thread only: the control plane builds the policy and hands it over through the worker's command queue.
     *
     * @param routeIndex the listener.
     * @param policy     the new policy, built over this worker's {@link #loadView(int)}.
     */
    @Override
    public void setPolicy(final int routeIndex, final BalancerPolicy policy)
    {
        pickers[routeIndex] = policy;
    }

    /**
     * This worker's open connections per target of a listener, for load-aware policies. The view reads the worker's
     * own counts, so a policy built over it belongs to this worker. It reads whatever listener has that index when it
     * is asked, so the control plane may build policies for a reload's indices before the worker applies it.
     *
     * @param routeIndex the listener.
     * @return the view.
     */
    @Override
    public LoadView loadView(final int routeIndex)
    {
        return target -> activePerTarget[routeIndex][target];
    }

    /**
     * Sets who hears of failed connects to targets, for passive health detection. Call before the worker starts.
     *
     * @param listener told on the worker thread of each failed connect; must not block or allocate.
     */
    @Override
    public void failureListener(final TargetFailureListener listener)
    {
        this.failureListener = listener;
    }

    /**
     * Resets every open connection of a listener to one target, as {@code on-down: close} asks when it goes down.
     * Worker thread only.
     *
     * @param routeIndex the listener.
     * @param target     the target id.
     * @return how many connections were reset.
     */
    @Override
    public int resetConnectionsTo(final int routeIndex, final int target)
    {
        int reset = 0;
        TcpConnection connection = activeHead;
        while (connection != null)
        {
            final TcpConnection next = connection.nextActive;
            if (connection.routeIndex() == routeIndex && connection.isOpenTo(target))
            {
                connection.resetBoth();
                reset++;
            }
            connection = next;
        }
        return reset;
    }

    TargetFailureListener failureListener()
    {
        return failureListener;
    }

    // Maglev keys each target by its address, so a target keeps its slots when others come and go.
    static long[] targetKeys(final TcpRoute route)
    {
        final long[] keys = new long[route.targets().liveCount()];
        for (int t = 0; t < keys.length; t++)
        {
            keys[t] = Hashing.targetKey(route.targetAddress(t, 0));
        }
        return keys;
    }

    BalancerPolicy picker(final int routeIndex)
    {
        return pickers[routeIndex];
    }

    void onAccepted(final TcpRoute route, final int portOffset, final SocketChannel client, final long nowNs)
    {
        final int r = route.index();
        if (!limits.tryAcquire(r))
        {
            counters.addListener(r, TcpCounters.L_LIMIT_REJECTED, 1);
            TcpConnection.closeQuietly(client, false, worker.errorHandler());
            return;
        }
        TcpConnection connection = freeConnections.pollFirst();
        if (connection == null)
        {
            connection = new TcpConnection(this);
        }
        connection.nextActive = activeHead;
        connection.prevActive = null;
        if (activeHead != null)
        {
            activeHead.prevActive = connection;
        }
        activeHead = connection;
        activeCount++;
        counters.addListener(r, TcpCounters.L_ACTIVE, 1);
        counters.addListener(r, TcpCounters.L_TOTAL, 1);
        connection.start(route, portOffset, client, nowNs);
    }

    void onTargetConnected(final int routeIndex, final int target)
    {
        activePerTarget[routeIndex][target]++;
    }

    void onTargetClosed(final int routeIndex, final int target)
    {
        activePerTarget[routeIndex][target]--;
    }

    void onReleased(final TcpConnection connection, final int routeIndex)
    {
        if (connection.waiting)
        {
            removeWaiter(connection);
        }
        if (connection.prevActive != null)
        {
            connection.prevActive.nextActive = connection.nextActive;
        }
        else
        {
            activeHead = connection.nextActive;
        }
        if (connection.nextActive != null)
        {
            connection.nextActive.prevActive = connection.prevActive;
        }
        connection.prevActive = null;
        connection.nextActive = null;
        activeCount--;
        counters.addListener(routeIndex, TcpCounters.L_ACTIVE, -1);
        limits.release(routeIndex);
        freeConnections.addFirst(connection);
    }

    void awaitMemory(final TcpConnection connection)
    {
        if (connection.waiting)
        {
            return;
        }
        connection.waiting = true;
        connection.nextWaiter = null;
        connection.prevWaiter = waitersTail;
        if (waitersTail != null)
        {
            waitersTail.nextWaiter = connection;
        }
        else
        {
            waitersHead = connection;
        }
        waitersTail = connection;
    }

    private void removeWaiter(final TcpConnection connection)
    {
        if (connection.prevWaiter != null)
        {
            connection.prevWaiter.nextWaiter = connection.nextWaiter;
        }
        else
        {
            waitersHead = connection.nextWaiter;
        }
        if (connection.nextWaiter != null)
        {
            connection.nextWaiter.prevWaiter = connection.prevWaiter;
        }
        else
        {
            waitersTail = connection.prevWaiter;
        }
        connection.prevWaiter = null;
        connection.nextWaiter = null;
        connection.waiting = false;
    }

    private void closeAcceptors()
    {
        for (final TcpAcceptor[] routeAcceptors : acceptors)
        {
            for (final TcpAcceptor acceptor : routeAcceptors)
            {
                acceptor.close();
            }
        }
    }
}
