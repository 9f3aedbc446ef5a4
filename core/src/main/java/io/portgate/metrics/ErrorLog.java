package io.portgate.metrics;

import org.agrona.ErrorHandler;
import org.agrona.concurrent.AtomicBuffer;
import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.errors.DistinctErrorLog;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The one place unexpected errors of the loops and the control plane go, kept the way Agrona keeps them: each
 * distinct error (class, message and stack) once in a {@link DistinctErrorLog} in the metrics file, with how many
 * times it happened and when first and last, so that another process reads them ({@code portgate stat --errors}).
 * Each distinct error is also logged once, when first seen, so a fault repeating per connection cannot flood the log.
 * Safe from any thread.
 */
public final class ErrorLog implements ErrorHandler
{
    private static final System.Logger LOG = System.getLogger("io.portgate.loop");

    private final DistinctErrorLog log;
    private final ErrorHandler also;
    private final AtomicBuffer buffer;
    private final AtomicLong count = new AtomicLong();
    /** Where the next distinct error would be written: a record appearing there is one not seen before. */
    private int end;
    /** Whether the log was found full: said once, then errors are only counted. */
    private boolean full;

    /**
     * An error log over a buffer, such as {@link MetricsFile#errorLogBuffer()}.
     *
     * @param buffer the buffer, zeroed.
     * @param clock  the wall clock the observations are stamped with.
     * @param also   told of every error too (an embedder's own handler), or null.
     */
    public ErrorLog(final AtomicBuffer buffer, final EpochClock clock, final ErrorHandler also)
    {
        this.buffer = buffer;
        this.log = new DistinctErrorLog(buffer, clock, StandardCharsets.UTF_8);
        this.also = also;
    }

    @Override
    public void onError(final Throwable error)
    {
        count.incrementAndGet();
        final boolean recorded;
        final boolean first;
        synchronized (this)
        {
            recorded = log.record(error);
            first = recorded ? newRecordAtEnd() : !full;
            full |= !recorded;
        }
        if (first)
        {
            LOG.log(System.Logger.Level.WARNING, (error instanceof LocalFailureReport ? "the balancer's own " +
                "failure, not its targets'" : "unexpected error in portgate") + " (logged once per kind" +
                (recorded ? "; portgate stat --errors lists them all" : "; the error log is full, so errors from " +
                    "now on are only counted") + ")", error);
        }
        if (also != null)
        {
            also.onError(error);
        }
    }

    private boolean newRecordAtEnd()
    {
        if (end + DistinctErrorLog.ENCODED_ERROR_OFFSET > buffer.capacity())
        {
            return false;
        }
        final int length = buffer.getIntVolatile(end + DistinctErrorLog.LENGTH_OFFSET);
        if (length <= 0)
        {
            return false;
        }
        end += align(length, DistinctErrorLog.RECORD_ALIGNMENT);
        return true;
    }

    private static int align(final int value, final int alignment)
    {
        return (value + alignment - 1) & -alignment;
    }

    /**
     * How many errors were reported.
     *
     * @return the count since start, repeats included.
     */
    public long count()
    {
        return count.get();
    }
}
