package io.portgate.loop;

import io.portgate.balance.BalancerPolicy;
import io.portgate.spi.LoadView;
import io.portgate.metrics.RouteCounters;

/**
 * One listener as one worker runs it: the immutable route, this worker's counters of it, the policy its targets are
 * picked by, and this worker's open connections or flows per target, which the load-aware policies read. A reload
 * gives every worker new runtimes and each connection or flow swaps one reference to move onto its listener's new
 * one; what the worker counted carries over ({@link #carryFrom}). Built by the control plane, then owned by the
 * worker's thread: the policy is swapped there, by a command.
 *
 * <p>Issue 13's per-listener rules and limits (access rules, source limits, PROXY protocol) belong here too.
 *
 * @param <R> the kind of route.
 */
public abstract class RouteRuntime<R extends Route> implements LoadView
{
    private final R route;
    private final RouteCounters counters;
    private final TargetFailureListener failures;
    private final int[] open;
    private BalancerPolicy policy;

    /**
     * Creates a runtime with nothing open yet.
     *
     * @param route    the listener.
     * @param counters this worker's counters of it.
     * @param failures who hears of failures to its targets.
     */
    protected RouteRuntime(final R route, final RouteCounters counters, final TargetFailureListener failures)
    {
        this.route = route;
        this.counters = counters;
        this.failures = failures;
        this.open = new int[route.targetCount()];
    }

    /** @return the listener. */
    public final R route()
    {
        return route;
    }

    /** @return this worker's counters of the listener. */
    public final RouteCounters counters()
    {
        return counters;
    }

    /** @return the name of the policy its forwarders pick with; UDP client affinity may use a hashing one. */
    public abstract String balance();

    /** @return the policy targets are picked by now. */
    public final BalancerPolicy policy()
    {
        return policy;
    }

    /**
     * Swaps in a policy the control plane built over this runtime. Worker thread only, or before the worker has the
     * runtime.
     *
     * @param policy the policy.
     */
    public final void policy(final BalancerPolicy policy)
    {
        this.policy = policy;
    }

    /**
     * Picks a target.
     *
     * @param hashKey the client's hash.
     * @return the target id, or {@link BalancerPolicy#NO_TARGET}.
     */
    public final int pick(final long hashKey)
    {
        return policy.pick(hashKey);
    }

    @Override
    public final int openConnections(final int target)
    {
        return open[target];
    }

    /**
     * A connection or flow to a target opened. Worker thread only.
     *
     * @param target the target id.
     */
    public final void opened(final int target)
    {
        open[target]++;
    }

    /**
     * A connection or flow to a target closed. Worker thread only.
     *
     * @param target the target id.
     */
    public final void closed(final int target)
    {
        open[target]--;
    }

    /**
     * A connect to a target failed on real traffic, for passive health. Worker thread only; allocation-free.
     *
     * @param target the target id.
     */
    public final void failed(final int target)
    {
        failures.onConnectFailure(target);
    }

    /**
     * Takes over what this worker had open under the listener's runtime before a reload, target by target.
     *
     * @param previous  the runtime before.
     * @param targetMap by target id before, the id now or -1 when the target is gone.
     */
    public final void carryFrom(final RouteRuntime<?> previous, final int[] targetMap)
    {
        for (int t = 0; t < previous.open.length; t++)
        {
            if (targetMap[t] >= 0)
            {
                open[targetMap[t]] += previous.open[t];
            }
        }
    }
}
