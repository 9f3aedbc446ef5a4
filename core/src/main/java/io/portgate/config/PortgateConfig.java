package io.portgate.config;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A whole balancer configuration: global settings, listeners and pools.
 *
 * @param source          the file it was read from, or {@code <code>}.
 * @param workers         forwarder threads.
 * @param admin           the admin and metrics endpoint, or null for none.
 * @param adminToken      the token mutating admin calls from outside loopback must carry, or null.
 * @param idleStrategy    how loop threads wait when idle.
 * @param drainTimeout    on stop, how long open connections may take to finish before they are closed.
 * @param maxConnections  most open TCP connections over all listeners.
 * @param bufferMemory    most bytes of connection buffers over all workers.
 * @param splice          TCP splice(2) fast path.
 * @param udpBatching     UDP recvmmsg/sendmmsg fast path.
 * @param udpGso          UDP_SEGMENT fast path.
 * @param listeners       the listeners, in file order.
 * @param pools           the pools by name, in file order.
 * @param adminPosition   where {@code admin:} is written.
 * @param metricsFile     the memory-mapped counters file {@code portgate stat} reads, or null to keep the counters in
 *                        memory only.
 * @param resolvers       the DNS servers that look up targets named by host name, in the order they are asked;
 *                        empty for the system resolver.
 * @param resolversPosition where {@code resolvers:} is written.
 * @param drainAnnounce   on stop, how long {@code portgate run} reports itself unhealthy (GET /api/health answers 503
 *                        "stopping") while still serving everything, before it closes its listeners and drains.
 * @param logLevel        the least severe line {@code portgate run} logs.
 * @param logFormat       how {@code portgate run} writes its log lines.
 */
public record PortgateConfig(
    String source,
    int workers,
    Endpoint admin,
    String adminToken,
    IdleStrategyName idleStrategy,
    Duration drainTimeout,
    int maxConnections,
    long bufferMemory,
    FastPath splice,
    FastPath udpBatching,
    FastPath udpGso,
    List<ListenerConfig> listeners,
    Map<String, PoolConfig> pools,
    Position adminPosition,
    java.nio.file.Path metricsFile,
    List<java.net.InetSocketAddress> resolvers,
    Position resolversPosition,
    Duration drainAnnounce,
    LogLevel logLevel,
    LogFormat logFormat)
{
    /** The source label of configuration built in code. */
    public static final String CODE_SOURCE = "<code>";
    /** Default drain deadline. */
    public static final Duration DEFAULT_DRAIN_TIMEOUT = Duration.ofSeconds(30);
    /** Default most open TCP connections over all listeners. */
    public static final int DEFAULT_MAX_CONNECTIONS = 100_000;
    /** Default most bytes of connection buffers over all workers. */
    public static final long DEFAULT_BUFFER_MEMORY = 256L * 1024 * 1024;
    /** Default drain-announce: none, the listeners close at once on stop. */
    public static final Duration DEFAULT_DRAIN_ANNOUNCE = Duration.ZERO;
    /** Default log level. */
    public static final LogLevel DEFAULT_LOG_LEVEL = LogLevel.INFO;
    /** Default log format. */
    public static final LogFormat DEFAULT_LOG_FORMAT = LogFormat.TEXT;
    /** The longest drain-timeout: a deadline in nanoseconds, as {@link ListenerConfig#MAX_TIMEOUT}. */
    public static final Duration MAX_DRAIN_TIMEOUT = ListenerConfig.MAX_TIMEOUT;
    /** The smallest buffer-memory. */
    public static final long MIN_BUFFER_MEMORY = 64 * 1024;
    /** The largest buffer-memory: a budget, not an allocation, so any size a machine could have. */
    public static final long MAX_BUFFER_MEMORY = 1L << 40;
    /**
     * Default idle strategy: block, not Aeron's backoff. Measured side by side with HAProxy and nginx
     * (perf-results/README.md), a loop that sleeps in epoll_wait answers sooner than one that parks between polls, at
     * half the CPU per round trip.
     */
    public static final IdleStrategyName DEFAULT_IDLE_STRATEGY = IdleStrategyName.BLOCK;
    /**
     * Default splice setting: off. Measured side by side (perf-results/README.md), copying through a direct buffer
     * answered small round trips sooner than splice(2), which only paid off for 64 KiB chunks.
     */
    public static final FastPath DEFAULT_SPLICE = FastPath.OFF;
    /** Default recvmmsg/sendmmsg setting. */
    public static final FastPath DEFAULT_UDP_BATCHING = FastPath.AUTO;
    /** Default UDP_SEGMENT setting. */
    public static final FastPath DEFAULT_UDP_GSO = FastPath.AUTO;

    /**
     * Copies the collections so the record stays immutable.
     */
    public PortgateConfig
    {
        listeners = List.copyOf(listeners);
        pools = Collections.unmodifiableMap(new LinkedHashMap<>(pools));
        resolvers = List.copyOf(resolvers);
    }

    /**
     * Where {@code portgate run} keeps its counters when the file names no {@code metrics-file}: under /dev/shm
     * (memory-backed, as Aeron does) when there is one, else the temporary directory.
     *
     * @return the default path.
     */
    public static java.nio.file.Path defaultMetricsFile()
    {
        final java.nio.file.Path shm = java.nio.file.Path.of("/dev/shm");
        final java.nio.file.Path base = java.nio.file.Files.isDirectory(shm) ? shm :
            java.nio.file.Path.of(System.getProperty("java.io.tmpdir"));
        return base.resolve("portgate-" + System.getProperty("user.name")).resolve("portgate.metrics");
    }

    /**
     * The same configuration with another metrics file.
     *
     * @param file the metrics file, or null for memory only.
     * @return a copy.
     */
    public PortgateConfig withMetricsFile(final java.nio.file.Path file)
    {
        return toBuilder().metricsFile(file).build();
    }

    /**
     * The same configuration with other pools: those whose named targets were resolved.
     *
     * @param newPools the pools, replacing those of the same name.
     * @return a copy.
     */
    public PortgateConfig withPools(final java.util.Collection<PoolConfig> newPools)
    {
        final Builder b = toBuilder();
        b.pools.clear();
        final Map<String, PoolConfig> replaced = new LinkedHashMap<>(pools);
        newPools.forEach(p -> replaced.put(p.name(), p));
        replaced.values().forEach(b::pool);
        return b.build();
    }

    /**
     * The pool a listener forwards to.
     *
     * @param listener the listener.
     * @return its pool, or null when it names none that exists.
     */
    public PoolConfig poolOf(final ListenerConfig listener)
    {
        return pools.get(listener.pool());
    }

    /**
     * The default number of forwarder threads.
     *
     * @return the number of cores.
     */
    public static int defaultWorkers()
    {
        return Runtime.getRuntime().availableProcessors();
    }

    /**
     * A builder holding this configuration, to change some of it.
     *
     * @return a new builder.
     */
    public Builder toBuilder()
    {
        final Builder b = new Builder().source(source).workers(workers).admin(admin).adminToken(adminToken)
            .idleStrategy(idleStrategy).drainTimeout(drainTimeout).maxConnections(maxConnections)
            .bufferMemory(bufferMemory).splice(splice).udpBatching(udpBatching).udpGso(udpGso)
            .adminPosition(adminPosition).metricsFile(metricsFile).resolvers(resolvers)
            .resolversPosition(resolversPosition).drainAnnounce(drainAnnounce).logLevel(logLevel)
            .logFormat(logFormat);
        listeners.forEach(b::listener);
        pools.values().forEach(b::pool);
        return b;
    }

    /**
     * A builder with the defaults filled in, for configuration built in code.
     *
     * @return a new builder.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /** Builds a {@link PortgateConfig}. */
    public static final class Builder
    {
        private String source = CODE_SOURCE;
        private Endpoint admin;
        private int workers = defaultWorkers();
        private String adminToken;
        private IdleStrategyName idleStrategy = DEFAULT_IDLE_STRATEGY;
        private Duration drainTimeout = DEFAULT_DRAIN_TIMEOUT;
        private int maxConnections = DEFAULT_MAX_CONNECTIONS;
        private long bufferMemory = DEFAULT_BUFFER_MEMORY;
        private final List<ListenerConfig> listeners = new ArrayList<>();
        private final Map<String, PoolConfig> pools = new LinkedHashMap<>();
        private FastPath splice = DEFAULT_SPLICE;
        private FastPath udpBatching = DEFAULT_UDP_BATCHING;
        private FastPath udpGso = DEFAULT_UDP_GSO;
        private Position adminPosition = Position.NONE;
        private java.nio.file.Path metricsFile;
        private List<java.net.InetSocketAddress> resolvers = List.of();
        private Position resolversPosition = Position.NONE;
        private Duration drainAnnounce = DEFAULT_DRAIN_ANNOUNCE;
        private LogLevel logLevel = DEFAULT_LOG_LEVEL;
        private LogFormat logFormat = DEFAULT_LOG_FORMAT;

        private Builder()
        {
        }

        /**
         * Sets the file name.
         *
         * @param v the file name.
         * @return this.
         */
        public Builder source(final String v) { source = v; return this; }
        /**
         * Sets forwarder threads.
         *
         * @param v forwarder threads.
         * @return this.
         */
        public Builder workers(final int v) { workers = v; return this; }
        /**
         * Sets admin endpoint, null for none.
         *
         * @param v admin endpoint, null for none.
         * @return this.
         */
        public Builder admin(final Endpoint v) { admin = v; return this; }
        /**
         * Sets admin token.
         *
         * @param v admin token.
         * @return this.
         */
        public Builder adminToken(final String v) { adminToken = v; return this; }
        /**
         * Sets idle strategy.
         *
         * @param v idle strategy.
         * @return this.
         */
        public Builder idleStrategy(final IdleStrategyName v) { idleStrategy = v; return this; }
        /**
         * Sets drain deadline.
         *
         * @param v drain deadline.
         * @return this.
         */
        public Builder drainTimeout(final Duration v) { drainTimeout = v; return this; }
        /**
         * Sets global connection limit.
         *
         * @param v global connection limit.
         * @return this.
         */
        public Builder maxConnections(final int v) { maxConnections = v; return this; }
        /**
         * Sets global buffer memory limit in bytes.
         *
         * @param v global buffer memory limit in bytes.
         * @return this.
         */
        public Builder bufferMemory(final long v) { bufferMemory = v; return this; }
        /**
         * Sets splice fast path.
         *
         * @param v splice fast path.
         * @return this.
         */
        public Builder splice(final FastPath v) { splice = v; return this; }
        /**
         * Sets recvmmsg/sendmmsg fast path.
         *
         * @param v recvmmsg/sendmmsg fast path.
         * @return this.
         */
        public Builder udpBatching(final FastPath v) { udpBatching = v; return this; }
        /**
         * Sets UDP GSO fast path.
         *
         * @param v UDP GSO fast path.
         * @return this.
         */
        public Builder udpGso(final FastPath v) { udpGso = v; return this; }
        /**
         * Sets a listener.
         *
         * @param v a listener.
         * @return this.
         */
        public Builder listener(final ListenerConfig v) { listeners.add(v); return this; }
        /**
         * Sets a pool, replacing one of the same name.
         *
         * @param v a pool, replacing one of the same name.
         * @return this.
         */
        public Builder pool(final PoolConfig v) { pools.put(v.name(), v); return this; }
        /**
         * Sets where admin is.
         *
         * @param v where admin is.
         * @return this.
         */
        public Builder adminPosition(final Position v) { adminPosition = v; return this; }
        /**
         * Sets the metrics file, null for memory only.
         *
         * @param v the metrics file, null for memory only.
         * @return this.
         */
        public Builder metricsFile(final java.nio.file.Path v) { metricsFile = v; return this; }
        /**
         * Sets DNS servers for named targets, empty for the system resolver.
         *
         * @param v DNS servers for named targets, empty for the system resolver.
         * @return this.
         */
        public Builder resolvers(final List<java.net.InetSocketAddress> v) { resolvers = v; return this; }
        /**
         * Sets where resolvers is.
         *
         * @param v where resolvers is.
         * @return this.
         */
        public Builder resolversPosition(final Position v) { resolversPosition = v; return this; }
        /**
         * Sets how long a stop is announced before the listeners close.
         *
         * @param v how long a stop is announced before the listeners close.
         * @return this.
         */
        public Builder drainAnnounce(final Duration v) { drainAnnounce = v; return this; }
        /**
         * Sets the least severe line logged.
         *
         * @param v the least severe line logged.
         * @return this.
         */
        public Builder logLevel(final LogLevel v) { logLevel = v; return this; }
        /**
         * Sets how log lines are written.
         *
         * @param v how log lines are written.
         * @return this.
         */
        public Builder logFormat(final LogFormat v) { logFormat = v; return this; }

        /**
         * The configuration, not yet validated: see {@link ConfigValidator}.
         *
         * @return the configuration, not yet validated: see {@link ConfigValidator}.
         */
        public PortgateConfig build()
        {
            return new PortgateConfig(source, workers, admin, adminToken, idleStrategy, drainTimeout, maxConnections,
                bufferMemory, splice, udpBatching, udpGso, listeners, pools, adminPosition, metricsFile, resolvers,
                resolversPosition, drainAnnounce, logLevel, logFormat);
        }
    }
}
