package io.portgate.tcp;

import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.loop.Route;
import io.portgate.loop.RouteTargets;

/**
 * Everything a worker needs to forward one TCP listener, resolved from the configuration once: the target
 * addresses for every port of the listener's range, and the listener's limits and timeouts in nanoseconds.
 * Immutable, so one instance is shared by all workers.
 */
public final class TcpRoute extends Route
{
    private final int maxConnections;
    private final long connectTimeoutNs;
    private final int connectAttempts;
    private final long idleTimeoutNs;
    private final int backlog;
    private final int sendBuffer;
    private final int receiveBuffer;
    private final int bufferSize;
    private final boolean firstByteLatency;

    private TcpRoute(final int index, final ListenerConfig listener, final String poolName,
        final RouteTargets targets, final String balance, final long drainUntilNs)
    {
        super(index, listener, poolName, targets, balance, drainUntilNs);
        this.maxConnections = listener.maxConnections();
        this.connectTimeoutNs = listener.connectTimeout().toNanos();
        this.connectAttempts = Math.max(1, listener.connectAttempts());
        this.idleTimeoutNs = listener.idleTimeout().toNanos();
        this.backlog = listener.backlog();
        this.sendBuffer = listener.sendBuffer();
        this.receiveBuffer = listener.receiveBuffer();
        this.bufferSize = listener.bufferSize();
        this.firstByteLatency = listener.firstByteLatency();
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
        return new TcpRoute(index, listener, pool.name(), new RouteTargets(listener, pool), pool.balance(), 0);
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
        return new TcpRoute(index, listener, pool.name(),
            RouteTargets.reloaded(listener, pool, previous.targets(), nowNs, deadlineNs), pool.balance(), 0);
    }

    /**
     * This listener after a reload removed it: it accepts nothing and its connections drain until the deadline.
     *
     * @param newIndex   its index now.
     * @param deadlineNs until when its connections may drain; a listener already draining keeps its own.
     * @return the draining route.
     */
    @Override
    public TcpRoute draining(final int newIndex, final long deadlineNs)
    {
        return new TcpRoute(newIndex, listener(), poolName(), targets(), balance(), drainDeadline(deadlineNs));
    }

    /** @return true to record each connection's first-byte time. */
    public boolean firstByteLatency()
    {
        return firstByteLatency;
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
