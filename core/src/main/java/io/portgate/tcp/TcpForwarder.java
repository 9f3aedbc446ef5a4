package io.portgate.tcp;

import io.portgate.balance.BalancerPolicies;
import io.portgate.balance.BalancerPolicy;
import io.portgate.balance.Hashing;
import io.portgate.balance.LoadView;
import org.HdrHistogram.SingleWriterRecorder;
import io.portgate.loop.PolicyHost;
import io.portgate.loop.TargetFailureListener;
import io.portgate.loop.LoopService;
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
    /** Longest connect time the histograms hold: the longest connect timeout the configuration allows. */
    private static final long LATENCY_MAX_NS = 3_600_000_000_000L;

    private final TcpRoute[] routes;
    private final ServerSocketChannel[][] channels;
    private final TcpAcceptor[][] acceptors;
    private final TcpCounters counters;
    private final ConnectionLimits limits;
    private final TransferPool[] transferPools;
    private final BalancerPolicy[] pickers;
    private final int[][] activePerTarget;
    private final LoadView[] loadViews;
    private final SingleWriterRecorder[] connectLatency;
    private TargetFailureListener failureListener = TargetFailureListener.NONE;
    private final ArrayDeque<TcpConnection> freeConnections = new ArrayDeque<>();
    private final boolean splice;
    private final int workerIndex;
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
        this.channels = channels;
        this.counters = counters;
        this.limits = limits;
        this.splice = splice;
        this.acceptors = new TcpAcceptor[this.routes.length][];
        this.transferPools = new TransferPool[this.routes.length];
        this.pickers = new BalancerPolicy[this.routes.length];
        this.activePerTarget = new int[this.routes.length][];
        this.loadViews = new LoadView[this.routes.length];
        this.connectLatency = new SingleWriterRecorder[this.routes.length];
        for (int r = 0; r < this.routes.length; r++)
        {
            final TcpRoute route = this.routes[r];
            transferPools[r] = sharedPool(r, budget, retainBytes);
            activePerTarget[r] = new int[route.targetCount()];
            final int[] active = activePerTarget[r];
            loadViews[r] = target -> active[target];
            connectLatency[r] = new SingleWriterRecorder(LATENCY_MAX_NS, 2);
            pickers[r] = BalancerPolicies.create(route.algorithm(), route.targetIds(), route.weights(),
                targetKeys(route), loadViews[r], workerIndex);
            acceptors[r] = new TcpAcceptor[channels[r].length];
            for (int p = 0; p < channels[r].length; p++)
            {
                acceptors[r][p] = new TcpAcceptor(this, route, p, channels[r][p]);
            }
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

    private TransferPool sharedPool(final int routeIndex, final MemoryBudget budget, final long retainBytes)
    {
        final int size = routes[routeIndex].bufferSize();
        for (int r = 0; r < routeIndex; r++)
        {
            if (routes[r].bufferSize() == size)
            {
                return transferPools[r];
            }
        }
        return splice ? TransferPool.splice(budget, size, retainBytes) : TransferPool.nio(budget, size, retainBytes);
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
        for (final TransferPool pool : transferPools)
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
     * own counts, so a policy built over it belongs to this worker.
     *
     * @param routeIndex the listener.
     * @return the view.
     */
    @Override
    public LoadView loadView(final int routeIndex)
    {
        return loadViews[routeIndex];
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
        final long[] keys = new long[route.targetCount()];
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
