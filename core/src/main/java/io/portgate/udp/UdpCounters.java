package io.portgate.udp;

import io.portgate.metrics.CounterCells;
import io.portgate.metrics.Metric;
import io.portgate.metrics.MetricsFile;

import java.util.ArrayList;
import java.util.List;

/**
 * One worker's UDP counters, per listener and per target of the listener's pool. Only the owning worker writes (so an
 * increment is a plain read and an opaque write, no atomic instruction); any thread reads with opaque loads and sums
 * the workers. Kept in one flat array with a fixed layout so it can move into an Agrona {@code CountersManager} file
 * slot for slot.
 */
public final class UdpCounters
{
    /** Listener: flows held now. */
    public static final int L_FLOWS_ACTIVE = 0;
    /** Listener: flows created. */
    public static final int L_FLOWS_TOTAL = 1;
    /** Listener: datagrams forwarded from clients to targets. */
    public static final int L_DATAGRAMS_IN = 2;
    /** Listener: bytes forwarded from clients to targets. */
    public static final int L_BYTES_IN = 3;
    /** Listener: datagrams forwarded from targets to clients. */
    public static final int L_DATAGRAMS_OUT = 4;
    /** Listener: bytes forwarded from targets to clients. */
    public static final int L_BYTES_OUT = 5;
    /** Listener: datagrams dropped because no target was eligible. */
    public static final int L_DROP_NO_TARGET = 6;
    /** Listener: datagrams dropped because a socket's send buffer was full. */
    public static final int L_DROP_WOULD_BLOCK = 7;
    /** Listener: datagrams dropped because they were larger than the largest datagram passed. */
    public static final int L_DROP_TRUNCATED = 8;
    /** Listener: datagrams dropped because their target was unreachable when they were sent. */
    public static final int L_DROP_UNREACHABLE = 9;
    /** Listener: datagrams from new clients dropped because the balancer is stopping. */
    public static final int L_DROP_DRAINING = 10;
    /**
     * Listener: datagrams dropped because a socket failed otherwise (such as no file descriptor left), or could not
     * be sent at all (plain NIO cannot send an empty datagram).
     */
    public static final int L_DROP_ERROR = 11;
    /** Listener: flows evicted because the flow table was full. */
    public static final int L_FLOWS_EVICTED = 12;
    /** Listener: flows that expired after the idle timeout. */
    public static final int L_FLOWS_EXPIRED = 13;
    /** Listener: times a target reported itself unreachable (ICMP port unreachable). */
    public static final int L_UNREACHABLE = 14;

    /** Target: flow sockets open to it now. */
    public static final int T_FLOWS_ACTIVE = 0;
    /** Target: flow sockets opened to it. */
    public static final int T_FLOWS_TOTAL = 1;
    /** Target: datagrams forwarded to it. */
    public static final int T_DATAGRAMS_IN = 2;
    /** Target: bytes forwarded to it. */
    public static final int T_BYTES_IN = 3;
    /** Target: datagrams forwarded from it. */
    public static final int T_DATAGRAMS_OUT = 4;
    /** Target: bytes forwarded from it. */
    public static final int T_BYTES_OUT = 5;
    /** Target: times it reported itself unreachable (ICMP port unreachable). */
    public static final int T_UNREACHABLE = 6;

    /** What each listener slot is exported as, by slot. */
    private static final CounterCells.Slot[] LISTENER_METRICS = {
        CounterCells.Slot.of(Metric.UDP_FLOWS_ACTIVE), CounterCells.Slot.of(Metric.UDP_FLOWS),
        CounterCells.Slot.of(Metric.DATAGRAMS_RECEIVED), CounterCells.Slot.of(Metric.BYTES_RECEIVED),
        CounterCells.Slot.of(Metric.DATAGRAMS_SENT), CounterCells.Slot.of(Metric.BYTES_SENT),
        dropped("no_target"), dropped("would_block"), dropped("truncated"), dropped("unreachable"),
        dropped("draining"), dropped("error"), CounterCells.Slot.of(Metric.UDP_FLOWS_EVICTED),
        CounterCells.Slot.of(Metric.UDP_FLOWS_EXPIRED), CounterCells.Slot.of(Metric.UDP_UNREACHABLE)};
    /** What each target slot is exported as, by slot. */
    private static final CounterCells.Slot[] TARGET_METRICS = {
        CounterCells.Slot.of(Metric.TARGET_FLOWS_ACTIVE), CounterCells.Slot.of(Metric.TARGET_FLOWS),
        CounterCells.Slot.of(Metric.TARGET_DATAGRAMS_SENT), CounterCells.Slot.of(Metric.TARGET_BYTES_SENT),
        CounterCells.Slot.of(Metric.TARGET_DATAGRAMS_RECEIVED), CounterCells.Slot.of(Metric.TARGET_BYTES_RECEIVED),
        CounterCells.Slot.of(Metric.TARGET_UNREACHABLE)};

    private final CounterCells cells;

    private static CounterCells.Slot dropped(final String reason)
    {
        return new CounterCells.Slot(Metric.DATAGRAMS_DROPPED, "reason", reason);
    }

    /**
     * Creates zeroed counters in memory of their own, for tests and tools that need no metrics file.
     *
     * @param targetsPerListener how many targets each listener's pool has, by listener index.
     */
    public UdpCounters(final int[] targetsPerListener)
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
    public UdpCounters(final List<UdpRoute> routes, final MetricsFile metrics, final int worker)
    {
        final List<CounterCells.Listener> listeners = new ArrayList<>();
        for (final UdpRoute route : routes)
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
    public static int countersNeeded(final List<UdpRoute> routes)
    {
        return CounterCells.needed(LISTENER_METRICS.length, TARGET_METRICS.length,
            routes.stream().mapToInt(UdpRoute::targetCount).toArray());
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
