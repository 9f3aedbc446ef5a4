package io.portgate.metrics;

import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.concurrent.status.AtomicCounter;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One worker's counters of one listener: a cell per slot of the listener and per slot of each target of its pool, the
 * slots given by a {@link Layout} (TCP's and UDP's are tables of their own). Only the owning worker writes (a plain
 * read and a release store, no atomic instruction, as Aeron's counters do); any thread reads and sums the workers. In
 * a running balancer every cell is an Agrona counter in the metrics file, labelled with listener, pool and target, so
 * that another process reads them live; cells are addressed through precomputed offsets, so an increment costs the
 * same either way.
 */
public final class RouteCounters
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
     * The slots of one kind of listener, by slot number.
     *
     * @param listener what each listener slot is exported as.
     * @param target   what each target slot is exported as.
     */
    public record Layout(List<Slot> listener, List<Slot> target)
    {
        /**
         * Copies the lists.
         */
        public Layout
        {
            listener = List.copyOf(listener);
            target = List.copyOf(target);
        }

        /**
         * How many counters one worker needs for a listener.
         *
         * @param targets targets of its pool.
         * @return the number of counters.
         */
        public int needed(final int targets)
        {
            return listener.size() + target.size() * targets;
        }
    }

    private final int listenerSlots;
    private final int targetSlots;
    private final int targetCount;
    private final AtomicBuffer buffer;
    private final int[] offsets;
    private final List<AtomicCounter> allocated = new ArrayList<>();

    private RouteCounters(final Layout layout, final int targetCount, final AtomicBuffer buffer)
    {
        this.listenerSlots = layout.listener().size();
        this.targetSlots = layout.target().size();
        this.targetCount = targetCount;
        this.buffer = buffer;
        this.offsets = new int[layout.needed(targetCount)];
    }

    /**
     * Zeroed cells in memory of their own, for tests and tools that need no metrics file.
     *
     * @param layout      the slots.
     * @param targetCount targets of the listener's pool.
     * @return the counters.
     */
    public static RouteCounters inMemory(final Layout layout, final int targetCount)
    {
        final int cells = layout.needed(targetCount);
        final RouteCounters counters = new RouteCounters(layout, targetCount,
            new UnsafeBuffer(ByteBuffer.allocateDirect((cells + 2 * PAD) * Long.BYTES)));
        for (int i = 0; i < cells; i++)
        {
            counters.offsets[i] = (PAD + i) * Long.BYTES;
        }
        return counters;
    }

    /**
     * The cells of a listener in a metrics file, one Agrona counter each, shared with any other holder of the same
     * metric, worker and labels (so a listener a reload keeps keeps counting where it was).
     *
     * @param layout   the slots.
     * @param metrics  the metrics file.
     * @param worker   the worker that writes them.
     * @param listener the listener's name.
     * @param pool     its pool's name.
     * @param targets  its targets' labels, by target id.
     * @return the counters.
     * @throws IllegalStateException when the file is full; what was taken is given back.
     */
    public static RouteCounters inFile(final Layout layout, final MetricsFile metrics, final int worker,
        final String listener, final String pool, final List<String> targets)
    {
        final RouteCounters counters = new RouteCounters(layout, targets.size(), metrics.valuesBuffer());
        try
        {
            int cell = 0;
            for (final Slot slot : layout.listener())
            {
                counters.offsets[cell++] = counters.take(metrics, slot, worker, Labels.of("listener", listener,
                    slot.labelName(), slot.labelValue()));
            }
            for (final String target : targets)
            {
                for (final Slot slot : layout.target())
                {
                    counters.offsets[cell++] = counters.take(metrics, slot, worker, Labels.of("listener", listener,
                        "pool", pool, "target", target, slot.labelName(), slot.labelValue()));
                }
            }
        }
        catch (final RuntimeException ex)
        {
            counters.release(metrics);
            throw ex;
        }
        return counters;
    }

    private int take(final MetricsFile metrics, final Slot slot, final int worker, final String labels)
    {
        final AtomicCounter counter = metrics.counter(slot.metric(), worker, labels);
        allocated.add(counter);
        return metrics.counterOffset(counter);
    }

    /**
     * Gives back the metrics-file counters these cells hold; those no other cells share are freed. Control plane
     * only, once the owning worker writes other cells. Cells in memory of their own have nothing to give back.
     *
     * @param metrics the file they came from.
     */
    public void release(final MetricsFile metrics)
    {
        for (final AtomicCounter counter : allocated)
        {
            metrics.release(counter);
        }
        allocated.clear();
    }

    /** @return how many targets have cells. */
    public int targetCount()
    {
        return targetCount;
    }

    /**
     * Adds to a listener cell. Owning worker only.
     *
     * @param slot  the slot.
     * @param delta the amount.
     */
    public void addListener(final int slot, final long delta)
    {
        add(slot, delta);
    }

    /**
     * Adds to a target cell. Owning worker only.
     *
     * @param target the target id.
     * @param slot   the slot.
     * @param delta  the amount.
     */
    public void addTarget(final int target, final int slot, final long delta)
    {
        add(listenerSlots + target * targetSlots + slot, delta);
    }

    /**
     * Reads a listener cell. Any thread.
     *
     * @param slot the slot.
     * @return its value.
     */
    public long listener(final int slot)
    {
        return buffer.getLongVolatile(offsets[slot]);
    }

    /**
     * Reads a target cell. Any thread.
     *
     * @param target the target id.
     * @param slot   the slot.
     * @return its value.
     */
    public long target(final int target, final int slot)
    {
        return buffer.getLongVolatile(offsets[listenerSlots + target * targetSlots + slot]);
    }

    /**
     * A listener cell summed over workers. Any thread.
     *
     * @param perWorker the listener's counters on each worker.
     * @param slot      the slot.
     * @return the sum.
     */
    public static long sumListener(final RouteCounters[] perWorker, final int slot)
    {
        long sum = 0;
        for (final RouteCounters counters : perWorker)
        {
            sum += counters.listener(slot);
        }
        return sum;
    }

    /**
     * A target cell summed over workers. Any thread.
     *
     * @param perWorker the listener's counters on each worker.
     * @param target    the target id.
     * @param slot      the slot.
     * @return the sum.
     */
    public static long sumTarget(final RouteCounters[] perWorker, final int target, final int slot)
    {
        long sum = 0;
        for (final RouteCounters counters : perWorker)
        {
            sum += counters.target(target, slot);
        }
        return sum;
    }

    private void add(final int index, final long delta)
    {
        final int offset = offsets[index];
        buffer.putLongRelease(offset, buffer.getLong(offset) + delta);
    }
}
