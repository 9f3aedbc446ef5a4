package io.portgate.conductor;

import io.portgate.balance.BalanceAlgorithm;
import io.portgate.balance.BalancerPolicies;
import io.portgate.balance.BalancerPolicy;
import io.portgate.balance.Hashing;
import io.portgate.config.AllDown;
import io.portgate.config.HealthConfig;
import io.portgate.config.OnDown;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.health.HealthChecker;
import io.portgate.health.ProbeResult;
import io.portgate.health.ProbeTarget;
import io.portgate.health.ProbeTransport;
import io.portgate.health.TargetState;
import io.portgate.health.TargetStatus;
import io.portgate.loop.Worker;
import io.portgate.metrics.Labels;
import io.portgate.metrics.Metric;
import io.portgate.metrics.MetricsFile;
import org.agrona.concurrent.status.AtomicCounter;
import io.portgate.loop.PolicyHost;
import io.portgate.loop.TargetFailureListener;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.NanoClock;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the health checker and publishes, for every pool, the policy the forwarders pick from: only targets that are
 * up, unless every target is down and the pool says {@code when-all-down: fail-open}. Applies {@code on-down: close}
 * and {@code slow-start}. An Agrona {@link Agent} on a control thread of its own; nothing here runs on a forwarder.
 */
public final class Conductor implements Agent
{
    private static final System.Logger LOG = System.getLogger("io.portgate");
    /** Weights are multiplied by this during a slow start so a ramp has steps finer than the configured weights. */
    static final int SLOW_START_SCALE = 16;
    private static final long MIN_RAMP_STEP_NS = 100_000_000L;
    private static final long GAUGE_PERIOD_NS = 250_000_000L;

    private final Worker[] workers;
    private final RouteBinding[] routes;
    private final NanoClock clock;
    private final HealthChecker checker;
    private final Map<String, PoolState> pools = new LinkedHashMap<>();
    private final PoolState[] poolOfRoute;
    private final java.util.IdentityHashMap<PolicyHost, PoolState[]> poolsByHostRoute = new java.util.IdentityHashMap<>();
    private final ArrayDeque<PendingCommand> pending = new ArrayDeque<>();
    private final org.agrona.concurrent.ManyToOneConcurrentArrayQueue<Runnable> commands =
        new org.agrona.concurrent.ManyToOneConcurrentArrayQueue<>(256);
    private final MetricsFile metrics;
    private final AtomicCounter[] stateGauges;
    private final AtomicCounter[] changeCounters;
    private final AtomicCounter[] sinceGauges;
    private final AtomicCounter[] latencyGauges;
    private final AtomicCounter[] resultGauges;
    private long nextGaugesNs;

    private record PendingCommand(int worker, Runnable command)
    {
    }

    /** One pool's targets as the control plane sees them. */
    private static final class PoolState
    {
        final PoolConfig config;
        final int firstProbeId;
        final TargetState[] states;
        final long[] upSinceNs;
        final int[] weights;
        final List<Integer> routes = new ArrayList<>();
        /** The states every forwarder of this pool picks by now: what operators and tests are shown. */
        volatile TargetState[] applied;
        /** The weights every forwarder of this pool picks by now, an operator's included, before any slow start. */
        volatile int[] appliedWeights;
        boolean dirty = true;
        long nextRampNs;

        PoolState(final PoolConfig config, final int firstProbeId, final long nowNs)
        {
            this.config = config;
            this.firstProbeId = firstProbeId;
            this.states = new TargetState[config.targets().size()];
            this.upSinceNs = new long[states.length];
            this.weights = config.targets().stream().mapToInt(t -> t.weight()).toArray();
            java.util.Arrays.fill(states, TargetState.UP);
            applied = states.clone();
            appliedWeights = weights.clone();
            // Targets that are up at start take their full weight at once: slow start is for recoveries.
            java.util.Arrays.fill(upSinceNs, nowNs - config.slowStart().toNanos());
        }
    }

    /**
     * Creates the conductor for a started set of forwarders.
     *
     * @param config     the configuration.
     * @param routes     every listener, TCP and UDP.
     * @param workers    the workers, by index.
     * @param transport  carries health probes.
     * @param clock      the clock.
     * @param metrics    where the health gauges go.
     */
    public Conductor(final PortgateConfig config, final List<RouteBinding> routes, final Worker[] workers,
        final ProbeTransport transport, final NanoClock clock, final MetricsFile metrics)
    {
        this(config, routes, workers, transport, clock, metrics, false);
    }

    /**
     * What one target was when a conductor stopped, for the conductor a reload starts.
     *
     * @param status  its health status.
     * @param drained whether an operator drained it.
     * @param upSinceNs when it last came up, for slow start.
     * @param weight  its weight, an operator's override included.
     * @param configuredWeight its weight in the configuration.
     */
    public record TargetSeed(TargetStatus status, boolean drained, long upSinceNs, int weight, int configuredWeight)
    {
    }

    /**
     * Creates a conductor, at start or for a reload. A reload's conductor is {@link #seed seeded} with the targets of
     * the stopped one: those it shares (same pool, same address and ports) keep their state, drain, slow-start ramp
     * and overridden weight (unless the configured weight changed); new targets start up. Its forwarders hear of
     * failures through {@link #failureListenerFor} and take their first policies from {@link #initialPolicies()},
     * both handed over with the reload.
     *
     * @param config    the new configuration.
     * @param routes    every listener that accepts, TCP and UDP, under its new index.
     * @param workers   the workers, by index.
     * @param transport carries health probes.
     * @param clock     the clock.
     * @param metrics   where the health gauges go.
     * @param reload    true for a reload's conductor: {@link #seed} it once the old conductor has stopped; false at
     *                  start, when every target starts up and the forwarders hear of failures from this conductor
     *                  at once.
     */
    public Conductor(final PortgateConfig config, final List<RouteBinding> routes, final Worker[] workers,
        final ProbeTransport transport, final NanoClock clock, final MetricsFile metrics,
        final boolean reload)
    {
        this.metrics = metrics;
        this.workers = workers.clone();
        this.routes = routes.toArray(new RouteBinding[0]);
        this.clock = clock;
        this.poolOfRoute = new PoolState[this.routes.length];

        final long now = clock.nanoTime();
        final List<ProbeTarget> probeTargets = new ArrayList<>();
        for (int b = 0; b < this.routes.length; b++)
        {
            final RouteBinding route = this.routes[b];
            final PoolConfig poolConfig = config.pools().get(route.pool());
            final PoolState pool = pools.computeIfAbsent(route.pool(), name ->
            {
                final PoolState state = new PoolState(poolConfig, probeTargets.size(), now);
                for (int t = 0; t < poolConfig.targets().size(); t++)
                {
                    final InetSocketAddress traffic = route.targets().get(t);
                    final HealthConfig health = poolConfig.health();
                    final InetSocketAddress probeAt = health == null ? traffic :
                        new InetSocketAddress(traffic.getAddress(), health.portFor(traffic.getPort()));
                    probeTargets.add(new ProbeTarget(probeTargets.size(), name, traffic, probeAt, health));
                }
                return state;
            });
            pool.routes.add(b);
            poolOfRoute[b] = pool;
            for (final PolicyHost host : route.hosts())
            {
                final PoolState[] byRoute = poolsByHostRoute.computeIfAbsent(host, h -> new PoolState[64]);
                if (route.routeIndex() >= byRoute.length)
                {
                    poolsByHostRoute.put(host, java.util.Arrays.copyOf(byRoute, route.routeIndex() * 2 + 1));
                }
                poolsByHostRoute.get(host)[route.routeIndex()] = pool;
            }
        }
        this.checker = new HealthChecker(probeTargets, transport, clock, this::onStateChange, System.nanoTime());

        final int n = probeTargets.size();
        stateGauges = new AtomicCounter[n];
        changeCounters = new AtomicCounter[n];
        sinceGauges = new AtomicCounter[n];
        latencyGauges = new AtomicCounter[n];
        resultGauges = new AtomicCounter[n];
        for (final ProbeTarget t : probeTargets)
        {
            // Labelled as the forwarders label their counters: address and port or port range.
            final PoolConfig poolConfig = config.pools().get(t.pool());
            final int index = t.id() - pools.get(t.pool()).firstProbeId;
            final String labels = Labels.of("pool", t.pool(), "target",
                poolConfig.targets().get(index).label(poolConfig));
            stateGauges[t.id()] = metrics.counter(Metric.TARGET_STATE, 0, labels);
            changeCounters[t.id()] = metrics.counter(Metric.HEALTH_CHANGES, 0, labels);
            sinceGauges[t.id()] = metrics.counter(Metric.TARGET_STATE_SINCE, 0, labels);
            latencyGauges[t.id()] = metrics.counter(Metric.TARGET_PROBE_LATENCY, 0, labels);
            resultGauges[t.id()] = metrics.counter(Metric.TARGET_PROBE_RESULT, 0, labels);
        }
        updateGauges();
        if (!reload)
        {
            poolsByHostRoute.keySet().forEach(host -> host.failureListener(failureListenerFor(host)));
        }
        // At start every target is up and the forwarders start with policies over all targets; after a reload they
        // start with initialPolicies(). Either way there is nothing to publish yet, except a slow start's ramp.
        pools.values().forEach(p -> p.dirty = false);
    }

    /**
     * The key a target's seed is found by.
     *
     * @param pool  the pool's name.
     * @param label the target's label.
     * @return the key.
     */
    public static String seedKey(final String pool, final String label)
    {
        return pool + " " + label;
    }

    /**
     * Starts targets from where the stopped conductor left them (see the constructor). Call before this conductor
     * runs, once the stopped one has stopped, so that nothing it took in is missed.
     *
     * @param seed by {@link #seedKey}, the targets of the stopped conductor, from its {@link #snapshot()}.
     */
    public void seed(final Map<String, TargetSeed> seed)
    {
        for (final PoolState pool : pools.values())
        {
            for (int t = 0; t < pool.states.length; t++)
            {
                final TargetSeed before = seed.get(seedKey(pool.config.name(),
                    pool.config.targets().get(t).label(pool.config)));
                if (before == null)
                {
                    continue;
                }
                final int id = pool.firstProbeId + t;
                checker.seed(id, before.status(), before.drained());
                pool.states[t] = checker.status(id).state();
                pool.upSinceNs[t] = before.upSinceNs();
                if (before.configuredWeight() == pool.weights[t])
                {
                    pool.weights[t] = before.weight();
                }
            }
            pool.applied = pool.states.clone();
            pool.appliedWeights = pool.weights.clone();
        }
        updateGauges();
    }

    /**
     * Every target's state, for the conductor a reload starts. Call once this one has stopped.
     *
     * @return by {@link #seedKey}, each target's seed.
     */
    public Map<String, TargetSeed> snapshot()
    {
        final Map<String, TargetSeed> seed = new java.util.HashMap<>();
        for (final PoolState pool : pools.values())
        {
            for (int t = 0; t < pool.states.length; t++)
            {
                final int id = pool.firstProbeId + t;
                seed.put(seedKey(pool.config.name(), pool.config.targets().get(t).label(pool.config)),
                    new TargetSeed(checker.status(id), checker.isDrained(id), pool.upSinceNs[t], pool.weights[t],
                        pool.config.targets().get(t).weight()));
            }
        }
        return seed;
    }

    /**
     * Who a forwarder tells of failed connects to a target of one of its listeners (by the listener's index), for
     * passive health: maps the target to its probe. Failures on retired targets are not counted.
     *
     * @param host the forwarder.
     * @return the listener; allocation-free.
     */
    public TargetFailureListener failureListenerFor(final PolicyHost host)
    {
        final PoolState[] byRoute = poolsByHostRoute.get(host);
        if (byRoute == null)
        {
            return TargetFailureListener.NONE;
        }
        return (routeIndex, target) ->
        {
            final PoolState pool = routeIndex < byRoute.length ? byRoute[routeIndex] : null;
            if (pool != null && target >= 0 && target < pool.states.length)
            {
                checker.reportPassiveFailure(pool.firstProbeId + target);
            }
        };
    }

    /**
     * The policies the forwarders start a reload with, from the targets' states as seeded: a target that was down
     * gets nothing from the first moment.
     *
     * @return by route binding and worker, the policy.
     */
    public BalancerPolicy[][] initialPolicies()
    {
        final BalancerPolicy[][] policies = new BalancerPolicy[routes.length][workers.length];
        final long now = clock.nanoTime();
        for (final PoolState pool : pools.values())
        {
            // Also arms the next step of a slow start the seed carried over.
            buildPolicies(pool, now, policies);
        }
        return policies;
    }

    /** Gives back the metrics-file counters of the health gauges; call once stopped and replaced. */
    public void releaseCounters()
    {
        for (final AtomicCounter[] counters : List.of(stateGauges, changeCounters, sinceGauges, latencyGauges,
            resultGauges))
        {
            for (final AtomicCounter counter : counters)
            {
                metrics.release(counter);
            }
        }
    }

    @Override
    public String roleName()
    {
        return "portgate-conductor";
    }

    @Override
    public int doWork()
    {
        int work = 0;
        Runnable command;
        while ((command = commands.poll()) != null)
        {
            command.run();
            work++;
        }
        work += checker.doWork();
        final long now = clock.nanoTime();
        for (final PoolState pool : pools.values())
        {
            if (pool.dirty || (pool.nextRampNs != 0 && now - pool.nextRampNs >= 0))
            {
                publish(pool, now);
                work++;
            }
        }
        work += retryPending();
        if (now - nextGaugesNs >= 0)
        {
            nextGaugesNs = now + GAUGE_PERIOD_NS;
            updateGauges();
            metrics.heartbeat(System.currentTimeMillis());
            work++;
        }
        return work;
    }

    /**
     * How many counters the conductor needs in a metrics file.
     *
     * @param targets targets over all pools.
     * @return the number of counters.
     */
    public static int countersNeeded(final int targets)
    {
        return 5 * targets;
    }

    private void updateGauges()
    {
        final long nowMs = System.currentTimeMillis();
        final long nowNs = clock.nanoTime();
        for (final PoolState pool : pools.values())
        {
            final TargetState[] applied = pool.applied;
            for (int t = 0; t < applied.length; t++)
            {
                final int id = pool.firstProbeId + t;
                final TargetStatus status = checker.status(id);
                stateGauges[id].setRelease(applied[t] == TargetState.UP ? 1 : applied[t] == TargetState.DOWN ? 0 : 2);
                sinceGauges[id].setRelease((nowMs - (nowNs - status.sinceNs()) / 1_000_000) / 1000);
                latencyGauges[id].setRelease(status.lastLatencyNs() / 1000);
                resultGauges[id].setRelease(status.lastResult() == null ? 0 : status.lastResult().ordinal() + 1);
            }
        }
    }

    @Override
    public void onClose()
    {
        // Weights an operator set just before the stop are taken in, so that a reload's snapshot has them.
        Runnable command;
        while ((command = commands.poll()) != null)
        {
            command.run();
        }
        checker.onClose();
    }

    /**
     * Drains a target (nothing new goes to it; open connections finish) or undrains it. Safe from any thread.
     *
     * @param pool   the pool's name.
     * @param target the target's index in the pool's target list.
     * @param drain  true to drain, false to undrain.
     * @throws IllegalArgumentException when there is no such pool or target.
     */
    public void drain(final String pool, final int target, final boolean drain)
    {
        final PoolState state = pools.get(pool);
        if (state == null)
        {
            throw new IllegalArgumentException("no pool named '" + pool + "' serves a listener; pools: " +
                pools.keySet());
        }
        if (target < 0 || target >= state.states.length)
        {
            throw new IllegalArgumentException("pool '" + pool + "' has targets 0-" + (state.states.length - 1) +
                ", not " + target);
        }
        if (!checker.setDraining(state.firstProbeId + target, drain))
        {
            throw new IllegalStateException("the control plane is busy; try again");
        }
    }

    /**
     * Sets a target's weight until a reload changes its configured weight (see {@link TargetSeed}); the pool's
     * policies are rebuilt with it. Safe from any thread.
     *
     * @param pool   the pool's name.
     * @param target the target's index in the pool's target list.
     * @param weight the weight, 1 to 10000.
     * @throws IllegalArgumentException when there is no such pool or target, or the weight is out of range.
     */
    public void weight(final String pool, final int target, final int weight)
    {
        final PoolState state = pools.get(pool);
        if (state == null || target < 0 || target >= state.states.length)
        {
            throw new IllegalArgumentException("no target " + target + " in pool '" + pool + "'");
        }
        if (weight < 1 || weight > io.portgate.config.TargetConfig.MAX_WEIGHT)
        {
            throw new IllegalArgumentException("weight must be from 1 to " + io.portgate.config.TargetConfig.MAX_WEIGHT);
        }
        if (!commands.offer(() ->
        {
            state.weights[target] = weight;
            state.dirty = true;
        }))
        {
            throw new IllegalStateException("the control plane is busy; try again");
        }
    }

    /**
     * Every target of every pool that serves a listener, with its state, last probe and time in state.
     *
     * @return the views, pool by pool in configuration order.
     */
    public List<TargetView> targets()
    {
        final long now = clock.nanoTime();
        final List<TargetView> views = new ArrayList<>();
        for (final PoolState pool : pools.values())
        {
            for (int t = 0; t < pool.states.length; t++)
            {
                final TargetStatus status = checker.status(pool.firstProbeId + t);
                final TargetState state = pool.applied[t];
                final int weight = pool.appliedWeights[t];
                final ProbeTarget probe = status.target();
                final String probeText = probe.config() == null ? "none" :
                    probe.config().protocol().configName() + ":" + probe.probeAt().getPort();
                // Named as the metrics and /api/listeners name it: a range target by its range.
                views.add(new TargetView(pool.config.name(), t, pool.config.targets().get(t).label(pool.config),
                    weight, probeText,
                    state,
                    status.lastResult(), Duration.ofNanos(status.lastLatencyNs()),
                    Duration.ofNanos(Math.max(0, status.inStateNanos(now)))));
            }
        }
        return views;
    }

    private void onStateChange(final ProbeTarget target, final TargetState from, final TargetState to,
        final ProbeResult cause)
    {
        final PoolState pool = pools.get(target.pool());
        final int index = target.id() - pool.firstProbeId;
        changeCounters[target.id()].incrementRelease();
        pool.states[index] = to;
        pool.dirty = true;
        final long now = clock.nanoTime();
        if (to == TargetState.UP && from == TargetState.DOWN)
        {
            pool.upSinceNs[index] = now;
        }
        LOG.log(to == TargetState.DOWN ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
            "target {0} of pool ''{1}'' is {2} (was {3}; {4})", pool.config.targets().get(index).label(pool.config),
            pool.config.name(), to.label(), from.label(),
            cause == null ? "operator" : "last result: " + cause.label());
        if (to == TargetState.DOWN && pool.config.onDown() == OnDown.CLOSE)
        {
            for (final int b : pool.routes)
            {
                final RouteBinding route = routes[b];
                for (int w = 0; w < workers.length; w++)
                {
                    final PolicyHost host = route.hosts().get(w);
                    send(w, () -> host.resetConnectionsTo(route.routeIndex(), index));
                }
            }
        }
    }

    private void publish(final PoolState pool, final long now)
    {
        final BalancerPolicy[][] policies = new BalancerPolicy[routes.length][workers.length];
        buildPolicies(pool, now, policies);
        // Shown to operators only once every forwarder has swapped in the new policy: when targets() says a target
        // is down or draining, or has a weight, every forwarder picks by that.
        final TargetState[] snapshot = pool.states.clone();
        final int[] weightSnapshot = pool.weights.clone();
        final java.util.concurrent.atomic.AtomicInteger remaining =
            new java.util.concurrent.atomic.AtomicInteger(pool.routes.size() * workers.length);
        for (final int b : pool.routes)
        {
            final RouteBinding route = routes[b];
            for (int w = 0; w < workers.length; w++)
            {
                final PolicyHost host = route.hosts().get(w);
                final BalancerPolicy policy = policies[b][w];
                send(w, () ->
                {
                    host.setPolicy(route.routeIndex(), policy);
                    if (remaining.decrementAndGet() == 0)
                    {
                        pool.appliedWeights = weightSnapshot;
                        pool.applied = snapshot;
                    }
                });
            }
        }
    }

    private void buildPolicies(final PoolState pool, final long now, final BalancerPolicy[][] policies)
    {
        pool.dirty = false;
        pool.nextRampNs = 0;
        final int n = pool.states.length;
        final boolean anyUp = java.util.Arrays.stream(pool.states).anyMatch(s -> s == TargetState.UP);
        final boolean failOpen = !anyUp && pool.config.allDown() == AllDown.FAIL_OPEN;
        final long slowStartNs = pool.config.slowStart().toNanos();
        final int[] ids = new int[n];
        final int[] weights = new int[n];
        int count = 0;
        for (int t = 0; t < n; t++)
        {
            final TargetState state = pool.states[t];
            if (state == TargetState.UP || failOpen && state == TargetState.DOWN)
            {
                ids[count] = t;
                weights[count] = effectiveWeight(pool, t, now, slowStartNs);
                count++;
            }
        }
        final int[] eligible = java.util.Arrays.copyOf(ids, count);
        final int[] eligibleWeights = java.util.Arrays.copyOf(weights, count);
        if (count == 0)
        {
            LOG.log(System.Logger.Level.WARNING, "pool ''{0}'' has no target up: new connections are refused",
                pool.config.name());
        }
        for (final int b : pool.routes)
        {
            final RouteBinding route = routes[b];
            final long[] keys = new long[count];
            for (int i = 0; i < count; i++)
            {
                keys[i] = Hashing.targetKey(route.targets().get(eligible[i]));
            }
            // Maglev's table is immutable, so one serves every worker; the other policies keep per-loop state.
            final BalancerPolicy shared = route.algorithm() == BalanceAlgorithm.MAGLEV ?
                BalancerPolicies.create(BalanceAlgorithm.MAGLEV, eligible, eligibleWeights, keys, null, 0) : null;
            for (int w = 0; w < workers.length; w++)
            {
                final PolicyHost host = route.hosts().get(w);
                policies[b][w] = shared != null ? shared : BalancerPolicies.create(
                    route.algorithm(), eligible, eligibleWeights, keys, host.loadView(route.routeIndex()), w);
            }
        }
    }

    private int effectiveWeight(final PoolState pool, final int t, final long now, final long slowStartNs)
    {
        final int weight = pool.weights[t];
        final long elapsed = now - pool.upSinceNs[t];
        if (slowStartNs > 0 && elapsed < slowStartNs)
        {
            final long next = now + Math.max(MIN_RAMP_STEP_NS, slowStartNs / SLOW_START_SCALE);
            pool.nextRampNs = pool.nextRampNs == 0 ? next : Math.min(pool.nextRampNs, next);
        }
        return rampedWeight(weight, elapsed, slowStartNs);
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

    private void send(final int worker, final Runnable command)
    {
        if (!pending.isEmpty() || !workers[worker].offer(command))
        {
            pending.add(new PendingCommand(worker, command));
        }
    }

    private int retryPending()
    {
        int sent = 0;
        while (!pending.isEmpty())
        {
            final PendingCommand next = pending.peek();
            if (!workers[next.worker()].offer(next.command()))
            {
                break;
            }
            pending.poll();
            sent++;
        }
        return sent;
    }
}
