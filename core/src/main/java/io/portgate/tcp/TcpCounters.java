package io.portgate.tcp;

import io.portgate.metrics.CounterCells;
import io.portgate.metrics.Metric;
import io.portgate.metrics.MetricsFile;

import java.util.ArrayList;
import java.util.List;

/**
 * One worker's TCP counters, per listener and per target of the listener's pool. Only the owning worker writes
 * (so an increment is a plain read and a release store, no atomic instruction); any thread reads and sums the
 * workers. In a running balancer every cell is an Agrona counter in the metrics file, so that another process reads
 * them live; cells are addressed through precomputed offsets, so an increment costs the same either way.
 */
public final class TcpCounters
{
    /** Listener: connections open now (admitted, connecting or forwarding). */
    public static final int L_ACTIVE = 0;
    /** Listener: connections admitted. */
    public static final int L_TOTAL = 1;
    /** Listener: connections closed because no target could be reached. */
    public static final int L_REFUSED = 2;
    /** Listener: connections closed at once because a connection limit was reached. */
    public static final int L_LIMIT_REJECTED = 3;
    /** Listener: bytes forwarded from clients to targets. */
    public static final int L_BYTES_IN = 4;
    /** Listener: bytes forwarded from targets to clients. */
    public static final int L_BYTES_OUT = 5;
    /** Listener: failed connects to targets (refused, timed out, unreachable). */
    public static final int L_CONNECT_FAILURES = 6;
    /** Listener: connections closed by the idle timeout. */
    public static final int L_IDLE_TIMEOUTS = 7;
    /** Listener: connections closed with a reset because one side reset or failed. */
    public static final int L_RESETS = 8;

    /** Target: connections open to it now. */
    public static final int T_ACTIVE = 0;
    /** Target: connections established to it. */
    public static final int T_TOTAL = 1;
    /** Target: bytes forwarded to it. */
    public static final int T_BYTES_IN = 2;
    /** Target: bytes forwarded from it. */
    public static final int T_BYTES_OUT = 3;
    /** Target: failed connects (refused, timed out, unreachable). */
    public static final int T_CONNECT_FAILURES = 4;
    /** Target: connects it refused (ECONNREFUSED). */
    public static final int T_REFUSED = 5;

    /** What each listener slot is exported as, by slot. */
    private static final CounterCells.Slot[] LISTENER_METRICS = {
        CounterCells.Slot.of(Metric.TCP_CONNECTIONS_ACTIVE), CounterCells.Slot.of(Metric.TCP_CONNECTIONS),
        CounterCells.Slot.of(Metric.TCP_CONNECTIONS_REFUSED), CounterCells.Slot.of(Metric.TCP_CONNECTIONS_REJECTED),
        CounterCells.Slot.of(Metric.BYTES_RECEIVED), CounterCells.Slot.of(Metric.BYTES_SENT),
        CounterCells.Slot.of(Metric.TCP_CONNECT_FAILURES), CounterCells.Slot.of(Metric.TCP_IDLE_TIMEOUTS),
        CounterCells.Slot.of(Metric.TCP_RESETS)};
    /** What each target slot is exported as, by slot. */
    private static final CounterCells.Slot[] TARGET_METRICS = {
        CounterCells.Slot.of(Metric.TARGET_CONNECTIONS_ACTIVE), CounterCells.Slot.of(Metric.TARGET_CONNECTIONS),
        CounterCells.Slot.of(Metric.TARGET_BYTES_SENT), CounterCells.Slot.of(Metric.TARGET_BYTES_RECEIVED),
        CounterCells.Slot.of(Metric.TARGET_CONNECT_FAILURES), CounterCells.Slot.of(Metric.TARGET_CONNECT_REFUSED)};

    private final CounterCells cells;

    /**
     * Creates zeroed counters in memory of their own, for tests and tools that need no metrics file.
     *
     * @param targetsPerListener how many targets each listener's pool has, by listener index.
     */
    public TcpCounters(final int[] targetsPerListener)
    {
        cells = new CounterCells(LISTENER_METRICS.length, TARGET_METRICS.length, targetsPerListener);
    }

    /**
     * Creates zeroed counters in a metrics file, one Agrona counter per cell, labelled with listener, pool and
     * target, so that {@code portgate stat} and {@code /metrics} read them without touching the data path.
     *
     * @param routes  the listeners, by index.
     * @param metrics the metrics file.
     * @param worker  the worker that will write them.
     */
    public TcpCounters(final List<TcpRoute> routes, final MetricsFile metrics, final int worker)
    {
        final List<CounterCells.Listener> listeners = new ArrayList<>();
        for (final TcpRoute route : routes)
        {
            final List<String> targets = new ArrayList<>();
            for (int t = 0; t < route.targetCount(); t++)
            {
                targets.add(route.targetLabel(t));
            }
            listeners.add(new CounterCells.Listener(route.name(), route.poolName(), targets));
        }
        cells = new CounterCells(LISTENER_METRICS, TARGET_METRICS, listeners, metrics, worker);
    }

    /**
     * How many counters one worker needs in a metrics file.
     *
     * @param routes the listeners.
     * @return the number of counters.
     */
    public static int countersNeeded(final List<TcpRoute> routes)
    {
        return CounterCells.needed(LISTENER_METRICS.length, TARGET_METRICS.length,
            routes.stream().mapToInt(TcpRoute::targetCount).toArray());
    }

    /**
     * Adds to a listener counter. Owning worker only.
     *
     * @param listener the listener index.
     * @param slot     an {@code L_} slot.
     * @param delta    the amount.
     */
    public void addListener(final int listener, final int slot, final long delta)
    {
        cells.addListener(listener, slot, delta);
    }

    /**
     * Adds to a target counter. Owning worker only.
     *
     * @param listener the listener index.
     * @param target   the target id in its pool.
     * @param slot     a {@code T_} slot.
     * @param delta    the amount.
     */
    public void addTarget(final int listener, final int target, final int slot, final long delta)
    {
        cells.addTarget(listener, target, slot, delta);
    }

    /**
     * Reads a listener counter. Any thread.
     *
     * @param listener the listener index.
     * @param slot     an {@code L_} slot.
     * @return its value.
     */
    public long listener(final int listener, final int slot)
    {
        return cells.listener(listener, slot);
    }

    /**
     * Reads a target counter. Any thread.
     *
     * @param listener the listener index.
     * @param target   the target id.
     * @param slot     a {@code T_} slot.
     * @return its value.
     */
    public long target(final int listener, final int target, final int slot)
    {
        return cells.target(listener, target, slot);
    }

    /**
     * Gives back the metrics-file counters; those no newer counters share are freed. Control plane only, once the
     * worker writes newer counters.
     *
     * @param metrics the file they came from.
     */
    public void release(final MetricsFile metrics)
    {
        cells.release(metrics);
    }
}
