package io.portgate.bench.harness;

import org.HdrHistogram.SingleWriterRecorder;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One client thread of a run: it opens its connections before the clock starts, then measures until the end of the
 * run, its share of the count, or {@link #stop()}.
 *
 * <p>Each worker records into its own {@link SingleWriterRecorder}s, which the runner swaps once a second, and
 * counts into its own {@link WorkerCounters}; nothing on the measuring path is shared between threads. Only values
 * from after the warm-up go into the recorders, so a histogram's count is exactly the measured operations.
 */
abstract class LoadWorker implements Runnable
{
    /** Largest latency a histogram tracks; a larger one is recorded as this. */
    static final long HIGHEST_TRACKABLE_NS = TimeUnit.HOURS.toNanos(1);
    static final int SIGNIFICANT_DIGITS = 3;
    // epoll_wait takes milliseconds, so a wait shorter than this spins instead of sleeping past the send time.
    static final long SPIN_BELOW_NS = 1_000_000;

    protected final BenchContext context;
    protected final ErrorLog errors;
    protected final WorkerCounters counters = new WorkerCounters();
    protected final long timeoutNs;
    private final SingleWriterRecorder primary;
    private final SingleWriterRecorder secondary;

    protected long startNs;
    protected long warmupEndNs;
    protected long endNs;
    private long countShare;
    private volatile boolean stopped;
    private volatile long finishedNs;
    private volatile boolean finished;
    private volatile boolean ranWholeSchedule;

    LoadWorker(final BenchContext context, final ErrorLog errors, final boolean primary, final boolean secondary)
    {
        this.context = context;
        this.errors = errors;
        this.timeoutNs = context.timeout().toNanos();
        this.primary = primary ? newRecorder() : null;
        this.secondary = secondary ? newRecorder() : null;
    }

    static SingleWriterRecorder newRecorder()
    {
        return new SingleWriterRecorder(1, HIGHEST_TRACKABLE_NS, SIGNIFICANT_DIGITS);
    }

    /**
     * Opens connections or sockets; runs on the runner's thread before the clock starts.
     *
     * @throws IOException when the target cannot be reached at all, which ends the run before it starts.
     */
    abstract void open() throws IOException;

    /** Measures until {@link #shouldStop(long)}. */
    abstract void measure() throws IOException;

    /** Closes everything {@link #open()} opened. */
    abstract void closeAll();

    /** Called from the runner's thread when the worker overstays the run: closes what it may be blocked on. */
    void unblock()
    {
        closeAll();
    }

    /**
     * Sets the run's clock before the thread starts.
     *
     * @param countShare measured operations this worker may complete; {@link Long#MAX_VALUE} for no limit.
     */
    final void begin(final long startNs, final long warmupEndNs, final long endNs, final long countShare)
    {
        this.startNs = startNs;
        this.warmupEndNs = warmupEndNs;
        this.endNs = endNs;
        this.countShare = countShare;
    }

    @Override
    public final void run()
    {
        try
        {
            measure();
        }
        catch (final IOException | RuntimeException ex)
        {
            if (!stopped)
            {
                counters.increment(WorkerCounters.ERRORS);
                errors.record("client stopped", ex);
            }
        }
        finally
        {
            finishedNs = System.nanoTime();
            finished = true;
            closeAll();
        }
    }

    final void stop()
    {
        stopped = true;
    }

    final boolean isStopped()
    {
        return stopped;
    }

    final boolean isFinished()
    {
        return finished;
    }

    /** When the worker stopped measuring: the end of the run when it ran its whole schedule. */
    final long finishedNs()
    {
        return ranWholeSchedule ? endNs : finishedNs;
    }

    /** Says the worker stopped because its schedule ended, not early, so its measured time is the whole duration. */
    protected final void ranWholeSchedule()
    {
        ranWholeSchedule = true;
    }

    final WorkerCounters counters()
    {
        return counters;
    }

    final SingleWriterRecorder primary()
    {
        return primary;
    }

    final SingleWriterRecorder secondary()
    {
        return secondary;
    }

    protected final boolean isMeasured(final long nowNs)
    {
        return nowNs - warmupEndNs >= 0;
    }

    protected final boolean shouldStop(final long nowNs)
    {
        return nowNs - endNs >= 0 || stopped || countReached();
    }

    protected final boolean countReached()
    {
        return counters.get(WorkerCounters.MEASURED_OPERATIONS) >= countShare;
    }

    /**
     * Counts one completed operation and records its latencies when it completed after the warm-up.
     *
     * @param nowNs       completion time.
     * @param primaryNs   value for the primary distribution (latency from the intended time, handshake).
     * @param secondaryNs value for the secondary distribution (service time, connect time), if it has one.
     */
    protected final void complete(final long nowNs, final long primaryNs, final long secondaryNs)
    {
        counters.increment(WorkerCounters.OPERATIONS);
        // Other connections' requests are still in flight when the count is reached; they are not measured, so a
        // count limit is exact.
        if (isMeasured(nowNs) && !countReached())
        {
            counters.increment(WorkerCounters.MEASURED_OPERATIONS);
            if (primary != null)
            {
                primary.recordValue(clamp(primaryNs));
            }
            if (secondary != null)
            {
                secondary.recordValue(clamp(secondaryNs));
            }
        }
    }

    protected final void countBytes(final long nowNs, final long bytes)
    {
        counters.add(WorkerCounters.BYTES, bytes);
        if (isMeasured(nowNs))
        {
            counters.add(WorkerCounters.MEASURED_BYTES, bytes);
        }
    }

    protected final void fail(final String what, final Throwable error)
    {
        counters.increment(WorkerCounters.ERRORS);
        errors.record(what, error);
    }

    protected final void fail(final String message)
    {
        counters.increment(WorkerCounters.ERRORS);
        errors.record(message);
    }

    static long clamp(final long valueNs)
    {
        return valueNs < 1 ? 1 : Math.min(valueNs, HIGHEST_TRACKABLE_NS);
    }

    /**
     * Waits until a time on a thread that has nothing else to watch: parks for most of it, then spins, because a
     * park overshoots by tens of microseconds and a late send is measured as latency.
     *
     * @param deadlineNs when to return.
     */
    protected final void waitUntil(final long deadlineNs)
    {
        long remaining;
        while ((remaining = deadlineNs - System.nanoTime()) > 0 && !stopped)
        {
            if (remaining > 200_000)
            {
                LockSupport.parkNanos(remaining - 100_000);
            }
            else
            {
                Thread.onSpinWait();
            }
        }
    }
}
