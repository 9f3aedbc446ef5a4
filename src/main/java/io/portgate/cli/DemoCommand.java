package io.portgate.cli;

import io.portgate.ListenerStats;
import io.portgate.Portgate;
import io.portgate.TargetStats;
import io.portgate.config.Endpoint;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortMap;
import io.portgate.config.PortgateConfig;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * {@code portgate demo}: a balancer in front of embedded echo backends on a bare machine, a short burst of traffic
 * through it and straight to the backends after a warm-up of both, and what it did.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Start three embedded echo backends on internal ports of 127.0.0.1, a balancer in front of them " +
        "on an external port, and send a short burst of round trips through it and, alternating with them, " +
        "straight to the backends, after a warm-up on both. Prints the port map, how many connections and bytes " +
        "each target got, the round-trip percentiles of both paths and portgate's ratio to direct. Every byte is " +
        "checked. Needs no configuration.",
        "With --keep it stays up afterwards so you can connect with nc; Ctrl-C stops it."})
final class DemoCommand implements Callable<Integer>
{
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
    /** The warm-up stops after this long even if it has not done {@code --warmup} round trips, so the demo stays short. */
    static final int WARMUP_LIMIT_S = 3;

    @Spec
    private CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "0",
        description = "External port on 127.0.0.1 (default: a free one).")
    private int port;

    @Option(names = "--backends", paramLabel = "N", defaultValue = "3", description = "Echo backends (default: 3).")
    private int backends;

    @Option(names = "--connections", paramLabel = "N", defaultValue = "9",
        description = "Client connections in the burst (default: ${DEFAULT-VALUE}).")
    private int connections;

    @Option(names = "--messages", paramLabel = "N", defaultValue = "500",
        description = "Round trips per connection (default: ${DEFAULT-VALUE}).")
    private int messages;

    @Option(names = "--size", paramLabel = "BYTES", defaultValue = "64",
        description = "Message size (default: ${DEFAULT-VALUE}).")
    private int size;

    @Option(names = "--warmup", paramLabel = "N", defaultValue = "3000",
        description = "At least N round trips on each path before measuring, checked and discarded, and more until " +
            "the JIT goes quiet, so the figures are the steady state's rather than a cold JVM's; at most " +
            WARMUP_LIMIT_S + "s. 0 measures a cold JVM (default: ${DEFAULT-VALUE}).")
    private int warmup;

    @Option(names = "--idle-strategy", paramLabel = "NAME", defaultValue = "block",
        description = "How the balancer's loop waits: block, backoff, spin or sleep (default: ${DEFAULT-VALUE}).")
    private String idleStrategy;

    @Option(names = "--splice", paramLabel = "MODE", defaultValue = "off",
        description = "splice(2) fast path: auto, on or off (default: ${DEFAULT-VALUE}).")
    private String splice;

    @Option(names = "--keep", description = "Stay up after the burst until interrupted.")
    private boolean keep;

    @Override
    public Integer call() throws Exception
    {
        final PrintWriter out = spec.commandLine().getOut();
        final PrintWriter err = spec.commandLine().getErr();
        if (backends < 1 || backends > 16 || connections < 1 || connections > 1000 || messages < 1 || size < 1 ||
            size > 1 << 20 || port < 0 || port > 65535 || warmup < 0)
        {
            err.println("portgate demo: --backends 1-16, --connections 1-1000, --messages >= 1, --size 1-1048576, " +
                "--port 0-65535, --warmup >= 0");
            return Main.ERRORS;
        }
        final io.portgate.config.IdleStrategyName idle = java.util.Arrays.stream(
            io.portgate.config.IdleStrategyName.values()).filter(v -> v.configName().equals(idleStrategy)).findFirst()
            .orElse(null);
        if (idle == null)
        {
            err.println("portgate demo: --idle-strategy '" + idleStrategy + "' is not one of: block, backoff, spin, " +
                "sleep");
            return Main.ERRORS;
        }
        final List<EchoBackend> echo = new ArrayList<>();
        try
        {
            for (int i = 0; i < backends; i++)
            {
                echo.add(new EchoBackend());
            }
            final PoolConfig.Builder pool = PoolConfig.builder("echo");
            echo.forEach(b -> pool.target(LOOPBACK, b.port()));
            final int external = port != 0 ? port : freePort();
            final PortgateConfig config = PortgateConfig.builder()
                .workers(1)
                .idleStrategy(idle)
                .splice(io.portgate.config.FastPath.valueOf(splice.toUpperCase(Locale.ROOT)))
                .listener(ListenerConfig.builder("demo").bind(Endpoint.format(LOOPBACK, external)).pool("echo")
                    .build())
                .pool(pool.build())
                .build();

            try (Portgate portgate = Portgate.start(config))
            {
                out.println("portgate demo: " + backends + " echo backends on internal ports, one listener in front");
                out.println();
                printPortMap(out, config);
                out.println();
                out.printf(Locale.ROOT, "Sending %d connections x %d round trips of %d bytes through 127.0.0.1:%d " +
                    "and, alternating with them, straight to the backends...%n", connections, messages, size, external);
                out.flush();
                final Comparison result;
                try
                {
                    result = compare(external, echo);
                }
                catch (final CorruptReply ex)
                {
                    err.println("portgate demo: " + ex.getMessage());
                    return Main.WARNINGS;
                }
                out.println();
                printWarmUp(out, result);
                printTargets(out, portgate.stats().listener("demo"));
                out.println();
                printComparison(out, result);
                if (keep)
                {
                    out.println();
                    out.println("Staying up: try `nc 127.0.0.1 " + external + "` (every line comes back). Ctrl-C stops.");
                    out.flush();
                    new CountDownLatch(1).await();
                }
            }
        }
        finally
        {
            echo.forEach(EchoBackend::close);
        }
        return Main.OK;
    }

    /**
     * What the two paths measured.
     *
     * @param direct       round trips straight to the backends.
     * @param through      round trips through portgate.
     * @param warmedUp     discarded round trips on each path before measuring.
     * @param warmupMillis how long the warm-up took.
     * @param jitSettled   whether the warm-up ended with the JIT idle, rather than at its time limit.
     */
    private record Comparison(Histogram direct, Histogram through, long warmedUp, long warmupMillis,
        boolean jitSettled)
    {
    }

    /**
     * Each connection is a pair of sockets, one through portgate and one straight to a backend, used in turn: first a
     * warm-up on both, then the measured round trips, alternating which path goes first, so whatever else the
     * machine does falls on both paths alike. The measuring starts once every connection has stopped warming up.
     */
    private Comparison compare(final int external, final List<EchoBackend> echo) throws Exception
    {
        final WarmUp warm = new WarmUp(connections, warmup);
        final Histogram direct = new Histogram(3_600_000_000_000L, 3);
        final Histogram through = new Histogram(3_600_000_000_000L, 3);
        long warmedUp = 0;
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor())
        {
            final List<Future<Client>> results = new ArrayList<>();
            for (int c = 0; c < connections; c++)
            {
                final int seed = c;
                final int backend = echo.get(c % echo.size()).port();
                results.add(pool.submit(() ->
                {
                    try (Client client = new Client(external, backend, seed))
                    {
                        client.warmUp(warm);
                        warm.awaitEveryone();
                        client.measure();
                        return client;
                    }
                    finally
                    {
                        // A connection that failed must not keep the others waiting for it.
                        warm.leave();
                    }
                }));
            }
            warm.run(results);
            for (final Future<Client> f : results)
            {
                final Client client;
                try
                {
                    client = f.get();
                }
                catch (final java.util.concurrent.ExecutionException ex)
                {
                    if (ex.getCause() instanceof CorruptReply corrupt)
                    {
                        throw corrupt;
                    }
                    throw ex;
                }
                direct.add(client.direct);
                through.add(client.through);
                warmedUp += client.warmedUp;
            }
        }
        return new Comparison(direct, through, warmedUp, warm.millis(), warm.settled());
    }

    /**
     * Decides when the warm-up ends: after at least the round trips asked for, once the JIT has gone a while without
     * compiling (so the measured round trips run compiled code, and no compiler thread competes with them for the
     * CPU), or at the time limit, whichever comes first.
     */
    private static final class WarmUp
    {
        private static final long JIT_QUIET_MS = 250;
        private static final long POLL_MS = 25;

        private volatile boolean done;
        private final java.util.concurrent.atomic.LongAdder pairs = new java.util.concurrent.atomic.LongAdder();
        private final CountDownLatch stopped;
        private long millis;
        private boolean settled;

        private final int atLeast;

        /**
         * @param connections how many connections warm up.
         * @param atLeast     round trips on each path before it may end; 0 for none at all.
         */
        WarmUp(final int connections, final int atLeast)
        {
            stopped = new CountDownLatch(connections);
            this.atLeast = atLeast;
            done = atLeast == 0;
        }

        boolean done()
        {
            return done;
        }

        void countPair()
        {
            pairs.increment();
        }

        /** A connection stopped warming up; the measuring starts when all have. */
        void leave()
        {
            stopped.countDown();
        }

        void awaitEveryone() throws InterruptedException
        {
            leave();
            stopped.await();
        }

        /** Runs on the calling thread until the warm-up is over; returns once every connection has stopped it. */
        void run(final List<? extends Future<?>> connections) throws InterruptedException
        {
            final java.lang.management.CompilationMXBean jit =
                java.lang.management.ManagementFactory.getCompilationMXBean();
            final boolean canWatchJit = jit != null && jit.isCompilationTimeMonitoringSupported();
            final long startNs = System.nanoTime();
            final long limitNs = startNs + TimeUnit.SECONDS.toNanos(WARMUP_LIMIT_S);
            long compiled = canWatchJit ? jit.getTotalCompilationTime() : 0;
            long quietSinceNs = startNs;
            while (!done && System.nanoTime() - limitNs < 0 &&
                connections.stream().noneMatch(Future::isDone))
            {
                Thread.sleep(POLL_MS);
                final long now = System.nanoTime();
                final long compiledNow = canWatchJit ? jit.getTotalCompilationTime() : compiled;
                if (compiledNow != compiled)
                {
                    compiled = compiledNow;
                    quietSinceNs = now;
                }
                if (pairs.sum() >= atLeast && now - quietSinceNs >= TimeUnit.MILLISECONDS.toNanos(JIT_QUIET_MS))
                {
                    settled = true;
                    break;
                }
            }
            done = true;
            stopped.await();
            millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
        }

        long millis()
        {
            return millis;
        }

        boolean settled()
        {
            return settled;
        }
    }

    /** A reply that was not what was sent: the demo's one failure that is portgate's fault. */
    private static final class CorruptReply extends IOException
    {
        CorruptReply(final String path)
        {
            super("a reply " + path + " differed from what was sent" +
                (path.equals("through portgate") ? ": the balancer corrupted data" : ""));
        }
    }

    /** One client connection on each path, with the round trips it measured on each. */
    private final class Client implements AutoCloseable
    {
        final Histogram direct = new Histogram(3_600_000_000_000L, 3);
        final Histogram through = new Histogram(3_600_000_000_000L, 3);
        long warmedUp;
        private final Socket viaPortgate;
        private final Socket straight;
        private final byte[] message = new byte[size];
        private final byte[] reply = new byte[size];
        private final SplittableRandom random;

        Client(final int external, final int backend, final long seed) throws IOException
        {
            random = new SplittableRandom(seed);
            viaPortgate = open(external);
            try
            {
                straight = open(backend);
            }
            catch (final IOException ex)
            {
                viaPortgate.close();
                throw ex;
            }
        }

        private static Socket open(final int port) throws IOException
        {
            final Socket socket = new Socket(LOOPBACK, port);
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            return socket;
        }

        /** Round trips on both paths, in pairs so each path gets as many, until the warm-up is over. */
        void warmUp(final WarmUp warm) throws IOException
        {
            while (!warm.done())
            {
                roundTrip(straight, "direct");
                roundTrip(viaPortgate, "through portgate");
                warmedUp++;
                warm.countPair();
            }
        }

        void measure() throws IOException
        {
            for (int m = 0; m < messages; m++)
            {
                if ((m & 1) == 0)
                {
                    direct.recordValue(roundTrip(straight, "direct"));
                    through.recordValue(roundTrip(viaPortgate, "through portgate"));
                }
                else
                {
                    through.recordValue(roundTrip(viaPortgate, "through portgate"));
                    direct.recordValue(roundTrip(straight, "direct"));
                }
            }
        }

        /** One round trip of a fresh random message, every byte checked; returns how long it took. */
        private long roundTrip(final Socket socket, final String path) throws IOException
        {
            for (int i = 0; i < size; i++)
            {
                message[i] = (byte)random.nextInt(256);
            }
            final long start = System.nanoTime();
            socket.getOutputStream().write(message);
            final int read = socket.getInputStream().readNBytes(reply, 0, size);
            final long took = System.nanoTime() - start;
            if (read != size || !Arrays.equals(message, reply))
            {
                throw new CorruptReply(path);
            }
            return took;
        }

        @Override
        public void close() throws IOException
        {
            try (viaPortgate; straight)
            {
                // closes both
            }
        }
    }

    private static void printWarmUp(final PrintWriter out, final Comparison c)
    {
        if (c.warmedUp() > 0)
        {
            out.printf(Locale.ROOT, "Warm-up: %d round trips on each path, checked and discarded, in %.1fs: %s. " +
                "The bytes below count them.%n", c.warmedUp(), c.warmupMillis() / 1000.0, c.jitSettled() ?
                "until the JIT had compiled both paths and gone quiet" : "stopped at its " + WARMUP_LIMIT_S +
                "s limit, the JIT perhaps still compiling");
        }
        else
        {
            out.println("Warm-up: none (--warmup 0), so the figures below are a cold JVM's, not the steady state's.");
        }
    }

    private void printComparison(final PrintWriter out, final Comparison c)
    {
        out.printf(Locale.ROOT, "Measured: %d round trips of %d bytes on each path (%d connections x %d), direct " +
            "and through portgate in turn, every byte checked.%n", c.through().getTotalCount(), size, connections,
            messages);
        final List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"ROUND TRIP", "P50", "P90", "P99", "P99.9", "MAX"});
        rows.add(latencyRow("direct", c.direct()));
        rows.add(latencyRow("portgate", c.through()));
        Table.print(out, rows);
        out.printf(Locale.ROOT, "portgate / direct: %s at p50, %s at p90, %s at p99%n",
            ratio(c.through(), c.direct(), 50), ratio(c.through(), c.direct(), 90),
            ratio(c.through(), c.direct(), 99));
    }

    private static String ratio(final Histogram through, final Histogram direct, final double percentile)
    {
        final long base = direct.getValueAtPercentile(percentile);
        return base <= 0 ? "-" : String.format(Locale.ROOT, "%.2fx",
            through.getValueAtPercentile(percentile) / (double)base);
    }

    private static void printPortMap(final PrintWriter out, final PortgateConfig config)
    {
        final List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"LISTENER", "PROTO", "EXTERNAL", "", "POOL", "BALANCE", "TARGET"});
        for (final PortMap.Row r : PortMap.of(config))
        {
            rows.add(new String[] {r.listener(), r.protocol().configName(), r.external().toString(), "->", r.pool(),
                r.balance(), r.targetEndpoint()});
        }
        Table.print(out, rows);
    }

    private static void printTargets(final PrintWriter out, final ListenerStats listener)
    {
        final List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"TARGET", "CONNECTIONS", "BYTES TO TARGET", "BYTES FROM TARGET", "CONNECT FAILURES"});
        for (final TargetStats t : listener.targets())
        {
            rows.add(new String[] {t.target(), Long.toString(t.totalConnections()), Long.toString(t.bytesIn()),
                Long.toString(t.bytesOut()), Long.toString(t.connectFailures())});
        }
        Table.print(out, rows);
    }

    private static String[] latencyRow(final String name, final Histogram h)
    {
        return new String[] {name, micros(h.getValueAtPercentile(50)), micros(h.getValueAtPercentile(90)),
            micros(h.getValueAtPercentile(99)), micros(h.getValueAtPercentile(99.9)), micros(h.getMaxValue())};
    }

    private static String micros(final long nanos)
    {
        return String.format(Locale.ROOT, "%.0fus", nanos / 1000.0);
    }

    private static int freePort() throws IOException
    {
        try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK))
        {
            return s.getLocalPort();
        }
    }

    /** A blocking echo server on 127.0.0.1 with a virtual thread per connection. */
    private static final class EchoBackend implements AutoCloseable
    {
        private final ServerSocket server;
        private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();

        EchoBackend() throws IOException
        {
            server = new ServerSocket();
            server.bind(new InetSocketAddress(LOOPBACK, 0), 1024);
            threads.submit(this::acceptLoop);
        }

        int port()
        {
            return server.getLocalPort();
        }

        private Void acceptLoop()
        {
            try
            {
                while (true)
                {
                    final Socket socket = server.accept();
                    threads.submit(() -> echo(socket));
                }
            }
            catch (final IOException closed)
            {
                return null;
            }
        }

        private static Void echo(final Socket socket)
        {
            try (socket)
            {
                socket.setTcpNoDelay(true);
                socket.getInputStream().transferTo(socket.getOutputStream());
            }
            catch (final IOException ignored)
            {
                // The client went away.
            }
            return null;
        }

        @Override
        public void close()
        {
            try
            {
                server.close();
            }
            catch (final IOException ignored)
            {
                // Closing anyway.
            }
            threads.shutdownNow();
        }
    }
}
