package io.portgate.udp;

import io.portgate.balance.BalanceAlgorithm;
import io.portgate.config.Affinity;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.loop.RouteTargets;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;

/**
 * Everything a worker needs to forward one UDP listener, resolved from the configuration once: the target addresses
 * for every port of the listener's range, the affinity, and the limits in nanoseconds. Immutable, so one instance is
 * shared by all workers.
 */
public final class UdpRoute
{
    /** The largest UDP payload IPv4 can carry: 65535 less the IP and UDP headers. */
    public static final int MAX_DATAGRAM = 65_507;

    private final int index;
    private final String name;
    private final String poolName;
    private final RouteTargets targets;
    private final BalanceAlgorithm algorithm;
    private final Affinity affinity;
    private final long idleTimeoutNs;
    private final int maxFlows;
    private final int sendBuffer;
    private final int receiveBuffer;
    private final int maxDatagram;
    private final ProtocolFamily bindFamily;
    private final ListenerConfig listener;
    private final long drainUntilNs;

    private UdpRoute(final int index, final ListenerConfig listener, final PoolConfig pool, final int maxDatagram)
    {
        this(index, listener, pool, maxDatagram, new RouteTargets(listener, pool));
    }

    private UdpRoute(final int index, final ListenerConfig listener, final PoolConfig pool, final int maxDatagram,
        final RouteTargets targets)
    {
        if (maxDatagram < 1 || maxDatagram > MAX_DATAGRAM)
        {
            throw new IllegalArgumentException("maxDatagram must be 1.." + MAX_DATAGRAM + ": " + maxDatagram);
        }
        this.index = index;
        this.listener = listener;
        this.drainUntilNs = 0;
        this.name = listener.name();
        this.poolName = pool.name();
        this.targets = targets;
        this.algorithm = pool.balance();
        this.affinity = listener.affinity();
        this.idleTimeoutNs = listener.idleTimeout().toNanos();
        this.maxFlows = Math.max(1, listener.maxFlows());
        this.sendBuffer = listener.sendBuffer();
        this.receiveBuffer = listener.receiveBuffer();
        this.maxDatagram = maxDatagram;
        this.bindFamily = familyOf(listener.bind().socketAddress());
    }

    private UdpRoute(final UdpRoute from, final int index, final long drainUntilNs)
    {
        this.index = index;
        this.listener = from.listener;
        this.drainUntilNs = drainUntilNs;
        this.name = from.name;
        this.poolName = from.poolName;
        this.targets = from.targets;
        this.algorithm = from.algorithm;
        this.affinity = from.affinity;
        this.idleTimeoutNs = from.idleTimeoutNs;
        this.maxFlows = from.maxFlows;
        this.sendBuffer = from.sendBuffer;
        this.receiveBuffer = from.receiveBuffer;
        this.maxDatagram = from.maxDatagram;
        this.bindFamily = from.bindFamily;
    }

    /**
     * Resolves a listener and its pool again after a reload, keeping the targets it had that the pool dropped as
     * retired ones (see {@link RouteTargets#reloaded}) and its datagram limit.
     *
     * @param index      the listener's index now.
     * @param listener   the validated listener, bound as before.
     * @param pool       its pool.
     * @param previous   the route it had.
     * @param nowNs      now, on the workers' clock.
     * @param deadlineNs until when flows on targets removed now may drain.
     * @return the route.
     */
    public static UdpRoute reloaded(final int index, final ListenerConfig listener, final PoolConfig pool,
        final UdpRoute previous, final long nowNs, final long deadlineNs)
    {
        return new UdpRoute(index, listener, pool, previous.maxDatagram,
            RouteTargets.reloaded(listener, pool, previous.targets, nowNs, deadlineNs));
    }

    /**
     * This listener after a reload removed it: it admits no new flow and its flows drain until the deadline.
     *
     * @param newIndex   its index now.
     * @param deadlineNs until when its flows may drain; a listener already draining keeps its own.
     * @return the draining route.
     */
    public UdpRoute draining(final int newIndex, final long deadlineNs)
    {
        return new UdpRoute(this, newIndex, draining() ? drainUntilNs : deadlineNs);
    }

    /** @return true for a listener a reload removed, whose flows drain. */
    public boolean draining()
    {
        return drainUntilNs != 0;
    }

    /** @return until when a removed listener's flows may drain, on the workers' clock; 0 when not removed. */
    public long drainUntilNs()
    {
        return drainUntilNs;
    }

    /** @return the listener's configuration. */
    public ListenerConfig listener()
    {
        return listener;
    }

    /**
     * Resolves a listener and its pool.
     *
     * @param index    the listener's index among the UDP listeners, which keys its counters.
     * @param listener a validated UDP listener.
     * @param pool     its pool.
     * @return the route, passing datagrams up to {@link #MAX_DATAGRAM} bytes.
     */
    public static UdpRoute of(final int index, final ListenerConfig listener, final PoolConfig pool)
    {
        return new UdpRoute(index, listener, pool, MAX_DATAGRAM);
    }

    /**
     * Resolves a listener and its pool with a smaller datagram limit; datagrams larger than it are dropped and
     * counted as truncated. Tests use it, since loopback cannot carry a datagram larger than the real limit.
     *
     * @param index       the listener's index among the UDP listeners.
     * @param listener    a validated UDP listener.
     * @param pool        its pool.
     * @param maxDatagram the largest datagram passed, 1 to {@link #MAX_DATAGRAM}.
     * @return the route.
     */
    public static UdpRoute of(final int index, final ListenerConfig listener, final PoolConfig pool,
        final int maxDatagram)
    {
        return new UdpRoute(index, listener, pool, maxDatagram);
    }

    static ProtocolFamily familyOf(final InetSocketAddress address)
    {
        return address.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6 :
            StandardProtocolFamily.INET;
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
     * The address datagrams go to.
     *
     * @param target     the target id.
     * @param portOffset the offset of the listener port the client sent to.
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

    /**
     * The policy flows of this listener pick with. Client affinity must give every flow of one IP the same target on
     * every worker, and the kernel spreads one IP's flows over the workers; only a policy that is a function of the
     * IP does that, so with a policy that counts or draws the pick falls back to source-hash over the same weights.
     *
     * @return the policy to build.
     */
    public BalanceAlgorithm pickAlgorithm()
    {
        if (affinity == Affinity.CLIENT && !hashes(algorithm))
        {
            return BalanceAlgorithm.SOURCE_HASH;
        }
        return algorithm;
    }

    static boolean hashes(final BalanceAlgorithm algorithm)
    {
        return algorithm == BalanceAlgorithm.SOURCE_HASH || algorithm == BalanceAlgorithm.MAGLEV;
    }

    /** @return which datagrams share a target. */
    public Affinity affinity()
    {
        return affinity;
    }

    /** @return how long a flow may stay quiet before it expires. */
    public long idleTimeoutNs()
    {
        return idleTimeoutNs;
    }

    /** @return most flows of this listener per worker. */
    public int maxFlows()
    {
        return maxFlows;
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

    /** @return the largest datagram passed; larger ones are dropped as truncated. */
    public int maxDatagram()
    {
        return maxDatagram;
    }

    /** @return the protocol family of the listening address. */
    public ProtocolFamily bindFamily()
    {
        return bindFamily;
    }
}
