package io.portgate;

import io.portgate.config.ConfigException;
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
import io.portgate.metrics.MetricsFile;
import io.portgate.metrics.MetricsReader;
import io.portgate.loop.Worker;
import io.portgate.tcp.ConnectionLimits;
import io.portgate.tcp.MemoryBudget;
import io.portgate.tcp.TcpCounters;
import io.portgate.tcp.TcpForwarder;
import io.portgate.tcp.TcpRoute;
import io.portgate.udp.UdpCounters;
import io.portgate.udp.UdpForwarder;
import io.portgate.udp.UdpRoute;
import io.portgate.udp.UdpService;
import org.HdrHistogram.Histogram;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.SystemNanoClock;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
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
 * (naming the listener and address) and leaves nothing open. Each of the configured {@code workers} threads runs a
 * forwarder loop with its own listening sockets, TCP and UDP; {@link #close()} stops accepting, lets open connections
 * and UDP flows finish up to the drain timeout (a flow finishes when it goes idle), then closes them. Thread-safe.
 */
public final class Portgate implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger("io.portgate");
    private static final int COMMAND_CAPACITY = 1024;
    private static final long STOP_ACCEPTING_WAIT_MS = 5_000;
    private static final long DRAIN_POLL_MS = 10;
    /** Spare counters, for listeners and targets a reload adds. */
    private static final int METRICS_HEADROOM = 256;

    private final PortgateConfig config;
    private final List<TcpRoute> routes;
    private final Map<String, List<InetSocketAddress>> boundAddresses;
    private final Worker[] workers;
    private final AgentRunner[] runners;
    private final TcpCounters[] counters;
    private final MemoryBudget budget;
    private final LoopErrors errors;
    private final UdpService udp;
    private final AtomicBoolean closed = new AtomicBoolean();
    private final Conductor conductor;
    private final MetricsFile metrics;
    private AgentRunner conductorRunner;
    private AdminServer admin;
    private final Histogram[] connectHistograms;
    private final Histogram[][] connectIntervals;
    private final TcpForwarder[] tcpForwarders;

    private Portgate(
        final PortgateConfig config,
        final List<TcpRoute> routes,
        final Map<String, List<InetSocketAddress>> boundAddresses,
        final Worker[] workers,
        final TcpCounters[] counters,
        final MemoryBudget budget,
        final LoopErrors errors,
        final Conductor conductor,
        final MetricsFile metrics,
        final UdpService udp,
        final TcpForwarder[] tcpForwarders)
    {
        this.conductor = conductor;
        this.metrics = metrics;
        this.tcpForwarders = tcpForwarders;
        this.connectHistograms = new Histogram[routes.size()];
        this.connectIntervals = new Histogram[routes.size()][workers.length];
        for (int r = 0; r < routes.size(); r++)
        {
            connectHistograms[r] = new Histogram(2);
        }
        this.config = config;
        this.routes = routes;
        this.boundAddresses = boundAddresses;
        this.workers = workers;
        this.counters = counters;
        this.budget = budget;
        this.errors = errors;
        this.udp = udp;
        this.runners = new AgentRunner[workers.length];
    }

    /**
     * Validates a configuration, binds every listener and starts the forwarder threads.
     *
     * @param config the configuration.
     * @return the running balancer.
     * @throws ConfigException       when the configuration has errors; nothing was opened.
     * @throws UncheckedIOException  when a listener cannot bind; its message names the listener and address, and
     *                               nothing is left open.
     * @throws IllegalStateException when a fast path is {@code on} but does not work here.
     */
    public static Portgate start(final PortgateConfig config)
    {
        Objects.requireNonNull(config, "config");
        final List<Diagnostic> diagnostics = ConfigValidator.validate(config, HostFacts.system());
        if (diagnostics.stream().anyMatch(d -> d.severity() == Severity.ERROR))
        {
            throw new ConfigException(diagnostics);
        }
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
        final ServerSocketChannel[][][] channels = new ServerSocketChannel[workerCount][routes.size()][];
        final Map<String, List<InetSocketAddress>> bound = bindAll(tcpListeners, routes, channels);
        final UdpService udp;
        try
        {
            udp = UdpService.bind(config, workerCount);
        }
        catch (final RuntimeException ex)
        {
            closeAll(channels);
            throw ex;
        }
        final Map<String, List<InetSocketAddress>> allBound = new LinkedHashMap<>(bound);
        allBound.putAll(udp.boundAddresses());

        final int[] targetsPerListener = routes.stream().mapToInt(TcpRoute::targetCount).toArray();
        final int[] maxPerListener = routes.stream().mapToInt(TcpRoute::maxConnections).toArray();
        final ConnectionLimits limits = new ConnectionLimits(config.maxConnections(), maxPerListener);
        final MemoryBudget budget = new MemoryBudget(config.bufferMemory());
        final long retainBytes = Math.max(1, config.bufferMemory() / (4L * workerCount));
        final LoopErrors errors = new LoopErrors();
        final Worker[] workers = new Worker[workerCount];
        final TcpCounters[] counters = new TcpCounters[workerCount];
        final TcpForwarder[] forwarders = new TcpForwarder[workerCount];
        final UdpForwarder[] udpForwarders = new UdpForwarder[workerCount];
        final Conductor conductor;
        final MetricsFile metrics;
        try
        {
            metrics = openMetrics(config, routes, udp.routes(), workerCount);
            udp.countInto(metrics);
        }
        catch (final RuntimeException ex)
        {
            closeAll(channels);
            udp.closeUnstarted();
            throw ex;
        }
        try
        {
            for (int w = 0; w < workerCount; w++)
            {
                counters[w] = new TcpCounters(routes, metrics, w);
                udpForwarders[w] = udp.forwarder(w);
                forwarders[w] = new TcpForwarder(
                    w, routes, channels[w], counters[w], limits, budget, retainBytes, splice);
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

        final Portgate portgate = new Portgate(config, List.copyOf(routes),
            java.util.Collections.unmodifiableMap(allBound), workers, counters, budget, errors, conductor, metrics,
            udp, forwarders);
        for (int w = 0; w < workerCount; w++)
        {
            final AgentRunner runner = new AgentRunner(
                workers[w].idleStrategy(config.idleStrategy()), errors, null, workers[w]);
            portgate.runners[w] = runner;
            AgentRunner.startOnThread(runner);
        }
        portgate.conductorRunner = new AgentRunner(new BackoffIdleStrategy(10, 10, 1_000, 1_000_000), errors, null,
            conductor);
        AgentRunner.startOnThread(portgate.conductorRunner);
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

    /**
     * The addresses a listener is bound to, one per port of its range.
     *
     * @param listenerName the listener's name.
     * @return the local addresses.
     * @throws IllegalArgumentException when there is no listener of that name.
     */
    public List<InetSocketAddress> boundAddresses(final String listenerName)
    {
        final List<InetSocketAddress> addresses = boundAddresses.get(listenerName);
        if (addresses == null)
        {
            throw new IllegalArgumentException("no listener named '" + listenerName + "'; listeners: " +
                boundAddresses.keySet());
        }
        return addresses;
    }

    /**
     * The configuration it runs.
     *
     * @return the configuration given to {@link #start}.
     */
    public PortgateConfig config()
    {
        return config;
    }

    /**
     * Reads the counters of every listener and target, summed over the workers.
     *
     * @return an immutable snapshot.
     */
    public PortgateStats stats()
    {
        final List<ListenerStats> listeners = new ArrayList<>(routes.size());
        for (final TcpRoute route : routes)
        {
            final int l = route.index();
            final List<TargetStats> targets = new ArrayList<>(route.targetCount());
            for (int t = 0; t < route.targetCount(); t++)
            {
                targets.add(new TargetStats(route.targetLabel(t),
                    sumTarget(l, t, TcpCounters.T_ACTIVE), sumTarget(l, t, TcpCounters.T_TOTAL),
                    sumTarget(l, t, TcpCounters.T_CONNECT_FAILURES), sumTarget(l, t, TcpCounters.T_REFUSED),
                    sumTarget(l, t, TcpCounters.T_BYTES_IN), sumTarget(l, t, TcpCounters.T_BYTES_OUT)));
            }
            listeners.add(new ListenerStats(route.name(),
                sumListener(l, TcpCounters.L_ACTIVE), sumListener(l, TcpCounters.L_TOTAL),
                sumListener(l, TcpCounters.L_REFUSED), sumListener(l, TcpCounters.L_LIMIT_REJECTED),
                sumListener(l, TcpCounters.L_CONNECT_FAILURES), sumListener(l, TcpCounters.L_IDLE_TIMEOUTS),
                sumListener(l, TcpCounters.L_RESETS), sumListener(l, TcpCounters.L_BYTES_IN),
                sumListener(l, TcpCounters.L_BYTES_OUT), targets));
        }
        return new PortgateStats(listeners, budget.used(), budget.highWater(), budget.limit(), errors.count(),
            udpStats());
    }

    private List<UdpListenerStats> udpStats()
    {
        final List<UdpListenerStats> listeners = new ArrayList<>(udp.routes().size());
        for (final UdpRoute route : udp.routes())
        {
            final int l = route.index();
            final List<UdpTargetStats> targets = new ArrayList<>(route.targetCount());
            for (int t = 0; t < route.targetCount(); t++)
            {
                targets.add(new UdpTargetStats(route.targetLabel(t),
                    udp.sumTarget(l, t, UdpCounters.T_FLOWS_ACTIVE), udp.sumTarget(l, t, UdpCounters.T_FLOWS_TOTAL),
                    udp.sumTarget(l, t, UdpCounters.T_DATAGRAMS_IN), udp.sumTarget(l, t, UdpCounters.T_BYTES_IN),
                    udp.sumTarget(l, t, UdpCounters.T_DATAGRAMS_OUT), udp.sumTarget(l, t, UdpCounters.T_BYTES_OUT),
                    udp.sumTarget(l, t, UdpCounters.T_UNREACHABLE)));
            }
            listeners.add(new UdpListenerStats(route.name(),
                udp.sumListener(l, UdpCounters.L_FLOWS_ACTIVE), udp.sumListener(l, UdpCounters.L_FLOWS_TOTAL),
                udp.sumListener(l, UdpCounters.L_DATAGRAMS_IN), udp.sumListener(l, UdpCounters.L_BYTES_IN),
                udp.sumListener(l, UdpCounters.L_DATAGRAMS_OUT), udp.sumListener(l, UdpCounters.L_BYTES_OUT),
                udp.sumListener(l, UdpCounters.L_DROP_NO_TARGET), udp.sumListener(l, UdpCounters.L_DROP_WOULD_BLOCK),
                udp.sumListener(l, UdpCounters.L_DROP_TRUNCATED), udp.sumListener(l, UdpCounters.L_DROP_UNREACHABLE),
                udp.sumListener(l, UdpCounters.L_DROP_DRAINING), udp.sumListener(l, UdpCounters.L_DROP_ERROR),
                udp.sumListener(l, UdpCounters.L_FLOWS_EVICTED), udp.sumListener(l, UdpCounters.L_FLOWS_EXPIRED),
                udp.sumListener(l, UdpCounters.L_UNREACHABLE), targets));
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
        return conductor.targets();
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
        conductor.drain(pool, targetIndex(pool, target), true);
    }

    /**
     * Sets a target's weight until the next reload or restart.
     *
     * @param pool   the pool's name.
     * @param target the target as {@link #targets()} names it.
     * @param weight the weight, 1 to 10000.
     * @throws IllegalArgumentException when the pool or target does not exist or the weight is out of range.
     */
    public void weight(final String pool, final String target, final int weight)
    {
        conductor.weight(pool, targetIndex(pool, target), weight);
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
        for (final TcpRoute route : routes)
        {
            if (route.name().equals(listenerName))
            {
                return connectLatency(route.index());
            }
        }
        throw new IllegalArgumentException("no TCP listener named '" + listenerName + "'");
    }

    private Histogram connectLatency(final int route)
    {
        synchronized (connectHistograms)
        {
            // Taking an interval histogram swaps the worker's recording buffer without stopping it
            // (HdrHistogram's writer-reader phaser); only one reader at a time may do so, hence the lock.
            for (final Worker worker : workers)
            {
                final TcpForwarder forwarder = forwarderOf(worker);
                final int w = worker.index();
                connectIntervals[route][w] = forwarder.connectLatency(route)
                    .getIntervalHistogram(connectIntervals[route][w]);
                connectHistograms[route].add(connectIntervals[route][w]);
            }
            return connectHistograms[route].copy();
        }
    }

    /**
     * Re-reads the file the running configuration came from ({@link PortgateConfig#source()}) and applies it as
     * {@link #reload(PortgateConfig)} does. A {@code metrics-file} the file does not name stays as it runs.
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
        throw new UnsupportedOperationException("reload is being built");
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
     *                               example a new listener's port is taken; the message says why and nothing
     *                               changed.
     */
    public ReloadResult reload(final PortgateConfig newConfig)
    {
        throw new UnsupportedOperationException("reload is being built");
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
        conductor.drain(pool, targetIndex(pool, target), false);
    }

    private TcpForwarder forwarderOf(final Worker worker)
    {
        return tcpForwarders[worker.index()];
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
                final Map<String, Histogram> latencies = new LinkedHashMap<>();
                for (final TcpRoute route : routes)
                {
                    latencies.put(route.name(), connectLatency(route.index()));
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
        for (final TargetView view : conductor.targets())
        {
            if (view.pool().equals(pool) && view.target().equals(target))
            {
                return view.index();
            }
        }
        throw new IllegalArgumentException("pool '" + pool + "' has no target " + target + "; targets: " +
            conductor.targets().stream().filter(v -> v.pool().equals(pool)).map(TargetView::target).toList());
    }

    /** Drains for the configured drain timeout, then stops. */
    @Override
    public void close()
    {
        close(config.drainTimeout());
    }

    /**
     * Stops accepting at once, lets open connections finish for up to {@code drain}, closes what is still open and
     * stops the threads. Returns when every socket is closed. A second call does nothing.
     *
     * @param drain how long open connections may take to finish; zero closes them at once.
     */
    public void close(final Duration drain)
    {
        if (!closed.compareAndSet(false, true))
        {
            return;
        }
        if (admin != null)
        {
            admin.close();
        }
        conductorRunner.close();
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
            final long deadlineNs = System.nanoTime() + drain.toNanos();
            while (activeConnections() > 0 && System.nanoTime() - deadlineNs < 0)
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
            LOG.log(System.Logger.Level.INFO, "drain timeout reached: closing {0} open connection(s) and flow(s)",
                String.valueOf(left));
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
        final int capacity = workerCount * (TcpCounters.countersNeeded(routes) +
            UdpCounters.countersNeeded(udpRoutes)) +
            Conductor.countersNeeded(targets) + METRICS_HEADROOM;
        return config.metricsFile() == null ? MetricsFile.inMemory(capacity) :
            MetricsFile.create(config.metricsFile(), capacity);
    }

    private long activeConnections()
    {
        long active = 0;
        for (final TcpRoute route : routes)
        {
            active += sumListener(route.index(), TcpCounters.L_ACTIVE);
        }
        // UDP flows have no close handshake; draining lets them run until they go idle or the drain ends.
        return active + udp.activeFlows();
    }

    private long sumListener(final int listener, final int slot)
    {
        long sum = 0;
        for (final TcpCounters c : counters)
        {
            sum += c.listener(listener, slot);
        }
        return sum;
    }

    private long sumTarget(final int listener, final int target, final int slot)
    {
        long sum = 0;
        for (final TcpCounters c : counters)
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
                            address.getAddress().getHostAddress() + ":" + address.getPort() + ": " +
                            ex.getMessage(), ex);
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
