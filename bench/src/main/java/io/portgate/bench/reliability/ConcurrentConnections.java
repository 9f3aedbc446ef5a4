package io.portgate.bench.reliability;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Many concurrent idle TCP connections through {@code ./portgate run} to an echo target, each proven end to end, and
 * what they cost the balancer: resident memory and heap (after a full collection) per connection.
 */
final class ConcurrentConnections implements Scenario
{
    /** Where it keeps its measurement for {@link ConnectionMemory}. */
    static final String MEMORY = "tcp-connections.memory";

    /**
     * What idle connections cost.
     *
     * @param asked       how many were opened.
     * @param connections how many were held, each proven by an echo.
     * @param served      whether all were, and the balancer counted them all.
     * @param residentKiB resident memory per connection.
     * @param heapKiB     heap per connection left after a full collection.
     */
    record Memory(int asked, int connections, boolean served, double residentKiB, double heapKiB)
    {
    }

    @Override
    public String name()
    {
        return "tcp-connections";
    }

    @Override
    public String what()
    {
        return "10,000 concurrent idle TCP connections, each echoing 8 bytes end to end; " +
            "PASS when all are served and held (the memory per connection is recorded, and judged by tcp-memory)";
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
        final Memory m = measure(context, null, notes);
        context.keep(MEMORY, m);
        return Outcome.of(m.served(), String.format(Locale.ROOT, "%d of %d connections held; %.2f KiB resident and " +
            "%.2f KiB heap per connection", m.connections(), m.asked(), m.residentKiB(), m.heapKiB()), notes);
    }

    /**
     * Opens the connections through a balancer of its own and measures what they cost.
     *
     * @param context  the suite.
     * @param javaOpts {@code PORTGATE_JAVA_OPTS} for the balancer, or null for the suite's.
     * @param notes    where it says what it saw.
     * @return the measurement.
     */
    static Memory measure(final SuiteContext context, final String javaOpts, final List<String> notes)
        throws Exception
    {
        // The same count in --quick: opening them takes seconds, and fewer would measure the steps in which resident
        // memory grows rather than the cost per connection.
        int count = 10_000;
        // The balancer holds two files per connection, under the same limit as the suite (its processes inherit it).
        final long limit = SuiteContext.openFileLimit();
        if (2L * count + 200 > limit)
        {
            count = (int)((limit - 200) / 2);
            notes.add("the open-file limit here is " + limit + " and cannot be raised (run.sh tries): the balancer " +
                "holds two files per connection, so " + count + " connections");
        }
        try (TargetProcess echo = TargetProcess.start(context.root(), "--echo", "tcp", 0))
        {
            final int port = SuiteContext.freeTcpPort();
            final int admin = SuiteContext.freeTcpPort();
            final SuiteContext.ConfigFile config = context.config("""
                workers: 2
                admin: 127.0.0.1:%d
                metrics-file: %%METRICS%%
                max-connections: %d
                listeners:
                  - name: many
                    bind: 127.0.0.1:%d
                    pool: echo
                    max-connections: %d
                pools:
                  echo:
                    targets: [127.0.0.1:%d]
                """.formatted(admin, 2 * count + 1000, port, 2 * count + 1000, echo.port()));
            try (PortgateRun portgate = javaOpts == null ? context.start(config, admin, 0) :
                PortgateRun.start(context.root(), config.file(), admin, 0, javaOpts))
            {
                notes.add("the balancer's JVM options: " + String.join(" ", portgate.commandLine().stream()
                    .filter(a -> a.startsWith("-X") && !a.startsWith("-XX:+Enable")).toList()));
                final InetSocketAddress front = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
                // Warm up: classes loaded and code compiled before the baseline.
                try (TcpClients warm = TcpClients.open(front, 500, 250, 20_000))
                {
                    notes.add("warm-up: " + warm.channels().size() + " connections");
                }
                awaitActive(portgate, 0);
                final long rss0 = portgate.rssKiB();
                final int fds0 = portgate.openFiles();
                // In two halves, and the cost per connection from the second: the first half also pays what a burst
                // costs once (code compiled on new paths, the collector's own tables and malloc arenas growing).
                final int half = count / 2;
                final long start = System.nanoTime();
                try (TcpClients first = TcpClients.open(front, half, 500, 30_000))
                {
                    awaitActive(portgate, first.channels().size());
                    final long heap1 = portgate.heapUsedAfterGcKiB();
                    final long rss1 = portgate.rssKiB();
                    try (TcpClients second = TcpClients.open(front, count - half, 500, 30_000))
                    {
                        final double openSeconds = (System.nanoTime() - start) / 1e9;
                        final int held = first.channels().size() + second.channels().size();
                        final long active = awaitActive(portgate, held);
                        final long heap2 = portgate.heapUsedAfterGcKiB();
                        final long rss2 = portgate.rssKiB();
                        final int fds2 = portgate.openFiles();
                        final int added = Math.max(1, second.channels().size());
                        notes.add(String.format(Locale.ROOT, "opened in %.1f s; balancer open files %d -> %d (%.2f " +
                            "per connection); active connections by /metrics: %d", openSeconds, fds0, fds2,
                            (fds2 - fds0) / (double)Math.max(1, held), active));
                        notes.add(String.format(Locale.ROOT, "resident memory %.1f MiB, %.1f MiB with the first %d " +
                            "connections, %.1f MiB with all; heap after a full GC %.1f -> %.1f MiB over the second " +
                            "half", rss0 / 1024.0, rss1 / 1024.0, first.channels().size(), rss2 / 1024.0,
                            heap1 / 1024.0, heap2 / 1024.0));
                        return new Memory(count, held, held == count && first.failed() + second.failed() == 0 &&
                            active == count, (rss2 - rss1) / (double)added, (heap2 - heap1) / (double)added);
                    }
                }
            }
        }
    }

    /** Waits up to 15 s for the balancer's open connection count to reach a value; returns the last seen. */
    static long awaitActive(final PortgateRun portgate, final long expected)
    {
        long active = -1;
        final long deadline = System.nanoTime() + 15_000_000_000L;
        while (System.nanoTime() - deadline < 0)
        {
            final Map<String, Double> m = portgate.admin().metrics();
            active = (long)AdminClient.sum(m, "portgate_tcp_connections_active", "");
            if (active == expected)
            {
                return active;
            }
            PortgateRun.sleep(200);
        }
        return active;
    }
}
