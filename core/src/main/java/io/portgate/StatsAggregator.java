package io.portgate;

import io.portgate.conductor.Running;
import io.portgate.metrics.RouteCounters;
import io.portgate.tcp.MemoryBudget;
import io.portgate.tcp.TcpRoute;
import io.portgate.tcp.TcpRouteRuntime;
import io.portgate.tcp.TcpSlots;
import io.portgate.loop.Route;
import io.portgate.loop.RouteRuntime;
import io.portgate.udp.UdpSlots;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.SingleWriterRecorder;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.IntFunction;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * Reads what runs into the facade's views: every listener's and target's counters summed over the workers, and the
 * latency histograms combined over the workers. Safe from any thread: counters are read without stopping a loop, and
 * a histogram's recording buffer is swapped without stopping its worker (HdrHistogram's writer-reader phaser).
 */
final class StatsAggregator
{
    private final MemoryBudget budget;
    private final LongSupplier errors;
    /** By listener name, the connect times since start; kept by name, so they carry across reloads. */
    private final Map<String, Histogram> connectTotals = new HashMap<>();
    private final Map<String, Histogram> firstByteTotals = new HashMap<>();

    StatsAggregator(final MemoryBudget budget, final LongSupplier errors)
    {
        this.budget = budget;
        this.errors = errors;
    }

    PortgateStats stats(final Running running)
    {
        final List<ListenerStats> tcp = collect(running.tcp(), running::tcpRuntimes, (label, c, t) ->
            new TargetStats(label, target(c, t, TcpSlots.T_ACTIVE), target(c, t, TcpSlots.T_TOTAL),
                target(c, t, TcpSlots.T_CONNECT_FAILURES), target(c, t, TcpSlots.T_REFUSED),
                target(c, t, TcpSlots.T_BYTES_IN), target(c, t, TcpSlots.T_BYTES_OUT)), (name, c, targets) ->
            new ListenerStats(name, listener(c, TcpSlots.L_ACTIVE), listener(c, TcpSlots.L_TOTAL),
                listener(c, TcpSlots.L_REFUSED), listener(c, TcpSlots.L_LIMIT_REJECTED),
                listener(c, TcpSlots.L_CONNECT_FAILURES), listener(c, TcpSlots.L_IDLE_TIMEOUTS),
                listener(c, TcpSlots.L_RESETS), listener(c, TcpSlots.L_BYTES_IN), listener(c, TcpSlots.L_BYTES_OUT),
                targets));
        final List<UdpListenerStats> udp = collect(running.udp(), running::udpRuntimes, (label, c, t) ->
            new UdpTargetStats(label, target(c, t, UdpSlots.T_FLOWS_ACTIVE), target(c, t, UdpSlots.T_FLOWS_TOTAL),
                target(c, t, UdpSlots.T_DATAGRAMS_IN), target(c, t, UdpSlots.T_BYTES_IN),
                target(c, t, UdpSlots.T_DATAGRAMS_OUT), target(c, t, UdpSlots.T_BYTES_OUT),
                target(c, t, UdpSlots.T_UNREACHABLE)), (name, c, targets) ->
            new UdpListenerStats(name, listener(c, UdpSlots.L_FLOWS_ACTIVE), listener(c, UdpSlots.L_FLOWS_TOTAL),
                listener(c, UdpSlots.L_DATAGRAMS_IN), listener(c, UdpSlots.L_BYTES_IN),
                listener(c, UdpSlots.L_DATAGRAMS_OUT), listener(c, UdpSlots.L_BYTES_OUT),
                listener(c, UdpSlots.L_DROP_NO_TARGET), listener(c, UdpSlots.L_DROP_WOULD_BLOCK),
                listener(c, UdpSlots.L_DROP_TRUNCATED), listener(c, UdpSlots.L_DROP_UNREACHABLE),
                listener(c, UdpSlots.L_DROP_DRAINING), listener(c, UdpSlots.L_DROP_ERROR),
                listener(c, UdpSlots.L_FLOWS_EVICTED), listener(c, UdpSlots.L_FLOWS_EXPIRED),
                listener(c, UdpSlots.L_UNREACHABLE), targets));
        return new PortgateStats(tcp, budget.used(), budget.highWater(), budget.limit(), errors.getAsLong(), udp);
    }

    /** Reads one target's counters, summed over the workers, into its stats record. */
    @FunctionalInterface
    private interface TargetReader<T>
    {
        T read(String label, RouteCounters[] perWorker, int target);
    }

    /** Reads one listener's counters, summed over the workers, into its stats record. */
    @FunctionalInterface
    private interface ListenerReader<T, L>
    {
        L read(String name, RouteCounters[] perWorker, List<T> targets);
    }

    /** Every listener of a transport with every one of its targets, retired ones included. */
    private static <T, L> List<L> collect(final List<? extends Route> routes,
        final IntFunction<RouteRuntime<?>[]> runtimes, final TargetReader<T> target,
        final ListenerReader<T, L> listener)
    {
        final List<L> listeners = new ArrayList<>(routes.size());
        for (int r = 0; r < routes.size(); r++)
        {
            final Route route = routes.get(r);
            final RouteCounters[] c = counters(runtimes.apply(r));
            final List<T> targets = new ArrayList<>(route.targetCount());
            for (int t = 0; t < route.targetCount(); t++)
            {
                targets.add(target.read(route.targetLabel(t), c, t));
            }
            listeners.add(listener.read(route.name(), c, targets));
        }
        return listeners;
    }

    /**
     * Connections and flows still open, over every listener and worker: what a stop waits for. UDP flows have no
     * close handshake; draining lets them run until they go quiet or the drain ends.
     */
    static long open(final Running running)
    {
        long open = 0;
        for (int r = 0; r < running.tcp().size(); r++)
        {
            open += listener(counters(running.tcpRuntimes(r)), TcpSlots.L_ACTIVE);
        }
        for (int r = 0; r < running.udp().size(); r++)
        {
            open += listener(counters(running.udpRuntimes(r)), UdpSlots.L_FLOWS_ACTIVE);
        }
        return open;
    }

    Histogram connectLatency(final Running running, final String listener)
    {
        final int r = tcpRoute(running, listener);
        return latency(connectTotals, running.tcpRuntimes(r), TcpRouteRuntime::connectLatency, listener);
    }

    Histogram firstByteLatency(final Running running, final String listener)
    {
        final int r = tcpRoute(running, listener);
        return latency(firstByteTotals, running.tcpRuntimes(r), TcpRouteRuntime::firstByteLatency, listener);
    }

    /** Connect times of every TCP listener that accepts, or first-byte times of those that record them. */
    Map<String, Histogram> latencies(final Running running, final boolean firstByte)
    {
        final Map<String, Histogram> latencies = new LinkedHashMap<>();
        final Predicate<TcpRoute> wanted = firstByte ? TcpRoute::firstByteLatency : route -> true;
        for (int r = 0; r < running.tcp().size(); r++)
        {
            final TcpRoute route = running.tcp().get(r);
            if (!route.draining() && wanted.test(route))
            {
                latencies.put(route.name(), firstByte ? firstByteLatency(running, route.name()) :
                    connectLatency(running, route.name()));
            }
        }
        return latencies;
    }

    private static int tcpRoute(final Running running, final String listener)
    {
        for (int r = 0; r < running.tcp().size(); r++)
        {
            if (running.tcp().get(r).name().equals(listener) && !running.tcp().get(r).draining())
            {
                return r;
            }
        }
        throw new IllegalArgumentException("no TCP listener named '" + listener + "'");
    }

    private static Histogram latency(final Map<String, Histogram> totals, final TcpRouteRuntime[] perWorker,
        final Function<TcpRouteRuntime, SingleWriterRecorder> recorder, final String listener)
    {
        synchronized (totals)
        {
            // Taking an interval histogram swaps the worker's recording buffer; only one reader at a time may.
            final Histogram total = totals.computeIfAbsent(listener, name -> new Histogram(2));
            for (final TcpRouteRuntime runtime : perWorker)
            {
                total.add(recorder.apply(runtime).getIntervalHistogram());
            }
            return total.copy();
        }
    }

    /**
     * Summarises a histogram for the public API, which shows no third-party type.
     *
     * @param histogram values in nanoseconds.
     * @return its count and percentiles.
     */
    static LatencySnapshot snapshot(final Histogram histogram)
    {
        if (histogram.getTotalCount() == 0)
        {
            return LatencySnapshot.EMPTY;
        }
        return new LatencySnapshot(histogram.getTotalCount(), histogram.getMinValue(),
            histogram.getValueAtPercentile(50),
            histogram.getValueAtPercentile(90), histogram.getValueAtPercentile(99),
            histogram.getValueAtPercentile(99.9), histogram.getMaxValue());
    }

    private static RouteCounters[] counters(final RouteRuntime<?>[] perWorker)
    {
        final RouteCounters[] counters = new RouteCounters[perWorker.length];
        for (int w = 0; w < counters.length; w++)
        {
            counters[w] = perWorker[w].counters();
        }
        return counters;
    }

    private static long listener(final RouteCounters[] perWorker, final int slot)
    {
        return RouteCounters.sumListener(perWorker, slot);
    }

    private static long target(final RouteCounters[] perWorker, final int target, final int slot)
    {
        return RouteCounters.sumTarget(perWorker, target, slot);
    }
}
