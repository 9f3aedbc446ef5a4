package io.portgate;

import io.portgate.conductor.Conductor;
import io.portgate.conductor.WorkerProxy;
import io.portgate.config.ConfigException;
import io.portgate.config.ConfigValidator;
import io.portgate.config.Diagnostic;
import io.portgate.config.FastPath;
import io.portgate.config.HostFacts;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PortgateConfig;
import io.portgate.config.Protocol;
import io.portgate.config.Severity;
import io.portgate.ffm.Splice;
import io.portgate.ffm.UdpBatching;
import io.portgate.ffm.UdpGso;
import io.portgate.health.NioProbeTransport;
import io.portgate.health.ProbeTransport;
import io.portgate.loop.Worker;
import io.portgate.metrics.Labels;
import io.portgate.metrics.Metric;
import io.portgate.metrics.MetricsFile;
import io.portgate.tcp.MemoryBudget;
import io.portgate.tcp.TcpForwarder;
import io.portgate.tcp.TcpSlots;
import io.portgate.udp.UdpForwarder;
import io.portgate.udp.UdpSlots;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.SystemEpochClock;
import org.agrona.concurrent.SystemNanoClock;

import io.portgate.spi.EventListener;
import io.portgate.spi.Extensions;

import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Everything a balancer is started with, as Aeron's {@code MediaDriver.Context}: the configuration, and what a test or
 * an embedder may inject in place of the defaults (the registered balancing policies and health probes, an event
 * listener, the clocks, the fast-path choices, an error handler, the sizes of queues and of the metrics file).
 * {@link #conclude()} fills in and checks every value once, before a socket opens: the configuration is validated,
 * the JVM's flags checked ({@link JvmFlags}), each fast path probed and decided, the sizes derived.
 *
 * <pre>{@code
 * PortgateContext context = new PortgateContext(config)
 *     .extensions(Extensions.builder().policy("my-policy", myPolicy).build())
 *     .events(event -> System.out.println(event));
 * try (Portgate portgate = Portgate.start(context)) { ... }
 * }</pre>
 */
public final class PortgateContext
{
    /** Commands that may wait in one worker's queue; more wait in the conductor, counted. */
    public static final int WORKER_COMMAND_CAPACITY = 1024;
    /** Commands (drains, weights, reloads) that may wait for the conductor; past it the caller is told to retry. */
    public static final int CONDUCTOR_COMMAND_CAPACITY = 256;
    /** Spare counters in the metrics file, for listeners and targets a reload adds: at least this many. */
    public static final int METRICS_HEADROOM = 4096;
    /** Bytes of the metrics file's error log: room for a few hundred distinct errors with their stack traces. */
    public static final int ERROR_LOG_BYTES = 1024 * 1024;
    /** Events that may wait for the {@link EventListener}; past it, new ones are dropped and logged. */
    public static final int EVENT_QUEUE_CAPACITY = 4096;

    private final PortgateConfig config;
    NanoClock nanoClock = SystemNanoClock.INSTANCE;
    EpochClock epochClock = SystemEpochClock.INSTANCE;
    Function<Worker, IdleStrategy> workerIdleStrategy;
    /** Null for the conductor's own: it sleeps until its next deadline or a command ({@link Conductor#idleStrategy}). */
    Supplier<IdleStrategy> conductorIdleStrategy;
    Supplier<ProbeTransport> probeTransport = NioProbeTransport::new;
    ErrorHandler errorHandler;
    Extensions extensions = Extensions.none();
    EventListener eventListener;
    final int conductorCommandCapacity = CONDUCTOR_COMMAND_CAPACITY;
    private Boolean splice;
    private int workerCommandCapacity = WORKER_COMMAND_CAPACITY;
    private Boolean udpBatching;
    private int metricsCapacity;
    /** Room in the metrics file for the addresses of a target named by host name. */
    private static final int ADDRESSES_PER_NAME = 16;
    private Boolean udpGso;
    private boolean concluded;

    /**
     * A context for a configuration.
     *
     * @param config the configuration; validated by {@link #conclude()}.
     */
    public PortgateContext(final PortgateConfig config)
    {
        this.config = Objects.requireNonNull(config, "config");
    }

    /**
     * Fills in and checks every value: validates the configuration, probes and decides each fast path, sizes the
     * queues and the metrics file. Opens nothing.
     *
     * @return this.
     * @throws ConfigException       when the configuration has errors.
     * @throws IllegalStateException when a fast path is {@code on} but does not work here, or UDP GSO is on without
     *                               batching.
     */
    public PortgateContext conclude()
    {
        if (concluded)
        {
            return this;
        }
        final List<Diagnostic> diagnostics = ConfigValidator.validate(config, HostFacts.system(), extensions);
        if (diagnostics.stream().anyMatch(d -> d.severity() == Severity.ERROR))
        {
            throw new ConfigException(diagnostics);
        }
        final boolean hasUdp = config.listeners().stream().anyMatch(l -> l.protocol() == Protocol.UDP);
        JvmFlags.check().logMissing();
        if (splice == null)
        {
            splice = Splice.probe().resolve(config.splice(), "fast-paths.splice");
            // Without a UDP listener the workers keep to plain NIO for good: the choice is made once, at start.
            udpBatching = hasUdp && UdpBatching.probe().resolve(config.udpBatching(), "fast-paths.udp-batching");
            if (hasUdp && !udpBatching && config.udpGso() == FastPath.ON)
            {
                throw new IllegalStateException("fast-paths.udp-gso: on needs fast-paths.udp-batching, which is " +
                    "off; set udp-gso: auto or off, or udp-batching: auto or on");
            }
            udpGso = udpBatching && UdpGso.probe().resolve(config.udpGso(), "fast-paths.udp-gso");
        }
        if (workerIdleStrategy == null)
        {
            workerIdleStrategy = worker -> worker.idleStrategy(config.idleStrategy());
        }
        if (metricsCapacity == 0)
        {
            metricsCapacity = metricsCapacity(config, workers());
        }
        concluded = true;
        return this;
    }

    /**
     * Counters the metrics file holds: those the configuration needs, twice over (while a reload runs both the old
     * and the new counters of what it changes are held), and room for what reloads add.
     */
    private static int metricsCapacity(final PortgateConfig config, final int workers)
    {
        int perWorker = 0;
        int targets = 0;
        for (final ListenerConfig listener : config.listeners())
        {
            final int poolTargets = targetsToHold(config.poolOf(listener));
            perWorker += (listener.protocol() == Protocol.TCP ? TcpSlots.LAYOUT : UdpSlots.LAYOUT).needed(poolTargets);
        }
        for (final io.portgate.config.PoolConfig pool : config.pools().values())
        {
            targets += targetsToHold(pool);
        }
        // Each worker's queue-full counter and the two reload counters are needed too.
        final int needed = workers * (perWorker + 1) + Conductor.countersNeeded(targets) + 2;
        return 2 * needed + Math.max(METRICS_HEADROOM, needed);
    }

    /** A pool's targets, each named one counted as {@link #ADDRESSES_PER_NAME}: DNS may give it several. */
    private static int targetsToHold(final io.portgate.config.PoolConfig pool)
    {
        int targets = 0;
        for (final io.portgate.config.TargetConfig target : pool.targets())
        {
            targets += target.isNamed() ? ADDRESSES_PER_NAME : 1;
        }
        return targets;
    }

    /**
     * One worker with its TCP and UDP forwarders, and the proxy the control plane reaches it through.
     *
     * @param index   the worker's index.
     * @param budget  the connection buffer memory all workers share.
     * @param errors  where unexpected errors go.
     * @param metrics where its queue-full counter goes.
     * @return the proxy of the worker.
     */
    WorkerProxy newWorker(final int index, final MemoryBudget budget, final ErrorHandler errors,
        final MetricsFile metrics)
    {
        final long retainBytes = Math.max(1, config.bufferMemory() / (4L * workers()));
        final TcpForwarder tcp = new TcpForwarder(budget, retainBytes, splice);
        final UdpForwarder udp = new UdpForwarder(udpBatching, udpGso);
        final Worker worker = new Worker(index, nanoClock, errors, workerCommandCapacity, List.of(tcp, udp));
        // One counter per worker, summed by readers as every worker's counters are.
        return new WorkerProxy(worker, tcp, udp, metrics.counter(Metric.WORKER_QUEUE_FULL, index, Labels.of()));
    }

    /**
     * Opens the metrics file the configuration names, or counters in memory when it names none.
     *
     * @return the metrics.
     * @throws IllegalStateException when another running balancer uses the file.
     */
    MetricsFile openMetrics()
    {
        return config.metricsFile() == null ? MetricsFile.inMemory(metricsCapacity, ERROR_LOG_BYTES) :
            MetricsFile.create(config.metricsFile(), metricsCapacity, ERROR_LOG_BYTES);
    }

    /**
     * The configuration.
     *
     * @return the configuration.
     */
    public PortgateConfig config()
    {
        return config;
    }

    /**
     * Forwarder threads: the configuration's, at least one.
     *
     * @return forwarder threads: the configuration's, at least one.
     */
    public int workers()
    {
        return Math.max(1, config.workers());
    }

    /**
     * Registers balancing policies and health probes by name, for the configuration's {@code balance:} and
     * {@code health.protocol:} to select. A file that names them is loaded with the same extensions
     * ({@code ConfigLoader.load(path, facts, extensions)}); {@link Portgate#reload()} re-reads it with these.
     *
     * @param extensions the policies and probes.
     * @return this.
     */
    public PortgateContext extensions(final Extensions extensions)
    {
        this.extensions = Objects.requireNonNull(extensions, "extensions");
        return this;
    }

    /**
     * The registered balancing policies and health probes.
     *
     * @return the registered balancing policies and health probes.
     */
    public Extensions extensions()
    {
        return extensions;
    }

    /**
     * Sets who hears of events: targets going up, down or draining, reloads applied or rejected, listeners bound and
     * closed. Called on a thread of the balancer's own, in order; see {@link EventListener}.
     *
     * @param listener the listener, or null for none.
     * @return this.
     */
    public PortgateContext events(final EventListener listener)
    {
        this.eventListener = listener;
        return this;
    }

    /**
     * Sets the clocks, for tests that move time by hand.
     *
     * @param nanoTime    the monotonic clock of every loop, in nanoseconds, as {@link System#nanoTime()}.
     * @param epochMillis the wall clock of the gauges, the heartbeat and the error log, as
     *                    {@link System#currentTimeMillis()}.
     * @return this.
     */
    public PortgateContext clocks(final LongSupplier nanoTime, final LongSupplier epochMillis)
    {
        Objects.requireNonNull(nanoTime, "nanoTime");
        Objects.requireNonNull(epochMillis, "epochMillis");
        nanoClock = nanoTime::getAsLong;
        epochClock = epochMillis::getAsLong;
        return this;
    }

    /**
     * Sets a handler told of every unexpected error besides the metrics file's error log (which
     * {@code portgate stat --errors} reads).
     *
     * @param handler told of every error; it must not block, and is called from any thread; null for none.
     * @return this.
     */
    public PortgateContext errorHandler(final Consumer<Throwable> handler)
    {
        errorHandler = handler == null ? null : handler::accept;
        return this;
    }

    /**
     * Decides the fast paths instead of the configuration and the probes (each must work here).
     *
     * @param splice   splice(2) for TCP.
     * @param batching recvmmsg/sendmmsg for UDP.
     * @param gso      UDP_SEGMENT; needs {@code batching}.
     * @return this.
     */
    public PortgateContext fastPaths(final boolean splice, final boolean batching, final boolean gso)
    {
        this.splice = splice;
        this.udpBatching = batching;
        this.udpGso = batching && gso;
        return this;
    }

    /**
     * Sets the sizes that are otherwise derived.
     *
     * @param workerCommands how many commands may wait in one worker's queue (rounded up to a power of two).
     * @param counters       how many counters the metrics file holds; 0 to derive it from the configuration.
     * @return this.
     */
    public PortgateContext sizes(final int workerCommands, final int counters)
    {
        workerCommandCapacity = workerCommands;
        metricsCapacity = counters;
        return this;
    }

    /**
     * Whether TCP bytes move with splice(2); decided by {@link #conclude()}.
     *
     * @return whether TCP bytes move with splice(2); decided by {@link #conclude()}.
     */
    public boolean splice()
    {
        return splice;
    }

    /**
     * Whether datagrams move with recvmmsg/sendmmsg; decided by {@link #conclude()}.
     *
     * @return whether datagrams move with recvmmsg/sendmmsg; decided by {@link #conclude()}.
     */
    public boolean udpBatching()
    {
        return udpBatching;
    }

    /**
     * Whether runs of datagrams leave with UDP_SEGMENT; decided by {@link #conclude()}.
     *
     * @return whether runs of datagrams leave with UDP_SEGMENT; decided by {@link #conclude()}.
     */
    public boolean udpGso()
    {
        return udpGso;
    }

    /**
     * How many counters the metrics file holds; derived by {@link #conclude()} unless set.
     *
     * @return how many counters the metrics file holds; derived by {@link #conclude()} unless set.
     */
    public int metricsCapacity()
    {
        return metricsCapacity;
    }
}
