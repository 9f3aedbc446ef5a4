package io.portgate.bench.reliability;

import io.portgate.metrics.Metric;
import io.portgate.metrics.MetricsReader;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The balancer out of file descriptors: run under {@code prlimit --nofile=256}, more clients than it has descriptors
 * for, then the clients gone. Issue 15's bar: CPU under 30 % of a core while starved, no healthy target marked down,
 * service back within a second of descriptors coming free. While starved the admin endpoint cannot accept either, so
 * target states are read from the metrics file, as {@code portgate stat} does.
 */
final class FdExhaustion implements Scenario
{
    private static final int NOFILE = 256;

    @Override
    public String name()
    {
        return "fd-exhaustion";
    }

    @Override
    public String what()
    {
        return "the balancer under prlimit --nofile=" + NOFILE + " with 400 clients (two healthy echo targets), then " +
            "the clients closed; PASS when its CPU stays under 30 % of a core while starved, no target is marked " +
            "down, and a new connection is served within 1 s of the descriptors coming free";
    }

    @Override
    public boolean required()
    {
        return true;
    }

    @Override
    public Outcome run(final SuiteContext context) throws Exception
    {
        final List<String> notes = new ArrayList<>();
        final int clients = 400;
        try (TargetProcess a = TargetProcess.start(context.root(), "--echo", "tcp", 0);
             TargetProcess b = TargetProcess.start(context.root(), "--echo", "tcp", 0))
        {
            final int port = SuiteContext.freeTcpPort();
            final SuiteContext.ConfigFile config = context.config("""
                workers: 1
                metrics-file: %%METRICS%%
                listeners:
                  - name: starved
                    bind: 127.0.0.1:%d
                    pool: echo
                    connect-timeout: 1s
                pools:
                  echo:
                    balance: round-robin
                    targets: [127.0.0.1:%d, 127.0.0.1:%d]
                    health:
                      protocol: tcp
                      interval: 500ms
                      timeout: 400ms
                      rise: 2
                      fall: 3
                """.formatted(port, a.port(), b.port()));
            try (PortgateRun portgate = context.start(config, 0, NOFILE))
            {
                final InetSocketAddress front = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                PortgateRun.sleep(1500);
                final int before = portgate.openFiles();
                notes.add("open files before: " + before + " of " + NOFILE);
                final double cpu0 = portgate.cpuSeconds();
                final long t0 = System.nanoTime();
                int downSeen = 0;
                try (TcpClients starving = TcpClients.open(front, clients, clients, 3_000, true))
                {
                    notes.add(starving.channels().size() + " of " + clients + " clients were served an echo within " +
                        "3 s, " + starving.unproven().size() + " more connected and wait; the balancer holds " +
                        portgate.openFiles() + " files");
                    // Starved for 3 s: watch CPU and the targets' states.
                    final long until = System.nanoTime() + 3_000_000_000L;
                    while (System.nanoTime() - until < 0)
                    {
                        downSeen = Math.max(downSeen, targetsDown(config));
                        PortgateRun.sleep(100);
                    }
                    final double cpu = (portgate.cpuSeconds() - cpu0) / ((System.nanoTime() - t0) / 1e9);
                    notes.add(String.format(Locale.ROOT, "balancer CPU while starved: %.0f %% of a core", cpu * 100));
                    final long chargedFailures = sum(config, Metric.TARGET_CONNECT_FAILURES);
                    notes.add("connect failures charged to the targets: " + chargedFailures +
                        "; health changes: " + sum(config, Metric.HEALTH_CHANGES));
                    starving.close();
                    // Descriptors free now: how long until a new client is served?
                    final long freed = System.nanoTime();
                    long recoveredMs = -1;
                    while (System.nanoTime() - freed < 10_000_000_000L)
                    {
                        downSeen = Math.max(downSeen, targetsDown(config));
                        try (TcpClients probe = TcpClients.open(front, 1, 1, 200))
                        {
                            if (probe.channels().size() == 1)
                            {
                                recoveredMs = (System.nanoTime() - freed) / 1_000_000;
                                break;
                            }
                        }
                        PortgateRun.sleep(20);
                    }
                    notes.add("most targets seen down at once: " + downSeen + " of 2");
                    final boolean passed = cpu < 0.30 && downSeen == 0 && recoveredMs >= 0 && recoveredMs <= 1000;
                    return Outcome.of(passed, String.format(Locale.ROOT, "CPU %.0f %% of a core while starved; " +
                        "%d of 2 healthy targets marked down; service back %s after descriptors came free",
                        cpu * 100, downSeen, recoveredMs < 0 ? "not within 10 s" : "in " + recoveredMs + " ms"),
                        notes);
                }
            }
        }
    }

    private static int targetsDown(final SuiteContext.ConfigFile config)
    {
        try (MetricsReader reader = MetricsReader.open(config.metrics()))
        {
            int down = 0;
            for (final MetricsReader.Sample s : reader.samples())
            {
                if (s.metric() == Metric.TARGET_STATE && s.value() == 0)
                {
                    down++;
                }
            }
            return down;
        }
        catch (final RuntimeException ex)
        {
            return 0;
        }
    }

    private static long sum(final SuiteContext.ConfigFile config, final Metric metric)
    {
        try (MetricsReader reader = MetricsReader.open(config.metrics()))
        {
            long sum = 0;
            for (final MetricsReader.Sample s : reader.samples())
            {
                if (s.metric() == metric)
                {
                    sum += s.value();
                }
            }
            return sum;
        }
    }
}
