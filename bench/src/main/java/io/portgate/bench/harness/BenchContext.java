package io.portgate.bench.harness;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * The settings of one run. Fill it with the setters, then {@link BenchRunner#run(BenchContext)} calls
 * {@link #conclude()}, which fills the defaults that depend on the mode and rejects anything impossible before a
 * socket opens. Every setting has its default here and nowhere else.
 */
public final class BenchContext
{
    /** Default measured time. */
    public static final Duration DEFAULT_DURATION = Duration.ofSeconds(5);
    /** Default warm-up, run before the measured time and left out of the results. */
    public static final Duration DEFAULT_WARMUP = Duration.ofSeconds(1);
    /** Default time one exchange may take before it counts as timed out. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(1);
    /** Default time the udp-oneway sink keeps counting after the last datagram was sent. */
    public static final Duration DEFAULT_DRAIN = Duration.ofMillis(200);
    /** Default message size of the header modes and of connect. */
    public static final int DEFAULT_MESSAGE_SIZE = 64;
    /** Default write size of bulk. */
    public static final int DEFAULT_BULK_WRITE_SIZE = 64 * 1024;
    /** Default rate of udp-oneway, which has no closed-loop form. */
    public static final long DEFAULT_ONEWAY_RATE = 10_000;
    /** Largest UDP payload over IPv4. */
    public static final int MAX_DATAGRAM_SIZE = 65_507;
    /** Largest TCP message or write. */
    public static final int MAX_TCP_SIZE = 16 * 1024 * 1024;
    /** Most connections or flows one run opens. */
    public static final int MAX_CONNECTIONS = 10_000;
    /** Most threads connect and bulk start, one per client or stream. */
    public static final int MAX_THREADED_CLIENTS = 1_024;

    private BenchMode mode;
    private InetSocketAddress target;
    private InetSocketAddress sinkBind;
    private int connections = 1;
    private int size;
    private long ratePerSecond;
    private Duration duration = DEFAULT_DURATION;
    private Duration warmup = DEFAULT_WARMUP;
    private Duration timeout = DEFAULT_TIMEOUT;
    private Duration drain = DEFAULT_DRAIN;
    private long count;
    private int threads = 1;
    private Path histogramLog;
    private Consumer<String> progress;
    private boolean concluded;

    /**
     * Sets what the run measures.
     *
     * @param mode the mode.
     * @return this.
     */
    public BenchContext mode(final BenchMode mode)
    {
        this.mode = mode;
        return this;
    }

    /**
     * Sets the address under test: a balancer's listener or a server.
     *
     * @param target the address; null for udp-oneway straight into the harness's own sink.
     * @return this.
     */
    public BenchContext target(final InetSocketAddress target)
    {
        this.target = target;
        return this;
    }

    /**
     * Sets where the udp-oneway sink listens: the address the target forwards to.
     *
     * @param sinkBind the address; port 0 picks a free port (useful only when the target is the sink itself).
     * @return this.
     */
    public BenchContext sinkBind(final InetSocketAddress sinkBind)
    {
        this.sinkBind = sinkBind;
        return this;
    }

    /**
     * Sets the connections (rr), concurrent clients (connect), flows (udp-rr, udp-oneway) or streams (bulk).
     *
     * @param connections at least 1.
     * @return this.
     */
    public BenchContext connections(final int connections)
    {
        this.connections = connections;
        return this;
    }

    /**
     * Sets the message size (rr, udp-rr, udp-oneway, connect) or the write size (bulk).
     *
     * @param size bytes; 0 for the mode's default.
     * @return this.
     */
    public BenchContext size(final int size)
    {
        this.size = size;
        return this;
    }

    /**
     * Sets the total rate over all connections or flows, constant and corrected for coordinated omission.
     *
     * @param ratePerSecond operations per second; 0 for as fast as possible (closed loop).
     * @return this.
     */
    public BenchContext ratePerSecond(final long ratePerSecond)
    {
        this.ratePerSecond = ratePerSecond;
        return this;
    }

    /**
     * Sets the measured time.
     *
     * @param duration more than zero.
     * @return this.
     */
    public BenchContext duration(final Duration duration)
    {
        this.duration = duration;
        return this;
    }

    /**
     * Sets the warm-up, which runs first and is left out of the results.
     *
     * @param warmup zero or more.
     * @return this.
     */
    public BenchContext warmup(final Duration warmup)
    {
        this.warmup = warmup;
        return this;
    }

    /**
     * Sets how long one exchange or connection may take before it counts as timed out.
     *
     * @param timeout more than zero.
     * @return this.
     */
    public BenchContext timeout(final Duration timeout)
    {
        this.timeout = timeout;
        return this;
    }

    /**
     * Sets how long the udp-oneway sink keeps counting after the last send, for datagrams still in flight.
     *
     * @param drain zero or more.
     * @return this.
     */
    public BenchContext drain(final Duration drain)
    {
        this.drain = drain;
        return this;
    }

    /**
     * Sets a limit on measured operations; the run ends at the limit or at the end of its duration.
     *
     * @param count operations; 0 for no limit.
     * @return this.
     */
    public BenchContext count(final long count)
    {
        this.count = count;
        return this;
    }

    /**
     * Sets the client threads of rr and udp-rr, which share the connections or flows between them.
     *
     * @param threads at least 1.
     * @return this.
     */
    public BenchContext threads(final int threads)
    {
        this.threads = threads;
        return this;
    }

    /**
     * Sets a file for an HdrHistogram interval log, one interval a second.
     *
     * @param histogramLog the file, or null for none.
     * @return this.
     */
    public BenchContext histogramLog(final Path histogramLog)
    {
        this.histogramLog = histogramLog;
        return this;
    }

    /**
     * Sets where the once-a-second progress line goes.
     *
     * @param progress receives each line, or null for none.
     * @return this.
     */
    public BenchContext progress(final Consumer<String> progress)
    {
        this.progress = progress;
        return this;
    }

    /**
     * Fills the mode-dependent defaults and validates every setting.
     *
     * @return this.
     * @throws IllegalArgumentException with one sentence that says what is wrong and how to fix it.
     */
    public BenchContext conclude()
    {
        if (concluded)
        {
            return this;
        }
        require(mode != null, "no mode; use one of " + BenchMode.names());
        concludeAddresses();
        concludeSize();
        concludeRate();
        require(connections >= 1, "connections must be at least 1, not " + connections);
        final int maxConnections = switch (mode)
        {
            case CONNECT, BULK -> MAX_THREADED_CLIENTS;
            case UDP_RR, UDP_ONEWAY -> Math.min(MAX_CONNECTIONS, Payload.MAX_FLOWS);
            default -> MAX_CONNECTIONS;
        };
        require(connections <= maxConnections, mode.cliName() + " opens at most " + maxConnections + " " +
            (mode.isUdp() ? "flows" : "connections") + ", not " + connections);
        require(threads >= 1, "threads must be at least 1, not " + threads);
        require(threads == 1 || mode == BenchMode.RR || mode == BenchMode.UDP_RR,
            "threads applies to rr and udp-rr only; connect and bulk run a thread per client, udp-oneway one sender");
        threads = Math.min(threads, connections);
        require(duration != null && duration.toNanos() > 0, "duration must be more than zero");
        require(warmup != null && !warmup.isNegative(), "warm-up must not be negative");
        require(timeout != null && timeout.toNanos() > 0, "timeout must be more than zero");
        require(drain != null && !drain.isNegative(), "drain must not be negative");
        require(count >= 0, "count must not be negative, not " + count);
        concluded = true;
        return this;
    }

    private void concludeAddresses()
    {
        if (mode == BenchMode.UDP_ONEWAY)
        {
            if (sinkBind == null)
            {
                require(target == null, "udp-oneway needs a sink address: the address the target forwards to " +
                    "(the harness listens there and counts what arrives)");
                sinkBind = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
            }
            require(!sinkBind.isUnresolved(), "sink address '" + sinkBind.getHostString() + "' does not resolve");
        }
        else
        {
            require(target != null, mode.cliName() + " needs a target address, e.g. 127.0.0.1:8080");
            require(sinkBind == null, "a sink address applies to udp-oneway only");
        }
        if (target != null)
        {
            require(!target.isUnresolved(), "target '" + target.getHostString() + "' does not resolve");
            require(target.getPort() > 0, "target " + target.getHostString() + " has no port");
        }
    }

    private void concludeSize()
    {
        if (size == 0)
        {
            size = mode == BenchMode.BULK ? DEFAULT_BULK_WRITE_SIZE : DEFAULT_MESSAGE_SIZE;
        }
        require(size > 0, "size must be more than zero, not " + size);
        if (mode.embedsHeader())
        {
            require(size >= Payload.HEADER_LENGTH, mode.cliName() + " messages carry a " + Payload.HEADER_LENGTH +
                "-byte header (sequence and send time), so size must be at least " + Payload.HEADER_LENGTH +
                ", not " + size);
        }
        final int max = mode.isUdp() ? MAX_DATAGRAM_SIZE : MAX_TCP_SIZE;
        require(size <= max, "size " + size + " is more than the " + max + " bytes " + mode.cliName() +
            " can send in one " + (mode.isUdp() ? "datagram" : "message"));
    }

    private void concludeRate()
    {
        require(ratePerSecond >= 0, "rate must be more than zero, not " + ratePerSecond);
        require(ratePerSecond == 0 || mode != BenchMode.BULK, "bulk pushes as fast as it can; a rate does not " +
            "apply to it");
        if (mode == BenchMode.UDP_ONEWAY && ratePerSecond == 0)
        {
            ratePerSecond = DEFAULT_ONEWAY_RATE;
        }
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(message);
        }
    }

    /**
     * The mode.
     *
     * @return what the run measures.
     */
    public BenchMode mode()
    {
        return mode;
    }

    /**
     * The address under test.
     *
     * @return the target, or null for udp-oneway into the sink directly until the run binds the sink.
     */
    public InetSocketAddress target()
    {
        return target;
    }

    /**
     * Where the udp-oneway sink listens.
     *
     * @return the bind address, or null for other modes.
     */
    public InetSocketAddress sinkBind()
    {
        return sinkBind;
    }

    /**
     * Connections, clients, flows or streams.
     *
     * @return at least 1.
     */
    public int connections()
    {
        return connections;
    }

    /**
     * Message or write size.
     *
     * @return bytes.
     */
    public int size()
    {
        return size;
    }

    /**
     * Total rate.
     *
     * @return operations per second, or 0 for closed loop.
     */
    public long ratePerSecond()
    {
        return ratePerSecond;
    }

    /**
     * Whether the run sends at a constant rate and measures from intended send times.
     *
     * @return true for an open-loop run.
     */
    public boolean isConstantRate()
    {
        return ratePerSecond > 0;
    }

    /**
     * Measured time.
     *
     * @return the duration.
     */
    public Duration duration()
    {
        return duration;
    }

    /**
     * Warm-up time.
     *
     * @return the duration.
     */
    public Duration warmup()
    {
        return warmup;
    }

    /**
     * Exchange timeout.
     *
     * @return the duration.
     */
    public Duration timeout()
    {
        return timeout;
    }

    /**
     * Sink drain time.
     *
     * @return the duration.
     */
    public Duration drain()
    {
        return drain;
    }

    /**
     * Limit on measured operations.
     *
     * @return the limit, 0 for none.
     */
    public long count()
    {
        return count;
    }

    /**
     * Client threads.
     *
     * @return at least 1.
     */
    public int threads()
    {
        return threads;
    }

    /**
     * Histogram log file.
     *
     * @return the file or null.
     */
    public Path histogramLog()
    {
        return histogramLog;
    }

    /**
     * Progress line receiver.
     *
     * @return the receiver or null.
     */
    public Consumer<String> progress()
    {
        return progress;
    }

    @Override
    public String toString()
    {
        return "BenchContext{mode=" + mode + ", target=" + target + ", connections=" + connections + ", size=" +
            size + ", rate=" + ratePerSecond + ", duration=" + duration + ", warmup=" + warmup + "}";
    }
}
