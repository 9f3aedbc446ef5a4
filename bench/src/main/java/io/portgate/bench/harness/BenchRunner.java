package io.portgate.bench.harness;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.HistogramLogWriter;
import org.HdrHistogram.SingleWriterRecorder;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs one benchmark: opens the connections, starts the client threads, swaps their histograms once a second for
 * the progress line and the histogram log, and builds the report.
 *
 * <p>The run is bounded: the clients stop at the end of the warm-up plus the duration, or at the count; a client
 * still blocked after the end plus the timeout has its sockets closed under it.
 */
public final class BenchRunner
{
    private static final long TICK_NS = TimeUnit.SECONDS.toNanos(1);
    private static final long POLL_MS = 5;
    private static final long JOIN_MS = 2_000;

    private final BenchContext context;
    private final ErrorLog errors = new ErrorLog();
    private final List<LoadWorker> workers = new ArrayList<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Map<String, Distribution> distributions = new LinkedHashMap<>();
    private UdpSink sink;
    private InetSocketAddress target;
    private HistogramLogWriter log;
    private PrintStream logStream;
    private long startNs;
    private long warmupEndNs;
    private long endNs;
    private long lastTickNs;
    private long lastOperations;
    private long lastBytes;
    private long lastDelivered;
    private long stuckClients;

    private BenchRunner(final BenchContext context)
    {
        this.context = context;
    }

    /**
     * Runs a benchmark to its end.
     *
     * @param context the settings; concluded here.
     * @return what it measured.
     * @throws IOException when the target cannot be reached at all, a sink cannot bind or the log cannot be written:
     *                     the message is one sentence naming the address or file.
     * @throws IllegalArgumentException when the settings are impossible.
     */
    public static BenchReport run(final BenchContext context) throws IOException
    {
        context.conclude();
        return new BenchRunner(context).execute();
    }

    private BenchReport execute() throws IOException
    {
        try
        {
            if (context.mode() == BenchMode.UDP_ONEWAY)
            {
                sink = new UdpSink(context.sinkBind());
            }
            target = context.target() != null ? context.target() : sink.localAddress();
            createWorkers();
            for (final LoadWorker worker : workers)
            {
                worker.open();
            }
            openLog();
            measure();
            return report();
        }
        finally
        {
            for (final LoadWorker worker : workers)
            {
                worker.stop();
                worker.closeAll();
            }
            if (sink != null)
            {
                sink.close();
            }
            if (logStream != null)
            {
                logStream.close();
            }
        }
    }

    private void createWorkers()
    {
        final int n = context.connections();
        switch (context.mode())
        {
            case RR, UDP_RR ->
            {
                for (int t = 0; t < context.threads(); t++)
                {
                    final int[] lanes = lanesOf(t, context.threads(), n);
                    workers.add(context.mode() == BenchMode.RR ?
                        new TcpRoundTripWorker(context, errors, target, lanes) :
                        new UdpRoundTripWorker(context, errors, target, lanes));
                }
            }
            case CONNECT ->
            {
                for (int lane = 0; lane < n; lane++)
                {
                    workers.add(new ConnectWorker(context, errors, target, lane));
                }
            }
            case BULK ->
            {
                for (int i = 0; i < n; i++)
                {
                    workers.add(new BulkWorker(context, errors, target));
                }
            }
            case UDP_ONEWAY -> workers.add(new UdpOneWaySender(context, errors, target));
        }
        final boolean constant = context.isConstantRate();
        switch (context.mode())
        {
            case RR, UDP_RR ->
            {
                distribution("latency", LoadWorker::primary);
                if (constant)
                {
                    distribution("service", LoadWorker::secondary);
                }
            }
            case CONNECT ->
            {
                distribution("handshake", LoadWorker::primary);
                distribution("connect", LoadWorker::secondary);
            }
            case UDP_ONEWAY -> distributions.put("one-way", new Distribution("one-way",
                List.of(sink.oneWayLatency())));
            case BULK ->
            {
                // Throughput only: a blocking write's duration is the socket buffer filling, not a latency.
            }
        }
    }

    /** Lanes of thread t when n connections are dealt round-robin to the threads. */
    private static int[] lanesOf(final int t, final int threads, final int n)
    {
        final int[] lanes = new int[(n - t + threads - 1) / threads];
        for (int i = 0; i < lanes.length; i++)
        {
            lanes[i] = t + i * threads;
        }
        return lanes;
    }

    private void distribution(final String name, final java.util.function.Function<LoadWorker,
        SingleWriterRecorder> recorder)
    {
        distributions.put(name, new Distribution(name, workers.stream().map(recorder).toList()));
    }

    private void openLog() throws IOException
    {
        if (context.histogramLog() == null)
        {
            return;
        }
        try
        {
            logStream = new PrintStream(context.histogramLog().toFile(), java.nio.charset.StandardCharsets.US_ASCII);
        }
        catch (final FileNotFoundException ex)
        {
            throw new IOException("cannot write the histogram log " + context.histogramLog() + ": " +
                ErrorLog.describe(ex), ex);
        }
        log = new HistogramLogWriter(logStream);
        log.outputComment("portgate bench " + context.mode().cliName() + " " + Formats.address(target) +
            " connections=" +
            context.connections() + " size=" + context.size() + " rate=" + context.ratePerSecond() +
            " (values in nanoseconds; tags name the distributions)");
        log.outputLogFormatVersion();
    }

    private void measure()
    {
        startNs = System.nanoTime();
        warmupEndNs = startNs + context.warmup().toNanos();
        endNs = warmupEndNs + context.duration().toNanos();
        final long epochMs = System.currentTimeMillis();
        if (log != null)
        {
            log.outputStartTime(epochMs);
            log.setBaseTime(epochMs);
            log.outputLegend();
        }
        final long count = context.count();
        for (int i = 0; i < workers.size(); i++)
        {
            final long share = count == 0 ? Long.MAX_VALUE :
                count / workers.size() + (i < count % workers.size() ? 1 : 0);
            final LoadWorker worker = workers.get(i);
            worker.begin(startNs, warmupEndNs, endNs, share);
            final Thread thread = Thread.ofPlatform().daemon()
                .name("portgate-bench-" + context.mode().cliName() + "-" + i).unstarted(worker);
            threads.add(thread);
        }
        lastTickNs = startNs;
        threads.forEach(Thread::start);

        final long unblockAtNs = endNs + context.timeout().toNanos();
        long nextTickNs = startNs + TICK_NS;
        boolean unblocked = false;
        while (!allFinished())
        {
            sleepMs(POLL_MS);
            final long nowNs = System.nanoTime();
            if (nowNs - nextTickNs >= 0)
            {
                tick(nowNs);
                nextTickNs += TICK_NS;
            }
            if (!unblocked && nowNs - unblockAtNs >= 0)
            {
                unblocked = true;
                for (final LoadWorker worker : workers)
                {
                    if (!worker.isFinished())
                    {
                        stuckClients++;
                        errors.record("a client was still blocked at the end of the run plus the timeout (the " +
                            "target stopped reading or replying); its socket was closed");
                    }
                    worker.stop();
                    worker.unblock();
                }
            }
        }
        for (final Thread thread : threads)
        {
            join(thread);
        }
        if (sink != null)
        {
            drain();
        }
        tick(System.nanoTime());
    }

    private boolean allFinished()
    {
        for (final LoadWorker worker : workers)
        {
            if (!worker.isFinished())
            {
                return false;
            }
        }
        return true;
    }

    /** Gives datagrams still in flight through the target time to reach the sink, then stops the sink. */
    private void drain()
    {
        final long sent = sum(WorkerCounters.MEASURED_OPERATIONS);
        final long deadlineNs = System.nanoTime() + context.drain().toNanos();
        while (sink.measuredReceived() < sent && System.nanoTime() - deadlineNs < 0)
        {
            sleepMs(1);
        }
        sink.close();
    }

    private void tick(final long nowNs)
    {
        final double intervalStartSec = (lastTickNs - startNs) / 1e9;
        final double intervalEndSec = (nowNs - startNs) / 1e9;
        final StringBuilder latencies = new StringBuilder();
        for (final Distribution d : distributions.values())
        {
            d.swap();
            if (d.interval.getTotalCount() > 0 && latencies.isEmpty())
            {
                latencies.append("  p50 ").append(Formats.nanos(d.interval.getValueAtPercentile(50)))
                    .append("  p99 ").append(Formats.nanos(d.interval.getValueAtPercentile(99)))
                    .append("  max ").append(Formats.nanos(d.interval.getMaxValue()));
            }
            if (log != null && nowNs - warmupEndNs > 0)
            {
                d.interval.setTag(d.name);
                log.outputIntervalHistogram(intervalStartSec, intervalEndSec, d.interval, 1e6);
            }
        }
        final Consumer<String> progress = context.progress();
        // The last swap after the clients finish covers a few milliseconds: too short for a rate worth printing.
        if (progress != null && nowNs - lastTickNs >= TICK_NS / 2)
        {
            progress.accept(progressLine(nowNs, latencies));
        }
        lastTickNs = nowNs;
    }

    private String progressLine(final long nowNs, final CharSequence latencies)
    {
        final double seconds = Math.max(1e-9, (nowNs - lastTickNs) / 1e9);
        final long operations = sum(WorkerCounters.OPERATIONS);
        final long bytes = sum(WorkerCounters.BYTES);
        // The runner polls every few milliseconds, so a tick meant for the end of the warm-up lands just after it.
        final String when = nowNs - warmupEndNs < TimeUnit.MILLISECONDS.toNanos(POLL_MS * 4) ?
            String.format(Locale.ROOT, "warm-up %4.1fs", (nowNs - startNs) / 1e9) :
            String.format(Locale.ROOT, "%12.1fs", Math.max(0, nowNs - warmupEndNs) / 1e9);
        final StringBuilder sb = new StringBuilder(when).append("  ").append(context.mode().cliName()).append("  ");
        switch (context.mode())
        {
            case BULK -> sb.append(String.format(Locale.ROOT, "%.1f MB/s", (bytes - lastBytes) / 1e6 / seconds));
            case UDP_ONEWAY ->
            {
                final long delivered = sink.messages();
                sb.append("sent ").append(Formats.rate((operations - lastOperations) / seconds))
                    .append("/s  delivered ").append(Formats.rate((delivered - lastDelivered) / seconds)).append("/s");
                lastDelivered = delivered;
            }
            default -> sb.append(Formats.rate((operations - lastOperations) / seconds)).append(' ')
                .append(context.mode().operations()).append("/s");
        }
        sb.append(latencies).append("  errors ").append(sum(WorkerCounters.ERRORS));
        lastOperations = operations;
        lastBytes = bytes;
        return sb.toString();
    }

    private BenchReport report()
    {
        long lastFinishNs = startNs;
        for (final LoadWorker worker : workers)
        {
            lastFinishNs = Math.max(lastFinishNs, worker.finishedNs());
        }
        final long measuredNanos = Math.clamp(lastFinishNs, warmupEndNs, endNs) - warmupEndNs;
        final Map<String, LatencySummary> summaries = new LinkedHashMap<>();
        distributions.forEach((name, d) -> summaries.put(name, LatencySummary.of(d.total)));
        BenchReport.Loss loss = null;
        if (sink != null)
        {
            final UdpSink.Stats stats = sink.stats();
            final long sent = sum(WorkerCounters.MEASURED_OPERATIONS);
            loss = new BenchReport.Loss(sent, stats.received(), sent - stats.received(), stats.duplicates(),
                stats.reordered(), stats.tooLate());
        }
        return new BenchReport(context.mode(), literal(target), sink == null ? null : literal(sink.localAddress()),
            context.connections(), context.size(), context.ratePerSecond(), context.duration(), context.warmup(),
            context.threads(), measuredNanos, sum(WorkerCounters.MEASURED_OPERATIONS),
            sum(WorkerCounters.MEASURED_BYTES), sum(WorkerCounters.ERRORS) + stuckClients, sum(WorkerCounters.TIMEOUTS),
            sum(WorkerCounters.LATE_REPLIES), sum(WorkerCounters.MISMATCHES), summaries, loss, errors.lines());
    }

    private static String literal(final InetSocketAddress address)
    {
        return Formats.address(address);
    }

    private long sum(final int counter)
    {
        long total = 0;
        for (final LoadWorker worker : workers)
        {
            total += worker.counters().get(counter);
        }
        return total;
    }

    private static void sleepMs(final long ms)
    {
        try
        {
            Thread.sleep(ms);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running a benchmark", ex);
        }
    }

    private static void join(final Thread thread)
    {
        try
        {
            thread.join(JOIN_MS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /** One named distribution: the recorders of every client that feeds it, this interval and the total. */
    private static final class Distribution
    {
        final String name;
        final List<SingleWriterRecorder> recorders;
        final Histogram scratch = newHistogram();
        final Histogram interval = newHistogram();
        final Histogram total = newHistogram();

        Distribution(final String name, final List<SingleWriterRecorder> recorders)
        {
            this.name = name;
            this.recorders = recorders;
        }

        void swap()
        {
            interval.reset();
            for (final SingleWriterRecorder recorder : recorders)
            {
                recorder.getIntervalHistogramInto(scratch);
                interval.add(scratch);
            }
            total.add(interval);
        }

        private static Histogram newHistogram()
        {
            return new Histogram(1, LoadWorker.HIGHEST_TRACKABLE_NS, LoadWorker.SIGNIFICANT_DIGITS);
        }
    }
}
