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
 */
public final class RouteTargets
{
    private final int portCount;
    private final InetSocketAddress[][] addresses;
    private final String[] labels;
    private final int[] ids;
    private final int[] weights;

    /**
     * Resolves a listener's pool.
     *
     * @param listener a validated listener.
     * @param pool     its pool.
     */
    public RouteTargets(final ListenerConfig listener, final PoolConfig pool)
    {
        portCount = listener.bind().ports().size();
        final List<TargetConfig> targets = pool.targets();
        addresses = new InetSocketAddress[targets.size()][portCount];
        labels = new String[targets.size()];
        ids = new int[targets.size()];
        weights = new int[targets.size()];
        for (int t = 0; t < targets.size(); t++)
        {
            final TargetConfig target = targets.get(t);
            for (int offset = 0; offset < portCount; offset++)
            {
                addresses[t][offset] = new InetSocketAddress(target.address(),
                    target.effectivePorts(pool).portAt(offset));
            }
            labels[t] = target.label(pool);
            ids[t] = t;
            weights[t] = target.weight();
        }
    }

    /** @return how many ports the listener binds. */
    public int portCount()
    {
        return portCount;
    }

    /** @return how many targets the pool has. */
    public int count()
    {
        return labels.length;
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
     * Every target's address at the first port of the range: what health probes and Maglev keys use.
     *
     * @return the addresses, by target id.
     */
    public List<InetSocketAddress> firstPorts()
    {
        final List<InetSocketAddress> first = new ArrayList<>(addresses.length);
        for (final InetSocketAddress[] byOffset : addresses)
        {
            first.add(byOffset[0]);
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

    /** @return the target ids, a copy. */
    public int[] ids()
    {
        return ids.clone();
    }

    /** @return the targets' weights, a copy. */
    public int[] weights()
    {
        return weights.clone();
    }
}
