package io.portgate.conductor;

import io.portgate.loop.Route;
import io.portgate.loop.RouteRuntime;
import io.portgate.loop.TargetFailureListener;
import io.portgate.metrics.MetricsFile;
import io.portgate.metrics.RouteCounters;
import io.portgate.tcp.ConnectionLimits;
import io.portgate.tcp.TcpReload;
import io.portgate.tcp.TcpRoute;
import io.portgate.tcp.TcpRouteRuntime;
import io.portgate.tcp.TcpSlots;
import io.portgate.udp.UdpReload;
import io.portgate.udp.UdpRoute;
import io.portgate.udp.UdpRouteRuntime;
import io.portgate.udp.UdpSlots;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Makes the per-worker runtimes of a plan's routes: first what can fail (the counters and gauges in the metrics
 * file, given back if any is refused), then the runtimes themselves, and the command each worker gets. Conductor
 * thread only.
 */
final class RouteRuntimes
{
    /** Which targets a plan adds to a pool, whose health gauges must be taken. */
    @FunctionalInterface
    interface GaugeNeed
    {
        boolean isNew(String pool, String label);
    }

    /**
     * What a plan took from the metrics file.
     *
     * @param tcp    by worker and TCP route, its counters.
     * @param udp    by worker and UDP route, its counters.
     * @param gauges by pool and target label, the gauges of new targets.
     */
    record Taken(RouteCounters[][] tcp, RouteCounters[][] udp, Map<String, PoolHealth.Gauges> gauges)
    {
        PoolHealth.Gauges gauges(final String pool, final String label)
        {
            return gauges.get(pool + "\n" + label);
        }
    }

    private final MetricsFile metrics;
    private final int workers;

    RouteRuntimes(final MetricsFile metrics, final int workers)
    {
        this.metrics = metrics;
        this.workers = workers;
    }

    /**
     * Takes a plan's counters and its new targets' gauges.
     *
     * @throws IllegalStateException when the metrics file is full; whatever was taken is given back.
     */
    Taken take(final ReloadPlan plan, final GaugeNeed need)
    {
        final List<RouteCounters> counters = new ArrayList<>();
        final Map<String, PoolHealth.Gauges> gauges = new HashMap<>();
        try
        {
            final RouteCounters[][] tcp = counters(plan.tcp().routes(), TcpSlots.LAYOUT, counters);
            final RouteCounters[][] udp = counters(plan.udp().routes(), UdpSlots.LAYOUT, counters);
            for (final io.portgate.config.PoolConfig pool : plan.config().pools().values())
            {
                for (final io.portgate.config.TargetConfig target : pool.targets())
                {
                    final String label = target.label(pool);
                    if (need.isNew(pool.name(), label))
                    {
                        gauges.put(pool.name() + "\n" + label, PoolHealth.Gauges.take(metrics, pool.name(), label,
                            target.name()));
                    }
                }
            }
            return new Taken(tcp, udp, gauges);
        }
        catch (final RuntimeException ex)
        {
            counters.forEach(c -> c.release(metrics));
            gauges.values().forEach(g -> g.release(metrics));
            throw ex;
        }
    }

    private RouteCounters[][] counters(final List<? extends Route> routes, final RouteCounters.Layout layout,
        final List<RouteCounters> taken)
    {
        final RouteCounters[][] byWorker = new RouteCounters[workers][routes.size()];
        for (int w = 0; w < workers; w++)
        {
            for (int i = 0; i < routes.size(); i++)
            {
                final Route route = routes.get(i);
                final List<String> labels = new ArrayList<>();
                for (int t = 0; t < route.targetCount(); t++)
                {
                    labels.add(route.targetLabel(t));
                }
                byWorker[w][i] = RouteCounters.inFile(layout, metrics, w, route.name(), route.poolName(), labels);
                taken.add(byWorker[w][i]);
            }
        }
        return byWorker;
    }

    /**
     * The runtimes of a plan's routes on every worker, with what carries over: a kept listener's latency recorders,
     * the connection counts the limits hold.
     */
    Running build(final ReloadPlan plan, final Running before, final ListenerSockets.Bound bound,
        final Taken taken, final Function<Route, TargetFailureListener> failures)
    {
        final List<ReloadPlan.Listener<TcpRoute>> tcp = plan.tcp().listeners();
        final int[] max = new int[tcp.size()];
        final int[] previous = new int[tcp.size()];
        for (int i = 0; i < max.length; i++)
        {
            max[i] = tcp.get(i).route().draining() ? 0 : tcp.get(i).route().maxConnections();
            previous[i] = tcp.get(i).previous();
        }
        final ConnectionLimits limits = before.limits() == null ?
            new ConnectionLimits(plan.config().maxConnections(), max) :
            before.limits().reloaded(plan.config().maxConnections(), max, previous);
        final TcpRouteRuntime[][] tcpRuntime = new TcpRouteRuntime[workers][tcp.size()];
        final UdpRouteRuntime[][] udpRuntime = new UdpRouteRuntime[workers][plan.udp().listeners().size()];
        for (int i = 0; i < tcp.size(); i++)
        {
            final TcpRoute route = tcp.get(i).route();
            final TargetFailureListener failed = failures.apply(route);
            for (int w = 0; w < workers; w++)
            {
                final TcpRouteRuntime was = previous[i] >= 0 ? before.tcpRuntime()[w][previous[i]] : null;
                tcpRuntime[w][i] = new TcpRouteRuntime(route, taken.tcp()[w][i], failed, limits,
                    was != null ? was.connectLatency() : TcpRouteRuntime.newLatencyRecorder(),
                    was != null ? was.firstByteLatency() : TcpRouteRuntime.newLatencyRecorder());
            }
        }
        for (int i = 0; i < plan.udp().listeners().size(); i++)
        {
            final UdpRoute route = plan.udp().listeners().get(i).route();
            final TargetFailureListener failed = failures.apply(route);
            for (int w = 0; w < workers; w++)
            {
                udpRuntime[w][i] = new UdpRouteRuntime(route, taken.udp()[w][i], failed);
            }
        }
        return new Running(plan.config(), before.generation() + 1, plan.tcp().routes(), plan.udp().routes(),
            tcpRuntime, udpRuntime, bound, limits);
    }

    TcpReload tcpReload(final ReloadPlan plan, final Running after, final int worker)
    {
        return new TcpReload(after.tcpRuntime()[worker], after.sockets().tcp()[worker], plan.tcp().routeMap(),
            plan.tcp().targetMaps());
    }

    UdpReload udpReload(final ReloadPlan plan, final Running after, final int worker)
    {
        return new UdpReload(after.udpRuntime()[worker], after.sockets().udp()[worker], plan.udp().routeMap(),
            plan.udp().targetMaps());
    }

    /** Gives back the counters of runtimes no worker writes any more; cells new runtimes share stay. */
    void release(final Running before)
    {
        for (final RouteRuntime<?>[] perWorker : before.tcpRuntime())
        {
            for (final RouteRuntime<?> runtime : perWorker)
            {
                runtime.counters().release(metrics);
            }
        }
        for (final RouteRuntime<?>[] perWorker : before.udpRuntime())
        {
            for (final RouteRuntime<?> runtime : perWorker)
            {
                runtime.counters().release(metrics);
            }
        }
    }
}
