package io.portgate.udp;

import io.portgate.balance.BalanceAlgorithm;
import io.portgate.config.Affinity;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.loop.Route;
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
public final class UdpRoute extends Route
{
    /** The largest UDP payload IPv4 can carry: 65535 less the IP and UDP headers. */
    public static final int MAX_DATAGRAM = 65_507;

    private final Affinity affinity;
    private final long idleTimeoutNs;
    private final int maxFlows;
    private final int sendBuffer;
    private final int receiveBuffer;
    private final int maxDatagram;
    private final ProtocolFamily bindFamily;

    private UdpRoute(final int index, final ListenerConfig listener, final String poolName,
        final RouteTargets targets, final String balance, final long drainUntilNs, final int maxDatagram)
    {
        super(index, listener, poolName, targets, balance, drainUntilNs);
        if (maxDatagram < 1 || maxDatagram > MAX_DATAGRAM)
        {
            throw new IllegalArgumentException("maxDatagram must be 1.." + MAX_DATAGRAM + ": " + maxDatagram);
        }
        this.affinity = listener.affinity();
        this.idleTimeoutNs = listener.idleTimeout().toNanos();
        this.maxFlows = Math.max(1, listener.maxFlows());
        this.sendBuffer = listener.sendBuffer();
        this.receiveBuffer = listener.receiveBuffer();
        this.maxDatagram = maxDatagram;
        this.bindFamily = familyOf(listener.bind().socketAddress());
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
        return of(index, listener, pool, MAX_DATAGRAM);
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
        return new UdpRoute(index, listener, pool.name(), new RouteTargets(listener, pool), pool.balance(), 0,
            maxDatagram);
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
        return new UdpRoute(index, listener, pool.name(),
            RouteTargets.reloaded(listener, pool, previous.targets(), nowNs, deadlineNs), pool.balance(), 0,
            previous.maxDatagram);
    }

    /**
     * This listener after a reload removed it: it admits no new flow and its flows drain until the deadline.
     *
     * @param newIndex   its index now.
     * @param deadlineNs until when its flows may drain; a listener already draining keeps its own.
     * @return the draining route.
     */
    @Override
    public UdpRoute draining(final int newIndex, final long deadlineNs)
    {
        return new UdpRoute(newIndex, listener(), poolName(), targets(), balance(), drainDeadline(deadlineNs),
            maxDatagram);
    }

    static ProtocolFamily familyOf(final InetSocketAddress address)
    {
        return address.getAddress() instanceof Inet6Address ? StandardProtocolFamily.INET6 :
            StandardProtocolFamily.INET;
    }

    /**
     * The policy flows of this listener pick with. Client affinity must give every flow of one IP the same target on
     * every worker, and the kernel spreads one IP's flows over the workers; only a policy that is a function of the
     * IP does that, so with a policy that counts or draws the pick falls back to source-hash over the same weights.
     *
     * @return the policy to build.
     */
    public String pickBalance()
    {
        if (affinity == Affinity.CLIENT && !hashes(balance()))
        {
            return BalanceAlgorithm.SOURCE_HASH.configName();
        }
        return balance();
    }

    static boolean hashes(final String balance)
    {
        return BalanceAlgorithm.SOURCE_HASH.configName().equals(balance) ||
            BalanceAlgorithm.MAGLEV.configName().equals(balance);
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
