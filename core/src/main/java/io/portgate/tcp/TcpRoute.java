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

    private TcpRoute(final int index, final ListenerConfig listener, final PoolConfig pool)
    {
        this.index = index;
        this.name = listener.name();
        this.poolName = pool.name();
        this.targets = new RouteTargets(listener, pool);
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
        return new TcpRoute(index, listener, pool);
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
