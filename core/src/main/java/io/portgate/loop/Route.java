package io.portgate.loop;

import io.portgate.config.ListenerConfig;
import org.agrona.collections.LongHashSet;

import java.net.InetSocketAddress;

/**
 * What TCP and UDP listeners have in common as the data plane sees them: the listener's index (which keys its
 * counters), its configuration, its pool's name, policy and targets, and whether a reload removed it. Immutable, so
 * one instance is shared by all workers.
 */
public abstract class Route
{
    private final int index;
    private final ListenerConfig listener;
    private final String poolName;
    private final RouteTargets targets;
    private final String balance;
    private final long drainUntilNs;

    /**
     * Creates a route.
     *
     * @param index        the listener's index among its transport's listeners.
     * @param listener     the validated listener.
     * @param poolName     its pool's name.
     * @param targets      its pool's targets, resolved for every port of the listener.
     * @param balance      its pool's balancing policy, by name.
     * @param drainUntilNs until when a listener a reload removed drains, on the workers' clock; 0 for one that
     *                     accepts.
     */
    protected Route(final int index, final ListenerConfig listener, final String poolName, final RouteTargets targets,
        final String balance, final long drainUntilNs)
    {
        this.index = index;
        this.listener = listener;
        this.poolName = poolName;
        this.targets = targets;
        this.balance = balance;
        this.drainUntilNs = drainUntilNs;
    }

    /**
     * The deadline a removed listener drains to after a reload: its own when it was already draining.
     *
     * @param deadlineNs the reload's deadline.
     * @return the deadline to keep.
     */
    protected long drainDeadline(final long deadlineNs)
    {
        return draining() ? drainUntilNs : deadlineNs;
    }

    /**
     * This listener after a reload removed it: it accepts nothing and what it has open drains until the deadline.
     *
     * @param newIndex   its index now.
     * @param deadlineNs until when what it has open may drain; a listener already draining keeps its own.
     * @return the draining route.
     */
    public abstract Route draining(int newIndex, long deadlineNs);

    /**
     * Adds every drain deadline of a route, its own and its retired targets', to a set: the times its forwarder
     * closes what is left.
     *
     * @param route     the route.
     * @param deadlines the set.
     */
    public static void addDrainDeadlines(final Route route, final LongHashSet deadlines)
    {
        if (route.draining())
        {
            deadlines.add(route.drainUntilNs());
        }
        for (int t = route.targets.liveCount(); t < route.targetCount(); t++)
        {
            deadlines.add(route.targets.retiredUntilNs(t));
        }
    }

    /** @return the index keying this listener's counters. */
    public int index()
    {
        return index;
    }

    /** @return the listener's name. */
    public String name()
    {
        return listener.name();
    }

    /** @return the listener's configuration. */
    public ListenerConfig listener()
    {
        return listener;
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

    /** @return how many targets there are, retired ones included. */
    public int targetCount()
    {
        return targets.count();
    }

    /**
     * The address to forward to.
     *
     * @param target     the target id.
     * @param portOffset the offset of the listener port the client came in on.
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

    /** @return the live target ids. */
    public int[] targetIds()
    {
        return targets.ids();
    }

    /** @return the live targets' weights, a copy. */
    public int[] weights()
    {
        return targets.weights();
    }

    /** @return the pool's balancing policy, by name. */
    public String balance()
    {
        return balance;
    }

    /** @return true for a listener a reload removed, whose connections or flows drain. */
    public boolean draining()
    {
        return drainUntilNs != 0;
    }

    /** @return until when a removed listener drains, on the workers' clock; 0 when not removed. */
    public long drainUntilNs()
    {
        return drainUntilNs;
    }
}
