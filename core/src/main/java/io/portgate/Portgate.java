package io.portgate;

import io.portgate.access.AccessLog;
import io.portgate.access.AccessLogWriter;

import io.portgate.admin.AdminServer;
import io.portgate.conductor.Conductor;
import io.portgate.conductor.DiscoveredTargets;
import io.portgate.conductor.Events;
import io.portgate.conductor.ListenerSockets;
import io.portgate.conductor.ReloadRequest;
import io.portgate.conductor.ReloadPlan;
import io.portgate.conductor.Running;
import io.portgate.conductor.WorkerProxy;
import io.portgate.config.ConfigDiff;
import io.portgate.config.ConfigException;
import io.portgate.config.ConfigLoader;
import io.portgate.config.ConfigValidator;
import io.portgate.config.Diagnostic;
import io.portgate.config.HostFacts;
import io.portgate.config.PortgateConfig;
import io.portgate.config.Settings;
import io.portgate.config.Severity;
import io.portgate.loop.Worker;
import io.portgate.metrics.ErrorLog;
import io.portgate.metrics.Labels;
import io.portgate.metrics.Metric;
import io.portgate.metrics.MetricsFile;
import io.portgate.metrics.MetricsReader;
import io.portgate.tcp.MemoryBudget;
import io.portgate.spi.PortgateEvent;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.status.AtomicCounter;

import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A running balancer: the library's entry point, and a thin one, as Aeron's {@code MediaDriver}: it concludes a
 * {@link PortgateContext}, starts one forwarder thread per worker and the control thread, and hands out views.
 *
 * <pre>{@code
 * try (Portgate portgate = Portgate.start(config))
 * {
 *     portgate.stats().listener("web").activeConnections();
 * }
 * }</pre>
 *
 * <p>{@link #start} returns once every listening socket is bound; every port is probed without SO_REUSEPORT first,
 * so a port another process holds fails the start, named, with nothing left open.
 * {@link #close()} stops accepting, lets connections and UDP flows finish up to the drain timeout (a flow finishes
 * once it has gone a second without a datagram), then closes them; a second {@link #close(Duration)}
 * cuts the drain short. A {@link #reload(PortgateConfig)} goes to the conductor as a command, and from there to
 * every worker as one. Thread-safe.
 */
public final class Portgate implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger("io.portgate");
    private static final long RELOAD_PLAN_WAIT_MS = 60_000;
    private static final long RELOAD_APPLY_WAIT_MS = 10_000;
    private static final long SETTLE_WAIT_MS = 5_000;

    private final PortgateContext context;
    private final Conductor conductor;
    private final WorkerProxy[] workers;
    private final AgentRunner[] runners;
    private final AgentRunner conductorRunner;
    private final MetricsFile metrics;
    private final ErrorLog errors;
    private final StatsAggregator stats;
    private final AtomicCounter reloadsApplied;
    private final AtomicCounter reloadsRejected;
    private final Object reloadLock = new Object();
    private final Shutdown shutdown;
    private final Events events;
    /** Set under the reload lock once closing: no reload starts after. */
    private boolean closed;
    /** Whether an operator failed the instance's health ({@code POST /api/health/fail}). */
    private volatile boolean healthFailed;
    /** Whether the instance announces its stop: health fails while everything is still served. */
    private volatile boolean stopping;
    private AdminServer admin;
    private final AccessLog accessLog;

    private Portgate(final PortgateContext context, final Conductor conductor, final WorkerProxy[] workers,
        final MemoryBudget budget, final MetricsFile metrics, final ErrorLog errors, final Events events,
        final AccessLog accessLog)
    {
        this.events = events;
        this.accessLog = accessLog;
        this.context = context;
        this.conductor = conductor;
        this.workers = workers;
        this.metrics = metrics;
        this.errors = errors;
        this.stats = new StatsAggregator(budget, errors::count);
        this.runners = new AgentRunner[workers.length];
        this.shutdown = new Shutdown(workers);
        this.conductorRunner = new AgentRunner(context.conductorIdleStrategy == null ? conductor.idleStrategy() :
            context.conductorIdleStrategy.get(), errors, null, conductor);
        this.reloadsApplied = metrics.counter(Metric.RELOADS, 0, Labels.of("result", "applied"));
        this.reloadsRejected = metrics.counter(Metric.RELOADS, 0, Labels.of("result", "rejected"));
    }

    /**
     * Validates a configuration, binds every listener and starts the forwarder threads.
     *
     * @param config the configuration.
     * @return the running balancer.
     * @throws ConfigException       when the configuration has errors; nothing was opened. A target named by host
     *                               name starts at the address it has (load the file with {@link ConfigLoader}, which
     *                               looks it up), or, with none yet, once its name resolves; it is looked up again
     *                               every {@code resolve-interval}.
     * @throws UncheckedIOException  when a listener cannot bind, or its port is held by another process (another
     *                               balancer included); its message names every such listener, protocol, address and
     *                               port and the holding process, and nothing was bound.
     * @throws IllegalStateException when a fast path is {@code on} but does not work here, a UDP listener is bound to
     *                               a wildcard without the batched datagram path, or another running balancer uses
     *                               the metrics file, or the JVM lacks a flag the library needs ({@link JvmFlags}).
     */
    public static Portgate start(final PortgateConfig config)
    {
        return start(new PortgateContext(Objects.requireNonNull(config, "config")));
    }

    /**
     * Concludes a context, binds every listener and starts the threads, as {@link #start(PortgateConfig)} does.
     *
     * @param context the context, with what it injects.
     * @return the running balancer.
     */
    public static Portgate start(final PortgateContext context)
    {
        context.conclude();
        // Named targets start at the addresses they loaded with; the conductor looks them up again from then on.
        final DiscoveredTargets names = new DiscoveredTargets(context.nanoClock);
        final PortgateConfig config = names.resolve(context.config());
        final int workerCount = context.workers();
        final ListenerSockets sockets = new ListenerSockets(workerCount, context.udpBatching(), config.udpBatching());
        final long now = context.nanoClock.nanoTime();
        final ReloadPlan plan = ReloadPlan.of(ReloadPlan.Layout.EMPTY, config, now, now);
        // Every port is probed before any is bound: a port another process holds (SO_REUSEPORT would let the
        // listening sockets join it silently) fails the start with nothing ever listening.
        sockets.probe(plan);
        final MetricsFile metrics = context.openMetrics();
        final ErrorLog errors = new ErrorLog(metrics.errorLogBuffer(), context.epochClock,
            context.errorHandler);
        final MemoryBudget budget = new MemoryBudget(config.bufferMemory());
        final WorkerProxy[] workers = new WorkerProxy[workerCount];
        Conductor conductor = null;
        final Events events = new Events(context.eventListener, PortgateContext.EVENT_QUEUE_CAPACITY);
        AccessLog accessLog = null;
        try
        {
            for (int w = 0; w < workerCount; w++)
            {
                workers[w] = context.newWorker(w, budget, errors, metrics);
            }
            accessLog = new AccessLog(workerCount, errors, AccessLogWriter.standardOutput());
            conductor = new Conductor(config, workers, sockets, metrics, context.probeTransport.get(),
                context.nanoClock, context.epochClock, context.conductorCommandCapacity, names, context.extensions,
                events, accessLog);
            conductor.start(plan);
        }
        catch (final RuntimeException ex)
        {
            if (conductor != null)
            {
                // Its health checker's probe transport is open already.
                conductor.onClose();
            }
            else
            {
                names.close();
            }
            if (accessLog != null)
            {
                accessLog.close();
            }
            WorkerProxy.closeUnstarted(workers);
            metrics.close();
            events.close();
            throw ex;
        }
        return new Portgate(context, conductor, workers, budget, metrics, errors, events, accessLog).run();
    }

    private Portgate run()
    {
        final PortgateConfig config = context.config();
        for (int w = 0; w < workers.length; w++)
        {
            final Worker worker = workers[w].worker();
            runners[w] = new AgentRunner(context.workerIdleStrategy.apply(worker), errors, null, worker);
            AgentRunner.startOnThread(runners[w]);
        }
        AgentRunner.startOnThread(conductorRunner);
        if (config.admin() != null)
        {
            try
            {
                admin = AdminServer.start(config.admin().socketAddress(), config.adminToken(),
                    new AdminOperations(this));
            }
            catch (final RuntimeException ex)
            {
                close(Duration.ZERO);
                throw ex;
            }
        }
        final Running running = conductor.running();
        running.bound().forEach((name, addresses) -> events.publish(new PortgateEvent.ListenerBound(name,
            addresses)));
        LOG.log(System.Logger.Level.INFO, "portgate started: {0} worker(s), {1} TCP listener(s), {2}, " +
            "{3} UDP listener(s){4}", workers.length, running.tcp().size(),
            context.splice() ? "splice(2) forwarding" : "NIO copy forwarding", running.udp().size(),
            running.udp().isEmpty() ? "" : context.udpBatching() ? (context.udpGso() ?
                ", recvmmsg/sendmmsg batches with UDP_SEGMENT" : ", recvmmsg/sendmmsg batches") :
                ", one datagram per NIO call");
        return this;
    }

    /**
     * The addresses a listener is bound to, one per port of its range.
     *
     * @param listenerName the listener's name.
     * @return the local addresses.
     * @throws IllegalArgumentException when there is no listener of that name.
     */
    public List<InetSocketAddress> boundAddresses(final String listenerName)
    {
        final Map<String, List<InetSocketAddress>> bound = conductor.running().bound();
        final List<InetSocketAddress> addresses = bound.get(listenerName);
        if (addresses == null)
        {
            throw new IllegalArgumentException("no listener named '" + listenerName + "'; listeners: " +
                bound.keySet());
        }
        return addresses;
    }

    /**
     * The configuration it runs.
     *
     * @return the configuration given to {@link #start} or applied by the last {@link #reload}, with the settings
     * that need a restart as they were at start, and each target named by host name as one target per address its
     * name has now ({@link io.portgate.config.TargetConfig#name()} says which name).
     */
    public PortgateConfig config()
    {
        return conductor.running().config();
    }

    /**
     * Reads the counters of every listener and target, summed over the workers.
     *
     * @return an immutable snapshot.
     */
    public PortgateStats stats()
    {
        return stats.stats(conductor.running());
    }

    /**
     * Every target of every pool that serves a listener: its state (up, down, draining), its last probe and how long
     * it has been in that state. Safe from any thread.
     *
     * @return the targets, pool by pool in configuration order.
     */
    public List<TargetView> targets()
    {
        return conductor.targets();
    }

    /**
     * The JVM flags the library uses and which of them this JVM has; a missing one turned a fast path off.
     *
     * @return the flags.
     */
    public JvmFlags jvmFlags()
    {
        return JvmFlags.check();
    }

    /**
     * Whether each fast path runs, as {@link PortgateContext#conclude()} decided from the configuration, the JVM's
     * flags and what the kernel does.
     *
     * @return e.g. {@code {splice=true, udp-batching=false, udp-gso=false}}.
     */
    public Map<String, Boolean> fastPaths()
    {
        final Map<String, Boolean> paths = new java.util.LinkedHashMap<>();
        paths.put("splice", context.splice());
        paths.put("udp-batching", context.udpBatching());
        paths.put("udp-gso", context.udpGso());
        return java.util.Collections.unmodifiableMap(paths);
    }

    /**
     * Drains a target: no new connection goes to it, open ones finish. Returns once every worker picks by it (within
     * a few milliseconds), so {@link #targets()} shows it from then on.
     *
     * @param pool   the pool's name.
     * @param target the target as {@code address:port} (its first internal port), as {@link #targets()} names it.
     * @throws IllegalArgumentException when the pool or target does not exist.
     */
    public void drain(final String pool, final String target)
    {
        ReloadRequest.await(conductor.drain(pool, target, true), SETTLE_WAIT_MS);
    }

    /**
     * Undoes {@link #drain}: the target takes new connections again if it is healthy.
     *
     * @param pool   the pool's name.
     * @param target the target as {@link #targets()} names it.
     * @throws IllegalArgumentException when the pool or target does not exist.
     */
    public void undrain(final String pool, final String target)
    {
        ReloadRequest.await(conductor.drain(pool, target, false), SETTLE_WAIT_MS);
    }

    /**
     * Sets a target's weight until a restart, or a reload that changes the target's configured weight.
     *
     * @param pool   the pool's name.
     * @param target the target as {@link #targets()} names it.
     * @param weight the weight, 1 to 10000.
     * @throws IllegalArgumentException when the pool or target does not exist or the weight is out of range.
     */
    public void weight(final String pool, final String target, final int weight)
    {
        ReloadRequest.await(conductor.weight(pool, target, weight), SETTLE_WAIT_MS);
    }

    /**
     * Connect times to the targets of a TCP listener since start, over every worker: the time from a non-blocking
     * connect to its completion, as the loop saw it. Safe from any thread.
     *
     * @param listenerName the listener's name.
     * @return the count and percentiles, in nanoseconds.
     * @throws IllegalArgumentException when there is no TCP listener of that name.
     */
    public LatencySnapshot connectLatency(final String listenerName)
    {
        return StatsAggregator.snapshot(stats.connectLatency(conductor.running(), listenerName));
    }

    /**
     * First-byte times of a TCP listener's connections since start, over every worker, when its configuration says
     * {@code first-byte-latency: true}: from the client's first bytes reaching the target (or, when the target
     * speaks first, from the connect) to the target's first bytes reaching the client. Safe from any thread.
     *
     * @param listenerName the listener's name.
     * @return the count and percentiles, in nanoseconds; empty when the listener does not record them.
     * @throws IllegalArgumentException when there is no TCP listener of that name.
     */
    public LatencySnapshot firstByteLatency(final String listenerName)
    {
        return StatsAggregator.snapshot(stats.firstByteLatency(conductor.running(), listenerName));
    }

    Map<String, Histogram> latencies(final boolean firstByte)
    {
        return stats.latencies(conductor.running(), firstByte);
    }

    /**
     * Re-reads the file the running configuration came from ({@link PortgateConfig#source()}) and applies it as
     * {@link #reload(PortgateConfig)} does. A {@code metrics-file} the file does not name stays as it runs. Every
     * reload that does not apply, whatever it throws, counts as rejected in {@code portgate_reloads_total}.
     *
     * @return what was applied.
     * @throws ConfigException       when the file has errors, with the diagnostics {@code portgate check} prints;
     *                               nothing changed.
     * @throws IllegalStateException when the configuration was built in code (there is no file to read), the
     *                               balancer is closed, or the new configuration cannot be applied (the message says
     *                               why); nothing changed.
     */
    public ReloadResult reload()
    {
        final ConfigLoader.Result result;
        try
        {
            final PortgateConfig running = config();
            if (PortgateConfig.CODE_SOURCE.equals(running.source()))
            {
                throw new IllegalStateException("the running configuration was built in code, so there is no file " +
                    "to read again; call reload(PortgateConfig)");
            }
            result = ConfigLoader.load(java.nio.file.Path.of(running.source()), HostFacts.system(),
                context.extensions);
        }
        catch (final RuntimeException | Error ex)
        {
            // Whatever failed, the reload was asked for and did not happen: counted, and the caller reports it.
            reloadsRejected.increment();
            events.publish(new PortgateEvent.ReloadRejected(String.valueOf(ex.getMessage())));
            throw ex;
        }
        if (result.hasErrors())
        {
            reloadsRejected.increment();
            final ConfigException rejected = new ConfigException(result.diagnostics());
            events.publish(new PortgateEvent.ReloadRejected(String.valueOf(rejected.getMessage())));
            throw rejected;
        }
        return reload(result.config(), result.diagnostics());
    }

    /**
     * Applies a new configuration without dropping anything: pools (targets added, removed, re-weighted, health
     * settings, policy), listener settings, and listeners added or removed. Open TCP connections and UDP flows to
     * targets that remain carry on; those to removed targets and removed listeners drain for up to the new
     * {@code drain-timeout}, then close. Listening sockets of listeners that stay are kept (no rebind, so no
     * connection waiting in an accept queue is reset). Settings that only take effect at a restart are named in the
     * result. Reloads are serialised; safe from any thread.
     *
     * @param newConfig the new configuration.
     * @return what was applied.
     * @throws ConfigException       when the configuration has errors; nothing changed.
     * @throws IllegalStateException when the balancer is closed or the configuration cannot be applied, for
     *                               example a new listener's port is held by another process (the message names
     *                               it); the message says why and nothing changed.
     */
    public ReloadResult reload(final PortgateConfig newConfig)
    {
        return reload(newConfig, null);
    }

    private ReloadResult reload(final PortgateConfig newConfig, final List<Diagnostic> fileDiagnostics)
    {
        Objects.requireNonNull(newConfig, "newConfig");
        synchronized (reloadLock)
        {
            try
            {
                if (closed)
                {
                    throw new IllegalStateException("portgate is closed");
                }
                final Map<String, List<InetSocketAddress>> before = conductor.running().bound();
                final ReloadResult result = reloadLocked(newConfig, fileDiagnostics);
                reloadsApplied.increment();
                publishListeners(before, conductor.running().bound());
                events.publish(new PortgateEvent.ReloadApplied(result.generation(), result.changes()));
                return result;
            }
            catch (final RuntimeException | Error ex)
            {
                reloadsRejected.increment();
                events.publish(new PortgateEvent.ReloadRejected(String.valueOf(ex.getMessage())));
                throw ex;
            }
        }
    }

    /** Listeners a reload bound and closed, as events. */
    private void publishListeners(final Map<String, List<InetSocketAddress>> before,
        final Map<String, List<InetSocketAddress>> after)
    {
        before.keySet().stream().filter(name -> !after.containsKey(name))
            .forEach(name -> events.publish(new PortgateEvent.ListenerClosed(name)));
        after.forEach((name, addresses) ->
        {
            if (!addresses.equals(before.get(name)))
            {
                if (before.containsKey(name))
                {
                    events.publish(new PortgateEvent.ListenerClosed(name));
                }
                events.publish(new PortgateEvent.ListenerBound(name, addresses));
            }
        });
    }

    /** Validates, keeps what needs a restart, and hands the rest to the conductor: one reload, start to finish. */
    private ReloadResult reloadLocked(final PortgateConfig newConfig, final List<Diagnostic> fileDiagnostics)
    {
        // As written: named targets unexpanded, so that a name's addresses are no change of the file.
        final PortgateConfig running = conductor.requested();
        final PortgateConfig requested = newConfig.metricsFile() == null && running.metricsFile() != null ?
            newConfig.withMetricsFile(running.metricsFile()) : newConfig;
        final List<Diagnostic> diagnostics = ConfigValidator.validate(requested, HostFacts.system(),
            context.extensions);
        if (diagnostics.stream().anyMatch(d -> d.severity() == Severity.ERROR))
        {
            throw new ConfigException(diagnostics);
        }
        final List<String> restartRequired = new ArrayList<>();
        final PortgateConfig next = Settings.keepRestartOnly(running, requested, restartRequired);
        final List<String> changes = ConfigDiff.between(running, requested).changes();
        final ReloadRequest reload = conductor.reload(next);
        final ReloadRequest.Applied applied = reload.awaitPlanned(RELOAD_PLAN_WAIT_MS);
        restartRequired.addAll(applied.notes());
        if (!ReloadRequest.await(reload.applied(), RELOAD_APPLY_WAIT_MS))
        {
            LOG.log(System.Logger.Level.WARNING, "reload: a worker has not applied the reload within {0} ms; " +
                "it will when it gets to it", RELOAD_APPLY_WAIT_MS);
        }
        final ReloadResult result = new ReloadResult(applied.running().generation(), changes, restartRequired,
            (fileDiagnostics != null ? fileDiagnostics : diagnostics).stream()
                .filter(d -> d.severity() == Severity.WARNING).toList());
        LOG.log(System.Logger.Level.DEBUG, result.logLine());
        return result;
    }

    /**
     * Whether this instance should receive traffic, for an engine in front of several (ECMP, anycast, VRRP): every
     * listener bound, every pool with a target up (or {@code fail-open}), not failed by an operator and not stopping.
     * Safe from any thread.
     *
     * @return the verdict with its reasons.
     */
    public InstanceHealth health()
    {
        final Running now = conductor.running();
        return InstanceHealth.of(now.config(), now.bound(), conductor.targets(), healthFailed, stopping);
    }

    /**
     * Fails the instance's health, or restores it: while failed, {@link #health()} says so and the instance keeps
     * forwarding everything, so the engine in front moves traffic away before anything is drained. Until a restart.
     *
     * @param failed true to fail it, false to restore it.
     */
    public void failHealth(final boolean failed)
    {
        if (healthFailed != failed)
        {
            LOG.log(System.Logger.Level.INFO, failed ? "health failed by operator: /api/health answers 503, " +
                "traffic is still forwarded" : "health restored by operator");
        }
        healthFailed = failed;
    }

    /**
     * Announces a stop: from now on {@link #health()} fails with {@code stopping}, while everything is still served
     * until {@link #close()}.
     */
    public void announceStop()
    {
        stopping = true;
    }

    /**
     * Duty cycles the conductor ran since start: idle, a few a second (tests count them).
     *
     * @return the count.
     */
    long conductorDutyCycles()
    {
        return conductor.dutyCycles();
    }

    /**
     * Where the admin endpoint listens.
     *
     * @return its address, or null when the configuration has no {@code admin:}.
     */
    public InetSocketAddress adminAddress()
    {
        return admin == null ? null : admin.address();
    }

    /**
     * The balancer's counters, as {@code portgate stat} and {@code /metrics} read them: per listener, pool and target,
     * summed over the workers. Safe from any thread. Internal: the admin endpoint's.
     *
     * @return a reader over the live counters.
     */
    MetricsReader metrics()
    {
        return metrics.reader();
    }

    /**
     * Opens the access log file again, as logrotate needs after renaming it ({@code portgate run} does this on
     * SIGUSR1); records go on to the old file until the writer's next duty cycle. Any thread; nothing happens
     * without an access log.
     */
    public void reopenAccessLog()
    {
        accessLog.reopen();
    }

    /**
     * The access log: its queues, its writer once a configuration named one, and the records it dropped.
     *
     * @return the access log.
     */
    AccessLog accessLog()
    {
        return accessLog;
    }

    /**
     * Where the counters live, for {@code portgate stat --file}.
     *
     * @return the metrics file, or null when they are in memory only.
     */
    public java.nio.file.Path metricsFile()
    {
        return metrics.file();
    }

    /** Drains for the configured drain timeout, then stops. */
    @Override
    public void close()
    {
        close(config().drainTimeout());
    }

    /**
     * Stops accepting at once, lets open connections finish for up to {@code drain}, closes what is still open and
     * stops the threads. Returns when every socket is closed.
     *
     * <p>UDP flows have no close: once stopping, a flow that has gone a second without a
     * datagram (or its idle timeout, if shorter) is done, so only flows still exchanging datagrams hold the drain.
     *
     * <p>A call while another is draining hurries it: the drain ends by this call's {@code drain} if that is sooner
     * ({@code Duration.ZERO} closes what is open now, as a second SIGTERM or Ctrl-C to {@code portgate run} does),
     * and this call too returns once every socket is closed. A call after the close does nothing.
     *
     * @param drain how long open connections may take to finish; zero closes them at once.
     */
    public void close(final Duration drain)
    {
        shutdown.close(drain, () ->
        {
            if (admin != null)
            {
                admin.close();
            }
            synchronized (reloadLock)
            {
                closed = true;
                final java.util.Set<String> listeners = conductor.running().bound().keySet();
                conductor.wakeForClose();
                shutdown.stop(conductorRunner, runners, () -> StatsAggregator.open(conductor.running()));
                // After the workers: their last records are written before the log closes.
                accessLog.close();
                metrics.close();
                listeners.forEach(name -> events.publish(new PortgateEvent.ListenerClosed(name)));
                events.close();
            }
        });
    }
}
