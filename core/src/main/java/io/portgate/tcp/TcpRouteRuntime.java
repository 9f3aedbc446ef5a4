package io.portgate.tcp;

import io.portgate.loop.RouteRuntime;
import io.portgate.loop.TargetFailureListener;
import io.portgate.metrics.RouteCounters;
import org.HdrHistogram.SingleWriterRecorder;

/**
 * One TCP listener as one worker runs it (see {@link RouteRuntime}): besides the counters, policy and open counts,
 * the connection limits it admits by, the connect-time and first-byte-time recorders (which carry over a reload that
 * keeps the listener, so the histograms do), and the worker's transfer pool of the listener's buffer size.
 */
public final class TcpRouteRuntime extends RouteRuntime<TcpRoute>
{
    /**
     * Longest time the histograms hold: an hour, beyond the longest connect timeout the configuration allows; a
     * longer first-byte time is recorded as an hour.
     */
    static final long LATENCY_MAX_NS = 3_600_000_000_000L;

    private final ConnectionLimits limits;
    private final SingleWriterRecorder connectLatency;
    private final SingleWriterRecorder firstByteLatency;
    private TransferPool transfers;

    /**
     * Creates the runtime of a listener on one worker.
     *
     * @param route            the listener.
     * @param counters         this worker's counters of it.
     * @param failures         who hears of failed connects.
     * @param limits           the connection limits, which know the listener by its index.
     * @param connectLatency   this worker's connect-time recorder of the listener.
     * @param firstByteLatency this worker's first-byte-time recorder of the listener.
     */
    public TcpRouteRuntime(final TcpRoute route, final RouteCounters counters, final TargetFailureListener failures,
        final ConnectionLimits limits, final SingleWriterRecorder connectLatency,
        final SingleWriterRecorder firstByteLatency)
    {
        super(route, counters, failures);
        this.limits = limits;
        this.connectLatency = connectLatency;
        this.firstByteLatency = firstByteLatency;
    }

    /**
     * A recorder for connect or first-byte times, as every worker keeps per listener.
     *
     * @return a new recorder.
     */
    public static SingleWriterRecorder newLatencyRecorder()
    {
        return new SingleWriterRecorder(LATENCY_MAX_NS, 2);
    }

    @Override
    public String balance()
    {
        return route().balance();
    }

    /** @return connect times to the listener's targets, recorded by this worker only, in nanoseconds. */
    public SingleWriterRecorder connectLatency()
    {
        return connectLatency;
    }

    /** @return first-byte times of the listener's connections, recorded by this worker only, in nanoseconds. */
    public SingleWriterRecorder firstByteLatency()
    {
        return firstByteLatency;
    }

    /** @return the connection limits. */
    public ConnectionLimits limits()
    {
        return limits;
    }

    boolean tryAdmit()
    {
        return limits.tryAcquire(route().index());
    }

    void releaseAdmission()
    {
        limits.release(route().index());
    }

    TransferPool transfers()
    {
        return transfers;
    }

    void transfers(final TransferPool pool)
    {
        this.transfers = pool;
    }
}
