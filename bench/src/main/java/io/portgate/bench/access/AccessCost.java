package io.portgate.bench.access;

import io.portgate.Portgate;
import io.portgate.config.AccessLogConfig;
import io.portgate.config.LogFormat;
import io.portgate.bench.harness.BenchServer;
import io.portgate.config.CidrConfig;
import io.portgate.config.FastPath;
import io.portgate.config.IdleStrategyName;
import io.portgate.config.ListenerConfig;
import io.portgate.config.PoolConfig;
import io.portgate.config.PortgateConfig;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What issue 13's access control costs the balancer, measured on one build in one run: the same embedded portgate
 * (one worker, idle strategy {@code block}, plain NIO copy) started alternately without and with a 1,000-entry deny
 * list (900 IPv4 blocks, 100 IPv6), per-source limits (high enough never to refuse) and the access log (JSON, to a
 * file), each round measuring
 * <ul>
 *   <li>the worker thread's CPU time per TCP round trip (64 bytes each way, one connection, closed loop), read with
 *       {@code ThreadMXBean#getThreadCpuTime}, and the round trips per second;</li>
 *   <li>new connections per second (connect, 64 bytes each way, close; closed loop from 127.0.0.2) and the worker's
 *       CPU time per connection.</li>
 * </ul>
 * The echo backend and the client run in this process on threads of their own; only the worker's CPU is counted.
 *
 * <pre>
 * java [runtime flags] -cp bench/target/benchmarks.jar io.portgate.bench.access.AccessCost [ROUNDS] [SECONDS]
 * java [runtime flags] -cp bench/target/benchmarks.jar io.portgate.bench.access.AccessCost interleaved [SLICES] [S]
 * </pre>
 * The second form runs both balancers at once and alternates between them every slice (0.5 s by default), so a
 * drift in the machine's load falls on both alike.
 */
public final class AccessCost
{
    private static final int MESSAGE = 64;

    private AccessCost()
    {
    }

    /**
     * Runs the comparison and prints one line per measurement and a summary.
     *
     * @param args rounds (default 6) and seconds per measurement (default 3).
     * @throws Exception when a socket fails.
     */
    public static void main(final String[] args) throws Exception
    {
        if (args.length > 0 && args[0].equals("interleaved"))
        {
            interleaved(args.length > 1 ? Integer.parseInt(args[1]) : 40, args.length > 2 ?
                Double.parseDouble(args[2]) : 0.5);
            return;
        }
        final int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        final int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        final Path dir = Files.createTempDirectory("portgate-access-cost");
        final List<double[]> off = new ArrayList<>();
        final List<double[]> on = new ArrayList<>();
        try (BenchServer backend = BenchServer.start(BenchServer.Kind.TCP_ECHO,
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            System.out.println("round mode  rr/s  worker_ns/rr  conn/s  worker_us/conn");
            for (int round = 1; round <= rounds; round++)
            {
                // Alternate which goes first, so a drift in the machine's load falls on both.
                final boolean[] order = round % 2 == 1 ? new boolean[] {false, true} : new boolean[] {true, false};
                for (final boolean access : order)
                {
                    final double[] result = measure(access, backend.localAddress(), dir, seconds);
                    (access ? on : off).add(result);
                    System.out.printf(Locale.ROOT, "%5d %-4s %6.0f %12.0f %7.0f %14.1f%n", round, access ? "on" : "off",
                        result[0], result[1], result[2], result[3]);
                }
            }
        }
        System.out.println();
        System.out.println("over rounds 2-" + rounds + " (round 1 is warm-up)     mean off   mean on  on/off  " +
            "median off median on  on/off");
        final String[] names = {"round trips/s", "worker CPU ns per round trip", "new connections/s",
            "worker CPU us per connection"};
        for (int i = 0; i < names.length; i++)
        {
            final double a = mean(off, i);
            final double b = mean(on, i);
            final double c = median(off, i);
            final double d = median(on, i);
            System.out.printf(Locale.ROOT, "%-32s %9.1f %9.1f %7.3f %10.1f %9.1f %7.3f%n", names[i], a, b, b / a, c, d,
                d / c);
        }
    }

    /**
     * Both balancers at once, each with its own worker thread, measured in short alternating slices so that the
     * machine's load, which drifts over seconds, falls on both alike; totals over all slices.
     */
    private static void interleaved(final int slices, final double sliceSeconds) throws Exception
    {
        final Path dir = Files.createTempDirectory("portgate-access-cost");
        final Duration slice = Duration.ofNanos((long)(sliceSeconds * 1e9));
        try (BenchServer backend = BenchServer.start(BenchServer.Kind.TCP_ECHO,
            new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)))
        {
            final Portgate off = start(false, backend.localAddress(), dir);
            final long offWorker = workerThread(-1);
            final Portgate on = start(true, backend.localAddress(), dir);
            final long onWorker = workerThread(offWorker);
            try
            {
                final InetSocketAddress[] fronts = {off.boundAddresses("front").getFirst(),
                    on.boundAddresses("front").getFirst()};
                final long[] workers = {offWorker, onWorker};
                // Warm-up: both paths, a few seconds each.
                for (int m = 0; m < 2; m++)
                {
                    roundTrips(fronts[m], Duration.ofSeconds(2), workers[m]);
                    connections(fronts[m], Duration.ofSeconds(2), workers[m]);
                }
                final double[][] rr = new double[2][3];
                final double[][] conn = new double[2][3];
                for (int i = 0; i < slices; i++)
                {
                    for (int k = 0; k < 2; k++)
                    {
                        final int m = (i + k) % 2;
                        add(rr[m], roundTripTotals(fronts[m], slice, workers[m]));
                        add(conn[m], connectionTotals(fronts[m], slice, workers[m]));
                    }
                }
                System.out.printf(Locale.ROOT, "%d slices of %.1f s per mode and kind, alternating%n", slices,
                    sliceSeconds);
                System.out.println("                                   off          on      on/off");
                row("round trips/s", rr[0][0] * 1e9 / rr[0][2], rr[1][0] * 1e9 / rr[1][2]);
                row("worker CPU ns per round trip", rr[0][1] / rr[0][0], rr[1][1] / rr[1][0]);
                row("new connections/s", conn[0][0] * 1e9 / conn[0][2], conn[1][0] * 1e9 / conn[1][2]);
                row("worker CPU us per connection", conn[0][1] / 1e3 / conn[0][0], conn[1][1] / 1e3 / conn[1][0]);
            }
            finally
            {
                on.close(Duration.ZERO);
                off.close(Duration.ZERO);
            }
        }
    }

    private static void row(final String name, final double off, final double on)
    {
        System.out.printf(Locale.ROOT, "%-30s %11.1f %11.1f %9.3f%n", name, off, on, on / off);
    }

    private static void add(final double[] into, final long[] totals)
    {
        for (int i = 0; i < totals.length; i++)
        {
            into[i] += totals[i];
        }
    }

    private static double mean(final List<double[]> results, final int index)
    {
        double sum = 0;
        for (int r = 1; r < results.size(); r++)
        {
            sum += results.get(r)[index];
        }
        return sum / (results.size() - 1);
    }

    private static double median(final List<double[]> results, final int index)
    {
        final double[] values = new double[results.size() - 1];
        for (int r = 1; r < results.size(); r++)
        {
            values[r - 1] = results.get(r)[index];
        }
        java.util.Arrays.sort(values);
        final int n = values.length;
        return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
    }

    private static double[] measure(final boolean access, final InetSocketAddress backend, final Path dir,
        final int seconds) throws Exception
    {
        final Portgate portgate = start(access, backend, dir);
        try
        {
            final InetSocketAddress front = portgate.boundAddresses("front").getFirst();
            final long worker = workerThread(-1);
            roundTrips(front, Duration.ofSeconds(1), worker);
            final double[] rr = roundTrips(front, Duration.ofSeconds(seconds), worker);
            connections(front, Duration.ofSeconds(1), worker);
            final double[] conn = connections(front, Duration.ofSeconds(seconds), worker);
            return new double[] {rr[0], rr[1], conn[0], conn[1]};
        }
        finally
        {
            portgate.close(Duration.ZERO);
            Files.deleteIfExists(dir.resolve(access ? "access-on.log" : "access-off.log"));
        }
    }

    private static Portgate start(final boolean access, final InetSocketAddress backend, final Path dir)
        throws IOException
    {
        final int port;
        try (ServerSocketChannel probe = ServerSocketChannel.open())
        {
            probe.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = ((InetSocketAddress)probe.getLocalAddress()).getPort();
        }
        final ListenerConfig.Builder listener = ListenerConfig.builder("front").bind("127.0.0.1:" + port)
            .pool("back").maxConnections(100_000);
        final PortgateConfig.Builder config = PortgateConfig.builder().workers(1).splice(FastPath.OFF)
            .idleStrategy(IdleStrategyName.BLOCK)
            .pool(PoolConfig.builder("back").target(backend.getAddress(), backend.getPort()).build());
        if (access)
        {
            listener.deny(denyList()).maxConnectionsPerSource(10_000).connectionRatePerSource(1_000_000);
            config.accessLog(AccessLogConfig.file(dir.resolve("access-on.log"), LogFormat.JSON));
        }
        return Portgate.start(config.listener(listener.build()).build());
    }

    /** @return round trips per second and worker CPU ns per round trip. */
    private static double[] roundTrips(final InetSocketAddress front, final Duration length, final long worker)
        throws IOException
    {
        final long[] t = roundTripTotals(front, length, worker);
        return new double[] {t[0] * 1e9 / t[2], (double)t[1] / t[0]};
    }

    /** @return connections per second and worker CPU us per connection. */
    private static double[] connections(final InetSocketAddress front, final Duration length, final long worker)
        throws IOException
    {
        final long[] t = connectionTotals(front, length, worker);
        return new double[] {t[0] * 1e9 / t[2], t[1] / 1e3 / t[0]};
    }

    /** @return round trips, worker CPU ns and elapsed ns. */
    private static long[] roundTripTotals(final InetSocketAddress front, final Duration length, final long worker)
        throws IOException
    {
        final ByteBuffer out = ByteBuffer.allocateDirect(MESSAGE);
        final ByteBuffer in = ByteBuffer.allocateDirect(MESSAGE);
        try (SocketChannel channel = SocketChannel.open(front))
        {
            channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
            final long cpuBefore = cpu(worker);
            final long start = System.nanoTime();
            final long end = start + length.toNanos();
            long count = 0;
            while (System.nanoTime() - end < 0)
            {
                exchange(channel, out, in);
                count++;
            }
            final long elapsed = System.nanoTime() - start;
            return new long[] {count, cpu(worker) - cpuBefore, elapsed};
        }
    }

    /** @return connections, worker CPU ns and elapsed ns. */
    private static long[] connectionTotals(final InetSocketAddress front, final Duration length, final long worker)
        throws IOException
    {
        final ByteBuffer out = ByteBuffer.allocateDirect(MESSAGE);
        final ByteBuffer in = ByteBuffer.allocateDirect(MESSAGE);
        final InetSocketAddress source = new InetSocketAddress(InetAddress.getByName("127.0.0.2"), 0);
        final long cpuBefore = cpu(worker);
        final long start = System.nanoTime();
        final long end = start + length.toNanos();
        long count = 0;
        while (System.nanoTime() - end < 0)
        {
            try (SocketChannel channel = SocketChannel.open())
            {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                // Linger 0: no TIME_WAIT pile-up on the client's side over thousands of connections.
                channel.setOption(StandardSocketOptions.SO_LINGER, 0);
                channel.bind(source);
                channel.connect(front);
                exchange(channel, out, in);
            }
            count++;
        }
        final long elapsed = System.nanoTime() - start;
        return new long[] {count, cpu(worker) - cpuBefore, elapsed};
    }

    private static void exchange(final SocketChannel channel, final ByteBuffer out, final ByteBuffer in)
        throws IOException
    {
        out.clear();
        while (out.hasRemaining())
        {
            channel.write(out);
        }
        in.clear();
        while (in.hasRemaining())
        {
            if (channel.read(in) < 0)
            {
                throw new IOException("closed after " + in.position() + " bytes");
            }
        }
    }

    private static CidrConfig denyList()
    {
        final String[] entries = new String[1000];
        for (int i = 0; i < 900; i++)
        {
            // 10.x.y.0/24 and 172.16-31.x.0/20-style blocks: none holds 127.0.0.0/8.
            entries[i] = i % 2 == 0 ? "10." + (i / 2 % 256) + "." + (i * 7 % 256) + ".0/24" :
                "172." + (16 + i % 16) + "." + (i * 13 % 256) + ".0/24";
        }
        for (int i = 0; i < 100; i++)
        {
            entries[900 + i] = "2001:db8:" + Integer.toHexString(i) + "::/48";
        }
        return CidrConfig.of("deny", entries);
    }

    /** The worker thread of the balancer started last: the one other than {@code except}. */
    private static long workerThread(final long except)
    {
        for (final ThreadInfo info : ManagementFactory.getThreadMXBean().dumpAllThreads(false, false))
        {
            if (info.getThreadName().equals("portgate-worker-0") && info.getThreadId() != except)
            {
                return info.getThreadId();
            }
        }
        throw new IllegalStateException("no portgate-worker-0 thread");
    }

    private static long cpu(final long thread)
    {
        return ManagementFactory.getThreadMXBean().getThreadCpuTime(thread);
    }
}
