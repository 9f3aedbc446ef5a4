package io.portgate.config;

/**
 * How many file descriptors a configuration may hold open at its busiest, counted the way the forwarders open them:
 * each TCP connection is two sockets (client and target) and, with splice, up to two pipes of two ends; each worker
 * has its own listening socket per port of every listener and its own epoll selector; each UDP flow has its own
 * socket to its target (one per target it has used, with {@code affinity: packet}); the health prober holds at most
 * one probe per target; and the JVM and portgate hold some files of their own.
 *
 * @param tcpConnections   the most TCP connections open at once: max-connections, or the sum of the listeners'.
 * @param connectionFiles  two sockets per TCP connection.
 * @param pipeFiles        splice pipe ends, bounded by buffer-memory; 0 when splice is off.
 * @param listeningSockets every worker's socket for every port of every listener.
 * @param flowSockets      every worker's sockets to targets for its UDP flows, at max-flows.
 * @param own              selectors, health probes, the admin endpoint, the JVM's own files.
 */
public record OpenFiles(
    long tcpConnections,
    long connectionFiles,
    long pipeFiles,
    long listeningSockets,
    long flowSockets,
    long own)
{
    /** The JVM's own files (its jar and modules, standard streams, random sources) and the metrics file. */
    static final int JVM_AND_FILES = 32;
    /** The admin endpoint: its selector (two files), its listening socket and a few connections. */
    static final int ADMIN = 16;
    /** An epoll selector: the epoll instance and the event file that wakes it. */
    static final int SELECTOR = 2;

    /**
     * Counts what a configuration may need.
     *
     * @param config the configuration.
     * @return the count, part by part.
     */
    public static OpenFiles of(final PortgateConfig config)
    {
        final long workers = Math.max(1, config.workers());
        long tcpMax = 0;
        long ports = 0;
        long flows = 0;
        int smallestBuffer = Integer.MAX_VALUE;
        for (final ListenerConfig listener : config.listeners())
        {
            if (listener.bind() == null)
            {
                continue;
            }
            ports += listener.bind().ports().size();
            if (listener.protocol() == Protocol.TCP)
            {
                tcpMax += listener.maxConnections();
                smallestBuffer = Math.min(smallestBuffer, listener.bufferSize());
            }
            else
            {
                final PoolConfig pool = config.poolOf(listener);
                final long perFlow = listener.affinity() == Affinity.PACKET && pool != null ?
                    Math.max(1, pool.targets().size()) : 1;
                flows = add(flows, times(times(workers, listener.maxFlows()), perFlow));
            }
        }
        final long connections = Math.min(config.maxConnections(), tcpMax);
        long pipes = 0;
        if (config.splice() != FastPath.OFF && connections > 0)
        {
            pipes = Math.min(2 * connections, config.bufferMemory() / Math.max(1, smallestBuffer));
        }
        long probes = 0;
        for (final PoolConfig pool : config.pools().values())
        {
            if (pool.health() != null)
            {
                probes += pool.targets().size();
            }
        }
        final long own = JVM_AND_FILES + (config.admin() != null ? ADMIN : 0) + SELECTOR * (workers + 1) + probes;
        return new OpenFiles(connections, 2 * connections, 2 * pipes, times(workers, ports), flows, own);
    }

    /**
     * The total.
     *
     * @return every part added up.
     */
    public long total()
    {
        return add(add(add(add(connectionFiles, pipeFiles), listeningSockets), flowSockets), own);
    }

    // Saturating: a configuration of absurd sizes needs "more than any limit", not a negative number.
    private static long add(final long a, final long b)
    {
        final long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }

    private static long times(final long a, final long b)
    {
        return Math.multiplyHigh(a, b) != 0 || a * b < 0 ? Long.MAX_VALUE : a * b;
    }

    /**
     * The parts in words, for a message.
     *
     * @return e.g. {@code 20000 for 10000 TCP connections (2 each), 24 listening sockets, 64 for portgate itself}.
     */
    public String describe()
    {
        final StringBuilder sb = new StringBuilder();
        if (connectionFiles > 0)
        {
            sb.append(connectionFiles).append(" for ").append(tcpConnections).append(" TCP connections (2 each), ");
        }
        if (pipeFiles > 0)
        {
            sb.append(pipeFiles).append(" for splice pipes, ");
        }
        if (flowSockets > 0)
        {
            sb.append(flowSockets).append(" for UDP flows (max-flows on each worker), ");
        }
        sb.append(listeningSockets).append(" listening sockets (one per port per worker), ");
        sb.append("about ").append(own).append(" for portgate itself");
        return sb.toString();
    }
}
