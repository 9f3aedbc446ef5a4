package io.portgate.tcp;

import io.portgate.metrics.Labels;
import io.portgate.metrics.Metric;
import io.portgate.metrics.MetricsFile;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
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
    private static final int LISTENER_SLOTS = 9;

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
    private static final int TARGET_SLOTS = 6;

    /** Keeps the cells of different workers on different cache lines. */
    private static final int PAD = 16;

    /** The metric each listener slot is exported as, by slot. */
    private static final Metric[] LISTENER_METRICS = {
        Metric.TCP_CONNECTIONS_ACTIVE, Metric.TCP_CONNECTIONS, Metric.TCP_CONNECTIONS_REFUSED,
        Metric.TCP_CONNECTIONS_REJECTED, Metric.BYTES_RECEIVED, Metric.BYTES_SENT, Metric.TCP_CONNECT_FAILURES,
        Metric.TCP_IDLE_TIMEOUTS, Metric.TCP_RESETS};
    /** The metric each target slot is exported as, by slot. */
    private static final Metric[] TARGET_METRICS = {
        Metric.TARGET_CONNECTIONS_ACTIVE, Metric.TARGET_CONNECTIONS, Metric.TARGET_BYTES_SENT,
        Metric.TARGET_BYTES_RECEIVED, Metric.TARGET_CONNECT_FAILURES, Metric.TARGET_CONNECT_REFUSED};

    private final int[] listenerBase;
    private final int[] targetBase;
    private final AtomicBuffer buffer;
    /** Byte offset in {@link #buffer} of each cell, by cell index. */
    private final int[] offsets;

    /**
     * Creates zeroed counters in memory of their own, for tests and tools that need no metrics file.
     *
     * @param targetsPerListener how many targets each listener's pool has, by listener index.
     */
    public TcpCounters(final int[] targetsPerListener)
    {
        listenerBase = new int[targetsPerListener.length];
        targetBase = new int[targetsPerListener.length];
        final int cells = layout(targetsPerListener);
        buffer = new UnsafeBuffer(ByteBuffer.allocateDirect((cells + 2 * PAD) * Long.BYTES));
        offsets = new int[cells];
        for (int i = 0; i < cells; i++)
        {
            offsets[i] = (PAD + i) * Long.BYTES;
        }
    }

    /**
     * Creates zeroed counters in a metrics file, one Agrona counter per cell, labelled with listener, pool and
     * target, so that {@code portgate stat} and {@code /metrics} read them without touching the data path.
     *
     * @param routes  the TCP listeners, by index.
     * @param metrics the metrics file.
     * @param worker  the worker that will write them.
     */
    public TcpCounters(final List<TcpRoute> routes, final MetricsFile metrics, final int worker)
    {
        final int[] targetsPerListener = routes.stream().mapToInt(TcpRoute::targetCount).toArray();
        listenerBase = new int[targetsPerListener.length];
        targetBase = new int[targetsPerListener.length];
        offsets = new int[layout(targetsPerListener)];
        buffer = metrics.valuesBuffer();
        for (final TcpRoute route : routes)
        {
            final int l = route.index();
            final String listenerLabels = Labels.of("listener", route.name());
            for (int slot = 0; slot < LISTENER_SLOTS; slot++)
            {
                offsets[listenerBase[l] + slot] = metrics.counterOffset(
                    metrics.counter(LISTENER_METRICS[slot], worker, listenerLabels));
            }
            for (int t = 0; t < route.targetCount(); t++)
            {
                final String targetLabels = Labels.of("listener", route.name(), "pool", route.poolName(), "target",
                    route.targetLabel(t));
                for (int slot = 0; slot < TARGET_SLOTS; slot++)
                {
                    offsets[targetBase[l] + t * TARGET_SLOTS + slot] = metrics.counterOffset(
                        metrics.counter(TARGET_METRICS[slot], worker, targetLabels));
                }
            }
        }
    }

    /**
     * How many counters one worker needs in a metrics file.
     *
     * @param routes the TCP listeners.
     * @return the number of counters.
     */
    public static int countersNeeded(final List<TcpRoute> routes)
    {
        int n = 0;
        for (final TcpRoute route : routes)
        {
            n += LISTENER_SLOTS + TARGET_SLOTS * route.targetCount();
        }
        return n;
    }

    private int layout(final int[] targetsPerListener)
    {
        int next = 0;
        for (int l = 0; l < targetsPerListener.length; l++)
        {
            listenerBase[l] = next;
            next += LISTENER_SLOTS;
            targetBase[l] = next;
            next += TARGET_SLOTS * targetsPerListener[l];
        }
        return next;
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
        add(listenerBase[listener] + slot, delta);
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
        add(targetBase[listener] + target * TARGET_SLOTS + slot, delta);
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
        return buffer.getLongVolatile(offsets[listenerBase[listener] + slot]);
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
        return buffer.getLongVolatile(offsets[targetBase[listener] + target * TARGET_SLOTS + slot]);
    }

    private void add(final int index, final long delta)
    {
        // Single writer: a plain read and a release store, no atomic instruction (Aeron's counters do the same).
        final int offset = offsets[index];
        buffer.putLongRelease(offset, buffer.getLong(offset) + delta);
    }
}
