package io.portgate.tcp;

import io.portgate.balance.BalanceAlgorithm;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.loop.RouteTargets;

import java.net.InetSocketAddress;
/**
 * Everything a worker needs to forward one TCP listener, resolved from the configuration once: the target
 * addresses for every port of the listener's range, and the listener's limits and timeouts in nanoseconds.
 * Immutable, so one instance is shared by all workers.
 */
public final class TcpRoute
{
    private final int index;
    private final String name;
    private final String poolName;
    private final RouteTargets targets;
    private final BalanceAlgorithm algorithm;
    private final int maxConnections;
    private final long connectTimeoutNs;
    private final int connectAttempts;
    private final long idleTimeoutNs;
    private final int backlog;
    private final int sendBuffer;
    private final int receiveBuffer;
    private final int bufferSize;
    private final ListenerConfig listener;
    private final long drainUntilNs;
    private final boolean firstByteLatency;

    private TcpRoute(final int index, final ListenerConfig listener, final PoolConfig pool,
        final RouteTargets targets)
    {
        this.index = index;
        this.listener = listener;
        this.drainUntilNs = 0;
        this.firstByteLatency = listener.firstByteLatency();
        this.name = listener.name();
        this.poolName = pool.name();
        this.targets = targets;
        this.algorithm = pool.balance();
        this.maxConnections = listener.maxConnections();
        this.connectTimeoutNs = listener.connectTimeout().toNanos();
        this.connectAttempts = Math.max(1, listener.connectAttempts());
        this.idleTimeoutNs = listener.idleTimeout().toNanos();
        this.backlog = listener.backlog();
        this.sendBuffer = listener.sendBuffer();
        this.receiveBuffer = listener.receiveBuffer();
        this.bufferSize = listener.bufferSize();
    }

    private TcpRoute(final TcpRoute from, final int index, final long drainUntilNs)
    {
        this.index = index;
        this.listener = from.listener;
        this.drainUntilNs = drainUntilNs;
        this.firstByteLatency = from.firstByteLatency;
        this.name = from.name;
        this.poolName = from.poolName;
        this.targets = from.targets;
        this.algorithm = from.algorithm;
        this.maxConnections = from.maxConnections;
        this.connectTimeoutNs = from.connectTimeoutNs;
        this.connectAttempts = from.connectAttempts;
        this.idleTimeoutNs = from.idleTimeoutNs;
        this.backlog = from.backlog;
        this.sendBuffer = from.sendBuffer;
        this.receiveBuffer = from.receiveBuffer;
        this.bufferSize = from.bufferSize;
    }

    /**
     * Resolves a listener and its pool again after a reload, keeping the targets it had that the pool dropped as
     * retired ones (see {@link RouteTargets#reloaded}).
     *
     * @param index      the listener's index now.
     * @param listener   the validated listener, bound as before.
     * @param pool       its pool.
     * @param previous   the route it had.
     * @param nowNs      now, on the workers' clock.
     * @param deadlineNs until when connections to targets removed now may drain.
     * @return the route.
     */
    public static TcpRoute reloaded(final int index, final ListenerConfig listener, final PoolConfig pool,
        final TcpRoute previous, final long nowNs, final long deadlineNs)
    {
        return new TcpRoute(index, listener, pool,
            RouteTargets.reloaded(listener, pool, previous.targets, nowNs, deadlineNs));
    }

    /**
     * This listener after a reload removed it: it accepts nothing and its connections drain until the deadline.
     *
     * @param newIndex   its index now.
     * @param deadlineNs until when its connections may drain; a listener already draining keeps its own.
     * @return the draining route.
     */
    public TcpRoute draining(final int newIndex, final long deadlineNs)
    {
        return new TcpRoute(this, newIndex, draining() ? drainUntilNs : deadlineNs);
    }

    /** @return true for a listener a reload removed, whose connections drain. */
    public boolean draining()
    {
        return drainUntilNs != 0;
    }

    /** @return until when a removed listener's connections may drain, on the workers' clock; 0 when not removed. */
    public long drainUntilNs()
    {
        return drainUntilNs;
    }

    /** @return true to record each connection's first-byte time. */
    public boolean firstByteLatency()
    {
        return firstByteLatency;
    }

    /** @return the listener's configuration. */
    public ListenerConfig listener()
    {
        return listener;
    }

    /**
     * Resolves a listener and its pool.
     *
     * @param index    the listener's index among the TCP listeners, which keys its counters.
     * @param listener a validated TCP listener.
     * @param pool     its pool.
     * @return the route.
     */
    public static TcpRoute of(final int index, final ListenerConfig listener, final PoolConfig pool)
    {
        return new TcpRoute(index, listener, pool, new RouteTargets(listener, pool));
    }

    /** @return the index keying this listener's counters. */
    public int index()
    {
        return index;
    }

    /** @return the listener's name. */
    public String name()
    {
        return name;
    }

    /** @return the pool's name. */
    public String poolName()
    {
        return poolName;
    }

    /** @return the targets, resolved for every port of the listener's range. */
    public RouteTargets targets()
    {
        return targets;
    }

    /** @return how many ports the listener binds. */
    public int portCount()
    {
        return targets.portCount();
    }

    /** @return how many targets the pool has. */
    public int targetCount()
    {
        return targets.count();
    }

    /**
     * The address to connect to.
     *
     * @param target     the target id.
     * @param portOffset the offset of the listener port the client connected to.
     * @return the target's matching internal port.
     */
    public InetSocketAddress targetAddress(final int target, final int portOffset)
    {
        return targets.address(target, portOffset);
    }

    /**
     * A target's label for stats and messages.
     *
     * @param target the target id.
     * @return {@code address:port(s)}.
     */
    public String targetLabel(final int target)
    {
        return targets.label(target);
    }

    /** @return the target ids, a copy. */
    public int[] targetIds()
    {
        return targets.ids();
    }

    /** @return the targets' weights, a copy. */
    public int[] weights()
    {
        return targets.weights();
    }

    /** @return the pool's balancing policy. */
    public BalanceAlgorithm algorithm()
    {
        return algorithm;
    }

    /** @return most open connections of this listener. */
    public int maxConnections()
    {
        return maxConnections;
    }

    /** @return the connect timeout per attempt. */
    public long connectTimeoutNs()
    {
        return connectTimeoutNs;
    }

    /** @return how many targets are tried per connection. */
    public int connectAttempts()
    {
        return connectAttempts;
    }

    /** @return the idle timeout. */
    public long idleTimeoutNs()
    {
        return idleTimeoutNs;
    }

    /** @return the listen backlog. */
    public int backlog()
    {
        return backlog;
    }

    /** @return SO_SNDBUF, 0 for the system default. */
    public int sendBuffer()
    {
        return sendBuffer;
    }

    /** @return SO_RCVBUF, 0 for the system default. */
    public int receiveBuffer()
    {
        return receiveBuffer;
    }

    /** @return bytes buffered per direction per connection. */
    public int bufferSize()
    {
        return bufferSize;
    }
}
