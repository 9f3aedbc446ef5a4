package io.portgate.conductor;

import io.portgate.access.AccessLog;
import io.portgate.access.AccessLogSettings;
import io.portgate.TargetView;

import io.portgate.balance.BalancerPolicy;
import io.portgate.config.Addresses;
import io.portgate.config.HealthConfig;
import io.portgate.config.OnDown;
import io.portgate.config.PortgateConfig;
import io.portgate.config.Quote;
import io.portgate.config.TargetConfig;
import io.portgate.health.HealthChecker;
import io.portgate.spi.ProbeResult;
import io.portgate.health.ProbeTarget;
import io.portgate.health.ProbeTransport;
import io.portgate.spi.TargetState;
import io.portgate.health.TargetStatus;
import io.portgate.loop.Route;
import io.portgate.loop.RouteRuntime;
import io.portgate.loop.TargetFailureListener;
import io.portgate.metrics.Labels;
import io.portgate.metrics.Metric;
import io.portgate.metrics.MetricsFile;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.status.AtomicCounter;
import org.jctools.queues.atomic.MpscAtomicArrayQueue;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The control plane, alive as long as the balancer: it owns what runs ({@link Running}), every pool's targets with
 * their health verdicts, drains, slow-start ramps and operators' weights, and the health checker. An Agrona
 * {@link Agent} on a control thread of its own; nothing here runs on a forwarder, and the forwarders share nothing
 * mutable with it: it talks to each through a {@link WorkerProxy}.
 *
 * <p>A change reaches it as a command on its queue (a JCTools MPSC queue: any thread offers, its thread runs them),
 * a reload included: {@link #reload} is planned ({@link ReloadPlan}, pure), its sockets bound
 * ({@link ListenerSockets}), its counters taken ({@link RouteRuntimes}), and only then, with nothing left that can
 * fail, applied: the pools take the new configuration in place (a target that stays keeps its state because the
 * object holding it stays; nothing is handed over) and every worker gets one {@link WorkerProxy.ApplyReload}. A start
 * is the reload of nothing.
 *
 * <p>It owns the lookups of targets named by host name too ({@link DiscoveredTargets}, driven from its duty cycle;
 * the lookups themselves run off its thread): a name whose addresses change is expanded again and applied through
 * the same path as a reload.
 */
public final class Conductor implements Agent
{
    private static final System.Logger LOG = System.getLogger("io.portgate");
    /**
     * The gauges (time in state, last probe) and the metrics file's heartbeat are refreshed this often when nothing
     * happens; a probe's end shows in them at once, and a change as soon as every worker picks by it.
     */
    static final long GAUGE_PERIOD_NS = 1_000_000_000L;
    /** While workers have a command to acknowledge or to take, the conductor looks again this often. */
    static final long ACKNOWLEDGE_POLL_NS = 1_000_000L;
    /** Once closing, the conductor sleeps at most this long, so that its runner stops promptly. */
    private static final long CLOSING_SLEEP_NS = 1_000_000L;
    /** A slow start scales weights by this, for a ramp finer than the configured weights. */
    static final int SLOW_START_SCALE = PoolHealth.SLOW_START_SCALE;
    /** The lookups of named targets, ok and failed, and the changes applied. */
    private static final int DNS_COUNTERS = 3;

    /** A command for the conductor's thread. */
    @FunctionalInterface
    private interface Command
    {
        void execute();
    }

    /** Waits for every worker to run a command, then does something on the conductor's thread. */
    private record Pending(AtomicInteger remaining, Runnable done)
    {
    }

    private final WorkerProxy[] workers;
    private final ListenerSockets sockets;
    private final MetricsFile metrics;
    private final NanoClock clock;
    private final EpochClock epochClock;
    private final HealthChecker checker;
    private final MpscAtomicArrayQueue<Command> commands;
    private final List<Pending> pending = new ArrayList<>();
    private final RouteRuntimes runtimes;
    private final AccessLog accessLog;
    private final RunningNames logNames = new RunningNames();
    private final DiscoveredTargets names;
    /** Taken at {@link #start}, where a full metrics file fails the start with everything closed. */
    private AtomicCounter dnsLookupsOk;
    private AtomicCounter dnsLookupsFailed;
    private AtomicCounter dnsChanges;
    private volatile Running running;
    private volatile List<PoolHealth> pools = List.of();
    /** Each health checker target's member, by probe id. */
    private PoolHealth.Member[] byProbe = new PoolHealth.Member[0];
    private long nextGaugesNs;
    private final io.portgate.spi.Extensions extensions;
    private final Events events;
    private volatile Thread thread;
    private volatile boolean closing;
    /** Duty cycles run since start; written by the conductor's thread only. */
    private volatile long dutyCycles;

    /**
     * Creates the conductor of a balancer; nothing runs until {@link #start}.
     *
     * @param config          the configuration about to start.
     * @param workers         the workers, by index.
     * @param sockets         binds the listening sockets.
     * @param metrics         where the counters and gauges go.
     * @param transport       carries health probes.
     * @param clock           the clock, the workers' too.
     * @param epochClock      the wall clock, for the gauges and the heartbeat.
     * @param commandCapacity how many commands may wait for the conductor.
     * @param names           the targets named by host name, {@link DiscoveredTargets#resolve resolved} for
     *                        {@code config} already: from now on the conductor looks them up and applies changes.
     * @param extensions      the registered balancing policies and health probes.
     * @param events          where target state changes go.
     * @param accessLog       the access log, which each configuration turns on, off or elsewhere.
     */
    public Conductor(final PortgateConfig config, final WorkerProxy[] workers, final ListenerSockets sockets,
        final MetricsFile metrics, final ProbeTransport transport, final NanoClock clock, final EpochClock epochClock,
        final int commandCapacity, final DiscoveredTargets names, final io.portgate.spi.Extensions extensions,
        final Events events, final AccessLog accessLog)
    {
        this.names = names;
        this.extensions = extensions;
        this.events = events;
        this.accessLog = accessLog;
        this.workers = workers.clone();
        this.sockets = sockets;
        this.metrics = metrics;
        this.clock = clock;
        this.epochClock = epochClock;
        this.commands = new MpscAtomicArrayQueue<>(commandCapacity);
        this.checker = new HealthChecker(List.of(), new io.portgate.health.ExtensionProbeTransport(transport,
            extensions), clock, this::onStateChange, System.nanoTime());
        this.runtimes = new RouteRuntimes(metrics, workers.length, accessLog);
        this.running = Running.before(config, workers.length);
    }

    /**
     * Starts the balancer's listeners: the reload of nothing, applied on the calling thread before the conductor's
     * agent runs (the workers take their first listeners as their first command).
     *
     * @param plan the plan from {@link ReloadPlan.Layout#EMPTY}, its ports already probed.
     * @throws java.io.UncheckedIOException naming a listener that cannot bind; nothing was left bound.
     * @throws IllegalStateException        when the metrics file cannot hold the counters.
     */
    public void start(final ReloadPlan plan)
    {
        dnsLookupsOk = metrics.counter(Metric.DNS_LOOKUPS, 0, Labels.of("result", "ok"));
        dnsLookupsFailed = metrics.counter(Metric.DNS_LOOKUPS, 0, Labels.of("result", "failed"));
        dnsChanges = metrics.counter(Metric.DNS_CHANGES, 0, Labels.of());
        apply(plan, () -> { });
    }

    /**
     * Asks for a reload; the conductor's thread plans and applies it.
     *
     * @param config the validated configuration to run, with the running values of settings that need a restart.
     * @return the reload, to wait for.
     * @throws IllegalStateException when the conductor's queue is full.
     */
    public ReloadRequest reload(final PortgateConfig config)
    {
        final ReloadRequest reload = new ReloadRequest(config, new CompletableFuture<>(), new CompletableFuture<>());
        offer(() -> onReload(reload));
        return reload;
    }

    /**
     * What runs now. Any thread.
     *
     * @return the last start or reload's state.
     */
    public Running running()
    {
        return running;
    }

    /**
     * Drains a target (nothing new goes to it; open connections finish) or undrains it. Any thread; applied on the
     * conductor's next duty cycle.
     *
     * @param pool   the pool's name.
     * @param target the target as {@link #targets()} names it, or another spelling of it.
     * @param drain  true to drain, false to undrain.
     * @return completes once every worker picks by it and {@link #targets()} shows it.
     * @throws IllegalArgumentException when there is no such pool or target.
     * @throws IllegalStateException    when the conductor's queue is full.
     */
    public CompletableFuture<Void> drain(final String pool, final String target, final boolean drain)
    {
        return change(pool, label(pool, target), member -> checker.setDraining(member.health, drain));
    }

    /**
     * Sets a target's weight until a reload changes its configured weight; the pool's policies are rebuilt with it.
     * Any thread.
     *
     * @param pool   the pool's name.
     * @param target the target as {@link #targets()} names it.
     * @param weight the weight, 1 to 10000.
     * @return completes once every worker picks by it and {@link #targets()} shows it.
     * @throws IllegalArgumentException when there is no such pool or target, or the weight is out of range.
     * @throws IllegalStateException    when the conductor's queue is full.
     */
    public CompletableFuture<Void> weight(final String pool, final String target, final int weight)
    {
        final String label = label(pool, target);
        if (weight < 1 || weight > TargetConfig.MAX_WEIGHT)
        {
            throw new IllegalArgumentException("weight must be from 1 to " + TargetConfig.MAX_WEIGHT);
        }
        return change(pool, label, member ->
        {
            member.weight = weight;
            member.pool.dirty = true;
        });
    }

    /** An operator's change to one target, published at once: done when every worker picks by it. */
    private CompletableFuture<Void> change(final String pool, final String label,
        final Consumer<PoolHealth.Member> change)
    {
        final CompletableFuture<Void> shown = new CompletableFuture<>();
        offer(() ->
        {
            for (final PoolHealth candidate : pools)
            {
                for (final PoolHealth.Member member : candidate.name.equals(pool) ? candidate.members :
                    List.<PoolHealth.Member>of())
                {
                    if (member.label.equals(label))
                    {
                        change.accept(member);
                    }
                }
                if (candidate.name.equals(pool) && candidate.dirty)
                {
                    publish(candidate, clock.nanoTime(), () -> shown.complete(null));
                    return;
                }
            }
            // Nothing changed (a target drained twice, say): there is nothing to wait for.
            shown.complete(null);
        });
        return shown;
    }

    /**
     * Every target of every pool that serves a listener, with its state, last probe and time in state: the states
     * and weights every worker picks by. Any thread.
     *
     * @return the views, pool by pool.
     */
    public List<TargetView> targets()
    {
        final long now = clock.nanoTime();
        final List<TargetView> views = new ArrayList<>();
        for (final PoolHealth pool : pools)
        {
            final PoolHealth.Shown shown = pool.shown();
            for (int t = 0; t < shown.members().size(); t++)
            {
                final PoolHealth.Member member = shown.members().get(t);
                final TargetStatus status = member.health.status();
                final ProbeTarget probe = status.target();
                final String probeText = probe.config() == null ? "none" :
                    probe.config().protocolName() + ":" + probe.probeAt().getPort();
                views.add(new TargetView(pool.name, t, member.label, shown.weights()[t], probeText,
                    shown.states()[t], status.lastResult(), Duration.ofNanos(status.lastLatencyNs()),
                    Duration.ofNanos(Math.max(0, status.inStateNanos(now))), member.config.name()));
            }
        }
        return views;
    }

    @Override
    public String roleName()
    {
        return "portgate-conductor";
    }

    @Override
    public void onStart()
    {
        thread = Thread.currentThread();
        names.onLookupEnded(this::wake);
    }

    /**
     * How the conductor's thread waits when a duty cycle found nothing to do: it sleeps until its next deadline
     * ({@link #nextDeadlineNs}) in the health checker's probe transport, so a probe's reply wakes it too, and a command
     * wakes it through {@link #offer}. Idle, it wakes a few times a second at most instead of once a millisecond.
     *
     * @return a strategy for the conductor's runner; it works for this conductor only.
     */
    public IdleStrategy idleStrategy()
    {
        return new DeadlineIdleStrategy();
    }

    /**
     * Duty cycles run since start, for tests and measurements: idle, it stays within a few a second.
     *
     * @return the count.
     */
    public long dutyCycles()
    {
        return dutyCycles;
    }

    /**
     * Keeps the conductor from sleeping more than a millisecond from now on, so that closing its runner does not wait
     * out a sleep. Any thread.
     */
    public void wakeForClose()
    {
        closing = true;
        wake();
    }

    /**
     * When the next duty cycle has something to do if no command arrives first: now when a command waits, soon while
     * workers have commands to acknowledge or to take, else the earliest of the next health probe (with its jitter)
     * or probe poll, the next slow-start step, the next lookup of a target named by host name (a lookup that ends
     * wakes the conductor), and the next gauge refresh. Conductor thread only.
     *
     * @param nowNs the current time.
     * @return the deadline; {@code nowNs} or earlier when there is work now.
     */
    long nextDeadlineNs(final long nowNs)
    {
        if (!commands.isEmpty())
        {
            return nowNs;
        }
        long next = nextGaugesNs;
        if (!pending.isEmpty() || waitingForWorkers())
        {
            next = earlier(next, nowNs + ACKNOWLEDGE_POLL_NS);
        }
        for (final PoolHealth pool : pools)
        {
            if (pool.dirty)
            {
                return nowNs;
            }
            if (pool.nextRampNs != 0)
            {
                next = earlier(next, pool.nextRampNs);
            }
        }
        next = earlier(next, names.nextDeadlineNs(nowNs));
        return earlier(next, checker.nextDeadlineNs(nowNs));
    }

    private static long earlier(final long a, final long b)
    {
        return b - a < 0 ? b : a;
    }

    private boolean waitingForWorkers()
    {
        for (final WorkerProxy worker : workers)
        {
            if (worker.waiting() > 0)
            {
                return true;
            }
        }
        return false;
    }

    private void sleep()
    {
        final long now = clock.nanoTime();
        long timeoutNs = nextDeadlineNs(now) - now;
        if (closing)
        {
            timeoutNs = Math.min(timeoutNs, CLOSING_SLEEP_NS);
        }
        if (timeoutNs > 0)
        {
            checker.await(timeoutNs);
        }
    }

    /** Wakes the conductor's thread from {@link #sleep()}, or makes its next sleep return at once. Any thread. */
    private void wake()
    {
        // The checker's transport may sleep in a selector or park the thread: both are woken.
        LockSupport.unpark(thread);
        checker.wakeup();
    }

    /**
     * Sleeps until the conductor's next deadline, a probe's progress or a command, even after a duty cycle that did
     * work: the deadline says whether anything is left to do now (a command that waits, workers yet to acknowledge),
     * so a probe costs the cycle that starts it and the one that reads its end, not a second look after each.
     */
    private final class DeadlineIdleStrategy implements IdleStrategy
    {
        @Override
        public void idle(final int workCount)
        {
            sleep();
        }

        @Override
        public void idle()
        {
            sleep();
        }

        @Override
        public void reset()
        {
        }

        @Override
        public String alias()
        {
            return "deadline";
        }
    }

    @Override
    public int doWork()
    {
        dutyCycles = dutyCycles + 1;
        int work = commands.drain(Command::execute);
        work += names.doWork();
        if (names.takeChanged())
        {
            applyNames();
            work++;
        }
        final int probed = checker.doWork();
        work += probed;
        final long now = clock.nanoTime();
        for (final PoolHealth pool : pools)
        {
            if (pool.dirty || pool.rampDue(now))
            {
                publish(pool, now, () -> { });
                work++;
            }
        }
        for (final WorkerProxy worker : workers)
        {
            worker.flush();
        }
        final int finished = finishPending();
        work += finished;
        // A probe that ended or a change every worker picks by shows in the gauges at once; time in state and the
        // heartbeat move once a second.
        if (probed > 0 || finished > 0 || now - nextGaugesNs >= 0)
        {
            nextGaugesNs = now + GAUGE_PERIOD_NS;
            updateGauges();
            dnsLookupsOk.setRelease(names.lookups() - names.failures());
            dnsLookupsFailed.setRelease(names.failures());
            metrics.heartbeat(epochClock.time());
            work++;
        }
        return work;
    }

    @Override
    public void onClose()
    {
        names.close();
        checker.onClose();
    }

    /**
     * The configuration as written that runs now, named targets unexpanded: what a reload compares with. Any thread.
     *
     * @return the configuration.
     */
    public PortgateConfig requested()
    {
        final PortgateConfig requested = names.requested();
        return requested != null ? requested : running.config();
    }

    /**
     * The targets named by host name, and their lookups. Any thread (for its statuses and totals).
     *
     * @return the names.
     */
    public DiscoveredTargets names()
    {
        return names;
    }

    private void offer(final Command command)
    {
        if (!commands.offer(command))
        {
            throw new IllegalStateException("the control plane is busy; try again");
        }
        wake();
    }

    private void onReload(final ReloadRequest reload)
    {
        final PortgateConfig previous = names.requested();
        try
        {
            // Named targets run at their name's last good addresses, and are looked up again from now on.
            final PortgateConfig expanded = names.resolve(reload.config());
            final long now = clock.nanoTime();
            final long deadline = now + Math.max(1, expanded.drainTimeout().toNanos());
            final ReloadPlan plan = ReloadPlan.of(running.layout(), expanded, now, deadline);
            sockets.probe(plan);
            final List<String> notes = apply(plan, () -> reload.applied().complete(null));
            reload.planned().complete(new ReloadRequest.Applied(running, notes));
        }
        catch (final RuntimeException | Error ex)
        {
            if (previous != null)
            {
                // What runs is still the previous configuration: its names are the ones to look up.
                names.resolve(previous);
            }
            reload.planned().completeExceptionally(ex);
        }
    }

    /**
     * A name's addresses changed: what runs is expanded again and applied exactly as a reload is (new targets start,
     * removed ones drain for drain-timeout, nothing is dropped). Should it fail (the metrics file full, say), the
     * targets stay as they run and the next change tries again.
     */
    private void applyNames()
    {
        try
        {
            final PortgateConfig expanded = names.expanded();
            final long now = clock.nanoTime();
            final ReloadPlan plan = ReloadPlan.of(running.layout(), expanded, now,
                now + Math.max(1, expanded.drainTimeout().toNanos()));
            sockets.probe(plan);
            final int generation = running.generation() + 1;
            // Counted once every worker picks by the new targets: a client that connects after sees them.
            apply(plan, () ->
            {
                dnsChanges.increment();
                LOG.log(System.Logger.Level.INFO, "targets named by host name changed: applied as a reload " +
                    "(generation {0}): new targets start, removed ones drain", String.valueOf(generation));
            });
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "targets named by host name changed, but the change could not be " +
                "applied: {0}; the targets stay as they run", String.valueOf(ex.getMessage()));
        }
    }

    /**
     * Binds and takes counters (everything that can fail, undone if anything does), then applies: the pools, the
     * health checker, the runtimes with their first policies, and one command per worker.
     *
     * @param plan      the plan, its ports probed.
     * @param onApplied run on the conductor's thread once every worker switched.
     * @return changes that wait for a restart after all.
     */
    private List<String> apply(final ReloadPlan plan, final Runnable onApplied)
    {
        final Running before = running;
        final ListenerSockets.Bound bound = sockets.bind(plan, before.sockets());
        final Map<String, PoolHealth> next = poolsOf(plan);
        final RouteRuntimes.Taken taken;
        try
        {
            taken = runtimes.take(plan, (pool, label) -> next.get(pool) == null ||
                next.get(pool).members.stream().noneMatch(m -> m.label.equals(label)));
        }
        catch (final RuntimeException ex)
        {
            bound.closeOpened();
            throw ex;
        }
        // The access log first: a file that cannot be opened fails the reload before anything changed.
        try
        {
            accessLog.apply(AccessLogSettings.of(plan.config().accessLog()), logNames);
        }
        catch (final RuntimeException ex)
        {
            taken.release(metrics);
            bound.closeOpened();
            throw ex;
        }
        // Nothing below can fail.
        final long now = clock.nanoTime();
        adopt(plan, next, taken, now);
        final Running after = runtimes.build(plan, before, bound, taken, route -> failures(route, next));
        logNames.add(after);
        bindPools(next, after, now);
        for (final PoolHealth gone : pools)
        {
            if (!next.containsKey(gone.name))
            {
                gone.members.forEach(m -> m.gauges.release(metrics));
            }
        }
        running = after;
        pools = List.copyOf(next.values());
        updateGauges();
        final AtomicInteger remaining = new AtomicInteger(workers.length);
        for (int w = 0; w < workers.length; w++)
        {
            workers[w].applyReload(runtimes.tcpReload(plan, after, w), runtimes.udpReload(plan, after, w),
                remaining::decrementAndGet);
        }
        pending.add(new Pending(remaining, () ->
        {
            // Nothing writes the counters of what the reload replaced once every worker switched: those no new
            // runtime shares are freed.
            runtimes.release(before);
            onApplied.run();
        }));
        return bound.notes();
    }

    /** The pools the plan's listeners pick from, in the order first used; a pool that stays is the same object. */
    private Map<String, PoolHealth> poolsOf(final ReloadPlan plan)
    {
        final Map<String, PoolHealth> current = new LinkedHashMap<>();
        pools.forEach(p -> current.put(p.name, p));
        final Map<String, PoolHealth> next = new LinkedHashMap<>();
        final List<Route> routes = new ArrayList<>(plan.tcp().routes());
        routes.addAll(plan.udp().routes());
        for (final Route route : routes)
        {
            if (!route.draining())
            {
                next.computeIfAbsent(route.poolName(), name -> current.getOrDefault(name, new PoolHealth(name)));
            }
        }
        return next;
    }

    /** The pools take the new configuration: targets that stay keep their member, new ones start up. */
    private void adopt(final ReloadPlan plan, final Map<String, PoolHealth> next, final RouteRuntimes.Taken taken,
        final long now)
    {
        final List<ProbeTarget> probes = new ArrayList<>();
        final List<HealthChecker.Target> kept = new ArrayList<>();
        final List<PoolHealth.Member> all = new ArrayList<>();
        for (final PoolHealth pool : next.values())
        {
            pool.config = plan.config().pools().get(pool.name);
            final Map<String, PoolHealth.Member> before = new LinkedHashMap<>();
            pool.members.forEach(m -> before.put(m.label, m));
            final List<PoolHealth.Member> members = new ArrayList<>();
            for (final TargetConfig target : pool.config.targets())
            {
                final String label = target.label(pool.config);
                PoolHealth.Member member = before.remove(label);
                if (member == null)
                {
                    // Targets that are up at start take their full weight at once: slow start is for recoveries.
                    member = new PoolHealth.Member(pool, label, target, taken.gauges(pool.name, label),
                        now - pool.config.slowStart().toNanos());
                }
                member.reconfigure(target);
                members.add(member);
                final InetSocketAddress traffic = pool.trafficAddress(target);
                final HealthConfig health = pool.config.health();
                probes.add(new ProbeTarget(probes.size(), pool.name, traffic, health == null ? traffic :
                    new InetSocketAddress(traffic.getAddress(), health.portFor(traffic.getPort())), health));
                kept.add(member.health);
                all.add(member);
            }
            before.values().forEach(m -> m.gauges.release(metrics));
            pool.members = List.copyOf(members);
        }
        final List<HealthChecker.Target> health = checker.retarget(probes, kept);
        for (int i = 0; i < all.size(); i++)
        {
            all.get(i).health = health.get(i);
            all.get(i).state = health.get(i).status().state();
        }
        byProbe = all.toArray(new PoolHealth.Member[0]);
    }

    /** Each pool learns which listeners pick from it, those get their first policies, and operators are shown. */
    private void bindPools(final Map<String, PoolHealth> next, final Running after, final long now)
    {
        final Map<String, List<RouteRuntime<?>[]>> routes = new LinkedHashMap<>();
        for (int i = 0; i < after.tcp().size(); i++)
        {
            bind(routes, after.tcp().get(i), after.tcpRuntimes(i));
        }
        for (int i = 0; i < after.udp().size(); i++)
        {
            bind(routes, after.udp().get(i), after.udpRuntimes(i));
        }
        for (final PoolHealth pool : next.values())
        {
            pool.routes = List.copyOf(routes.getOrDefault(pool.name, List.of()));
            final BalancerPolicy[][] policies = pool.buildPolicies(now, workers.length, extensions);
            for (int b = 0; b < pool.routes.size(); b++)
            {
                for (int w = 0; w < workers.length; w++)
                {
                    pool.routes.get(b)[w].policy(policies[b][w]);
                }
            }
            pool.show(pool.inForce());
        }
    }

    private static void bind(final Map<String, List<RouteRuntime<?>[]>> routes, final Route route,
        final RouteRuntime<?>[] perWorker)
    {
        if (route.draining())
        {
            for (final RouteRuntime<?> runtime : perWorker)
            {
                runtime.policy(PoolHealth.noTargets(runtime));
            }
            return;
        }
        routes.computeIfAbsent(route.poolName(), name -> new ArrayList<>()).add(perWorker);
    }

    /** Who hears of failed connects to a listener's targets: each live target's health; retired ones, nobody. */
    private static TargetFailureListener failures(final Route route, final Map<String, PoolHealth> pools)
    {
        final PoolHealth pool = route.draining() ? null : pools.get(route.poolName());
        if (pool == null)
        {
            return TargetFailureListener.NONE;
        }
        final HealthChecker.Target[] byTarget = new HealthChecker.Target[route.targets().liveCount()];
        for (int t = 0; t < byTarget.length; t++)
        {
            byTarget[t] = pool.members.get(t).health;
        }
        return target ->
        {
            if (target >= 0 && target < byTarget.length)
            {
                byTarget[target].reportPassiveFailure();
            }
        };
    }

    private void onStateChange(final ProbeTarget target, final TargetState from, final TargetState to,
        final ProbeResult cause, final String reason)
    {
        final PoolHealth.Member member = byProbe[target.id()];
        final PoolHealth pool = member.pool;
        member.gauges.changes().incrementRelease();
        member.state = to;
        pool.dirty = true;
        if (to == TargetState.UP && from == TargetState.DOWN)
        {
            member.upSinceNs = clock.nanoTime();
        }
        LOG.log(to == TargetState.DOWN ? System.Logger.Level.WARNING : System.Logger.Level.INFO,
            "target {0} of pool ''{1}'' is {2} (was {3}; {4})", member.label, pool.name, to.label(), from.label(),
            reason);
        events.publish(new io.portgate.spi.PortgateEvent.TargetStateChanged(pool.name, member.label, from, to,
            reason, cause));
        if (to == TargetState.DOWN && pool.config.onDown() == OnDown.CLOSE)
        {
            final int index = pool.members.indexOf(member);
            for (final RouteRuntime<?>[] route : pool.routes)
            {
                for (int w = 0; w < workers.length; w++)
                {
                    workers[w].resetTarget(route[w], index);
                }
            }
        }
    }

    /**
     * Sends a pool's new policies to every worker; operators are shown the states and weights once every worker
     * picks by them, so when {@link #targets()} says a target is down or draining, or has a weight, it is so.
     */
    private void publish(final PoolHealth pool, final long now, final Runnable shown)
    {
        final BalancerPolicy[][] policies = pool.buildPolicies(now, workers.length, extensions);
        final PoolHealth.Shown inForce = pool.inForce();
        final AtomicInteger remaining = new AtomicInteger(pool.routes.size() * workers.length);
        for (int b = 0; b < pool.routes.size(); b++)
        {
            for (int w = 0; w < workers.length; w++)
            {
                workers[w].setPolicy(pool.routes.get(b)[w], policies[b][w], remaining::decrementAndGet);
            }
        }
        pending.add(new Pending(remaining, () ->
        {
            pool.show(inForce);
            shown.run();
        }));
    }

    private int finishPending()
    {
        int done = 0;
        for (int i = 0; i < pending.size(); )
        {
            if (pending.get(i).remaining().get() <= 0)
            {
                pending.remove(i).done().run();
                done++;
            }
            else
            {
                i++;
            }
        }
        return done;
    }

    private void updateGauges()
    {
        final long nowMs = epochClock.time();
        final long nowNs = clock.nanoTime();
        for (final PoolHealth pool : pools)
        {
            final PoolHealth.Shown shown = pool.shown();
            for (int t = 0; t < shown.members().size(); t++)
            {
                final PoolHealth.Gauges gauges = shown.members().get(t).gauges;
                final TargetStatus status = shown.members().get(t).health.status();
                final TargetState state = shown.states()[t];
                gauges.state().setRelease(state == TargetState.UP ? 1 : state == TargetState.DOWN ? 0 : 2);
                gauges.since().setRelease((nowMs - (nowNs - status.sinceNs()) / 1_000_000) / 1000);
                gauges.latency().setRelease(status.lastLatencyNs() / 1000);
                gauges.result().setRelease(status.lastResult() == null ? 0 : status.lastResult().ordinal() + 1);
            }
        }
    }

    /**
     * How many counters the conductor needs in a metrics file.
     *
     * @param targets targets over all pools.
     * @return the number of counters.
     */
    public static int countersNeeded(final int targets)
    {
        return PoolHealth.Gauges.COUNTERS * targets + DNS_COUNTERS;
    }

    /**
     * A target's weight during a slow start (see {@link PoolHealth#rampedWeight}).
     *
     * @param weight      the configured weight.
     * @param elapsedNs   time since the target came back up.
     * @param slowStartNs the pool's slow start, 0 for none.
     * @return the weight to build the policy with.
     */
    static int rampedWeight(final int weight, final long elapsedNs, final long slowStartNs)
    {
        return PoolHealth.rampedWeight(weight, elapsedNs, slowStartNs);
    }

    /** The target's label in the pool, as {@link #targets()} names it, from any spelling of it. */
    private String label(final String pool, final String target)
    {
        final List<TargetView> views = targets();
        for (final TargetView view : views)
        {
            if (view.pool().equals(pool) && Addresses.sameTarget(target, view.target()))
            {
                return view.target();
            }
        }
        throw new IllegalArgumentException("pool " + Quote.of(pool) + " has no target " + Quote.of(target) +
            "; targets: " + views.stream().filter(v -> v.pool().equals(pool)).map(TargetView::target).toList());
    }

}
