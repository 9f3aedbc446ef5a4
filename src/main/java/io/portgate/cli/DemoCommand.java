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
import java.io.InputStream;
import java.io.OutputStream;
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

/**
 * {@code portgate demo}: a balancer in front of embedded echo backends on a bare machine, a short burst of traffic
 * through it, and what it did.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
    description = {"Start three embedded echo backends on internal ports of 127.0.0.1, a balancer in front of them " +
        "on an external port, send a short burst of traffic through it, and print the port map, how many " +
        "connections and bytes each target got, and the round-trip percentiles. Needs no configuration.",
        "With --keep it stays up afterwards so you can connect with nc; Ctrl-C stops it."})
final class DemoCommand implements Callable<Integer>
{
    private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

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
            size > 1 << 20 || port < 0 || port > 65535)
        {
            err.println("portgate demo: --backends 1-16, --connections 1-1000, --messages >= 1, --size 1-1048576, " +
                "--port 0-65535");
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
                out.printf(Locale.ROOT, "Sending %d connections x %d round trips of %d bytes through 127.0.0.1:%d...%n",
                    connections, messages, size, external);
                out.flush();
                final Histogram through = burst(c -> external);
                out.println();
                printTargets(out, portgate.stats().listener("demo"));
                final Histogram direct = burst(c -> echo.get(c % echo.size()).port());
                out.println();
                out.printf(Locale.ROOT, "Round trips: %d through portgate and %d direct to the backends, every byte " +
                    "checked.%n", through.getTotalCount(), direct.getTotalCount());
                final List<String[]> rows = new ArrayList<>();
                rows.add(new String[] {"ROUND TRIP", "P50", "P90", "P99", "P99.9", "MAX"});
                rows.add(latencyRow("direct", direct));
                rows.add(latencyRow("portgate", through));
                Table.print(out, rows);
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

    private Histogram burst(final java.util.function.IntUnaryOperator portOfConnection) throws Exception
    {
        final Histogram total = new Histogram(3_600_000_000_000L, 3);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor())
        {
            final List<Future<Histogram>> results = new ArrayList<>();
            for (int c = 0; c < connections; c++)
            {
                final int seed = c;
                results.add(pool.submit(() -> client(portOfConnection.applyAsInt(seed), seed)));
            }
            for (final Future<Histogram> f : results)
            {
                total.add(f.get());
            }
        }
        return total;
    }

    private Histogram client(final int external, final long seed) throws IOException
    {
        final Histogram h = new Histogram(3_600_000_000_000L, 3);
        final byte[] message = new byte[size];
        final byte[] reply = new byte[size];
        final SplittableRandom random = new SplittableRandom(seed);
        try (Socket socket = new Socket(LOOPBACK, external))
        {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout(10_000);
            final OutputStream out = socket.getOutputStream();
            final InputStream in = socket.getInputStream();
            for (int m = 0; m < messages; m++)
            {
                for (int i = 0; i < size; i++)
                {
                    message[i] = (byte)random.nextInt(256);
                }
                final long start = System.nanoTime();
                out.write(message);
                in.readNBytes(reply, 0, size);
                h.recordValue(System.nanoTime() - start);
                if (!Arrays.equals(message, reply))
                {
                    throw new IOException("a reply differed from what was sent: the balancer corrupted data");
                }
            }
        }
        return h;
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
