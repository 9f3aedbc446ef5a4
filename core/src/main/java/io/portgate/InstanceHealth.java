package io.portgate;

import io.portgate.TargetView;
import io.portgate.config.AllDown;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.spi.TargetState;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether this instance should receive traffic, as an engine in front of several instances (an ECMP or anycast route
 * announced by BIRD or ExaBGP, a VRRP address held by keepalived) asks it: healthy when every listener is bound and
 * every pool a listener forwards to has a target up or is {@code when-all-down: fail-open}, and neither an operator
 * ({@code POST /api/health/fail}) nor a stop ({@code drain-announce}) has said otherwise. An unhealthy instance keeps
 * forwarding everything: the verdict is for the engine, which moves traffic away first, so nothing is reset.
 *
 * @param healthy whether the instance should receive traffic.
 * @param reasons why not, one line each (empty when healthy): {@code stopping}, {@code failed by operator},
 *                {@code listener NAME: not bound}, {@code pool NAME: no target up}, in that order.
 */
public record InstanceHealth(boolean healthy, List<String> reasons)
{
    /** The reason while {@code portgate run} announces its stop. */
    public static final String STOPPING = "stopping";
    /** The reason after {@code POST /api/health/fail}. */
    public static final String FAILED_BY_OPERATOR = "failed by operator";

    /**
     * Copies the reasons.
     */
    public InstanceHealth
    {
        reasons = List.copyOf(reasons);
    }

    /**
     * Judges an instance from what it runs. Pure: a test gives it any state.
     *
     * @param config         the running configuration.
     * @param bound          by listener name, the addresses each listener is bound to.
     * @param targets        every target of every pool that serves a listener, with its state.
     * @param operatorFailed whether an operator failed the instance.
     * @param stopping       whether the instance announces its stop.
     * @return the verdict.
     */
    public static InstanceHealth of(final PortgateConfig config, final Map<String, List<InetSocketAddress>> bound,
        final List<TargetView> targets, final boolean operatorFailed, final boolean stopping)
    {
        final List<String> reasons = new ArrayList<>();
        if (stopping)
        {
            reasons.add(STOPPING);
        }
        if (operatorFailed)
        {
            reasons.add(FAILED_BY_OPERATOR);
        }
        final Set<String> pools = new LinkedHashSet<>();
        for (final ListenerConfig listener : config.listeners())
        {
            final List<InetSocketAddress> addresses = bound.get(listener.name());
            final int ports = listener.bind().ports().last() - listener.bind().ports().first() + 1;
            if (addresses == null || addresses.size() < ports)
            {
                reasons.add("listener " + listener.name() + ": not bound");
            }
            pools.add(listener.pool());
        }
        final Map<String, Integer> up = new LinkedHashMap<>();
        final Map<String, Integer> down = new LinkedHashMap<>();
        for (final TargetView target : targets)
        {
            up.merge(target.pool(), target.state() == TargetState.UP ? 1 : 0, Integer::sum);
            down.merge(target.pool(), target.state() == TargetState.DOWN ? 1 : 0, Integer::sum);
        }
        for (final String name : pools)
        {
            final PoolConfig pool = config.pools().get(name);
            // fail-open spreads over the targets that are down, not over drained ones: with none, nothing is picked.
            final boolean failOpen = pool != null && pool.allDown() == AllDown.FAIL_OPEN &&
                down.getOrDefault(name, 0) > 0;
            if (up.getOrDefault(name, 0) == 0 && !failOpen)
            {
                reasons.add("pool " + name + ": no target up");
            }
        }
        return new InstanceHealth(reasons.isEmpty(), reasons);
    }

    /**
     * The body {@code GET /api/health} answers with.
     *
     * @return {@code {"status": "ok"}}, or {@code {"status": "fail", "reasons": [...]}}.
     */
    public Map<String, Object> body()
    {
        final Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", healthy ? "ok" : "fail");
        if (!healthy)
        {
            body.put("reasons", reasons);
        }
        return body;
    }
}
