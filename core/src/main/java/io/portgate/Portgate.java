package io.portgate;

import io.portgate.balance.BalancerPolicies;
import io.portgate.balance.BalancerPolicy;
import io.portgate.config.ConfigDiff;
import io.portgate.config.ConfigException;
import io.portgate.config.ConfigLoader;
import io.portgate.config.ConfigValidator;
import io.portgate.config.Diagnostic;
import io.portgate.config.FastPath;
import io.portgate.config.HostFacts;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.config.Protocol;
import io.portgate.config.Severity;
import io.portgate.ffm.Splice;
import io.portgate.admin.AdminServer;
import io.portgate.conductor.Conductor;
import io.portgate.conductor.RouteBinding;
import io.portgate.conductor.TargetView;
import io.portgate.health.NioProbeTransport;
import io.portgate.loop.LoopErrors;
import io.portgate.loop.Route;
import io.portgate.metrics.MetricsFile;
import io.portgate.metrics.MetricsReader;
import io.portgate.ports.ListenerPorts;
import io.portgate.loop.Worker;
import io.portgate.tcp.ConnectionLimits;
import io.portgate.tcp.MemoryBudget;
import io.portgate.tcp.TcpCounters;
import io.portgate.tcp.TcpForwarder;
import io.portgate.tcp.TcpReload;
import io.portgate.tcp.TcpRoute;
import io.portgate.udp.UdpCounters;
import io.portgate.udp.UdpForwarder;
import io.portgate.udp.UdpReload;
import io.portgate.udp.UdpRoute;
import io.portgate.udp.UdpService;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A running balancer: the library's entry point.
 *
 * <pre>{@code
 * try (Portgate portgate = Portgate.start(config))
 * {
 *     portgate.boundAddresses("web");
 *     portgate.stats().listener("web").activeConnections();
 * }
 * }</pre>
 *
 * <p>{@link #start} returns once every listening socket is bound, so a port taken by another process fails the start
 * (naming the listener and address, and the process where /proc tells) and leaves nothing open. Every port is probed
 * without SO_REUSEPORT before any is bound ({@link ListenerPorts}), since with it a second balancer of the same user
 * would otherwise share the port silently. Each of the configured {@code workers} threads runs a
 * forwarder loop with its own listening sockets, TCP and UDP; {@link #close()} stops accepting, lets open connections
 * and UDP flows finish up to the drain timeout (a flow finishes once it has gone
 * {@link UdpForwarder#QUIET_AT_STOP} without a datagram), then closes them; a second {@link #close(Duration)} cuts
 * the drain short. Thread-safe.
 */
public final class Portgate implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger("io.portgate");
    private static final int COMMAND_CAPACITY = 1024;
    private static final long STOP_ACCEPTING_WAIT_MS = 5_000;
    private static final long RELOAD_APPLY_WAIT_MS = 10_000;
    private static final long DRAIN_POLL_MS = 10;
    private static final long NO_DEADLINE = Long.MIN_VALUE;
    /** A drain longer than this (about 146 years) is as good as endless; capped so a deadline cannot overflow. */
    private static final long MAX_DRAIN_NS = Long.MAX_VALUE / 2;
    /** Spare counters, for listeners and targets a reload adds: at least this many, or as many as at start. */
    private static final int METRICS_HEADROOM = 4096;

    /**
     * Everything a reload replaces, swapped in one volatile write once every worker has applied it.
     *
     * @param config      the configuration running, restart-only settings as they were at start.
     * @param generation  reloads applied so far.
     * @param tcpRoutes   the TCP listeners by index: the configuration's, then removed ones still draining.
     * @param tcpChannels by worker, listener and port offset, the listening sockets (none for draining listeners).
     * @param tcpCounters by worker.
     * @param limits      the connection limits.
     * @param recorders   by worker and TCP listener, the connect-time recorders.
     * @param firstByteRecorders by worker and TCP listener, the first-byte-time recorders.
     * @param udpRoutes   the UDP listeners by index: the configuration's, then removed ones still draining.
     * @param udpChannels by worker, listener and port offset, the sockets (null where one moved to another listener).
     * @param udpCounters by worker.
     * @param conductor   health and policies.
     * @param conductorRunner the conductor's thread.
     * @param bound       by listener name, the bound addresses.
     */
    private record State(
        PortgateConfig config,
        int generation,
        List<TcpRoute> tcpRoutes,
        ServerSocketChannel[][][] tcpChannels,
        TcpCounters[] tcpCounters,
        ConnectionLimits limits,
        SingleWriterRecorder[][] recorders,
        SingleWriterRecorder[][] firstByteRecorders,
        List<UdpRoute> udpRoutes,
        DatagramChannel[][][] udpChannels,
        UdpCounters[] udpCounters,
        Conductor conductor,
        AgentRunner conductorRunner,
        Map<String, List<InetSocketAddress>> bound)
    {
    }

    private final Worker[] workers;
    private final AgentRunner[] runners;
    private final MemoryBudget budget;
    private final LoopErrors errors;
    private final AtomicBoolean closed = new AtomicBoolean();
    /** Counted down once {@link #close(Duration)} has closed every socket, for a call that hurries it. */
    private final CountDownLatch fullyClosed = new CountDownLatch(1);
    /** When the drain ends, on {@link System#nanoTime()}; the earliest any call to close asked for. */
    private final java.util.concurrent.atomic.AtomicLong drainDeadlineNs =
        new java.util.concurrent.atomic.AtomicLong(NO_DEADLINE);
    /** Whether a second call to close cut the drain short. */
    private volatile boolean hurried;
    private final MetricsFile metrics;
    private final TcpForwarder[] tcpForwarders;
    private final UdpForwarder[] udpForwarders;
    private final Object reloadLock = new Object();
    private final Map<String, Histogram> connectTotals = new java.util.HashMap<>();
    private final Map<String, Histogram> firstByteTotals = new java.util.HashMap<>();
    private volatile State state;
    private AdminServer admin;
    private final org.agrona.concurrent.status.AtomicCounter reloadsApplied;
    private final org.agrona.concurrent.status.AtomicCounter reloadsRejected;

    private Portgate(
        final State state,
        final Worker[] workers,
        final MemoryBudget budget,
        final LoopErrors errors,
        final MetricsFile metrics,
        final TcpForwarder[] tcpForwarders,
        final UdpForwarder[] udpForwarders)
    {
        this.state = state;
        this.workers = workers;
        this.budget = budget;
        this.errors = errors;
        this.metrics = metrics;
        this.tcpForwarders = tcpForwarders;
        this.udpForwarders = udpForwarders;
        this.runners = new AgentRunner[workers.length];
        this.reloadsApplied = metrics.counter(io.portgate.metrics.Metric.RELOADS, 0,
            io.portgate.metrics.Labels.of("result", "applied"));
        this.reloadsRejected = metrics.counter(io.portgate.metrics.Metric.RELOADS, 0,
            io.portgate.metrics.Labels.of("result", "rejected"));
    }

    /**
     * Validates a configuration, binds every listener and starts the forwarder threads.
     *
     * @param config the configuration.
     * @return the running balancer.
     * @throws ConfigException       when the configuration has errors, or a target named by host name has no address
     *                               (load the file with {@link ConfigLoader}, or give it one with
     *                               {@link io.portgate.dns.TargetNames#resolve}); nothing was opened.
     * @throws UncheckedIOException  when a listener cannot bind, or its port is held by another process (another
     *                               balancer included); its message names every such listener, protocol, address and
     *                               port and the holding process, and nothing was bound.
     * @throws IllegalStateException when a fast path is {@code on} but does not work here, a UDP listener is bound to
     *                               a wildcard without the batched datagram path, or another running balancer uses
     *                               the metrics file.
     */
    public static Portgate start(final PortgateConfig config)
    {
        Objects.requireNonNull(config, "config");
        final List<Diagnostic> diagnostics = ConfigValidator.validate(config, HostFacts.system());
        if (diagnostics.stream().anyMatch(d -> d.severity() == Severity.ERROR))
        {
            throw new ConfigException(diagnostics);
        }
        // Until the balancer follows DNS, a target named by host name runs at the address it was loaded with.
        io.portgate.dns.TargetNames.requireResolved(config);
        final boolean splice = useSplice(config.splice());
        final List<TcpRoute> routes = new ArrayList<>();
        final List<ListenerConfig> tcpListeners = new ArrayList<>();
        for (final ListenerConfig listener : config.listeners())
        {
            if (listener.protocol() == Protocol.TCP)
            {
                routes.add(TcpRoute.of(routes.size(), listener, config.poolOf(listener)));
                tcpListeners.add(listener);
            }
        }

        final int workerCount = Math.max(1, config.workers());
        final UdpService udp = UdpService.plan(config);
        // Every port is probed before any is bound: a port another process holds (SO_REUSEPORT would let the
        // listening sockets join it silently) fails the start with nothing ever listening.
        ListenerPorts.requireFree(config.listeners(), ListenerPorts.OwnSockets.NONE);
        final MetricsFile metrics = openMetrics(config, routes, udp.routes(), workerCount);
        final ServerSocketChannel[][][] channels = new ServerSocketChannel[workerCount][routes.size()][];
        final Map<String, List<InetSocketAddress>> bound;
        try
        {
            bound = bindAll(tcpListeners, routes, channels);
            udp.bind(workerCount);
            udp.countInto(metrics);
        }
        catch (final RuntimeException ex)
        {
            closeAll(channels);
            udp.closeUnstarted();
            metrics.close();
            throw ex;
        }
        final Map<String, List<InetSocketAddress>> allBound = new LinkedHashMap<>(bound);
        allBound.putAll(udp.boundAddresses());

        final int[] maxPerListener = routes.stream().mapToInt(TcpRoute::maxConnections).toArray();
        final ConnectionLimits limits = new ConnectionLimits(config.maxConnections(), maxPerListener);
        final MemoryBudget budget = new MemoryBudget(config.bufferMemory());
        final long retainBytes = Math.max(1, config.bufferMemory() / (4L * workerCount));
        final LoopErrors errors = new LoopErrors();
        final Worker[] workers = new Worker[workerCount];
        final TcpCounters[] counters = new TcpCounters[workerCount];
        final UdpCounters[] udpCounters = new UdpCounters[workerCount];
        final TcpForwarder[] forwarders = new TcpForwarder[workerCount];
        final UdpForwarder[] udpForwarders = new UdpForwarder[workerCount];
        final SingleWriterRecorder[][] recorders = new SingleWriterRecorder[workerCount][routes.size()];
        final SingleWriterRecorder[][] firstByteRecorders = new SingleWriterRecorder[workerCount][routes.size()];
        final DatagramChannel[][][] udpChannels = new DatagramChannel[workerCount][][];
        final Conductor conductor;
        try
        {
            for (int w = 0; w < workerCount; w++)
            {
                counters[w] = new TcpCounters(routes, metrics, w);
                udpCounters[w] = udp.counters(w);
                udpChannels[w] = udp.channels(w);
                udpForwarders[w] = udp.forwarder(w);
                forwarders[w] = new TcpForwarder(
                    w, routes, channels[w], counters[w], limits, budget, retainBytes, splice);
                for (int r = 0; r < routes.size(); r++)
                {
                    recorders[w][r] = forwarders[w].connectLatency(r);
                    firstByteRecorders[w][r] = forwarders[w].firstByteLatency(r);
                }
                workers[w] = new Worker(w, SystemNanoClock.INSTANCE, errors, COMMAND_CAPACITY,
                    List.of(forwarders[w], udpForwarders[w]));
            }
            conductor = new Conductor(config, bindings(routes, forwarders, udp.routes(), udpForwarders), workers,
                new NioProbeTransport(), SystemNanoClock.INSTANCE, metrics);
        }
        catch (final RuntimeException ex)
        {
            metrics.close();
            closeAll(channels);
            udp.closeUnstarted();
            for (final Worker worker : workers)
            {
                if (worker != null)
                {
                    worker.closeSelector();
                }
            }
            throw ex;
        }

        final AgentRunner conductorRunner = conductorRunner(conductor, errors);
        final State state = new State(config, 0, List.copyOf(routes), channels, counters, limits, recorders,
            firstByteRecorders, udp.routes(), udpChannels, udpCounters, conductor, conductorRunner,
            java.util.Collections.unmodifiableMap(allBound));
        final Portgate portgate = new Portgate(state, workers, budget, errors, metrics, forwarders, udpForwarders);
        for (int w = 0; w < workerCount; w++)
        {
            final AgentRunner runner = new AgentRunner(
                workers[w].idleStrategy(config.idleStrategy()), errors, null, workers[w]);
            portgate.runners[w] = runner;
            AgentRunner.startOnThread(runner);
        }
        AgentRunner.startOnThread(conductorRunner);
        if (config.admin() != null)
        {
            try
            {
                portgate.admin = AdminServer.start(config.admin().socketAddress(), config.adminToken(),
                    portgate.adminOperations());
            }
            catch (final RuntimeException ex)
            {
                portgate.close(Duration.ZERO);
                throw ex;
            }
        }
        LOG.log(System.Logger.Level.INFO, "portgate started: {0} worker(s), {1} TCP listener(s), {2}, " +
            "{3} UDP listener(s){4}", workerCount, routes.size(),
            splice ? "splice(2) forwarding" : "NIO copy forwarding", udp.routes().size(),
            udp.routes().isEmpty() ? "" : udp.batching() ? (udp.gso() ?
                ", recvmmsg/sendmmsg batches with UDP_SEGMENT" : ", recvmmsg/sendmmsg batches") :
                ", one datagram per NIO call");
        return portgate;
    }

    private static AgentRunner conductorRunner(final Conductor conductor, final LoopErrors errors)
    {
        return new AgentRunner(new BackoffIdleStrategy(10, 10, 1_000, 1_000_000), errors, null, conductor);
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
        final Map<String, List<InetSocketAddress>> bound = state.bound();
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
     * that need a restart as they were at start.
     */
    public PortgateConfig config()
    {
        return state.config();
    }

    /**
     * Reads the counters of every listener and target, summed over the workers.
     *
     * @return an immutable snapshot.
     */
    public PortgateStats stats()
    {
        final State current = state;
        final List<ListenerStats> listeners = new ArrayList<>(current.tcpRoutes().size());
        for (final TcpRoute route : current.tcpRoutes())
        {
            final int l = route.index();
            final TcpCounters[] c = current.tcpCounters();
            final List<TargetStats> targets = new ArrayList<>(route.targetCount());
            for (int t = 0; t < route.targetCount(); t++)
            {
                targets.add(new TargetStats(route.targetLabel(t),
                    sumTarget(c, l, t, TcpCounters.T_ACTIVE), sumTarget(c, l, t, TcpCounters.T_TOTAL),
                    sumTarget(c, l, t, TcpCounters.T_CONNECT_FAILURES), sumTarget(c, l, t, TcpCounters.T_REFUSED),
                    sumTarget(c, l, t, TcpCounters.T_BYTES_IN), sumTarget(c, l, t, TcpCounters.T_BYTES_OUT)));
            }
            listeners.add(new ListenerStats(route.name(),
                sumListener(c, l, TcpCounters.L_ACTIVE), sumListener(c, l, TcpCounters.L_TOTAL),
                sumListener(c, l, TcpCounters.L_REFUSED), sumListener(c, l, TcpCounters.L_LIMIT_REJECTED),
                sumListener(c, l, TcpCounters.L_CONNECT_FAILURES), sumListener(c, l, TcpCounters.L_IDLE_TIMEOUTS),
                sumListener(c, l, TcpCounters.L_RESETS), sumListener(c, l, TcpCounters.L_BYTES_IN),
                sumListener(c, l, TcpCounters.L_BYTES_OUT), targets));
        }
        return new PortgateStats(listeners, budget.used(), budget.highWater(), budget.limit(), errors.count(),
            udpStats(current));
    }

    private static List<UdpListenerStats> udpStats(final State current)
    {
        final UdpCounters[] c = current.udpCounters();
        final List<UdpListenerStats> listeners = new ArrayList<>(current.udpRoutes().size());
        for (final UdpRoute route : current.udpRoutes())
        {
            final int l = route.index();
            final List<UdpTargetStats> targets = new ArrayList<>(route.targetCount());
            for (int t = 0; t < route.targetCount(); t++)
            {
                targets.add(new UdpTargetStats(route.targetLabel(t),
                    sumTarget(c, l, t, UdpCounters.T_FLOWS_ACTIVE), sumTarget(c, l, t, UdpCounters.T_FLOWS_TOTAL),
                    sumTarget(c, l, t, UdpCounters.T_DATAGRAMS_IN), sumTarget(c, l, t, UdpCounters.T_BYTES_IN),
                    sumTarget(c, l, t, UdpCounters.T_DATAGRAMS_OUT), sumTarget(c, l, t, UdpCounters.T_BYTES_OUT),
                    sumTarget(c, l, t, UdpCounters.T_UNREACHABLE)));
            }
            listeners.add(new UdpListenerStats(route.name(),
                sumListener(c, l, UdpCounters.L_FLOWS_ACTIVE), sumListener(c, l, UdpCounters.L_FLOWS_TOTAL),
                sumListener(c, l, UdpCounters.L_DATAGRAMS_IN), sumListener(c, l, UdpCounters.L_BYTES_IN),
                sumListener(c, l, UdpCounters.L_DATAGRAMS_OUT), sumListener(c, l, UdpCounters.L_BYTES_OUT),
                sumListener(c, l, UdpCounters.L_DROP_NO_TARGET), sumListener(c, l, UdpCounters.L_DROP_WOULD_BLOCK),
                sumListener(c, l, UdpCounters.L_DROP_TRUNCATED), sumListener(c, l, UdpCounters.L_DROP_UNREACHABLE),
                sumListener(c, l, UdpCounters.L_DROP_DRAINING), sumListener(c, l, UdpCounters.L_DROP_ERROR),
                sumListener(c, l, UdpCounters.L_FLOWS_EVICTED), sumListener(c, l, UdpCounters.L_FLOWS_EXPIRED),
                sumListener(c, l, UdpCounters.L_UNREACHABLE), targets));
        }
        return listeners;
    }

    /**
     * Every target of every pool that serves a listener: its state (up, down, draining), its last probe and how long
     * it has been in that state. Safe from any thread.
     *
     * @return the targets, pool by pool in configuration order.
     */
    public List<TargetView> targets()
    {
        return state.conductor().targets();
    }

    /**
     * Drains a target: no new connection goes to it, open ones finish. Takes effect within a few milliseconds.
     *
     * @param pool   the pool's name.
     * @param target the target as {@code address:port} (its first internal port), as {@link #targets()} names it.
     * @throws IllegalArgumentException when the pool or target does not exist.
     */
    public void drain(final String pool, final String target)
    {
        synchronized (reloadLock)
        {
            // Under the reload lock: a reload hands the targets' drains to the next conductor, so none is lost.
            state.conductor().drain(pool, targetIndex(pool, target), true);
        }
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
        synchronized (reloadLock)
        {
            state.conductor().weight(pool, targetIndex(pool, target), weight);
        }
    }

    /**
     * Connect times to the targets of a TCP listener since start, over every worker: the time from a non-blocking
     * connect to its completion, as the loop saw it. Safe from any thread.
     *
     * @param listenerName the listener's name.
     * @return a copy of the histogram, values in nanoseconds.
     * @throws IllegalArgumentException when there is no TCP listener of that name.
     */
    public Histogram connectLatency(final String listenerName)
    {
        final State current = state;
        return latency(connectTotals, current.recorders(), tcpRoute(current, listenerName));
    }

    /**
     * First-byte times of a TCP listener's connections since start, over every worker, when its configuration says
     * {@code first-byte-latency: true}: from the client's first bytes reaching the target (or, when the target
     * speaks first, from the connect) to the target's first bytes reaching the client. Safe from any thread.
     *
     * @param listenerName the listener's name.
     * @return a copy of the histogram, values in nanoseconds; empty when the listener does not record them.
     * @throws IllegalArgumentException when there is no TCP listener of that name.
     */
    public Histogram firstByteLatency(final String listenerName)
    {
        final State current = state;
        return latency(firstByteTotals, current.firstByteRecorders(), tcpRoute(current, listenerName));
    }

    private static TcpRoute tcpRoute(final State current, final String listenerName)
    {
        for (final TcpRoute route : current.tcpRoutes())
        {
            if (route.name().equals(listenerName) && !route.draining())
            {
                return route;
            }
        }
        throw new IllegalArgumentException("no TCP listener named '" + listenerName + "'");
    }

    private static Histogram latency(final Map<String, Histogram> totals, final SingleWriterRecorder[][] recorders,
        final TcpRoute route)
    {
        synchronized (totals)
        {
            // Taking an interval histogram swaps the worker's recording buffer without stopping it
            // (HdrHistogram's writer-reader phaser); only one reader at a time may do so, hence the lock. The totals
            // are kept by listener name, so they carry across reloads that keep the listener.
            final Histogram total = totals.computeIfAbsent(route.name(), name -> new Histogram(2));
            for (final SingleWriterRecorder[] byRoute : recorders)
            {
                total.add(byRoute[route.index()].getIntervalHistogram());
            }
            return total.copy();
        }
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
            final PortgateConfig running = state.config();
            if (PortgateConfig.CODE_SOURCE.equals(running.source()))
            {
                throw new IllegalStateException("the running configuration was built in code, so there is no file " +
                    "to read again; call reload(PortgateConfig)");
            }
            result = ConfigLoader.load(java.nio.file.Path.of(running.source()), HostFacts.system());
        }
        catch (final RuntimeException | Error ex)
        {
            // Whatever failed, the reload was asked for and did not happen: counted, and the caller reports it.
            reloadsRejected.increment();
            throw ex;
        }
        if (result.hasErrors())
        {
            reloadsRejected.increment();
            throw new ConfigException(result.diagnostics());
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
     * @throws ConfigException       when the configuration has errors, or a target named by host name has no
     *                               address; nothing changed.
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
                if (closed.get())
                {
                    throw new IllegalStateException("portgate is closed");
                }
                final ReloadResult result = reloadLocked(newConfig, fileDiagnostics);
                reloadsApplied.increment();
                return result;
            }
            catch (final RuntimeException | Error ex)
            {
                reloadsRejected.increment();
                throw ex;
            }
        }
    }

    private ReloadResult reloadLocked(final PortgateConfig newConfig, final List<Diagnostic> fileDiagnostics)
    {
        final State old = state;
        final PortgateConfig requested = newConfig.metricsFile() == null && old.config().metricsFile() != null ?
            newConfig.withMetricsFile(old.config().metricsFile()) : newConfig;
        final List<Diagnostic> diagnostics = ConfigValidator.validate(requested, HostFacts.system());
        if (diagnostics.stream().anyMatch(d -> d.severity() == Severity.ERROR))
        {
            throw new ConfigException(diagnostics);
        }
        io.portgate.dns.TargetNames.requireResolved(requested);
        final List<String> restartRequired = new ArrayList<>();
        final PortgateConfig next = keepRestartOnly(old.config(), requested, restartRequired);
        final List<String> changes = ConfigDiff.between(old.config(), requested).changes();
        final long nowNs = System.nanoTime();
        final long deadlineNs = nowNs + Math.max(1, next.drainTimeout().toNanos());
        final Reload reload = new Reload(old, next, nowNs, deadlineNs, restartRequired);
        try
        {
            reload.plan();
        }
        catch (final RuntimeException ex)
        {
            reload.rollBack();
            // DEBUG: the caller reports it (portgate run prints one line per reload); embedders log the result.
            LOG.log(System.Logger.Level.DEBUG, "reload result=rejected reason={0}; still running the " +
                "previous configuration", ex.getMessage());
            throw ex instanceof UncheckedIOException ? new IllegalStateException(ex.getMessage(), ex) : ex;
        }
        final State applied = reload.apply();
        final ReloadResult result = new ReloadResult(applied.generation(), changes, restartRequired,
            (fileDiagnostics != null ? fileDiagnostics : diagnostics).stream()
                .filter(d -> d.severity() == Severity.WARNING).toList());
        LOG.log(System.Logger.Level.DEBUG, result.logLine());
        return result;
    }

    private static PortgateConfig keepRestartOnly(final PortgateConfig running, final PortgateConfig requested,
        final List<String> notes)
    {
        note(notes, "workers", running.workers(), requested.workers());
        note(notes, "idle-strategy", running.idleStrategy(), requested.idleStrategy());
        note(notes, "fast-paths.splice", running.splice(), requested.splice());
        note(notes, "fast-paths.udp-batching", running.udpBatching(), requested.udpBatching());
        note(notes, "fast-paths.udp-gso", running.udpGso(), requested.udpGso());
        note(notes, "buffer-memory", running.bufferMemory(), requested.bufferMemory());
        note(notes, "metrics-file", running.metricsFile(), requested.metricsFile());
        note(notes, "admin", running.admin(), requested.admin());
        if (!Objects.equals(running.adminToken(), requested.adminToken()))
        {
            notes.add("admin-token changed");
        }
        return new PortgateConfig(requested.source(), running.workers(), running.admin(), running.adminToken(),
            running.idleStrategy(), requested.drainTimeout(), requested.maxConnections(), running.bufferMemory(),
            running.splice(), running.udpBatching(), running.udpGso(), requested.listeners(), requested.pools(),
            running.adminPosition(), running.metricsFile(), requested.resolvers(), requested.resolversPosition());
    }

    private static void note(final List<String> notes, final String setting, final Object running,
        final Object requested)
    {
        if (!Objects.equals(running, requested))
        {
            notes.add(setting + " " + running + " -> " + requested);
        }
    }

    private static boolean sameBind(final ListenerConfig a, final ListenerConfig b)
    {
        return a.protocol() == b.protocol() && a.bind().address().equals(b.bind().address()) &&
            a.bind().ports().equals(b.bind().ports());
    }

    /** One reload: planned (everything that may fail, undone by {@link #rollBack}), then applied. */
    private final class Reload
    {
        private final State old;
        private final PortgateConfig next;
        private final long nowNs;
        private final long deadlineNs;
        private final List<String> restartRequired;
        private final List<java.nio.channels.Channel> opened = new ArrayList<>();
        private final List<TcpRoute> tcpRoutes = new ArrayList<>();
        private final List<UdpRoute> udpRoutes = new ArrayList<>();
        private int[] tcpRouteMap;
        private int[][] tcpTargetMaps;
        private int[] tcpPrevious;
        private int[] udpRouteMap;
        private int[][] udpTargetMaps;
        private ServerSocketChannel[][][] tcpChannels;
        private DatagramChannel[][][] udpChannels;
        private TcpCounters[] tcpCounters;
        private UdpCounters[] udpCounters;
        private Conductor conductor;
        private List<RouteBinding> bindings;
        private final Map<String, List<InetSocketAddress>> bound = new LinkedHashMap<>();
        /** Sockets of the running listeners already given to a listener of the new configuration. */
        private final java.util.Set<java.nio.channels.Channel> taken =
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        /** Sockets a removed listener hands to a new one; a draining UDP listener's flows still reply through them. */
        private final java.util.Set<java.nio.channels.Channel> movedOn =
            java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

        Reload(final State old, final PortgateConfig next, final long nowNs, final long deadlineNs,
            final List<String> restartRequired)
        {
            this.old = old;
            this.next = next;
            this.nowNs = nowNs;
            this.deadlineNs = deadlineNs;
            this.restartRequired = restartRequired;
        }

        void plan()
        {
            probeNewPorts();
            planTcp();
            planUdp();
            final int workerCount = workers.length;
            tcpCounters = new TcpCounters[workerCount];
            udpCounters = new UdpCounters[workerCount];
            for (int w = 0; w < workerCount; w++)
            {
                tcpCounters[w] = new TcpCounters(tcpRoutes, metrics, w);
                udpCounters[w] = new UdpCounters(udpRoutes, metrics, w);
            }
            bindings = new ArrayList<>();
            for (final TcpRoute route : tcpRoutes)
            {
                if (!route.draining())
                {
                    bindings.add(new RouteBinding(route.poolName(), route.algorithm(), route.targets().firstPorts(),
                        route.index(), List.of(tcpForwarders)));
                }
            }
            for (final UdpRoute route : udpRoutes)
            {
                if (!route.draining())
                {
                    bindings.add(new RouteBinding(route.poolName(), route.pickAlgorithm(),
                        route.targets().firstPorts(), route.index(), List.of(udpForwarders)));
                }
            }
            // Seeded once the old conductor has stopped (in apply): what it takes in until then is not missed.
            conductor = new Conductor(next, bindings, workers, new NioProbeTransport(), SystemNanoClock.INSTANCE,
                metrics, true);
        }

        /**
         * Probes the ports of every listener this reload binds anew before any is bound (see {@link ListenerPorts}):
         * one another process holds rejects the reload with nothing bound. Ports this balancer holds itself (a
         * listener that moves between addresses of one port, say) are no conflict.
         */
        private void probeNewPorts()
        {
            final List<ListenerConfig> fresh = new ArrayList<>();
            final List<ListenerConfig> tcp = next.listeners().stream().filter(l -> l.protocol() == Protocol.TCP)
                .toList();
            final int[] tcpMatch = match(tcp, old.tcpRoutes().stream().map(TcpRoute::listener).toList());
            for (int i = 0; i < tcp.size(); i++)
            {
                if (tcpMatch[i] < 0 || old.tcpRoutes().get(tcpMatch[i]).draining())
                {
                    fresh.add(tcp.get(i));
                }
            }
            final List<ListenerConfig> udp = next.listeners().stream().filter(l -> l.protocol() == Protocol.UDP)
                .toList();
            final int[] udpMatch = match(udp, old.udpRoutes().stream().map(UdpRoute::listener).toList());
            final boolean batching = udpForwarders.length > 0 && udpForwarders[0].usesBatching();
            for (int i = 0; i < udp.size(); i++)
            {
                UdpService.requireReplyAddress(udp.get(i), batching, old.config().udpBatching());
                if (udpMatch[i] < 0 || java.util.Arrays.stream(old.udpChannels()[0][udpMatch[i]])
                    .anyMatch(c -> c == null || !c.isOpen()))
                {
                    fresh.add(udp.get(i));
                }
            }
            ListenerPorts.requireFree(fresh, this::holdsPort);
        }

        private boolean holdsPort(final Protocol protocol, final int port)
        {
            if (protocol == Protocol.TCP)
            {
                for (final TcpRoute route : old.tcpRoutes())
                {
                    if (!route.draining() && route.listener().bind().ports().contains(port))
                    {
                        return true;
                    }
                }
                return false;
            }
            for (int r = 0; r < old.udpRoutes().size(); r++)
            {
                final io.portgate.config.PortRange ports = old.udpRoutes().get(r).listener().bind().ports();
                final DatagramChannel[] channels = old.udpChannels()[0][r];
                final int offset = port - ports.first();
                if (ports.contains(port) && offset < channels.length && channels[offset] != null &&
                    channels[offset].isOpen())
                {
                    return true;
                }
            }
            return false;
        }

        private void planTcp()
        {
            final List<ListenerConfig> listeners = next.listeners().stream()
                .filter(l -> l.protocol() == Protocol.TCP).toList();
            final List<TcpRoute> before = old.tcpRoutes();
            final int[] match = match(listeners, before.stream().map(TcpRoute::listener).toList());
            final int workerCount = workers.length;
            tcpRouteMap = new int[before.size()];
            tcpTargetMaps = new int[before.size()][];
            java.util.Arrays.fill(tcpRouteMap, -1);
            final List<ServerSocketChannel[][]> channels = new ArrayList<>();
            final List<Integer> previous = new ArrayList<>();
            for (int i = 0; i < listeners.size(); i++)
            {
                final ListenerConfig listener = listeners.get(i);
                final int r = match[i];
                final TcpRoute route;
                final ServerSocketChannel[][] perWorker = new ServerSocketChannel[workerCount][];
                if (r >= 0)
                {
                    final TcpRoute was = before.get(r);
                    route = TcpRoute.reloaded(i, listener, next.poolOf(listener), was, nowNs, deadlineNs);
                    tcpRouteMap[r] = i;
                    tcpTargetMaps[r] = route.targets().mapFrom(was.targets());
                    if (!was.draining())
                    {
                        for (int w = 0; w < workerCount; w++)
                        {
                            perWorker[w] = old.tcpChannels()[w][r];
                        }
                        if (was.listener().backlog() != listener.backlog())
                        {
                            relisten(listener, was, perWorker);
                        }
                    }
                }
                else
                {
                    route = TcpRoute.of(i, listener, next.poolOf(listener));
                }
                tcpRoutes.add(route);
                previous.add(r);
                if (perWorker[0] == null)
                {
                    bind(listener, perWorker, before, tcpRouteMap, old.tcpChannels(), ServerSocketChannel[]::new,
                        address -> TcpForwarder.openListeningSocket(address, route));
                }
                channels.add(perWorker);
                addBound(listener, perWorker[0]);
            }
            for (int r = 0; r < before.size(); r++)
            {
                final TcpRoute was = before.get(r);
                if (tcpRouteMap[r] >= 0)
                {
                    continue;
                }
                if (was.draining() && nowNs - was.drainUntilNs() >= 0)
                {
                    tcpTargetMaps[r] = dropped(was.targetCount());
                    continue;
                }
                final int i = tcpRoutes.size();
                tcpRoutes.add(was.draining(i, deadlineNs));
                tcpRouteMap[r] = i;
                tcpTargetMaps[r] = identity(was.targetCount());
                previous.add(r);
                final ServerSocketChannel[][] none = new ServerSocketChannel[workerCount][];
                java.util.Arrays.fill(none, new ServerSocketChannel[0]);
                channels.add(none);
            }
            tcpPrevious = previous.stream().mapToInt(Integer::intValue).toArray();
            tcpChannels = new ServerSocketChannel[workerCount][tcpRoutes.size()][];
            for (int i = 0; i < tcpRoutes.size(); i++)
            {
                for (int w = 0; w < workerCount; w++)
                {
                    tcpChannels[w][i] = channels.get(i)[w];
                }
            }
        }

        /** A backlog change on the sockets a listener keeps: listen(2) again, or a restart when that fails. */
        private void relisten(final ListenerConfig listener, final TcpRoute was,
            final ServerSocketChannel[][] perWorker)
        {
            String failure = null;
            for (final ServerSocketChannel[] channels : perWorker)
            {
                for (final ServerSocketChannel channel : channels)
                {
                    final String why = TcpForwarder.relisten(channel, listener.backlog());
                    failure = failure == null ? why : failure;
                }
            }
            if (failure != null)
            {
                restartRequired.add("listener " + listener.name() + ": backlog " + was.listener().backlog() +
                    " -> " + listener.backlog() + " (" + failure + ")");
            }
        }

        private void planUdp()
        {
            final List<ListenerConfig> listeners = next.listeners().stream()
                .filter(l -> l.protocol() == Protocol.UDP).toList();
            final List<UdpRoute> before = old.udpRoutes();
            final int[] match = match(listeners, before.stream().map(UdpRoute::listener).toList());
            final int workerCount = workers.length;
            udpRouteMap = new int[before.size()];
            udpTargetMaps = new int[before.size()][];
            java.util.Arrays.fill(udpRouteMap, -1);
            final List<DatagramChannel[][]> channels = new ArrayList<>();
            for (int i = 0; i < listeners.size(); i++)
            {
                final ListenerConfig listener = listeners.get(i);
                final int r = match[i];
                final UdpRoute route;
                final DatagramChannel[][] perWorker = new DatagramChannel[workerCount][];
                if (r >= 0)
                {
                    final UdpRoute was = before.get(r);
                    route = UdpRoute.reloaded(i, listener, next.poolOf(listener), was, nowNs, deadlineNs);
                    udpRouteMap[r] = i;
                    udpTargetMaps[r] = route.targets().mapFrom(was.targets());
                    for (int w = 0; w < workerCount; w++)
                    {
                        perWorker[w] = old.udpChannels()[w][r].clone();
                        taken.addAll(java.util.Arrays.asList(perWorker[w]));
                    }
                    if (java.util.Arrays.stream(perWorker[0]).anyMatch(c -> c == null || !c.isOpen()))
                    {
                        // A draining listener whose sockets closed or moved on, added back: it binds again.
                        perWorker[0] = null;
                    }
                    else
                    {
                        configureKept(listener, route, perWorker);
                    }
                }
                else
                {
                    route = UdpRoute.of(i, listener, next.poolOf(listener));
                }
                udpRoutes.add(route);
                if (perWorker[0] == null)
                {
                    bind(listener, perWorker, before, udpRouteMap, old.udpChannels(), DatagramChannel[]::new,
                        address -> UdpForwarder.openListeningSocket(address, route));
                }
                channels.add(perWorker);
                addBound(listener, perWorker[0]);
            }
            for (int r = 0; r < before.size(); r++)
            {
                final UdpRoute was = before.get(r);
                if (udpRouteMap[r] >= 0)
                {
                    continue;
                }
                if (was.draining() && nowNs - was.drainUntilNs() >= 0)
                {
                    udpTargetMaps[r] = dropped(was.targetCount());
                    continue;
                }
                final int i = udpRoutes.size();
                udpRoutes.add(was.draining(i, deadlineNs));
                udpRouteMap[r] = i;
                udpTargetMaps[r] = identity(was.targetCount());
                final DatagramChannel[][] perWorker = new DatagramChannel[workerCount][];
                for (int w = 0; w < workerCount; w++)
                {
                    // Its flows keep replying through its sockets; one another listener took over is left to it.
                    perWorker[w] = old.udpChannels()[w][r].clone();
                    for (int p = 0; p < perWorker[w].length; p++)
                    {
                        if (perWorker[w][p] != null && movedOn.contains(perWorker[w][p]))
                        {
                            perWorker[w][p] = null;
                        }
                    }
                }
                channels.add(perWorker);
            }
            udpChannels = new DatagramChannel[workerCount][udpRoutes.size()][];
            for (int i = 0; i < udpRoutes.size(); i++)
            {
                for (int w = 0; w < workerCount; w++)
                {
                    udpChannels[w][i] = channels.get(i)[w];
                }
            }
        }

        /** Socket buffer sizes a reload changed take effect on the sockets a listener keeps. */
        private void configureKept(final ListenerConfig listener, final UdpRoute route,
            final DatagramChannel[][] perWorker)
        {
            for (final DatagramChannel[] channels : perWorker)
            {
                for (final DatagramChannel channel : channels)
                {
                    try
                    {
                        UdpForwarder.configure(channel, route);
                    }
                    catch (final IOException ex)
                    {
                        throw new UncheckedIOException("listener '" + listener.name() + "' cannot set its socket " +
                            "buffers: " + ex.getMessage(), ex);
                    }
                }
            }
        }

        /**
         * A listener's sockets, one per worker and port: taken over from a listener the reload removes that was
         * bound to the same address and port, or bound now.
         */
        private <C extends java.nio.channels.NetworkChannel> void bind(final ListenerConfig listener,
            final C[][] perWorker, final List<? extends Route> before, final int[] routeMap, final C[][][] running,
            final java.util.function.IntFunction<C[]> newArray, final SocketOpener<C> open)
        {
            final int ports = listener.bind().ports().size();
            for (int w = 0; w < perWorker.length; w++)
            {
                perWorker[w] = newArray.apply(ports);
                for (int p = 0; p < ports; p++)
                {
                    final InetSocketAddress address = listener.bind().socketAddress(p);
                    C channel = spare(w, address, before, routeMap, running);
                    if (channel == null)
                    {
                        try
                        {
                            channel = open.open(address);
                        }
                        catch (final IOException ex)
                        {
                            throw new UncheckedIOException("listener '" + listener.name() + "' cannot bind " +
                                listener.protocol().name() + " " + io.portgate.config.Endpoint.format(address) + ": " +
                                ex.getMessage(), ex);
                        }
                        opened.add(channel);
                    }
                    perWorker[w][p] = channel;
                }
            }
        }

        /** An open socket of a listener the reload removes, bound to the address and port, not yet taken. */
        private <C extends java.nio.channels.NetworkChannel> C spare(final int worker, final InetSocketAddress address,
            final List<? extends Route> before, final int[] routeMap, final C[][][] running)
        {
            for (int r = 0; r < before.size(); r++)
            {
                final Route was = before.get(r);
                if (routeMap[r] >= 0 || !was.listener().bind().address().equals(address.getAddress()))
                {
                    continue;
                }
                // A draining TCP listener has no sockets left; a draining UDP one may.
                final int p = address.getPort() - was.listener().bind().ports().first();
                final C[] channels = running[worker][r];
                if (p >= 0 && p < channels.length && channels[p] != null && channels[p].isOpen() &&
                    taken.add(channels[p]))
                {
                    movedOn.add(channels[p]);
                    return channels[p];
                }
            }
            return null;
        }

        private void addBound(final ListenerConfig listener, final java.nio.channels.NetworkChannel[] channels)
        {
            final List<InetSocketAddress> addresses = new ArrayList<>();
            for (final java.nio.channels.NetworkChannel channel : channels)
            {
                try
                {
                    addresses.add((InetSocketAddress)channel.getLocalAddress());
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException("listener '" + listener.name() + "': " + ex.getMessage(), ex);
                }
            }
            bound.put(listener.name(), List.copyOf(addresses));
        }

        /** Closes what the plan opened and gives back the counters it took. */
        void rollBack()
        {
            for (final java.nio.channels.Channel channel : opened)
            {
                try
                {
                    channel.close();
                }
                catch (final IOException ignore)
                {
                    // Undoing a reload that failed: its own error is what is reported.
                }
            }
            releaseAll(tcpCounters, udpCounters);
            if (conductor != null)
            {
                conductor.releaseCounters();
            }
        }

        State apply()
        {
            final int workerCount = workers.length;
            final int[] tcpMax = new int[tcpRoutes.size()];
            for (int i = 0; i < tcpMax.length; i++)
            {
                tcpMax[i] = tcpRoutes.get(i).draining() ? 0 : tcpRoutes.get(i).maxConnections();
            }
            final ConnectionLimits limits = old.limits().reloaded(next.maxConnections(), tcpMax, tcpPrevious);
            final SingleWriterRecorder[][] recorders = carry(old.recorders());
            final SingleWriterRecorder[][] firstByteRecorders = carry(old.firstByteRecorders());
            // The old conductor stops first: a policy it sent after the switch would land on a new index.
            old.conductorRunner().close();
            conductor.seed(old.conductor().snapshot());
            final BalancerPolicy[][] policies = conductor.initialPolicies();
            final CountDownLatch appliedLatch = new CountDownLatch(workerCount);
            final TcpRoute[] tcpArray = tcpRoutes.toArray(new TcpRoute[0]);
            final UdpRoute[] udpArray = udpRoutes.toArray(new UdpRoute[0]);
            for (int w = 0; w < workerCount; w++)
            {
                final BalancerPolicy[] tcpPickers = new BalancerPolicy[tcpArray.length];
                final BalancerPolicy[] udpPickers = new BalancerPolicy[udpArray.length];
                for (int i = 0; i < tcpArray.length; i++)
                {
                    tcpPickers[i] = noTargets(tcpArray[i].algorithm(), tcpForwarders[w], i);
                }
                for (int i = 0; i < udpArray.length; i++)
                {
                    udpPickers[i] = noTargets(udpArray[i].pickAlgorithm(), udpForwarders[w], i);
                }
                for (int b = 0; b < bindings.size(); b++)
                {
                    final RouteBinding binding = bindings.get(b);
                    if (binding.hosts().get(w) == tcpForwarders[w])
                    {
                        tcpPickers[binding.routeIndex()] = policies[b][w];
                    }
                    else
                    {
                        udpPickers[binding.routeIndex()] = policies[b][w];
                    }
                }
                final TcpForwarder tcp = tcpForwarders[w];
                final UdpForwarder udp = udpForwarders[w];
                final TcpReload tcpReload = new TcpReload(tcpArray, tcpChannels[w], tcpRouteMap, tcpTargetMaps,
                    tcpCounters[w], limits, tcpPickers, recorders[w], firstByteRecorders[w],
                    conductor.failureListenerFor(tcp));
                final UdpReload udpReload = new UdpReload(udpArray, udpChannels[w], udpRouteMap, udpTargetMaps,
                    udpCounters[w], udpPickers, conductor.failureListenerFor(udp));
                final Runnable command = () ->
                {
                    try
                    {
                        tcp.apply(tcpReload);
                        udp.apply(udpReload);
                    }
                    finally
                    {
                        appliedLatch.countDown();
                    }
                };
                // The old conductor has stopped, so the queue only drains from here on: waiting is safe.
                while (!workers[w].offer(command))
                {
                    Thread.yield();
                }
            }
            boolean allApplied;
            try
            {
                allApplied = appliedLatch.await(RELOAD_APPLY_WAIT_MS, TimeUnit.MILLISECONDS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                allApplied = false;
            }
            final AgentRunner runner = conductorRunner(conductor, errors);
            final State applied = new State(next, old.generation() + 1, List.copyOf(tcpRoutes), tcpChannels,
                tcpCounters, limits, recorders, firstByteRecorders, List.copyOf(udpRoutes), udpChannels, udpCounters, conductor, runner,
                java.util.Collections.unmodifiableMap(bound));
            state = applied;
            AgentRunner.startOnThread(runner);
            if (allApplied)
            {
                // Nothing writes the old counters any more; those the new ones do not share are freed.
                releaseAll(old.tcpCounters(), old.udpCounters());
                old.conductor().releaseCounters();
            }
            else
            {
                LOG.log(System.Logger.Level.WARNING, "reload: a worker has not applied the reload within {0} ms; " +
                    "it will when it gets to it", RELOAD_APPLY_WAIT_MS);
            }
            return applied;
        }

        /** Recorders of listeners that stay carry on; new listeners get new ones. */
        private SingleWriterRecorder[][] carry(final SingleWriterRecorder[][] before)
        {
            final SingleWriterRecorder[][] recorders = new SingleWriterRecorder[workers.length][tcpRoutes.size()];
            for (int w = 0; w < workers.length; w++)
            {
                for (int i = 0; i < tcpRoutes.size(); i++)
                {
                    recorders[w][i] = tcpPrevious[i] >= 0 ? before[w][tcpPrevious[i]] :
                        TcpForwarder.newLatencyRecorder();
                }
            }
            return recorders;
        }

        private BalancerPolicy noTargets(final io.portgate.balance.BalanceAlgorithm algorithm,
            final io.portgate.loop.PolicyHost host, final int routeIndex)
        {
            return BalancerPolicies.create(algorithm, new int[0], new int[0], null, host.loadView(routeIndex), 0);
        }

        private void releaseAll(final TcpCounters[] tcp, final UdpCounters[] udp)
        {
            for (final TcpCounters c : tcp == null ? new TcpCounters[0] : tcp)
            {
                if (c != null)
                {
                    c.release(metrics);
                }
            }
            for (final UdpCounters c : udp == null ? new UdpCounters[0] : udp)
            {
                if (c != null)
                {
                    c.release(metrics);
                }
            }
        }
    }

    /** Opens and binds one listening socket. */
    @FunctionalInterface
    private interface SocketOpener<C>
    {
        C open(InetSocketAddress address) throws IOException;
    }

    /**
     * Matches a reload's listeners to the running ones: by name with the same protocol and bind first, then by
     * protocol and bind alone (a renamed listener keeps its sockets).
     */
    private static int[] match(final List<ListenerConfig> listeners, final List<ListenerConfig> before)
    {
        final int[] match = new int[listeners.size()];
        java.util.Arrays.fill(match, -1);
        final boolean[] taken = new boolean[before.size()];
        for (int i = 0; i < listeners.size(); i++)
        {
            for (int r = 0; r < before.size(); r++)
            {
                if (!taken[r] && before.get(r).name().equals(listeners.get(i).name()) &&
                    sameBind(before.get(r), listeners.get(i)))
                {
                    match[i] = r;
                    taken[r] = true;
                    break;
                }
            }
        }
        for (int i = 0; i < listeners.size(); i++)
        {
            for (int r = 0; r < before.size() && match[i] < 0; r++)
            {
                if (!taken[r] && sameBind(before.get(r), listeners.get(i)))
                {
                    match[i] = r;
                    taken[r] = true;
                }
            }
        }
        return match;
    }

    private static int[] identity(final int n)
    {
        final int[] map = new int[n];
        for (int i = 0; i < n; i++)
        {
            map[i] = i;
        }
        return map;
    }

    private static int[] dropped(final int n)
    {
        final int[] map = new int[n];
        java.util.Arrays.fill(map, -1);
        return map;
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
     * Undoes {@link #drain}: the target takes new connections again if it is healthy.
     *
     * @param pool   the pool's name.
     * @param target the target as {@link #targets()} names it.
     * @throws IllegalArgumentException when the pool or target does not exist.
     */
    public void undrain(final String pool, final String target)
    {
        synchronized (reloadLock)
        {
            state.conductor().drain(pool, targetIndex(pool, target), false);
        }
    }

    private AdminServer.Operations adminOperations()
    {
        return new AdminServer.Operations()
        {
            @Override
            public PortgateStats stats()
            {
                return Portgate.this.stats();
            }

            @Override
            public List<TargetView> targets()
            {
                return Portgate.this.targets();
            }

            @Override
            public MetricsReader metrics()
            {
                return Portgate.this.metrics();
            }

            @Override
            public void drain(final String pool, final String target, final boolean drain)
            {
                if (drain)
                {
                    Portgate.this.drain(pool, target);
                }
                else
                {
                    Portgate.this.undrain(pool, target);
                }
            }

            @Override
            public void weight(final String pool, final String target, final int weight)
            {
                Portgate.this.weight(pool, target, weight);
            }

            @Override
            public Map<String, Histogram> connectLatencies()
            {
                final State current = state;
                final Map<String, Histogram> latencies = new LinkedHashMap<>();
                for (final TcpRoute route : current.tcpRoutes())
                {
                    if (!route.draining())
                    {
                        latencies.put(route.name(), latency(connectTotals, current.recorders(), route));
                    }
                }
                return latencies;
            }

            @Override
            public Map<String, Histogram> firstByteLatencies()
            {
                final State current = state;
                final Map<String, Histogram> latencies = new LinkedHashMap<>();
                for (final TcpRoute route : current.tcpRoutes())
                {
                    if (!route.draining() && route.firstByteLatency())
                    {
                        latencies.put(route.name(), latency(firstByteTotals, current.firstByteRecorders(), route));
                    }
                }
                return latencies;
            }

            @Override
            public ReloadResult reload()
            {
                return Portgate.this.reload();
            }
        };
    }

    private int targetIndex(final String pool, final String target)
    {
        final Conductor conductor = state.conductor();
        for (final TargetView view : conductor.targets())
        {
            if (view.pool().equals(pool) && io.portgate.config.Addresses.sameTarget(target, view.target()))
            {
                return view.index();
            }
        }
        throw new IllegalArgumentException("pool " + io.portgate.config.Quote.of(pool) + " has no target " +
            io.portgate.config.Quote.of(target) + "; targets: " +
            conductor.targets().stream().filter(v -> v.pool().equals(pool)).map(TargetView::target).toList());
    }

    /** Drains for the configured drain timeout, then stops. */
    @Override
    public void close()
    {
        close(state.config().drainTimeout());
    }

    /**
     * Stops accepting at once, lets open connections finish for up to {@code drain}, closes what is still open and
     * stops the threads. Returns when every socket is closed.
     *
     * <p>UDP flows have no close: once stopping, a flow that has gone {@link UdpForwarder#QUIET_AT_STOP} without a
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
        if (!closed.compareAndSet(false, true))
        {
            drainBy(drain, true);
            awaitClosed();
            return;
        }
        drainBy(drain, false);
        try
        {
            if (admin != null)
            {
                admin.close();
            }
            synchronized (reloadLock)
            {
                closeLocked();
            }
        }
        finally
        {
            fullyClosed.countDown();
        }
    }

    /**
     * Asks for the drain to end by {@code drain} from now; the earliest deadline asked for wins.
     *
     * @param drain   how long from now.
     * @param hurries whether a close already under way asks: it is hurried when this brings its deadline forward.
     */
    private void drainBy(final Duration drain, final boolean hurries)
    {
        final long drainNs = drain.isNegative() ? 0 :
            drain.compareTo(Duration.ofNanos(MAX_DRAIN_NS)) > 0 ? MAX_DRAIN_NS : drain.toNanos();
        final long asked = System.nanoTime() + drainNs;
        final long before = drainDeadlineNs.get();
        if (hurries && (before == NO_DEADLINE || asked - before < 0))
        {
            // Before the deadline moves, so the drain loop that sees it also sees why.
            hurried = true;
        }
        drainDeadlineNs.accumulateAndGet(asked, (current, now) ->
            current == NO_DEADLINE || now - current < 0 ? now : current);
    }

    private void awaitClosed()
    {
        boolean interrupted = false;
        while (true)
        {
            try
            {
                fullyClosed.await();
                break;
            }
            catch (final InterruptedException ex)
            {
                // Returning before the sockets are closed would break this method's promise; keep the interrupt.
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void closeLocked()
    {
        state.conductorRunner().close();
        final CountDownLatch stopped = new CountDownLatch(workers.length);
        for (final Worker worker : workers)
        {
            final Runnable stop = () ->
            {
                worker.stopAccepting();
                stopped.countDown();
            };
            final long giveUpNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOP_ACCEPTING_WAIT_MS);
            while (!worker.offer(stop) && System.nanoTime() - giveUpNs < 0)
            {
                Thread.onSpinWait();
            }
        }
        try
        {
            stopped.await(STOP_ACCEPTING_WAIT_MS, TimeUnit.MILLISECONDS);
            // The deadline is read on every poll: a later call to close may bring it forward.
            while (activeConnections() > 0 && System.nanoTime() - drainDeadlineNs.get() < 0)
            {
                Thread.sleep(DRAIN_POLL_MS);
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        final long left = activeConnections();
        if (left > 0)
        {
            LOG.log(System.Logger.Level.INFO, hurried ?
                "stop hurried: closing {0} open connection(s) and flow(s) now" :
                "drain timeout reached: closing {0} open connection(s) and flow(s)", String.valueOf(left));
        }
        for (final Worker worker : workers)
        {
            worker.wakeForClose();
        }
        for (final AgentRunner runner : runners)
        {
            // Closing the runner runs the worker's onClose on its own thread: connections, listening sockets and
            // the selector are closed there, where they belong.
            runner.close();
        }
        metrics.close();
    }

    /**
     * The balancer's counters, as {@code portgate stat} and {@code /metrics} read them: per listener, pool and target,
     * summed over the workers. Safe from any thread.
     *
     * @return a reader over the live counters.
     */
    public MetricsReader metrics()
    {
        return metrics.reader();
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

    private static List<RouteBinding> bindings(final List<TcpRoute> routes, final TcpForwarder[] forwarders,
        final List<UdpRoute> udpRoutes, final UdpForwarder[] udpForwarders)
    {
        final List<RouteBinding> bindings = new ArrayList<>();
        for (final TcpRoute route : routes)
        {
            final List<InetSocketAddress> targets = route.targets().firstPorts();
            bindings.add(new RouteBinding(route.poolName(), route.algorithm(), targets, route.index(),
                List.of(forwarders)));
        }
        for (final UdpRoute route : udpRoutes)
        {
            final List<InetSocketAddress> targets = route.targets().firstPorts();
            bindings.add(new RouteBinding(route.poolName(), route.pickAlgorithm(), targets, route.index(),
                List.of(udpForwarders)));
        }
        return bindings;
    }

    private static MetricsFile openMetrics(final PortgateConfig config, final List<TcpRoute> routes,
        final List<UdpRoute> udpRoutes, final int workerCount)
    {
        int targets = 0;
        for (final PoolConfig pool : config.pools().values())
        {
            targets += pool.targets().size();
        }
        final int needed = workerCount * (TcpCounters.countersNeeded(routes) +
            UdpCounters.countersNeeded(udpRoutes)) + Conductor.countersNeeded(targets);
        // Room for reloads: they add listeners and targets, and for a moment both the old and the new counters of
        // what they change are held.
        final int capacity = 2 * needed + Math.max(METRICS_HEADROOM, needed);
        return config.metricsFile() == null ? MetricsFile.inMemory(capacity) :
            MetricsFile.create(config.metricsFile(), capacity);
    }

    private long activeConnections()
    {
        final State current = state;
        long active = 0;
        for (final TcpRoute route : current.tcpRoutes())
        {
            active += sumListener(current.tcpCounters(), route.index(), TcpCounters.L_ACTIVE);
        }
        // UDP flows have no close handshake; draining lets them run until they go idle or the drain ends.
        for (final UdpRoute route : current.udpRoutes())
        {
            active += sumListener(current.udpCounters(), route.index(), UdpCounters.L_FLOWS_ACTIVE);
        }
        return active;
    }

    private static long sumListener(final TcpCounters[] counters, final int listener, final int slot)
    {
        long sum = 0;
        for (final TcpCounters c : counters)
        {
            sum += c.listener(listener, slot);
        }
        return sum;
    }

    private static long sumTarget(final TcpCounters[] counters, final int listener, final int target, final int slot)
    {
        long sum = 0;
        for (final TcpCounters c : counters)
        {
            sum += c.target(listener, target, slot);
        }
        return sum;
    }

    private static long sumListener(final UdpCounters[] counters, final int listener, final int slot)
    {
        long sum = 0;
        for (final UdpCounters c : counters)
        {
            sum += c.listener(listener, slot);
        }
        return sum;
    }

    private static long sumTarget(final UdpCounters[] counters, final int listener, final int target, final int slot)
    {
        long sum = 0;
        for (final UdpCounters c : counters)
        {
            sum += c.target(listener, target, slot);
        }
        return sum;
    }

    private static boolean useSplice(final FastPath setting)
    {
        return switch (setting)
        {
            case OFF -> false;
            case ON ->
            {
                if (!Splice.isAvailable())
                {
                    throw new IllegalStateException("splice: on, but splice(2) does not work here: " +
                        Splice.unavailabilityCause() + "; set splice: auto or off");
                }
                yield true;
            }
            case AUTO ->
            {
                if (!Splice.isAvailable())
                {
                    LOG.log(System.Logger.Level.INFO, "splice: auto: copying through NIO buffers because {0}",
                        Splice.unavailabilityCause());
                }
                yield Splice.isAvailable();
            }
        };
    }

    private static Map<String, List<InetSocketAddress>> bindAll(
        final List<ListenerConfig> listeners, final List<TcpRoute> routes, final ServerSocketChannel[][][] channels)
    {
        final Map<String, List<InetSocketAddress>> bound = new LinkedHashMap<>();
        for (int w = 0; w < channels.length; w++)
        {
            for (int r = 0; r < routes.size(); r++)
            {
                final ListenerConfig listener = listeners.get(r);
                final int ports = listener.bind().ports().size();
                channels[w][r] = new ServerSocketChannel[ports];
                for (int p = 0; p < ports; p++)
                {
                    final InetSocketAddress address = listener.bind().socketAddress(p);
                    try
                    {
                        channels[w][r][p] = TcpForwarder.openListeningSocket(address, routes.get(r));
                        if (w == 0)
                        {
                            bound.computeIfAbsent(listener.name(), k -> new ArrayList<>())
                                .add((InetSocketAddress)channels[w][r][p].getLocalAddress());
                        }
                    }
                    catch (final IOException ex)
                    {
                        closeAll(channels);
                        throw new UncheckedIOException("listener '" + listener.name() + "' cannot bind TCP " +
                            io.portgate.config.Endpoint.format(address) + ": " + ex.getMessage(), ex);
                    }
                }
            }
        }
        final Map<String, List<InetSocketAddress>> immutable = new LinkedHashMap<>();
        bound.forEach((name, addresses) -> immutable.put(name, List.copyOf(addresses)));
        return java.util.Collections.unmodifiableMap(immutable);
    }

    private static void closeAll(final ServerSocketChannel[][][] channels)
    {
        for (final ServerSocketChannel[][] perWorker : channels)
        {
            for (final ServerSocketChannel[] perRoute : perWorker)
            {
                if (perRoute == null)
                {
                    continue;
                }
                for (final ServerSocketChannel channel : perRoute)
                {
                    if (channel != null)
                    {
                        try
                        {
                            channel.close();
                        }
                        catch (final IOException ignore)
                        {
                            // Closing to clean up after a failed start: the start's own error is what matters.
                        }
                    }
                }
            }
        }
    }
}
