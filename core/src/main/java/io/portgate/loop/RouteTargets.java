package io.portgate.loop;

import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.TargetConfig;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * A listener's targets resolved once for the data plane, TCP and UDP alike: for every target and every port of the
 * listener's range, the address to forward to (external port {@code first + i} goes to internal port
 * {@code first + i}, or to the single internal port), plus each target's id, weight and label.
 *
 * <p>Live targets are the pool's, in pool order, with ids {@code 0..liveCount()-1}, so a target's id is its index in
 * the pool's target list. After a reload removed some, they follow as retired targets: nothing new is sent to them,
 * but the connections and flows already on them keep an id (and their counters) until they finish or their drain
 * deadline passes.
 */
public final class RouteTargets
{
    /** The retirement deadline of a live target. */
    public static final long LIVE = 0;

    private final int portCount;
    private final int liveCount;
    private final InetSocketAddress[][] addresses;
    private final String[] labels;
    private final int[] weights;
    private final long[] retiredUntilNs;

    /**
     * Resolves a listener's pool.
     *
     * @param listener a validated listener.
     * @param pool     its pool.
     */
    public RouteTargets(final ListenerConfig listener, final PoolConfig pool)
    {
        this(listener, pool, null, 0, 0);
    }

    private RouteTargets(final ListenerConfig listener, final PoolConfig pool, final RouteTargets previous,
        final long nowNs, final long deadlineNs)
    {
        portCount = listener.bind().ports().size();
        final List<TargetConfig> targets = pool.targets();
        final List<Integer> retired = new ArrayList<>();
        final java.util.Set<String> live = new java.util.HashSet<>();
        for (final TargetConfig target : targets)
        {
            live.add(target.label(pool));
        }
        if (previous != null)
        {
            for (int t = 0; t < previous.count(); t++)
            {
                final boolean expired = previous.isRetired(t) && nowNs - previous.retiredUntilNs[t] >= 0;
                if (!live.contains(previous.labels[t]) && !expired && previous.portCount == portCount)
                {
                    retired.add(t);
                }
            }
        }
        liveCount = targets.size();
        final int count = liveCount + retired.size();
        addresses = new InetSocketAddress[count][portCount];
        labels = new String[count];
        weights = new int[count];
        retiredUntilNs = new long[count];
        for (int t = 0; t < liveCount; t++)
        {
            final TargetConfig target = targets.get(t);
            for (int offset = 0; offset < portCount; offset++)
            {
                addresses[t][offset] = new InetSocketAddress(target.address(),
                    target.effectivePorts(pool).portAt(offset));
            }
            labels[t] = target.label(pool);
            weights[t] = target.weight();
        }
        for (int i = 0; i < retired.size(); i++)
        {
            final int from = retired.get(i);
            final int t = liveCount + i;
            addresses[t] = previous.addresses[from];
            labels[t] = previous.labels[from];
            weights[t] = previous.weights[from];
            retiredUntilNs[t] = previous.isRetired(from) ? previous.retiredUntilNs[from] : deadlineNs;
        }
    }

    /**
     * Resolves a listener's pool after a reload: the pool's targets are live; targets of {@code previous} that the
     * pool no longer has are retired until {@code deadlineNs} (or keep the deadline they were retired with), and
     * those whose deadline has passed are dropped.
     *
     * @param listener   a validated listener with the same ports as before.
     * @param pool       its pool.
     * @param previous   the targets the listener had.
     * @param nowNs      now, on the workers' clock.
     * @param deadlineNs until when newly retired targets drain.
     * @return the targets.
     */
    public static RouteTargets reloaded(final ListenerConfig listener, final PoolConfig pool,
        final RouteTargets previous, final long nowNs, final long deadlineNs)
    {
        return new RouteTargets(listener, pool, previous, nowNs, deadlineNs);
    }

    /**
     * Where each of {@code previous}'s targets is now, matched by label.
     *
     * @param previous the targets before a reload.
     * @return by previous id, the id now or -1 for a target dropped.
     */
    public int[] mapFrom(final RouteTargets previous)
    {
        final java.util.Map<String, Integer> ids = new java.util.HashMap<>();
        for (int t = 0; t < labels.length; t++)
        {
            ids.put(labels[t], t);
        }
        final int[] map = new int[previous.count()];
        for (int t = 0; t < map.length; t++)
        {
            map[t] = previous.portCount == portCount ? ids.getOrDefault(previous.labels[t], -1) : -1;
        }
        return map;
    }

    /** @return how many ports the listener binds. */
    public int portCount()
    {
        return portCount;
    }

    /** @return how many targets there are, retired ones included: the size of per-target arrays. */
    public int count()
    {
        return labels.length;
    }

    /** @return how many targets new connections may go to: ids {@code 0..liveCount()-1}. */
    public int liveCount()
    {
        return liveCount;
    }

    /**
     * Whether a target was removed by a reload and only drains.
     *
     * @param target the target id.
     * @return true for a retired target.
     */
    public boolean isRetired(final int target)
    {
        return target >= liveCount;
    }

    /**
     * Until when a retired target's connections may drain.
     *
     * @param target the target id.
     * @return the deadline on the workers' clock, {@link #LIVE} for a live target.
     */
    public long retiredUntilNs(final int target)
    {
        return retiredUntilNs[target];
    }

    /**
     * The address to forward to.
     *
     * @param target     the target id.
     * @param portOffset the offset of the listener port the client came in on.
     * @return the target's matching internal port.
     */
    public InetSocketAddress address(final int target, final int portOffset)
    {
        return addresses[target][portOffset];
    }

    /**
     * Every live target's address at the first port of the range: what health probes and Maglev keys use.
     *
     * @return the addresses, by target id.
     */
    public List<InetSocketAddress> firstPorts()
    {
        final List<InetSocketAddress> first = new ArrayList<>(liveCount);
        for (int t = 0; t < liveCount; t++)
        {
            first.add(addresses[t][0]);
        }
        return first;
    }

    /**
     * A target's label for stats and messages.
     *
     * @param target the target id.
     * @return {@code address:port(s)}.
     */
    public String label(final int target)
    {
        return labels[target];
    }

    /** @return the live target ids. */
    public int[] ids()
    {
        final int[] ids = new int[liveCount];
        for (int t = 0; t < liveCount; t++)
        {
            ids[t] = t;
        }
        return ids;
    }

    /** @return the live targets' weights, a copy. */
    public int[] weights()
    {
        return java.util.Arrays.copyOf(weights, liveCount);
    }
}
