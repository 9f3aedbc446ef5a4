package io.portgate.conductor;

import io.portgate.balance.BalanceAlgorithm;
import io.portgate.balance.BalancerPolicy;
import io.portgate.spi.BalancingPolicy;
import io.portgate.spi.EligibleTargets;
import io.portgate.spi.Extensions;
import io.portgate.config.AllDown;
import io.portgate.config.PoolConfig;
import io.portgate.config.TargetConfig;
import io.portgate.health.HealthChecker;
import io.portgate.spi.TargetState;
import io.portgate.loop.RouteRuntime;
import io.portgate.metrics.Labels;
import io.portgate.metrics.Metric;
import io.portgate.metrics.MetricsFile;
import org.agrona.concurrent.status.AtomicCounter;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * One pool as the conductor keeps it, for as long as the balancer runs the pool: its targets' states, an operator's
 * weights, the slow-start ramps, and the listeners that pick from it (their runtime on every worker). It builds the
 * policies those listeners pick by: only targets that are up, unless every target is down and the pool says
 * {@code when-all-down: fail-open}, each at the weight in force. Conductor thread only, but for {@link #shown()}.
 */
final class PoolHealth
{
    private static final int NO_TARGET = BalancingPolicy.Picker.NO_TARGET;
    /** Weights are multiplied by this during a slow start so a ramp has steps finer than the configured weights. */
    static final int SLOW_START_SCALE = 16;
    private static final long MIN_RAMP_STEP_NS = 100_000_000L;

    /**
     * One target of the pool, kept while the pool keeps it (same address and ports): its health, weight and ramp
     * carry across reloads because nothing replaces them.
     */
    static final class Member
    {
        final PoolHealth pool;
        final String label;
        final Gauges gauges;
        TargetConfig config;
        HealthChecker.Target health;
        TargetState state = TargetState.UP;
        int configuredWeight;
        int weight;
        long upSinceNs;

        Member(final PoolHealth pool, final String label, final TargetConfig config, final Gauges gauges,
            final long upSinceNs)
        {
            this.pool = pool;
            this.label = label;
            this.gauges = gauges;
            this.config = config;
            this.configuredWeight = config.weight();
            this.weight = config.weight();
            this.upSinceNs = upSinceNs;
        }

        /** A reload's configuration of the target: a changed configured weight replaces an operator's. */
        void reconfigure(final TargetConfig next)
        {
            if (next.weight() != configuredWeight)
            {
                weight = next.weight();
            }
            configuredWeight = next.weight();
            config = next;
        }
    }

    /**
     * A target's health gauges in the metrics file, written by the conductor only.
     *
     * @param state   1 up, 0 down, 2 draining.
     * @param changes state changes.
     * @param since   when it entered its state.
     * @param latency its last probe's latency.
     * @param result  its last probe's result.
     */
    record Gauges(AtomicCounter state, AtomicCounter changes, AtomicCounter since, AtomicCounter latency,
        AtomicCounter result)
    {
        /** How many counters a target's gauges take. */
        static final int COUNTERS = 5;

        static Gauges take(final MetricsFile metrics, final String pool, final String target, final String name)
        {
            // Labelled as the forwarders label their counters: address and port or port range; a target looked up
            // by host name also by that name, so that `ports --live` shows where it came from.
            final String labels = name == null ? Labels.of("pool", pool, "target", target) :
                Labels.of("pool", pool, "target", target, "name", name);
            final List<AtomicCounter> taken = new ArrayList<>();
            try
            {
                for (final Metric metric : List.of(Metric.TARGET_STATE, Metric.HEALTH_CHANGES,
                    Metric.TARGET_STATE_SINCE, Metric.TARGET_PROBE_LATENCY, Metric.TARGET_PROBE_RESULT))
                {
                    taken.add(metrics.counter(metric, 0, labels));
                }
            }
            catch (final RuntimeException ex)
            {
                taken.forEach(metrics::release);
                throw ex;
            }
            return new Gauges(taken.get(0), taken.get(1), taken.get(2), taken.get(3), taken.get(4));
        }

        void release(final MetricsFile metrics)
        {
            for (final AtomicCounter counter : List.of(state, changes, since, latency, result))
            {
                metrics.release(counter);
            }
        }
    }

    /**
     * What operators are shown: the targets' states and weights as every worker picks by them now.
     *
     * @param members the targets.
     * @param states  their states, by target.
     * @param weights their weights, by target, an operator's included, before any slow start.
     */
    record Shown(List<Member> members, TargetState[] states, int[] weights)
    {
    }

    final String name;
    PoolConfig config;
    List<Member> members = List.of();
    /** The listeners picking from this pool: each one's runtime on every worker. */
    List<RouteRuntime<?>[]> routes = List.of();
    boolean dirty;
    long nextRampNs;
    private volatile Shown shown = new Shown(List.of(), new TargetState[0], new int[0]);

    PoolHealth(final String name)
    {
        this.name = name;
    }

    /** @return the states and weights every worker picks by now; any thread. */
    Shown shown()
    {
        return shown;
    }

    /** @return the states and weights of now, to show once every worker picks by them. */
    Shown inForce()
    {
        final TargetState[] states = new TargetState[members.size()];
        final int[] weights = new int[members.size()];
        for (int t = 0; t < states.length; t++)
        {
            states[t] = members.get(t).state;
            weights[t] = members.get(t).weight;
        }
        return new Shown(members, states, weights);
    }

    /**
     * Shows operators a snapshot, unless a reload has changed the targets since it was taken.
     *
     * @param shown from {@link #inForce()}.
     */
    void show(final Shown shown)
    {
        if (shown.members() == members)
        {
            this.shown = shown;
        }
    }

    /**
     * A target's traffic address: its first internal port, what probes and Maglev keys use.
     *
     * @param target the target.
     * @return the address.
     */
    InetSocketAddress trafficAddress(final TargetConfig target)
    {
        return new InetSocketAddress(target.address(), target.effectivePorts(config).first());
    }

    /**
     * Builds every listener's policies for every worker from the targets' states now, and arms the next step of a
     * slow start.
     *
     * @param nowNs   now.
     * @param workers    how many workers.
     * @param extensions the registered policies.
     * @return by listener (as in {@link #routes}) and worker, the policy.
     */
    BalancerPolicy[][] buildPolicies(final long nowNs, final int workers, final Extensions extensions)
    {
        dirty = false;
        nextRampNs = 0;
        final int n = members.size();
        final boolean anyUp = members.stream().anyMatch(m -> m.state == TargetState.UP);
        final boolean failOpen = !anyUp && config.allDown() == AllDown.FAIL_OPEN;
        final long slowStartNs = config.slowStart().toNanos();
        final int[] ids = new int[n];
        final int[] weights = new int[n];
        final InetSocketAddress[] addresses = new InetSocketAddress[n];
        int count = 0;
        for (int t = 0; t < n; t++)
        {
            final Member member = members.get(t);
            if (member.state == TargetState.UP || failOpen && member.state == TargetState.DOWN)
            {
                ids[count] = t;
                weights[count] = effectiveWeight(member, nowNs, slowStartNs);
                // Maglev keys each target by its address, so a target keeps its slots when others come and go.
                addresses[count] = trafficAddress(member.config);
                count++;
            }
        }
        if (count == 0)
        {
            System.getLogger("io.portgate").log(System.Logger.Level.WARNING,
                "pool ''{0}'' has no target up: new connections are refused", name);
        }
        final EligibleTargets eligible = EligibleTargets.of(java.util.Arrays.copyOf(ids, count),
            java.util.Arrays.copyOf(weights, count), java.util.Arrays.copyOf(addresses, count));
        final BalancerPolicy[][] policies = new BalancerPolicy[routes.size()][workers];
        for (int b = 0; b < routes.size(); b++)
        {
            final RouteRuntime<?>[] route = routes.get(b);
            final BalancingPolicy policy = extensions.policy(route[0].balance());
            // Maglev's table is immutable, so one serves every worker; the other policies keep per-loop state.
            final BalancerPolicy shared = policy == BalanceAlgorithm.MAGLEV ?
                BalanceAlgorithm.MAGLEV.picker(eligible, null, 0) : null;
            for (int w = 0; w < workers; w++)
            {
                policies[b][w] = shared != null ? shared : picker(policy, eligible, route[w], w, n);
            }
        }
        return policies;
    }

    /**
     * A loop's picker: a built-in policy's as it is; an embedder's checked so that a pick outside the eligible set
     * (a down target, an id out of range) picks nothing rather than sending traffic where it must not go.
     */
    private static BalancerPolicy picker(final BalancingPolicy policy, final EligibleTargets eligible,
        final RouteRuntime<?> load, final int seed, final int poolSize)
    {
        if (policy instanceof BalanceAlgorithm builtIn)
        {
            return builtIn.picker(eligible, load, seed);
        }
        final BalancingPolicy.Picker picker = policy.picker(eligible, load, seed);
        final boolean[] allowed = new boolean[poolSize];
        for (int i = 0; i < eligible.count(); i++)
        {
            allowed[eligible.id(i)] = true;
        }
        return hashKey ->
        {
            final int id = picker.pick(hashKey);
            return id >= 0 && id < allowed.length && allowed[id] ? id : NO_TARGET;
        };
    }

    /**
     * A policy with nothing to pick, for a listener that drains.
     *
     * @param runtime the listener on one worker.
     * @return the policy.
     */
    static BalancerPolicy noTargets(final RouteRuntime<?> runtime)
    {
        return hashKey -> NO_TARGET;
    }

    /** Whether a slow start's next step is due. */
    boolean rampDue(final long nowNs)
    {
        return nextRampNs != 0 && nowNs - nextRampNs >= 0;
    }

    private int effectiveWeight(final Member member, final long nowNs, final long slowStartNs)
    {
        final long elapsed = nowNs - member.upSinceNs;
        if (slowStartNs > 0 && elapsed < slowStartNs)
        {
            final long next = nowNs + Math.max(MIN_RAMP_STEP_NS, slowStartNs / SLOW_START_SCALE);
            nextRampNs = nextRampNs == 0 ? next : Math.min(nextRampNs, next);
        }
        return rampedWeight(member.weight, elapsed, slowStartNs);
    }

    /**
     * A target's weight during a slow start: it grows linearly from 1 to its full weight over {@code slowStartNs}.
     * With a slow start configured, weights are scaled by {@link #SLOW_START_SCALE} so that the ramp has steps even
     * for a weight of 1; the ratios between targets are unchanged.
     *
     * @param weight      the configured weight.
     * @param elapsedNs   time since the target came back up.
     * @param slowStartNs the pool's slow start, 0 for none.
     * @return the weight to build the policy with.
     */
    static int rampedWeight(final int weight, final long elapsedNs, final long slowStartNs)
    {
        if (slowStartNs <= 0)
        {
            return weight;
        }
        if (elapsedNs >= slowStartNs)
        {
            return weight * SLOW_START_SCALE;
        }
        return (int)Math.max(1, (long)weight * SLOW_START_SCALE * Math.max(0, elapsedNs) / slowStartNs);
    }
}
