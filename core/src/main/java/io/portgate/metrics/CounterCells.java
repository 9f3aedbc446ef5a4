package io.portgate.metrics;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * One worker's counters of one transport: a fixed number of slots per listener and per target of the listener's
 * pool. Only the owning worker writes (a plain read and a release store, no atomic instruction, as Aeron's counters
 * do); any thread reads. In a running balancer every cell is an Agrona counter in the metrics file, labelled with
 * listener, pool and target, so that another process reads them live; cells are addressed through precomputed
 * offsets, so an increment costs the same either way.
 */
public final class CounterCells
{
    /** Keeps the cells of different workers on different cache lines when they live in memory of their own. */
    private static final int PAD = 16;

    /**
     * What one slot is exported as.
     *
     * @param metric     the metric.
     * @param labelName  an extra label such as {@code reason}, or null.
     * @param labelValue its value.
     */
    public record Slot(Metric metric, String labelName, String labelValue)
    {
        /**
         * A slot with no extra label.
         *
         * @param metric the metric.
         * @return the slot.
         */
        public static Slot of(final Metric metric)
        {
            return new Slot(metric, null, null);
        }
    }

    /**
     * One listener as its labels name it.
     *
     * @param name    the listener's name.
     * @param pool    its pool's name.
     * @param targets its targets as {@code address:port(s)}, by target id.
     */
    public record Listener(String name, String pool, List<String> targets)
    {
    }

    private final int listenerSlots;
    private final int targetSlots;
    private final int[] listenerBase;
    private final int[] targetBase;
    private final AtomicBuffer buffer;
    private final int[] offsets;
    private final List<org.agrona.concurrent.status.AtomicCounter> allocated = new java.util.ArrayList<>();

    /**
     * Zeroed cells in memory of their own, for tests and tools that need no metrics file.
     *
     * @param listenerSlots      slots per listener.
     * @param targetSlots        slots per target.
     * @param targetsPerListener targets of each listener's pool, by listener index.
     */
    public CounterCells(final int listenerSlots, final int targetSlots, final int[] targetsPerListener)
    {
        this.listenerSlots = listenerSlots;
        this.targetSlots = targetSlots;
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
     * Zeroed cells in a metrics file, one Agrona counter each.
     *
     * @param listenerMetrics what each listener slot is exported as.
     * @param targetMetrics   what each target slot is exported as.
     * @param listeners       the listeners, by index.
     * @param metrics         the metrics file.
     * @param worker          the worker that writes them.
     */
    public CounterCells(final Slot[] listenerMetrics, final Slot[] targetMetrics, final List<Listener> listeners,
        final MetricsFile metrics, final int worker)
    {
        this.listenerSlots = listenerMetrics.length;
        this.targetSlots = targetMetrics.length;
        final int[] targetsPerListener = listeners.stream().mapToInt(l -> l.targets().size()).toArray();
        listenerBase = new int[targetsPerListener.length];
        targetBase = new int[targetsPerListener.length];
        offsets = new int[layout(targetsPerListener)];
        buffer = metrics.valuesBuffer();
        for (int l = 0; l < listeners.size(); l++)
        {
            final Listener listener = listeners.get(l);
            for (int slot = 0; slot < listenerSlots; slot++)
            {
                final Slot s = listenerMetrics[slot];
                offsets[listenerBase[l] + slot] = metrics.counterOffset(take(metrics.counter(s.metric(), worker,
                    Labels.of("listener", listener.name(), s.labelName(), s.labelValue()))));
            }
            for (int t = 0; t < listener.targets().size(); t++)
            {
                for (int slot = 0; slot < targetSlots; slot++)
                {
                    final Slot s = targetMetrics[slot];
                    offsets[targetBase[l] + t * targetSlots + slot] = metrics.counterOffset(take(metrics.counter(
                        s.metric(), worker, Labels.of("listener", listener.name(), "pool", listener.pool(), "target",
                            listener.targets().get(t), s.labelName(), s.labelValue()))));
                }
            }
        }
    }

    private org.agrona.concurrent.status.AtomicCounter take(final org.agrona.concurrent.status.AtomicCounter counter)
    {
        allocated.add(counter);
        return counter;
    }

    /**
     * Gives back the metrics-file counters these cells hold; those no other cells share are freed. Control plane
     * only, once the owning worker writes other cells. Cells in memory of their own have nothing to give back.
     *
     * @param metrics the file they came from.
     */
    public void release(final MetricsFile metrics)
    {
        for (final org.agrona.concurrent.status.AtomicCounter counter : allocated)
        {
            metrics.release(counter);
        }
        allocated.clear();
    }

    /**
     * How many counters one worker needs.
     *
     * @param listenerSlots slots per listener.
     * @param targetSlots   slots per target.
     * @param targets       targets per listener.
     * @return the number of counters.
     */
    public static int needed(final int listenerSlots, final int targetSlots, final int[] targets)
    {
        int n = 0;
        for (final int count : targets)
        {
            n += listenerSlots + targetSlots * count;
        }
        return n;
    }

    private int layout(final int[] targetsPerListener)
    {
        int next = 0;
        for (int l = 0; l < targetsPerListener.length; l++)
        {
            listenerBase[l] = next;
            next += listenerSlots;
            targetBase[l] = next;
            next += targetSlots * targetsPerListener[l];
        }
        return next;
    }

    /**
     * Adds to a listener cell. Owning worker only.
     *
     * @param listener the listener index.
     * @param slot     the slot.
     * @param delta    the amount.
     */
    public void addListener(final int listener, final int slot, final long delta)
    {
        add(listenerBase[listener] + slot, delta);
    }

    /**
     * Adds to a target cell. Owning worker only.
     *
     * @param listener the listener index.
     * @param target   the target id.
     * @param slot     the slot.
     * @param delta    the amount.
     */
    public void addTarget(final int listener, final int target, final int slot, final long delta)
    {
        add(targetBase[listener] + target * targetSlots + slot, delta);
    }

    /**
     * Reads a listener cell. Any thread.
     *
     * @param listener the listener index.
     * @param slot     the slot.
     * @return its value.
     */
    public long listener(final int listener, final int slot)
    {
        return buffer.getLongVolatile(offsets[listenerBase[listener] + slot]);
    }

    /**
     * Reads a target cell. Any thread.
     *
     * @param listener the listener index.
     * @param target   the target id.
     * @param slot     the slot.
     * @return its value.
     */
    public long target(final int listener, final int target, final int slot)
    {
        return buffer.getLongVolatile(offsets[targetBase[listener] + target * targetSlots + slot]);
    }

    private void add(final int index, final long delta)
    {
        final int offset = offsets[index];
        buffer.putLongRelease(offset, buffer.getLong(offset) + delta);
    }
}
